/**
 * The sampling phase of a report: every configuration, every replicate seed, one after another on the same model
 * (so the timings compare), each streamed to its SDF file as batches finish. All configurations of a replicate
 * share its seed, hence the same molecule sizes and priors: differences come from the sampler alone.
 * With `workers` > 0 or the ONNX backend, every run goes to one `SamplingPool` started once for all of them; the
 * molecules do not depend on the number of workers (batch randomness derives from the seed and the batch index).
 */
import type { Molecule } from "../chem/molecule";
import { QM9_BUCKETS } from "../data/batching";
import { sample, SampleOptions, SampleResult } from "../flow/sample";
import type { TimeGridKind } from "../flow/time_grid";
import type { LoadedModel } from "../model/model_io";
import type { InferenceBackend } from "../parallel/network";
import { SamplingPool } from "../parallel/sampling_pool";
import type { ReportConfiguration } from "./configurations";
import { SdfStream } from "./run_folder";
import { meanStd } from "../util/mean_std";

/** One configuration's sampling runs (one per replicate seed). */
export interface ConfigurationRun {
  configuration: ReportConfiguration;
  /** Molecules of each replicate. */
  molecules: Molecule[][];
  /** Seeds of the replicates. */
  seeds: number[];
  /** Wall seconds per replicate (sampling only). */
  wallSeconds: number[];
  /** Molecules per second per replicate. */
  moleculesPerSecond: number[];
  /** Peak TensorFlow.js memory per replicate, in bytes. */
  peakTensorBytes: number[];
  /** Backbone calls per batch (same every replicate; the mean over batches and replicates for adaptive schedules). */
  networkCalls: number;
  /** The schedule actually used: computed steps per replicate and batch. */
  stepsComputed: number[][][];
  /** Batches per replicate. */
  batches: number;
  /** The SDF file written (undefined without `sdfPath`). */
  sdfFile: string | undefined;
}

/** Options of {@link sampleConfigurations}. */
export interface SampleRunsOptions {
  /** Molecules per configuration and seed. */
  n: number;
  /** One run per seed. */
  seeds: readonly number[];
  /** Time grid (default "log"). */
  grid?: TimeGridKind;
  /** Atoms per batch (default 1152). */
  batchCost?: number;
  /** Where configuration `c`'s SDF goes (default: no SDF files). */
  sdfPath?: (c: ReportConfiguration) => string;
  /** Molecules finished so far over all runs (for a progress bar). */
  onProgress?: (done: number) => void;
  /** Called when a configuration has finished all its replicates. */
  onConfiguration?: (run: ConfigurationRun) => void;
  /** Sampling worker threads (default 0: every batch on the calling thread, as `sample()`). */
  workers?: number;
  /** Inference backend (default "tfjs"; "onnx" is about 4× faster per core). Same backend, same molecules. */
  backend?: InferenceBackend;
  /** Called once at the end with each worker thread's on-CPU seconds over all runs (only on a pool: workers > 0 or ONNX). */
  onWorkerCpu?: (seconds: number[]) => void;
}

/**
 * Sample every configuration for every seed and stream each configuration's molecules to its SDF file.
 * @example
 * const runs = await sampleConfigurations(model, parseCacheList("base,taylor:m=2,D=3", 100), { n: 32, seeds: [0] });
 */
export async function sampleConfigurations(
  model: LoadedModel,
  configurations: readonly ReportConfiguration[],
  options: SampleRunsOptions,
): Promise<ConfigurationRun[]> {
  const workers = options.workers ?? 0;
  const backend = options.backend ?? "tfjs";
  const pool = workers > 0 || backend !== "tfjs" ? await SamplingPool.start(model, { workers, backend }) : undefined;
  try {
    // Warm-up (weights uploaded, kernels and buffers initialised) so the first configuration's time is not inflated:
    // one single-molecule batch per worker.
    const warmUp = { sizes: new Array<number>(Math.max(1, workers)).fill(QM9_BUCKETS[0]), steps: 2, seed: options.seeds[0], grid: options.grid ?? "log", batchCost: QM9_BUCKETS[0] };
    if (!pool) {
      await sample(model, warmUp);
      return await sampleEach(configurations, options, (o) => sample(model, o));
    }
    await pool.sample(warmUp);
    const cpu = new Array<number>(Math.max(1, workers)).fill(0);
    const runs = await sampleEach(configurations, options, async (o) => {
      const r = await pool.sample(o);
      r.workerCpuSeconds.forEach((s, k) => (cpu[k] += s));
      return r;
    });
    options.onWorkerCpu?.(cpu);
    return runs;
  } finally {
    await pool?.close();
  }
}

/** The configurations one after another, each seed's run streamed to the configuration's SDF file. */
async function sampleEach(
  configurations: readonly ReportConfiguration[],
  options: SampleRunsOptions,
  sampleOnce: (o: Partial<SampleOptions>) => Promise<SampleResult>,
): Promise<ConfigurationRun[]> {
  const grid = options.grid ?? "log";
  const batchCost = options.batchCost ?? 1152;
  const runs: ConfigurationRun[] = [];
  let doneBefore = 0;
  for (const configuration of configurations) {
    const stream = options.sdfPath
      ? new SdfStream(options.sdfPath(configuration), { configuration: configuration.label, cache: configuration.spec, steps: String(configuration.steps) })
      : undefined;
    const run: ConfigurationRun = {
      configuration, molecules: [], seeds: [...options.seeds], wallSeconds: [], moleculesPerSecond: [], peakTensorBytes: [],
      networkCalls: configuration.networkCalls, stepsComputed: [], batches: 0, sdfFile: stream?.file,
    };
    try {
      for (const seed of options.seeds) {
        const offset = doneBefore;
        const result = await sampleOnce({
          n: options.n, steps: configuration.steps, cache: configuration.cache, solver: configuration.solver, seed, grid, batchCost,
          onBatch: stream ? (mols, indices) => stream.append(mols, indices, { seed: String(seed) }) : undefined,
          onProgress: (done) => options.onProgress?.(offset + done),
        });
        doneBefore += result.molecules.length;
        run.molecules.push(result.molecules);
        run.wallSeconds.push(result.wallSeconds);
        run.moleculesPerSecond.push(result.moleculesPerSecond);
        run.peakTensorBytes.push(result.peakTensorBytes);
        run.stepsComputed.push(result.stepsComputed);
        // Mean over every batch so far (adaptive schedules vary by batch); Heun makes two calls per computed step.
        run.networkCalls = meanStd(run.stepsComputed.flat().map((s) => s.length)).mean * (configuration.solver === "heun" ? 2 : 1);
        run.batches = result.batches;
      }
      stream?.finish();
    } catch (err) {
      stream?.close();
      throw err;
    }
    runs.push(run);
    options.onConfiguration?.(run);
  }
  return runs;
}
