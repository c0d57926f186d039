/**
 * `sampleParallel(model, options)`: `sample()` on every core and/or on the compiled backend. Starts a
 * {@link SamplingPool}, runs one sampling run, and closes the pool (also on failure and Ctrl-C). Same molecules as
 * `sample()` for the same options, whatever the number of workers or the backend (categorical states identical;
 * coordinates equal to float32 rounding across backends).
 */
import { initBackend } from "../env";
import { DEFAULT_SAMPLE_OPTIONS } from "../flow/sample";
import { loadModel, LoadedModel } from "../model/model_io";
import { rejectUnknownOptions } from "../util/options";
import { DEFAULT_SAMPLING_POOL_OPTIONS, SamplingPoolOptions } from "./pool_options";
import { ParallelSampleResult, PoolRunOptions, SamplingPool } from "./sampling_pool";

/** Options of {@link sampleParallel}: the options of `sample()`, of the pool, and a stop signal. */
export interface ParallelSampleOptions extends PoolRunOptions, SamplingPoolOptions {}

/** Split options into the pool's and the run's, rejecting keys that belong to neither. */
export function splitParallelOptions(options: Partial<ParallelSampleOptions>): { pool: Partial<SamplingPoolOptions>; run: Partial<PoolRunOptions> } {
  rejectUnknownOptions(options, [...Object.keys(DEFAULT_SAMPLE_OPTIONS), "signal", ...Object.keys(DEFAULT_SAMPLING_POOL_OPTIONS)], "sampleParallel");
  const pool: Record<string, unknown> = {};
  const run: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) (k in DEFAULT_SAMPLING_POOL_OPTIONS ? pool : run)[k] = v;
  return { pool: pool as Partial<SamplingPoolOptions>, run: run as Partial<PoolRunOptions> };
}

/**
 * Sample molecules on a pool of workers (default one per core) with the chosen backend (default TF.js).
 * @param model a loaded model, or the folder of one.
 * @throws {SamplingError} when a worker fails or the run is interrupted; molecules already delivered through
 *   `onBatch` stay delivered, and `error.molecules` holds them.
 * @example
 * const r = await sampleParallel("data/models/default", { n: 256, workers: 2, backend: "onnx", cache: "taylor:m=2,D=3",
 *   onBatch: (mols) => append(mols) });
 */
export async function sampleParallel(model: LoadedModel | string, options: Partial<ParallelSampleOptions> = {}): Promise<ParallelSampleResult> {
  const { pool: poolOptions, run } = splitParallelOptions(options);
  // A folder is loaded on this thread too (sizes, validation, the parameters to share): on molcache's backend.
  if (typeof model === "string") await initBackend();
  const loaded = typeof model === "string" ? loadModel(model) : model;
  try {
    const pool = await SamplingPool.start(loaded, poolOptions);
    try {
      return await pool.sample(run);
    } finally {
      await pool.close();
    }
  } finally {
    if (typeof model === "string") loaded.generator.dispose();
  }
}
