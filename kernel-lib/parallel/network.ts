/**
 * The inference backend a sampling run uses: TF.js (the default, also used for training) or the compiled ONNX
 * Runtime backend. Both give a network `CachedBackbone` can drive; the cache logic and hooks are the same.
 */
import type { BackboneNetwork, InferenceBackend } from "../model/network";
import { SemlaConfig } from "../model/config";
import { SemlaGenerator } from "../model/generator";
import { ParamStore } from "../model/params";
import { compileOnnx, OnnxBackendOptions } from "../onnx/onnx_generator";

// The type is defined beside the network interface (model/), below the sampler's memory planner that needs it.
export type { InferenceBackend };

/** Backend names, for validation and help text. */
export const INFERENCE_BACKENDS: readonly InferenceBackend[] = ["tfjs", "onnx"];

/** A network plus how to release what was made for it (never the source generator). */
export interface Network {
  network: BackboneNetwork;
  dispose(): void;
}

/**
 * The network for `backend` over `generator` (TF.js: the generator itself; ONNX: compiled sessions).
 * @example
 * const { network, dispose } = createNetwork(model.generator, "onnx", { intraOpThreads: 1 });
 */
export function createNetwork(generator: SemlaGenerator, backend: InferenceBackend, onnx: Partial<OnnxBackendOptions> = {}): Network {
  if (backend === "tfjs") return { network: generator, dispose: () => undefined };
  if (backend === "onnx") {
    const compiled = compileOnnx(generator, onnx);
    return { network: compiled, dispose: () => compiled.dispose() };
  }
  throw new Error(`invalid backend: ${String(backend)}; use one of ${INFERENCE_BACKENDS.join(", ")}`);
}

/** Parameter names and shapes in store order, plus the values flat (the order `ParamStore.flatten` uses). */
export interface FlatParameters {
  layout: [string, number[]][];
  /** All values; on a SharedArrayBuffer when made by {@link shareParameters}, so workers read one copy. */
  values: Float32Array;
}

/** Copy a generator's parameters into one SharedArrayBuffer (sent to every worker without further copies). */
export function shareParameters(generator: SemlaGenerator): FlatParameters {
  const flat = generator.params.flatten();
  const shared = new Float32Array(new SharedArrayBuffer(flat.byteLength));
  shared.set(flat);
  const layout = generator.params.names().map((n) => [n, generator.params.get(n).shape.slice()] as [string, number[]]);
  return { layout, values: shared };
}

/** Rebuild a generator from {@link FlatParameters} (in a worker). */
export function generatorFromParameters(config: SemlaConfig, flat: FlatParameters): SemlaGenerator {
  const store = new ParamStore();
  let offset = 0;
  for (const [name, shape] of flat.layout) {
    const size = shape.reduce((a, b) => a * b, 1);
    store.set(name, shape, flat.values.subarray(offset, offset + size));
    offset += size;
  }
  if (offset !== flat.values.length) throw new Error(`parameter layout covers ${offset} values, the buffer has ${flat.values.length}`);
  return new SemlaGenerator(config, store);
}
