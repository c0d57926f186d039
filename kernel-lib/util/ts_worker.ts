/**
 * Worker threads that run TypeScript modules. Node cannot start a worker from a `.ts` entry even under
 * `--import tsx`, so the worker starts from a one-line JavaScript shim that registers tsx's CommonJS hook and then
 * requires the module.
 */
import { Worker } from "node:worker_threads";

/**
 * Start a worker thread running the TypeScript module `file` with `workerData`.
 * @example
 * const worker = startTsWorker(path.join(__dirname, "my_worker.ts"), { id: 0 });
 */
export function startTsWorker(file: string, workerData: unknown): Worker {
  const shim = `require("tsx/cjs"); require(${JSON.stringify(file)});`;
  return new Worker(shim, { eval: true, workerData });
}
