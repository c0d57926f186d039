/**
 * Worker threads that run TypeScript modules. Node cannot start a worker from a `.ts` entry (and `execArgv:
 * ["--import", "tsx"]` does not reach worker threads on Node 20), so the worker starts from a one-line CommonJS shim
 * that registers tsx's CommonJS loader (resolved from this package, not the caller's folder) and requires the module.
 * ESM-only packages such as openchemlib then load through Node's require(esm).
 */
import * as os from "node:os";
import { Worker } from "node:worker_threads";

/**
 * Start a worker thread running the TypeScript module `file` with `workerData`.
 * @example
 * const worker = startTsWorker(path.join(__dirname, "my_worker.ts"), { id: 0 });
 */
export function startTsWorker(file: string, workerData?: unknown): Worker {
  const shim = `require(${JSON.stringify(require.resolve("tsx/cjs/api"))}).register(); require(${JSON.stringify(file)});`;
  return new Worker(shim, { eval: true, workerData });
}

/** Default worker count: every core this process may use (2 on the project machines). */
export function defaultWorkerCount(): number {
  const n = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, n);
}
