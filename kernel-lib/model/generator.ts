/**
 * The SemlaFlow generator (Irwin et al., AISTATS 2025) in TensorFlow.js: named blocks over named parameters.
 * Numerically identical to the reference implementation (rssrwn/semla-flow @ 2f41e57) within float32 rounding.
 */
import * as tf from "@tensorflow/tfjs";
import { SemlaConfig, resolveConfig } from "./config";
import { ParamStore } from "./params";
import { moleculeContext } from "./ops";
import {
  Block, BlockState, buildBlocks, ForwardContext, GeneratorInputs, GeneratorOutputs, IntermediateRecorder,
} from "./blocks";
import { attachedObservers, BlockObserver } from "./observers";

/** Options of {@link SemlaGenerator.forwardBlocks}. */
export interface ForwardBlocksOptions {
  /** First block to run (default the first, `embed`). */
  from?: string;
  /** Last block to run, inclusive (default the last, `heads`). */
  until?: string;
  /** The state to start from (the output of the block before `from`). */
  initial?: BlockState;
  /**
   * Internal seam: observers called after every block that runs (besides the hooks attached to the model). Users
   * observe blocks with hooks (`registerHook`).
   * @internal
   */
  observers?: readonly BlockObserver[];
  /** Debug seam: receives the intermediates inside blocks (see {@link IntermediateRecorder}). */
  record?: IntermediateRecorder;
}

/**
 * A SemlaFlow generator. Owns its parameters: call {@link SemlaGenerator.dispose} when done. Usually reached as
 * `model.generator` of a loaded model.
 * @example
 * const { generator } = await openModel("default");
 * generator.blockNames(); // ["embed", "layers.0", …, "heads"]
 */
export class SemlaGenerator {
  readonly config: SemlaConfig;
  readonly params: ParamStore;
  readonly blocks: readonly Block[];

  constructor(config: SemlaConfig, params: ParamStore) {
    this.config = resolveConfig({ ...config });
    this.params = params;
    this.blocks = buildBlocks(this.config);
  }

  /** Block names in execution order: `embed`, `layers.0`, …, `finalFF`, `coordHead`, `bondRefine`, `heads`. */
  blockNames(): string[] {
    return this.blocks.map((b) => b.name);
  }

  /**
   * One full forward pass. Returns new tensors owned by the caller (dispose them); never disposes the inputs.
   * @example
   * const out = model.forward(inputs); out.coords.shape; // [B, N, 3]
   */
  forward(inputs: GeneratorInputs): GeneratorOutputs {
    const state = this.forwardBlocks(inputs);
    const outputs = state.outputs!;
    // Keep the outputs only; intermediate tensors returned in the state are released.
    for (const key of ["coordSets", "nodeFeats", "edgeFeats", "coords"] as const) {
      const t = state[key];
      if (t && !Object.values(outputs).includes(t as tf.Tensor3D)) t.dispose();
    }
    return outputs;
  }

  /**
   * Run a range of blocks, e.g. up to `layers.2`, or from `finalFF` on a forecast last-layer state.
   * Returns the state after `until` (tensors owned by the caller).
   */
  forwardBlocks(inputs: GeneratorInputs, options: ForwardBlocksOptions = {}): BlockState {
    validateInputs(inputs, this.config);
    const { start, end } = blockRange(this.blockNames(), options);
    const observers = blockObservers(this, options);
    return tf.tidy(() => {
      const ctx: ForwardContext = { ...moleculeContext(inputs.mask), inputs, config: this.config, record: options.record, expanded: new Map() };
      try {
        let state: BlockState = options.initial ?? {};
        for (let i = start; i <= end; i++) {
          const input = state;
          // One scope per block: a block's intermediates are freed when it ends (the full GEOM-Drugs model would
          // otherwise hold ~0.5 GB per layer until the forward ends). Under a gradient tape the engine keeps its
          // own copies of what the backward pass needs, so this does not affect training.
          const next = tf.tidy(() => this.blocks[i].run(this.params, input, ctx) as unknown as tf.TensorContainer) as unknown as BlockState;
          for (const observe of observers) observe(this.blocks[i].name, input, next);
          state = next;
        }
        return state as unknown as tf.TensorContainer;
      } finally {
        // Full-shape masks and biases are made lazily inside block scopes and kept across them.
        for (const t of ctx.expanded!.values()) t.dispose();
      }
    }) as unknown as BlockState;
  }

  /** Number of scalar parameters. */
  parameterCount(): number {
    return this.params.count();
  }

  /** Release the parameters (idempotent). */
  dispose(): void {
    this.params.dispose();
  }
}

/** The block observers of one forward: the hooks attached to `network` (see `observers.ts`), then the call's own. */
export function blockObservers(network: object, options: ForwardBlocksOptions): BlockObserver[] {
  const attached = attachedObservers(network)?.block;
  return attached ? [attached, ...(options.observers ?? [])] : [...(options.observers ?? [])];
}

/**
 * The indices of the first and last block to run for `options.from` / `options.until` (default: all blocks).
 * @throws naming the unknown block, or when `until` comes before `from`.
 */
export function blockRange(names: readonly string[], options: Pick<ForwardBlocksOptions, "from" | "until">): { start: number; end: number } {
  const start = options.from === undefined ? 0 : names.indexOf(options.from);
  const end = options.until === undefined ? names.length - 1 : names.indexOf(options.until);
  if (start < 0) throw new Error(`unknown block: ${options.from}; blocks are ${names.join(", ")}`);
  if (end < 0) throw new Error(`unknown block: ${options.until}; blocks are ${names.join(", ")}`);
  if (end < start) throw new Error(`block ${options.until} comes before ${options.from}`);
  return { start, end };
}

/** Check input ranks and sizes against the config, with messages that name the tensor and its shape. */
export function validateInputs(inputs: GeneratorInputs, config: SemlaConfig): void {
  const [b, n] = inputs.mask.shape;
  const v = config.vocabSize;
  const e = config.nEdgeTypes;
  const expect: [keyof GeneratorInputs, number[]][] = [
    ["coords", [b, n, 3]], ["atomics", [b, n, v]], ["bonds", [b, n, n, e]], ["mask", [b, n]], ["t", [b]],
    ["condCoords", [b, n, 3]], ["condAtomics", [b, n, v]], ["condBonds", [b, n, n, e]],
  ];
  for (const [name, shape] of expect) {
    const t = inputs[name];
    if (!t) throw new Error(`missing input ${name}; expected shape [${shape}]`);
    if (t.shape.join(",") !== shape.join(",")) throw new Error(`expected ${name} of shape [${shape}], got [${t.shape}]`);
  }
  if (n >= config.maxAtoms) {
    throw new Error(`molecules of ${n} atoms are too large for this model (maxAtoms ${config.maxAtoms}); use fewer atoms or a model with larger maxAtoms`);
  }
}
