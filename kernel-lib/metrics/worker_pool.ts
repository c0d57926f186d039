/**
 * Scoring on worker threads: molecules go out in small chunks to a pool of workers (dynamic balancing, results in
 * input order). Workers run TypeScript through tsx, so no build step is needed.
 */
import * as path from "node:path";
import { startTsWorker } from "../util/ts_worker";
import { Molecule } from "../chem/molecule";
import { MoleculeScore, ScoreOptions } from "./score";
import type { WorkerRequest } from "./evaluate_worker";

/**
 * Score molecules on `workers` threads (chunks of `chunkSize`); `problems[i]` marks unreadable inputs.
 * Rejects if a worker crashes (the message names the chunk).
 * @example
 * const rows = await scoreOnWorkers(mols, [], DEFAULT_SCORE_OPTIONS, 2);
 */
export async function scoreOnWorkers(
  molecules: readonly Molecule[],
  problems: readonly (string | undefined)[],
  options: ScoreOptions,
  workers: number,
  chunkSize = 8,
  onProgress?: (done: number, total: number) => void,
): Promise<MoleculeScore[]> {
  const total = molecules.length;
  const results: MoleculeScore[] = new Array(total);
  const chunks: { start: number; end: number }[] = [];
  for (let s = 0; s < total; s += chunkSize) chunks.push({ start: s, end: Math.min(total, s + chunkSize) });
  const nWorkers = Math.max(1, Math.min(workers, chunks.length));
  const file = path.join(__dirname, "evaluate_worker.ts");
  const pool = Array.from({ length: nWorkers }, () => startTsWorker(file));
  let next = 0;
  let done = 0;
  try {
    await Promise.all(
      pool.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const send = () => {
              if (next >= chunks.length) return resolve();
              const id = next++;
              const { start, end } = chunks[id];
              const req: WorkerRequest = {
                id,
                start,
                molecules: molecules.slice(start, end) as Molecule[],
                problems: problems.slice(start, end).map((p) => p ?? null),
                options,
              };
              worker.postMessage(req);
            };
            worker.on("message", (msg: { id: number; rows?: MoleculeScore[]; error?: string }) => {
              if (msg.error || !msg.rows) {
                reject(new Error(`metrics worker failed on molecules ${chunks[msg.id].start}-${chunks[msg.id].end - 1}: ${msg.error}`));
                return;
              }
              msg.rows.forEach((r, k) => (results[chunks[msg.id].start + k] = r));
              done += msg.rows.length;
              onProgress?.(done, total);
              send();
            });
            worker.on("error", reject);
            worker.on("exit", (code) => {
              if (code !== 0) reject(new Error(`metrics worker exited with code ${code}`));
            });
            send();
          }),
      ),
    );
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return results;
}
