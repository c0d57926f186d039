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

/**
 * `execArgv` for worker threads that load a TypeScript module by path (piscina's task modules): this process's options
 * plus tsx's CommonJS hook, resolved from this package, which a notebook kernel (tslab) is not started with.
 * @example
 * new Piscina({ filename: path.join(__dirname, "task.ts"), execArgv: tsWorkerExecArgv() });
 */
export function tsWorkerExecArgv(): string[] {
  return [...process.execArgv, "--require", require.resolve("tsx/cjs")];
}

/** Default worker count: every core this process may use (2 on the project machines). */
export function defaultWorkerCount(): number {
  const n = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, n);
}

/** Worker threads allowed per core: each holds its own backend and model copy, so more only costs memory. */
export const MAX_WORKERS_PER_CORE = 4;

/**
 * Check a worker-thread count: an integer from `min` to {@link MAX_WORKERS_PER_CORE} × the cores (each worker holds
 * its own backend and model; 99 of them took 9 GB). Accepts a number or a command-line string.
 * @param field the option's name for the message (`--workers`, `workers`).
 * @example
 * checkWorkerCount("--workers", "1.5", 1); // throws: invalid --workers: 1.5; must be an integer >= 1 and at most 8 …
 */
export function checkWorkerCount(field: string, value: number | string, min: number): number {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  const max = MAX_WORKERS_PER_CORE * defaultWorkerCount();
  if (!(typeof n === "number" && Number.isInteger(n) && n >= min && n <= max)) {
    throw new Error(
      `invalid ${field}: ${String(value)}; must be an integer >= ${min} and at most ${max} (${MAX_WORKERS_PER_CORE} per core on this ` +
        `machine's ${defaultWorkerCount()}; each worker holds its own backend and model)`,
    );
  }
  return n;
}
