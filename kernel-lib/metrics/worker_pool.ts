/**
 * Scoring on worker threads with piscina: molecules go out in small chunks to a pool of threads (piscina's queue
 * balances them) and the rows come back in input order. A chunk is stateless (the only per-thread state, RDKit.js, is
 * loaded once as each thread starts), which is exactly piscina's `run()`. The threads run TypeScript through tsx, so
 * no build step is needed.
 */
import * as path from "node:path";
import { Piscina } from "piscina";
import { Molecule } from "../chem/molecule";
import { checkInteger, rejectUnknownOptions } from "../util/options";
import { checkWorkerCount, defaultWorkerCount, tsWorkerExecArgv } from "../util/ts_worker";
import { DEFAULT_SCORE_OPTIONS, MoleculeScore, ScoreOptions } from "./score";
import type { ScoreChunk } from "./evaluate_worker";

/** Options of {@link scoreOnWorkers}. */
export interface ScoreOnWorkersOptions {
  /** `problems[i]` marks input `i` as unreadable (scored as such, with the reason); default none. */
  problems: readonly (string | undefined)[];
  /** What to compute for each molecule (default {@link DEFAULT_SCORE_OPTIONS}). */
  score: ScoreOptions;
  /** Worker threads (default: one per core); never more than there are chunks. */
  workers: number;
  /** Molecules per chunk (default 8): small enough to balance the threads, large enough to keep messaging cheap. */
  chunkSize: number;
  /** Called after each chunk with the number of molecules scored so far and the total. */
  onProgress: ((done: number, total: number) => void) | undefined;
}

/** Defaults of {@link ScoreOnWorkersOptions}. */
export const DEFAULT_SCORE_ON_WORKERS_OPTIONS: Readonly<ScoreOnWorkersOptions> = {
  problems: [],
  score: DEFAULT_SCORE_OPTIONS,
  workers: defaultWorkerCount(),
  chunkSize: 8,
  onProgress: undefined,
};

/**
 * Score molecules on worker threads; the rows are those of `scoreMolecule` / `unscorableScore`, in input order.
 * @throws on bad options, or when a chunk fails or its thread dies (the message names the chunk's molecules).
 * @example
 * const rows = await scoreOnWorkers(mols, { workers: 2, score: { ...DEFAULT_SCORE_OPTIONS, energy: false } });
 * rows[0].valid; // true
 */
export async function scoreOnWorkers(molecules: readonly Molecule[], options: Partial<ScoreOnWorkersOptions> = {}): Promise<MoleculeScore[]> {
  rejectUnknownOptions(options, DEFAULT_SCORE_ON_WORKERS_OPTIONS, "scoreOnWorkers");
  const o = { ...DEFAULT_SCORE_ON_WORKERS_OPTIONS, ...options };
  checkWorkerCount("workers", o.workers, 1);
  checkInteger("chunkSize", o.chunkSize, 1);
  const total = molecules.length;
  const results: MoleculeScore[] = new Array(total);
  const chunks: ScoreChunk[] = [];
  for (let start = 0; start < total; start += o.chunkSize) {
    const end = Math.min(total, start + o.chunkSize);
    const problems = Array.from({ length: end - start }, (_, k) => o.problems[start + k] ?? null);
    chunks.push({ start, molecules: molecules.slice(start, end) as Molecule[], problems, options: o.score });
  }
  if (chunks.length === 0) return results;
  const threads = Math.min(o.workers, chunks.length);
  const pool = new Piscina({
    filename: path.join(__dirname, "evaluate_worker.ts"), minThreads: threads, maxThreads: threads, execArgv: tsWorkerExecArgv(),
  });
  let done = 0;
  try {
    await Promise.all(chunks.map((chunk) =>
      pool.run(chunk).then(
        (rows: MoleculeScore[]) => {
          rows.forEach((r, k) => (results[chunk.start + k] = r));
          done += rows.length;
          o.onProgress?.(done, total);
        },
        (err: Error) => {
          const last = chunk.start + chunk.molecules.length - 1;
          throw new Error(`metrics worker failed on molecules ${chunk.start}-${last}: ${err?.message ?? String(err)}`, { cause: err });
        },
      )));
  } finally {
    await pool.destroy();
  }
  return results;
}
