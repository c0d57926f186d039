/**
 * Synchronous ONNX Runtime sessions. onnxruntime-node's public `InferenceSession.run` is a Promise that only wraps
 * a synchronous native call in `setImmediate`; molcache's sampler and cache logic are synchronous, so we call the
 * native binding (`onnxruntime-node/dist/binding`, "a simple synchronized inference session object wrap") directly.
 * The package version is pinned in package.json; {@link loadOrtBinding} fails with a clear message if the internal
 * module moves.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Tensor as OrtTensor, InferenceSession } from "onnxruntime-common";
import { rejectUnknownOptions } from "../util/options";

/** Execution providers molcache lets users choose. `cuda` needs onnxruntime-node's CUDA download (see README). */
export type OnnxProvider = "cpu" | "cuda";

/** Options of {@link OrtSession}. */
export interface OrtSessionOptions {
  /** Threads inside one operator (default 1: parallelism comes from sampling workers; 0 = ONNX Runtime's choice). */
  intraOpThreads: number;
  /** Execution provider (default `cpu`). */
  provider: OnnxProvider;
}

/** Defaults of {@link OrtSessionOptions}. */
export const DEFAULT_ORT_SESSION_OPTIONS: Readonly<OrtSessionOptions> = { intraOpThreads: 1, provider: "cpu" };

interface NativeSession {
  loadModel(buffer: ArrayBuffer, byteOffset: number, byteLength: number, options: InferenceSession.SessionOptions): void;
  readonly inputMetadata: { name: string }[];
  readonly outputMetadata: { name: string }[];
  run(feeds: Record<string, OrtTensor>, fetches: Record<string, null>, options: object): Record<string, OrtTensor>;
  dispose(): void;
}

interface OrtBinding {
  binding: { InferenceSession: new () => NativeSession; listSupportedBackends(): { name: string; bundled: boolean }[] };
  initOrt(): void;
}

let cached: { binding: OrtBinding; Tensor: typeof OrtTensor } | undefined;

/** Load onnxruntime-node's native binding and tensor class (once). */
export function loadOrtBinding(): { binding: OrtBinding; Tensor: typeof OrtTensor } {
  if (cached) return cached;
  let binding: OrtBinding;
  let common: { Tensor: typeof OrtTensor };
  try {
    binding = require("onnxruntime-node/dist/binding") as OrtBinding;
    common = require("onnxruntime-common") as { Tensor: typeof OrtTensor };
  } catch (err) {
    throw new Error(
      `the ONNX backend needs onnxruntime-node 1.30 (${(err as Error).message.split("\n")[0]}); install it with ` +
        "`ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node@1.30.0`, or use backend \"tfjs\"",
    );
  }
  if (typeof binding.initOrt !== "function" || typeof binding.binding?.InferenceSession !== "function") {
    throw new Error("onnxruntime-node/dist/binding does not look like onnxruntime-node 1.30's; pin onnxruntime-node@1.30.0 or use backend \"tfjs\"");
  }
  binding.initOrt();
  cached = { binding, Tensor: common.Tensor };
  return cached;
}

/**
 * Providers molcache can use in this installation: `cpu` always; `cuda` where onnxruntime-node's installer put the
 * CUDA provider library beside the binding (it does not when `ONNXRUNTIME_NODE_INSTALL=skip`).
 * @example
 * availableProviders(); // ["cpu"] here
 */
export function availableProviders(): OnnxProvider[] {
  loadOrtBinding();
  const dir = path.join(path.dirname(require.resolve("onnxruntime-node/package.json")), "bin", "napi-v6", process.platform, process.arch);
  const cuda = fs.existsSync(path.join(dir, "libonnxruntime_providers_cuda.so")) || fs.existsSync(path.join(dir, "onnxruntime_providers_cuda.dll"));
  return cuda ? ["cpu", "cuda"] : ["cpu"];
}

/** Resolve session options, rejecting unknown keys and bad values. */
export function resolveOrtSessionOptions(options: Partial<OrtSessionOptions> = {}): OrtSessionOptions {
  rejectUnknownOptions(options, DEFAULT_ORT_SESSION_OPTIONS, "ONNX session");
  const o = { ...DEFAULT_ORT_SESSION_OPTIONS, ...options };
  if (!(Number.isInteger(o.intraOpThreads) && o.intraOpThreads >= 0)) {
    throw new Error(`invalid intraOpThreads: ${o.intraOpThreads}; must be an integer >= 0 (0 lets ONNX Runtime choose)`);
  }
  if (o.provider !== "cpu" && o.provider !== "cuda") throw new Error(`invalid provider: ${o.provider}; use "cpu" or "cuda"`);
  return o;
}

/** A float32 array with its dimensions (what flows in and out of a session). */
export interface FloatArray {
  data: Float32Array;
  dims: readonly number[];
}

/** One compiled graph, run synchronously. Call {@link OrtSession.dispose} when done. */
export class OrtSession {
  private native: NativeSession | undefined;
  /** Input names in graph order. */
  readonly inputNames: string[];
  /** Output names in graph order. */
  readonly outputNames: string[];
  private readonly fetches: Record<string, null>;

