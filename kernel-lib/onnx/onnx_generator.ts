/**
 * The compiled inference backend: the SemlaFlow generator as one ONNX Runtime session per block, with the same
 * `forward` / `forwardBlocks` interface as {@link SemlaGenerator} (and reporting to its hooks), so `CachedBackbone`, the sampler and
 * block hooks use it unchanged: the compute-or-forecast decision and the hooks stay in TypeScript between compiled
 * blocks (as the paper keeps caching outside the compiled region). Inputs and outputs are TF.js tensors; between
 * consecutive compiled blocks values stay ONNX Runtime tensors (no TF.js round trip) unless an observer needs them.
 * Inference only: training stays on TF.js.
 */
import * as tf from "@tensorflow/tfjs";
import type { Tensor as OrtTensor } from "onnxruntime-common";
import { SemlaConfig } from "../model/config";
import { BlockState, GeneratorInputs, GeneratorOutputs } from "../model/blocks";
import { blockObservers, blockRange, ForwardBlocksOptions, SemlaGenerator, validateInputs } from "../model/generator";
import { reportToSource } from "../model/observers";
import { FloatArray, OrtSession, OrtSessionOptions, resolveOrtSessionOptions } from "./ort_session";
import { buildBlockGraphs } from "./semla_graphs";

/** Options of {@link compileOnnx}. */
export interface OnnxBackendOptions extends OrtSessionOptions {}

/** Defaults of {@link OnnxBackendOptions}: one thread per session (sampling workers give the parallelism), CPU. */
export const DEFAULT_ONNX_BACKEND_OPTIONS: Readonly<OnnxBackendOptions> = { intraOpThreads: 1, provider: "cpu" };

/** Fill defaults and validate (unknown keys, thread count, provider). */
export function resolveOnnxBackendOptions(options: Partial<OnnxBackendOptions> = {}): OnnxBackendOptions {
  return resolveOrtSessionOptions(options);
}

const OUTPUT_KEYS = ["coords", "typeLogits", "bondLogits", "chargeLogits"] as const;
const STATE_KEYS = ["coordSets", "nodeFeats", "edgeFeats", "coords"] as const;
type OutputKey = (typeof OUTPUT_KEYS)[number];

/** A value during a forward: a caller's TF.js tensor, an ONNX Runtime tensor, or both (converted lazily). */
interface Slot {
  tensor?: tf.Tensor;
  ort?: OrtTensor | FloatArray;
}

interface CompiledBlock {
  name: string;
  passthrough: boolean;
  session: OrtSession;
}

/** The generator compiled to ONNX Runtime sessions (one per block). Call {@link OnnxGenerator.dispose} when done. */
export class OnnxGenerator {
  readonly config: SemlaConfig;
  /** The resolved session options. */
  readonly options: OnnxBackendOptions;
  private readonly blocks: CompiledBlock[];
  private readonly parameters: number;

  /** Use {@link compileOnnx}. */
  constructor(source: SemlaGenerator, blocks: CompiledBlock[], options: OnnxBackendOptions) {
    this.config = source.config;
    // Hooks registered on the TF.js model also run on the compiled backend.
    reportToSource(this, source);
    this.blocks = blocks;
    this.options = options;
    this.parameters = source.parameterCount();
  }

  /** Block names in execution order (the same as the TF.js generator's). */
  blockNames(): string[] {
    return this.blocks.map((b) => b.name);
  }

  /** Number of scalar parameters baked into the graphs. */
  parameterCount(): number {
    return this.parameters;
  }

  /**
   * One full forward pass. Returns new TF.js tensors owned by the caller; never disposes the inputs.
   * @example
   * const out = onnx.forward(inputs); out.coords.shape; // [B, N, 3]
   */
  forward(inputs: GeneratorInputs): GeneratorOutputs {
    // Only the outputs become TF.js tensors: the intermediate state is never copied out of ONNX Runtime.
    return this.run(inputs, {}, false).outputs!;
  }

  /**
   * Run a range of blocks (same options as {@link SemlaGenerator.forwardBlocks}, except the `record` debug seam,
   * which reads inside TF.js blocks). Returns the state after `until`; tensors passed through from `initial` are
   * returned as the same objects, everything else is new and owned by the caller.
   */
  forwardBlocks(inputs: GeneratorInputs, options: ForwardBlocksOptions = {}): BlockState {
    return this.run(inputs, options, true);
  }

