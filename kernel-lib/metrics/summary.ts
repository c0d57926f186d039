/**
 * Batch metrics from per-molecule scores: stability, validity, uniqueness and novelty (SemlaFlow and MiDi
 * definitions, docs/metrics.md §3), energy averages and PoseBusters pass rates, plus mean ± std over replicates.
 * Every molecule stays in the denominators it belongs to; those a metric could not score are counted with reasons.
 */
import { heavyAtomKey } from "../chem/rdkit";
import { MoleculeScore } from "./score";
import { PB_CHECKS } from "./posebusters";
import { meanStd } from "../util/mean_std";

/** A training set for novelty: canonical heavy-atom SMILES keys. */
export interface TrainingSet {
  keys: Set<string>;
  /** Lines read, and lines RDKit could not parse (left out of `keys`). */
  size: number;
  unparsed: number;
}

/**
 * Canonicalise training SMILES (heavy-atom form, no stereo) for novelty. Needs RDKit.js loaded. Empty lines and a
 * header line "smiles" are skipped.
 * @example
 * await loadRDKit(); const train = buildTrainingSet(fs.readFileSync("train.smi", "utf8").split("\n"));
 */
export function buildTrainingSet(smiles: Iterable<string>): TrainingSet {
  const keys = new Set<string>();
  let size = 0;
  let unparsed = 0;
  for (const raw of smiles) {
    const s = raw.trim().split(/\s+/)[0] ?? "";
    if (s === "" || s.toLowerCase() === "smiles") continue;
    size++;
    const key = heavyAtomKey(s);
    if (key === undefined) unparsed++;
    else keys.add(key);
  }
  return { keys, size, unparsed };
}

/** Counts of molecules a metric could not score, by reason. */
export interface Unscored {
  count: number;
  reasons: Record<string, number>;
}

/** One replicate's batch metrics. Rates are fractions in [0, 1]; energies in kcal/mol, RMSD in Å. */
export interface MetricsSummary {
  n_molecules: number;
  /** Malformed inputs (no atoms, unknown element, NaN coordinates, dangling bond): invalid, unstable. */
  n_malformed: number;
  atom_stability: number;
  mol_stability: number;
  /** SemlaFlow validity: the whole molecule sanitises. */
  validity: number;
  /** SemlaFlow connected validity: valid and one fragment. */
  connected_validity: number;
  /** MiDi validity: the largest fragment sanitises. */
  midi_validity: number;
  /** SemlaFlow uniqueness: distinct canonical SMILES / valid. */
  uniqueness: number | null;
  /** SemlaFlow novelty: valid molecules not in the training set / valid (null without a training set). */
  novelty: number | null;
  /** MiDi uniqueness: distinct largest-fragment SMILES / MiDi-valid. */
  midi_uniqueness: number | null;
  /** MiDi novelty: unique largest-fragment SMILES not in training / unique (null without a training set). */
  midi_novelty: number | null;
  energy: number | null;
  energy_per_atom: number | null;
  strain: number | null;
  strain_per_atom: number | null;
  opt_rmsd: number | null;
  /** Share of valid molecules whose MMFF94 energy could be computed. */
  energy_validity: number | null;
  /** PRC validity over all molecules (null: not computed, the checks were switched off). */
  pb_validity: number | null;
  /**
   * Pass rate of each PoseBusters check over all molecules (a check that could not run counts as a fail; null: not
   * computed, the checks were switched off).
   */
  pb_checks: Record<string, number | null>;
  /** Molecules left out of each averaged metric, with reasons. */
  unscored: Record<string, Unscored>;
}

const mean = (xs: number[]) => (xs.length ? meanStd(xs).mean : null);
const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);

function countReason(u: Unscored, reason: string): void {
  u.count++;
  u.reasons[reason] = (u.reasons[reason] ?? 0) + 1;
}

/**
 * Batch metrics of one replicate's scores.
 * @example
 * const s = summarize(rows, train); s.validity; s.uniqueness; s.strain;
 */
