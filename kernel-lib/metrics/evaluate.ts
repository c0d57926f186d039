/**
 * `evaluate(molecules, options)`: every metric for a batch (or several replicate batches) of generated molecules,
 * as a per-molecule danfo.js DataFrame plus batch summaries and mean ± std over replicates.
 */
import { rejectUnknownOptions } from "../util/options";
import type { DataFrame } from "danfojs-node";
import { Molecule } from "../chem/molecule";
import { loadRDKit } from "../chem/rdkit";
import { MoleculeScore, SCORE_COLUMNS, ScoreOptions, scoreMolecule, unscorableScore } from "./score";
import { MeanStd, MetricsSummary, SummaryMetric, TrainingSet, aggregateReplicates, buildTrainingSet, summarize } from "./summary";
import { checkWorkerCount, defaultWorkerCount } from "../util/ts_worker";
import { scoreOnWorkers } from "./worker_pool";
import { ChargeFallback } from "./stability";
import { csvCell } from "../util/csv";

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** Training SMILES (any form RDKit parses) or a prepared set, for novelty; default none (novelty null). */
  trainSmiles?: Iterable<string> | TrainingSet;
  /** Compute MMFF94 energy, strain and opt-RMSD; default true. */
  energy?: boolean;
  /** Compute the PoseBusters-style checks; default true. */
  posebusters?: boolean;
  /** Valence-table rule for unlisted charges; default "semlaflow". */
  stabilityFallback?: ChargeFallback;
  /** MMFF94 relaxation iterations; default 1000. */
  mmffIterations?: number;
  /** Worker threads; default every available core. 1 scores in this thread. */
  workers?: number;
  /** Per-molecule input problems (e.g. from the SDF reader), same shape as `molecules`; marked invalid with it. */
  inputProblems?: readonly (string | undefined)[] | readonly (readonly (string | undefined)[])[];
  /** Called as molecules finish (counts over all replicates). */
  onProgress?: (done: number, total: number) => void;
}

/** Defaults of {@link EvaluateOptions} (training set and callbacks excluded). */
export const DEFAULT_EVALUATE_OPTIONS = {
  energy: true,
  posebusters: true,
  stabilityFallback: "semlaflow" as ChargeFallback,
  mmffIterations: 1000,
};

/** A scored row with its replicate, whether its SMILES repeats an earlier valid one, and novelty. */
export type EvaluatedRow = MoleculeScore & { replicate: number; duplicate: boolean | null; novel: boolean | null };

/** Result of {@link evaluate}. */
export interface EvaluationResult {
  /** One row per molecule (all replicates, replicate column first). */
  rows: EvaluatedRow[];
  /** The same rows as a danfo.js DataFrame. */
  frame: DataFrame;
  /** Summary of each replicate. */
  replicates: MetricsSummary[];
  /** Mean ± std of every summary metric over replicates (std 0 with one replicate). */
  aggregate: Record<SummaryMetric, MeanStd>;
  /** Seconds spent scoring. */
  seconds: number;
}

const KNOWN_OPTIONS = new Set([
  "trainSmiles", "energy", "posebusters", "stabilityFallback", "mmffIterations", "workers", "inputProblems", "onProgress",
]);

/**
 * Check and complete evaluate options; throws naming the bad field.
 * @example
 * resolveEvaluateOptions({ workers: 2 }).energy; // true
 */
export function resolveEvaluateOptions(options: EvaluateOptions = {}): ScoreOptions & { workers: number } {
  rejectUnknownOptions(options, [...KNOWN_OPTIONS], "evaluate");
  const workers = options.workers ?? defaultWorkerCount();
  checkWorkerCount("workers", workers, 1);
  const mmffIterations = options.mmffIterations ?? DEFAULT_EVALUATE_OPTIONS.mmffIterations;
  if (!Number.isInteger(mmffIterations) || mmffIterations < 0) {
    throw new Error(`invalid mmffIterations: ${mmffIterations}; must be an integer >= 0`);
  }
  const fallback = options.stabilityFallback ?? DEFAULT_EVALUATE_OPTIONS.stabilityFallback;
  if (fallback !== "semlaflow" && fallback !== "midi") {
    throw new Error(`invalid stabilityFallback: ${String(fallback)}; use "semlaflow" or "midi"`);
  }
  return {
    energy: options.energy ?? DEFAULT_EVALUATE_OPTIONS.energy,
    posebusters: options.posebusters ?? DEFAULT_EVALUATE_OPTIONS.posebusters,
    stabilityFallback: fallback,
    mmffIterations,
    workers,
  };
}

function isNested(x: readonly Molecule[] | readonly (readonly Molecule[])[]): x is readonly (readonly Molecule[])[] {
  return x.length > 0 && Array.isArray(x[0]);
}