  private run(inputs: GeneratorInputs, options: ForwardBlocksOptions, withState: boolean): BlockState {
    if (options.record) throw new Error("the ONNX backend cannot record in-block intermediates; use the TF.js generator for `record`");
    validateInputs(inputs, this.config);
    const { start, end } = blockRange(this.blockNames(), options);
    const observers = blockObservers(this, options);
    const made: tf.Tensor[] = []; // TF.js tensors this call created (observer views and results)
    const asTensor = (slot: Slot): tf.Tensor => {
      if (!slot.tensor) {
        const o = slot.ort!;
        slot.tensor = tf.tensor(o.data as Float32Array, o.dims as number[], "float32");
        made.push(slot.tensor);
      }
      return slot.tensor;
    };
    const asOrt = (slot: Slot): OrtTensor | FloatArray => {
      slot.ort ??= { data: slot.tensor!.dataSync() as Float32Array, dims: slot.tensor!.shape };
      return slot.ort;
    };
    const toBlockState = (state: Map<string, Slot>, outputs: Map<OutputKey, Slot> | undefined): BlockState => {
      const s: Record<string, unknown> = {};
      for (const [k, slot] of state) s[k] = asTensor(slot);
      if (outputs) s.outputs = Object.fromEntries([...outputs].map(([k, slot]) => [k, asTensor(slot)]));
      return s as BlockState;
    };

    const inputCache = new Map<string, FloatArray>();
    const feedInput = (name: string): FloatArray => {
      let v = inputCache.get(name);
      if (!v) {
        if (name === "ctx.attnBias") v = attentionBias(feedInput("input.mask"));
        else {
          const t = inputs[name.slice("input.".length) as keyof GeneratorInputs];
          v = { data: t.dataSync() as Float32Array, dims: t.shape };
        }
        inputCache.set(name, v);
      }
      return v;
    };

    let state = new Map<string, Slot>();
    let outputs: Map<OutputKey, Slot> | undefined;
    for (const key of STATE_KEYS) {
      const t = options.initial?.[key];
      if (t) state.set(key, { tensor: t });
    }
    if (options.initial?.outputs) {
      outputs = new Map(OUTPUT_KEYS.map((k) => [k, { tensor: options.initial!.outputs![k] }] as [OutputKey, Slot]));
    }
    try {
      for (let i = start; i <= end; i++) {
        const block = this.blocks[i];
        const feeds: Record<string, OrtTensor | FloatArray> = {};
        for (const name of block.session.inputNames) {
          if (name.startsWith("input.") || name.startsWith("ctx.")) feeds[name] = feedInput(name);
          else {
            const slot = state.get(name);
            if (!slot) throw new Error(`block ${block.name} needs ${name} in its input state; run the blocks before it`);
            feeds[name] = asOrt(slot);
          }
        }
        const result = block.session.run(feeds);
        const next = block.passthrough ? new Map(state) : new Map<string, Slot>();
        let nextOutputs = block.passthrough ? outputs : undefined;
        for (const [name, value] of Object.entries(result)) {
          const [kind, field] = name.split(".");
          if (kind === "state") next.set(field, { ort: value });
          else {
            nextOutputs = new Map(nextOutputs ?? []);
            nextOutputs.set(field as OutputKey, { ort: value });
          }
        }
        if (observers.length) {
          const before = toBlockState(state, outputs);
          const after = toBlockState(next, nextOutputs);
          for (const observe of observers) observe(block.name, before, after);
        }
        state = next;
        outputs = nextOutputs;
      }
      const result = toBlockState(withState ? state : new Map(), outputs);
      const returned = new Set<tf.Tensor>([...STATE_KEYS.map((k) => result[k]), ...(result.outputs ? Object.values(result.outputs) : [])].filter(Boolean) as tf.Tensor[]);
      for (const t of made) if (!returned.has(t)) t.dispose();
      return result;
    } catch (err) {
      for (const t of made) t.dispose();
      throw err;
    }
  }

  /** Release every session (idempotent). */
  dispose(): void {
    for (const b of this.blocks) b.session.dispose();
  }
}

/** The attention bias `[B, 1, N, N]` from a mask `[B, N]`: 0 for real pairs i ≠ j, −1e9 otherwise; rows with no
 * allowed pair (padding, one-atom molecules) all 0 — exactly `moleculeContext` in model/ops.ts. */
export function attentionBias(mask: FloatArray): FloatArray {
  const [b, n] = mask.dims;
  const m = mask.data;
  const out = new Float32Array(b * n * n);
  for (let k = 0; k < b; k++) {
    for (let i = 0; i < n; i++) {
      let any = false;
      for (let j = 0; j < n; j++) if (j !== i && m[k * n + i] > 0 && m[k * n + j] > 0) any = true;
      if (!any) continue;
      for (let j = 0; j < n; j++) {
        const allowed = j !== i && m[k * n + i] > 0 && m[k * n + j] > 0;
        out[(k * n + i) * n + j] = allowed ? 0 : -1e9;
      }
    }
  }
  return { data: out, dims: [b, 1, n, n] };
}

/**
 * Compile a generator's weights into ONNX Runtime sessions, one per block.
 * @param options session options (default 1 thread, CPU; `provider: "cuda"` where the CUDA libraries are installed).
 * @param profilePrefix profile every session's runs into `<prefix><block>_<date>.json` (written on dispose).
 * @example
 * const onnx = compileOnnx(model.generator);
 * const backbone = new CachedBackbone(onnx, parseCacheSpec("taylor:m=2,D=3"), grid.t);
 */
export function compileOnnx(generator: SemlaGenerator, options: Partial<OnnxBackendOptions> = {}, profilePrefix?: string): OnnxGenerator {
  const o = resolveOnnxBackendOptions(options);
  const weights = (name: string) => {
    const v = generator.params.get(name);
    return { data: v.dataSync() as Float32Array, shape: v.shape };
  };
  const graphs = buildBlockGraphs(generator.config, weights);
  const blocks: CompiledBlock[] = [];
  try {
    for (const g of graphs) blocks.push({ name: g.name, passthrough: g.passthrough, session: new OrtSession(g.model, g.name, o, profilePrefix && `${profilePrefix}${g.name}`) });
  } catch (err) {
    for (const b of blocks) b.session.dispose();
    throw err;
  }
  const tfNames = generator.blockNames().join(",");
  if (blocks.map((b) => b.name).join(",") !== tfNames) {
    for (const b of blocks) b.session.dispose();
    throw new Error(`compiled blocks ${blocks.map((b) => b.name)} do not match the generator's ${tfNames}`);
  }
  return new OnnxGenerator(generator, blocks, o);
}
