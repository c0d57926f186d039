/**
 * `molcache bench metrics`: the metrics benchmark and QM9 ground-truth check: `evaluate` with every metric on N QM9
 * MiDi-test molecules (DFT geometries), timed on the available cores. Reads ../shared/data/qm9/qm9_hcno_dft.jsonl.gz directly (gunzip +
 * JSON.parse per line) so it does not depend on the data reader.
 *
 * Run: `npm run bench -- metrics [--n 1000] [--workers 2] [--seed 0] [--file path] [--json out.json]`
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { Molecule, makeMolecule } from "../chem/molecule";
import { evaluate } from "../metrics/evaluate";
import { formatTable } from "../metrics/table";
import { writeFileAtomic } from "../util/atomic_write";
import { Rng } from "../util/rng";
import { Command } from "commander";
import type { BenchDefinition } from "./bench";
import { countOption, seedOption, workersOption } from "./options";

/** Default location of the staged QM9 file (beside the checkout). */
export const QM9_DFT_FILE = path.resolve(__dirname, "..", "..", "..", "shared", "data", "qm9", "qm9_hcno_dft.jsonl.gz");

interface Qm9Record {
  id: number;
  z: number[];
  pos: number[][];
  charges: number[];
  bonds: number[][];
  midi: string;
}

/**
 * `n` molecules of a MiDi split from the staged QM9 JSONL, as molecules named `qm9_<id>`: a uniform sample drawn
 * with `rng` (QM9 ids grow with molecule size, so the first lines of the file are not representative), or the
 * first `n` in file order without one.
 * @example
 * const mols = readQm9Split(QM9_DFT_FILE, "test", 1000, new Rng(0));
 */
export function readQm9Split(file: string, split: "train" | "val" | "test", n: number, rng?: Rng): Molecule[] {
  if (!fs.existsSync(file)) throw new Error(`QM9 file not found: ${file}; pass --file with the path to qm9_hcno_dft.jsonl.gz`);
  const text = zlib.gunzipSync(fs.readFileSync(file)).toString("utf8");
  const out: Molecule[] = [];
  let start = 0;
  while ((rng || out.length < n) && start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    if (line.trim() === "") continue;
    const r = JSON.parse(line) as Qm9Record;
    if (r.midi !== split) continue;
    out.push(
      makeMolecule({
        elements: r.z,
        positions: r.pos.flat(),
        charges: r.charges,
        bonds: r.bonds.map((b) => [b[0], b[1], b[2]] as [number, number, number]),
        name: `qm9_${r.id}`,
      }),
    );
  }
  if (!rng) return out;
  // Partial Fisher-Yates: the first n entries become a uniform sample.
  for (let i = 0; i < Math.min(n, out.length); i++) {
    const j = i + rng.int(out.length - i);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out.slice(0, n);
}

/** Options of {@link benchMetrics}. */
export interface BenchMetricsOptions {
  n: number;
  /** Sampling seed (default 0). */
  seed?: number;
  workers?: number;
  file?: string;
}

/**
 * Time `evaluate` (all metrics) on `n` QM9 MiDi-test molecules; returns the summary, table and seconds.
 * @example
 * const r = await benchMetrics({ n: 1000, workers: 2 }); r.seconds;
 */
export async function benchMetrics(options: BenchMetricsOptions) {
  const mols = readQm9Split(options.file ?? QM9_DFT_FILE, "test", options.n, new Rng(options.seed ?? 0));
  const t0 = Date.now();
  const res = await evaluate(mols, { workers: options.workers });
  const seconds = (Date.now() - t0) / 1000;
  return {
    n: mols.length,
    seconds,
    summary: res.replicates[0],
    table: formatTable([{ name: `QM9 MiDi test (${mols.length} sampled, DFT)`, aggregate: res.aggregate }], "markdown"),
    rows: res.rows,
  };
}

/** The `bench metrics` subcommand. */
export const METRICS_BENCH: BenchDefinition = {
  description: "every metric on n QM9 MiDi-test molecules (DFT geometries): the ground-truth check and its time",
  configure(cmd: Command) {
    cmd
      .addOption(countOption({ description: "QM9 MiDi-test molecules, a uniform sample", default: 1000 }))
      .addOption(workersOption({ description: "worker threads (default: all cores)", min: 1 }))
      .addOption(seedOption({ description: "seed of the sample" }))
      .option("--file <path>", "the staged qm9_hcno_dft.jsonl.gz", QM9_DFT_FILE)
      .option("--json <file>", "also write n, seconds and the summary as JSON (atomic)")
      .action(async (opts: { n: number; workers?: number; seed: number; file: string; json?: string }) => {
        const r = await benchMetrics({ n: opts.n, workers: opts.workers, file: opts.file, seed: opts.seed });
        const s = r.summary;
        console.log(r.table);
        console.log(
          `n=${r.n} wall=${r.seconds.toFixed(1)} s (${((1000 * r.seconds) / r.n).toFixed(1)} ms/molecule) ` +
            `atom_stability=${s.atom_stability.toFixed(5)} mol_stability=${s.mol_stability.toFixed(4)} validity=${s.validity.toFixed(4)} ` +
            `uniqueness=${s.uniqueness?.toFixed(4)} energy=${s.energy?.toFixed(2)} strain=${s.strain?.toFixed(2)} ` +
            `opt_rmsd=${s.opt_rmsd?.toFixed(3)} pb_validity=${s.pb_validity?.toFixed(4)}`,
        );
        console.log("PoseBusters pass rates:", JSON.stringify(s.pb_checks));
        if (opts.json) writeFileAtomic(opts.json, JSON.stringify({ n: r.n, seconds: r.seconds, summary: s }, null, 2) + "\n");
      });
  },
};