export function summarize(rows: readonly MoleculeScore[], train?: TrainingSet): MetricsSummary {
  const n = rows.length;
  let atoms = 0;
  let stableAtoms = 0;
  let molStable = 0;
  let valid = 0;
  let connValid = 0;
  let midiValid = 0;
  const smiles = new Set<string>();
  const fragSmiles = new Set<string>();
  let novel = 0;
  const unscored: Record<string, Unscored> = {
    stability: { count: 0, reasons: {} },
    energy: { count: 0, reasons: {} },
    posebusters: { count: 0, reasons: {} },
  };
  const energies: Record<"energy" | "energy_per_atom" | "strain" | "strain_per_atom" | "opt_rmsd", number[]> = {
    energy: [],
    energy_per_atom: [],
    strain: [],
    strain_per_atom: [],
    opt_rmsd: [],
  };
  const pbPass: Record<string, number> = Object.fromEntries(PB_CHECKS.map((c) => [c.key, 0]));
  let pbValid = 0;
  let pbRun = 0;
  let malformed = 0;
  for (const r of rows) {
    atoms += r.n_atoms;
    if (r.problem) {
      malformed++;
      countReason(unscored.stability, r.problem);
    }
    stableAtoms += r.n_stable_atoms ?? 0;
    if (r.mol_stable) molStable++;
    if (r.valid) {
      valid++;
      if (r.smiles !== null) smiles.add(r.smiles);
      if (train && r.novelty_key !== null && !train.keys.has(r.novelty_key)) novel++;
    }
    if (r.connected_valid) connValid++;
    if (r.valid_largest_fragment) {
      midiValid++;
      if (r.largest_fragment_smiles !== null) fragSmiles.add(r.largest_fragment_smiles);
    }
    if (r.energy !== null) {
      energies.energy.push(r.energy);
      energies.energy_per_atom.push(r.energy_per_atom!);
      energies.strain.push(r.strain!);
      energies.strain_per_atom.push(r.strain_per_atom!);
      energies.opt_rmsd.push(r.opt_rmsd!);
    } else {
      const why = r.problem ? "malformed input" : !r.valid ? "does not sanitise" : (r.reason ?? "").split("; ").find((x) => x.startsWith("energy:")) ?? "not computed";
      countReason(unscored.energy, why);
    }
    for (const c of PB_CHECKS) if (r[c.column] === true) pbPass[c.key]++;
    if (r.pb_valid) pbValid++;
    if (r.pb_valid !== null) pbRun++;
    if (r.pb_valid === null) countReason(unscored.posebusters, "PoseBusters checks not run");
    else if (r.reason && r.reason.includes("posebusters:")) {
      for (const part of r.reason.split("; ").filter((x) => x.startsWith("posebusters:"))) countReason(unscored.posebusters, part);
    }
  }
  let midiNovelty: number | null = null;
  if (train) {
    let novelUnique = 0;
    for (const s of fragSmiles) {
      const key = heavyAtomKey(s);
      if (key !== undefined && !train.keys.has(key)) novelUnique++;
    }
    midiNovelty = fragSmiles.size ? novelUnique / fragSmiles.size : null;
  }
  const validWithEnergy = rows.filter((r) => r.valid && r.energy !== null).length;
  return {
    n_molecules: n,
    n_malformed: malformed,
    atom_stability: ratio(stableAtoms, atoms),
    mol_stability: ratio(molStable, n),
    validity: ratio(valid, n),
    connected_validity: ratio(connValid, n),
    midi_validity: ratio(midiValid, n),
    uniqueness: valid ? smiles.size / valid : null,
    novelty: train ? (valid ? novel / valid : null) : null,
    midi_uniqueness: midiValid ? fragSmiles.size / midiValid : null,
    midi_novelty: midiNovelty,
    energy: mean(energies.energy),
    energy_per_atom: mean(energies.energy_per_atom),
    strain: mean(energies.strain),
    strain_per_atom: mean(energies.strain_per_atom),
    opt_rmsd: mean(energies.opt_rmsd),
    energy_validity: valid ? validWithEnergy / valid : null,
    // No molecule checked (--no-posebusters): not computed, never a 0% pass rate.
    pb_validity: pbRun ? ratio(pbValid, n) : null,
    pb_checks: Object.fromEntries(Object.entries(pbPass).map(([k, v]) => [k, pbRun ? ratio(v, n) : null])),
    unscored,
  };
}

/** Mean and (population) standard deviation of one metric over replicates; null where a replicate had none. */
export interface MeanStd {
  mean: number | null;
  std: number | null;
  n: number;
}

/** The numeric summary fields that are aggregated over replicates. */
export const SUMMARY_METRICS = [
  "atom_stability", "mol_stability", "validity", "connected_validity", "midi_validity", "uniqueness", "novelty",
  "midi_uniqueness", "midi_novelty", "energy", "energy_per_atom", "strain", "strain_per_atom", "opt_rmsd",
  "energy_validity", "pb_validity",
] as const;

/** A summary metric name. */
export type SummaryMetric = (typeof SUMMARY_METRICS)[number];

/**
 * Mean ± std of every summary metric over replicates (numpy's default population std, as SemlaFlow reports).
 * @example
 * aggregateReplicates([s1, s2, s3]).validity; // { mean: 0.93, std: 0.004, n: 3 }
 */
export function aggregateReplicates(summaries: readonly MetricsSummary[]): Record<SummaryMetric, MeanStd> {
  const out = {} as Record<SummaryMetric, MeanStd>;
  for (const m of SUMMARY_METRICS) {
    const xs = summaries.map((s) => s[m]).filter((x): x is number => x !== null && Number.isFinite(x));
    const { mean: mu, std: sd } = meanStd(xs);
    out[m] = xs.length ? { mean: mu, std: sd, n: xs.length } : { mean: null, std: null, n: 0 };
  }
  return out;
}
