/**
 * Options of parallel sampling: how many workers, which inference backend, ONNX Runtime settings, Ctrl-C handling,
 * and a deliberate-failure switch for tests. Defaults: one worker per core, TF.js.
 */
import { checkWorkerCount, defaultWorkerCount } from "../util/ts_worker";
import { DEFAULT_ONNX_BACKEND_OPTIONS, OnnxBackendOptions, resolveOnnxBackendOptions } from "../onnx/onnx_generator";
import { INFERENCE_BACKENDS, InferenceBackend } from "./network";
import type { TestFault } from "./sample_worker";
import { rejectUnknownOptions } from "../util/options";

/** Options of a {@link SamplingPool} (and of `sampleParallel`). */
export interface SamplingPoolOptions {
  /** Worker threads (default: one per core). 0 runs every batch on the calling thread (hooks work). */
  workers: number;
  /** Inference backend: `tfjs` (default) or `onnx` (compiled, inference only). */
  backend: InferenceBackend;
  /** ONNX Runtime settings (threads per session, provider); used with `backend: "onnx"`. */
  onnx: Partial<OnnxBackendOptions>;
  /** Stop the workers and fail the run on Ctrl-C (SIGINT) while a run is in progress (default true). */
  handleSigint: boolean;
  /** For tests: make the worker that gets this batch fail in the given way. */
  testFault: TestFault | undefined;
}

/** Defaults of {@link SamplingPoolOptions} (`workers` is the core count of this machine). */
export const DEFAULT_SAMPLING_POOL_OPTIONS: Readonly<SamplingPoolOptions> = {
  workers: defaultWorkerCount(),
  backend: "tfjs",
  onnx: DEFAULT_ONNX_BACKEND_OPTIONS,
  handleSigint: true,
  testFault: undefined,
};

/** The resolved options (ONNX settings complete). */
export interface ResolvedSamplingPoolOptions extends SamplingPoolOptions {
  onnx: OnnxBackendOptions;
}

/**
 * Fill defaults and validate.
 * @throws on unknown keys, a negative or fractional worker count, an unknown backend, bad ONNX settings.
 * @example
 * resolveSamplingPoolOptions({ workers: 2, backend: "onnx" }).onnx.intraOpThreads; // 1
 */
export function resolveSamplingPoolOptions(options: Partial<SamplingPoolOptions> = {}): ResolvedSamplingPoolOptions {
  rejectUnknownOptions(options, DEFAULT_SAMPLING_POOL_OPTIONS, "sampling pool");
  const o = { ...DEFAULT_SAMPLING_POOL_OPTIONS, ...options };
  checkWorkerCount("workers", o.workers, 0); // 0 = sample on the calling thread
  if (!INFERENCE_BACKENDS.includes(o.backend)) throw new Error(`invalid backend: ${o.backend}; use one of ${INFERENCE_BACKENDS.join(", ")}`);
  if (typeof o.handleSigint !== "boolean") throw new Error(`invalid handleSigint: ${o.handleSigint}; use true or false`);
  const f = o.testFault;
  if (f !== undefined && !(Number.isInteger(f.batch) && f.batch >= 0 && ["throw", "exit", "crash"].includes(f.kind))) {
    throw new Error(`invalid testFault: ${JSON.stringify(f)}; use { batch: <index >= 0>, kind: "throw" | "exit" | "crash" }`);
  }
  return { ...o, onnx: resolveOnnxBackendOptions(o.onnx) };
}
