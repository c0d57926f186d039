/**
 * The network interface both inference backends implement: the TF.js {@link SemlaGenerator} and the compiled ONNX
 * Runtime copy (`onnx/onnx_generator.ts`). The cache and the sampler depend on this interface, not on a backend.
 */
import type { BlockState, GeneratorInputs, GeneratorOutputs } from "./blocks";
import type { SemlaConfig } from "./config";
import type { ForwardBlocksOptions } from "./generator";

/** A SemlaFlow network: a full forward pass, or a range of its named blocks. */
export interface BackboneNetwork {
  readonly config: SemlaConfig;
  /** One full forward pass; new tensors owned by the caller, inputs never disposed. */
  forward(inputs: GeneratorInputs): GeneratorOutputs;
  /** Run a range of blocks (see {@link ForwardBlocksOptions}); the returned tensors are owned by the caller. */
  forwardBlocks(inputs: GeneratorInputs, options?: ForwardBlocksOptions): BlockState;
}

/** The inference backends: TF.js (`tfjs`, also used for training) and the compiled ONNX Runtime copy (`onnx`). */
export type InferenceBackend = "tfjs" | "onnx";
