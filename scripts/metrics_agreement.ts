/**
 * Agreement of molcache's metrics with the reference values in ../shared/data/eval_fixtures (RDKit 2022.09 and
 * PoseBusters 0.4.1). Usage: `node --import tsx scripts/metrics_agreement.ts [fixtures.sdf reference.json]`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { readSdf } from "../kernel-lib/chem/sdf";
import { loadRDKit, canonicalizeSmiles } from "../kernel-lib/chem/rdkit";
import { scoreMolecule, MoleculeScore } from "../kernel-lib/metrics/score";
import { PB_CHECKS } from "../kernel-lib/metrics/posebusters";

/** Per-metric agreement counts: `agree` of `n` compared molecules, and `skipped` (no reference verdict). */
export interface Agreement {
  metric: string;
  agree: number;
  n: number;
  skipped: number;
}

/** Compare scores with reference entries (fixtures_reference.json layout), one agreement line per metric. */
export function fixtureAgreement(scores: MoleculeScore[], reference: Record<string, any>[]): Agreement[] {
  const out: Agreement[] = [];
  const add = (metric: string, pairs: [unknown, unknown][], eq: (a: any, b: any) => boolean) => {
    const usable = pairs.filter(([, r]) => r !== null && r !== undefined);
    out.push({ metric, agree: usable.filter(([m, r]) => eq(m, r)).length, n: usable.length, skipped: pairs.length - usable.length });
  };
  const same = (a: unknown, b: unknown) => a === b;
  add("atom stability (n stable atoms)", scores.map((s, i) => [s.n_stable_atoms, reference[i].n_stable_atoms]), same);
  add("molecule stability", scores.map((s, i) => [s.mol_stable, reference[i].mol_stable]), same);
  add("validity", scores.map((s, i) => [s.valid, reference[i].valid]), same);
  add("fragments", scores.map((s, i) => [s.n_fragments, reference[i].n_fragments]), same);
  add("canonical SMILES (canonicalised reference)", scores.map((s, i) => [s.smiles, canonicalizeSmiles(reference[i].smiles)]), same);
  add("canonical SMILES (raw string)", scores.map((s, i) => [s.smiles, reference[i].smiles]), same);
  add("MMFF94 energy ±0.1 kcal/mol", scores.map((s, i) => [s.energy, reference[i].mmff94_energy]), (a, b) => a !== null && Math.abs(a - b) <= 0.1);
  add("strain ±1 kcal/mol", scores.map((s, i) => [s.strain, reference[i].strain]), (a, b) => a !== null && Math.abs(a - b) <= 1);
  add("opt-RMSD ±0.1 Å", scores.map((s, i) => [s.opt_rmsd, reference[i].opt_rmsd]), (a, b) => a !== null && Math.abs(a - b) <= 0.1);
  for (const c of PB_CHECKS) {
    add(`PB ${c.key}`, scores.map((s, i) => [s[c.column], reference[i]["posebusters_mol_v0.4.1"][c.key]]), same);
  }
  const refValid = (r: Record<string, any>) => PB_CHECKS.every((c) => r["posebusters_mol_v0.4.1"][c.key] === true);
  add("PRC validity (PB-valid)", scores.map((s, i) => [s.pb_valid, refValid(reference[i])]), same);
  return out;
}

async function main(): Promise<void> {
  const shared = path.resolve(__dirname, "..", "..", "shared", "data", "eval_fixtures");
  const sdf = process.argv[2] ?? path.join(shared, "fixtures.sdf");
  const refFile = process.argv[3] ?? path.join(shared, "fixtures_reference.json");
  await loadRDKit();
  const records = readSdf(fs.readFileSync(sdf, "utf8"));
  const reference = JSON.parse(fs.readFileSync(refFile, "utf8")) as Record<string, any>[];
  const t0 = Date.now();
  const scores = records.map((r, i) => scoreMolecule(r.molecule, i));
  const seconds = (Date.now() - t0) / 1000;
  for (const a of fixtureAgreement(scores, reference)) {
    const pct = a.n ? ((100 * a.agree) / a.n).toFixed(1) : "-";
    console.log(`${a.metric.padEnd(44)} ${String(a.agree).padStart(4)}/${String(a.n).padEnd(4)} ${pct.padStart(6)}%` + (a.skipped ? `  (${a.skipped} without a reference verdict)` : ""));
  }
  console.log(`scored ${scores.length} molecules in ${seconds.toFixed(1)} s on one thread`);
}

if (require.main === module) main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