/**
 * Score every molecule and summarise. `molecules` is one batch or an array of replicate batches (e.g. three
 * seeds); summaries are per replicate and `aggregate` gives mean ± std over them. Nothing is dropped: malformed
 * molecules are invalid with their reason, and metrics that cannot score a molecule say why in its `reason`.
 * @example
 * const res = await evaluate(mols, { trainSmiles: trainLines, workers: 2 });
 * res.aggregate.validity.mean; res.frame.print();
 */
export async function evaluate(
  molecules: readonly Molecule[] | readonly (readonly Molecule[])[],
  options: EvaluateOptions = {},
): Promise<EvaluationResult> {
  const resolved = resolveEvaluateOptions(options);
  const { workers, ...scoreOptions } = resolved;
  await loadRDKit();
  const nested = isNested(molecules);
  const batches: (readonly Molecule[])[] = nested ? [...molecules] : [molecules as readonly Molecule[]];
  const probs = options.inputProblems;
  const problemBatches: (readonly (string | undefined)[])[] = batches.map((b, i) => {
    if (!probs) return [];
    // Same shape as `molecules`: nested per replicate, or flat for one batch.
    const p = nested ? (probs as readonly (readonly (string | undefined)[])[])[i] : (probs as readonly (string | undefined)[]);
    if (p && p.length !== b.length) throw new Error(`inputProblems has ${p.length} entries for ${b.length} molecules; give one per molecule`);
    return p ?? [];
  });
  const train: TrainingSet | undefined =
    options.trainSmiles === undefined
      ? undefined
      : (options.trainSmiles as TrainingSet).keys instanceof Set
        ? (options.trainSmiles as TrainingSet)
        : buildTrainingSet(options.trainSmiles as Iterable<string>);
  const total = batches.reduce((a, b) => a + b.length, 0);
  let doneBefore = 0;
  const t0 = Date.now();
  const scored: MoleculeScore[][] = [];
  for (let r = 0; r < batches.length; r++) {
    const batch = batches[r];
    const problems = problemBatches[r];
    let rows: MoleculeScore[];
    if (workers <= 1 || batch.length < 16) {
      rows = batch.map((m, i) => {
        const row = problems[i] ? unscorableScore(m, i, problems[i]!, scoreOptions) : scoreMolecule(m, i, scoreOptions);
        options.onProgress?.(doneBefore + i + 1, total);
        return row;
      });
    } else {
      const offset = doneBefore;
      rows = await scoreOnWorkers(batch, { problems, score: scoreOptions, workers, onProgress: (d) => options.onProgress?.(offset + d, total) });
    }
    doneBefore += batch.length;
    scored.push(rows);
  }
  const seconds = (Date.now() - t0) / 1000;
  const replicates = scored.map((rows) => summarize(rows, train));
  const rows: EvaluatedRow[] = [];
  scored.forEach((batchRows, r) => {
    const seen = new Set<string>();
    for (const row of batchRows) {
      let duplicate: boolean | null = null;
      if (row.valid && row.smiles !== null) {
        duplicate = seen.has(row.smiles);
        seen.add(row.smiles);
      }
      const novel = train && row.valid && row.novelty_key !== null ? !train.keys.has(row.novelty_key) : null;
      rows.push({ ...row, replicate: r, duplicate, novel });
    }
  });
  return { rows, frame: toDataFrame(rows), replicates, aggregate: aggregateReplicates(replicates), seconds };
}

/** Column order of the per-molecule table (CSV and DataFrame). */
export const ROW_COLUMNS: readonly (keyof EvaluatedRow)[] = ["replicate", ...SCORE_COLUMNS, "duplicate", "novel"];

/**
 * The rows as a danfo.js DataFrame (one column per metric and check; nulls kept as NaN/null).
 * @example
 * toDataFrame(res.rows).describe().print();
 */
export function toDataFrame(rows: readonly EvaluatedRow[]): DataFrame {
  // Loaded lazily: danfo pulls in a second tfjs copy, which worker threads never need.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const danfo = require("danfojs-node") as typeof import("danfojs-node");
  const data: Record<string, unknown[]> = {};
  for (const c of ROW_COLUMNS) data[c] = rows.map((r) => r[c] ?? null);
  return new danfo.DataFrame(data);
}

/** A row value as a CSV cell: empty for a missing or non-finite value. */
function rowCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "";
  return csvCell(String(v));
}

/**
 * The rows as CSV text (header + one line per molecule; empty cells for metrics that could not score).
 * @example
 * writeFileAtomic("metrics.csv", rowsToCsv(res.rows));
 */
export function rowsToCsv(rows: readonly EvaluatedRow[]): string {
  const lines = [ROW_COLUMNS.join(",")];
  for (const r of rows) lines.push(ROW_COLUMNS.map((c) => rowCell(r[c])).join(","));
  return lines.join("\n") + "\n";
}