  /**
   * @param model the ONNX model bytes.
   * @param label a name for error messages (`layers.2`).
   * @param profilePrefix when given, ONNX Runtime profiles every run and writes `<prefix>_<date>.json` (Chrome trace
   *   format, per-operator kernel times) when the session is disposed; see {@link onnxProfileByOperator}.
   * @example
   * const s = new OrtSession(builder.encode(), "embed"); const out = s.run({ x: { data, dims: [2, 3] } });
   */
  constructor(model: Uint8Array, readonly label: string, options: Partial<OrtSessionOptions> = {}, profilePrefix?: string) {
    const o = resolveOrtSessionOptions(options);
    const { binding } = loadOrtBinding();
    const native = new binding.binding.InferenceSession();
    const providers = o.provider === "cuda" ? ["cuda", "cpu"] : ["cpu"];
    try {
      native.loadModel(model.buffer as ArrayBuffer, model.byteOffset, model.byteLength, {
        executionProviders: providers,
        intraOpNumThreads: o.intraOpThreads,
        interOpNumThreads: 1,
        executionMode: "sequential",
        graphOptimizationLevel: "all",
        // No memory pattern: ONNX Runtime would plan one block per input shape on a shape's second run and allocate
        // it beside the arena's chunks (a second multi-second cold run per shape at GEOM scale, more memory); the
        // arena reuses its chunks across runs and shapes anyway, so warm runs take the same time.
        enableMemPattern: false,
        ...(profilePrefix ? { enableProfiling: true, profileFilePrefix: profilePrefix } : {}),
      });
    } catch (err) {
      const msg = (err as Error).message;
      if (o.provider === "cuda") {
        throw new Error(`cannot start the CUDA provider for ${label}: ${msg}; install onnxruntime-node with its CUDA libraries (without ONNXRUNTIME_NODE_INSTALL=skip) or use provider "cpu"`);
      }
      throw new Error(`ONNX Runtime rejected the graph ${label}: ${msg}`);
    }
    this.native = native;
    this.inputNames = native.inputMetadata.map((m) => m.name);
    this.outputNames = native.outputMetadata.map((m) => m.name);
    this.fetches = Object.fromEntries(this.outputNames.map((n) => [n, null]));
  }

  /**
   * Run the graph. Inputs are float32 arrays or tensors returned by an earlier run (passed through without copies).
   * @returns every output, as ONNX Runtime tensors (`.data` Float32Array, `.dims`).
   */
  run(feeds: Record<string, FloatArray | OrtTensor>): Record<string, OrtTensor> {
    if (!this.native) throw new Error(`ONNX session ${this.label} was disposed`);
    const { Tensor } = loadOrtBinding();
    const inputs: Record<string, OrtTensor> = {};
    for (const name of this.inputNames) {
      const v = feeds[name];
      if (!v) throw new Error(`ONNX session ${this.label}: missing input ${name}`);
      inputs[name] = v instanceof Tensor ? v : new Tensor("float32", (v as FloatArray).data, (v as FloatArray).dims);
    }
    try {
      return this.native.run(inputs, this.fetches, {});
    } catch (err) {
      const shapes = this.inputNames.map((n) => `${n} [${inputs[n].dims}]`).join(", ");
      throw new Error(`ONNX Runtime failed in ${this.label} (inputs ${shapes}): ${(err as Error).message}`);
    }
  }

  /** Release the native session (idempotent). */
  dispose(): void {
    this.native?.dispose();
    this.native = undefined;
  }
}

/** Kernel time of one operator type over the profiled runs. */
export interface OperatorTime {
  /** ONNX operator (after ONNX Runtime's fusions: `FusedMatMul`, `QuickGelu`, …). */
  name: string;
  ms: number;
  calls: number;
}

/**
 * Sum the kernel times by operator type in ONNX Runtime profile files (of {@link OrtSession}'s `profilePrefix`),
 * counting only each file's last run (the warm one), largest first.
 * @example
 * onnxProfileByOperator(fs.readdirSync(dir).map((f) => path.join(dir, f)));
 */
export function onnxProfileByOperator(files: readonly string[]): OperatorTime[] {
  const byOp = new Map<string, OperatorTime>();
  for (const file of files) {
    const events = JSON.parse(fs.readFileSync(file, "utf8")) as { cat?: string; name: string; ts: number; dur: number; args?: { op_name?: string } }[];
    const runs = events.filter((e) => e.cat === "Session" && e.name === "model_run");
    const last = runs[runs.length - 1];
    if (!last) continue;
    for (const e of events) {
      if (e.cat !== "Node" || !e.name.endsWith("_kernel_time") || e.ts < last.ts || e.ts > last.ts + last.dur) continue;
      const name = e.args?.op_name ?? "?";
      const entry = byOp.get(name) ?? { name, ms: 0, calls: 0 };
      entry.ms += e.dur / 1000;
      entry.calls++;
      byOp.set(name, entry);
    }
  }
  return [...byOp.values()].sort((a, b) => b.ms - a.ms);
}
