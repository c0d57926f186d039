/**
 * The shapes of hooks: objects with optional methods called around the generator's blocks and the sampler's steps.
 * A hook is registered on a model under a name (see `registry.ts`) and sees, read-only, what the forward pass and
 * the sampler produce. Hooks observe: they cannot change a block's input or output, so registering one never
 * changes the sampled molecules.
 */
import type { BlockState } from "../model/blocks";
import type { SemlaGenerator } from "../model/generator";
import type { LoadedModel } from "../model/model_io";
import type { StepEvent, StepStart } from "../model/observers";

export type { StepEvent, StepStart } from "../model/observers";

/** A model the hook functions accept: a generator, or a loaded model (its generator is used). */
export type HookTarget = SemlaGenerator | LoadedModel;

/** What a block hook sees. Tensors belong to the forward's tidy scope: read them (`dataSync`), never dispose them. */
export interface BlockHookContext {
  /** Block name: `embed`, `layers.0`, …, `finalFF`, `coordHead`, `bondRefine`, `heads`. */
  block: string;
  /** The block's input state (`{}` for `embed`, which reads the network inputs). */
  input: BlockState;
  /** The block's output state (fields the block did not touch are the input's tensors, passed through). */
  output: BlockState;
  /** The sampler step this forward belongs to, or `undefined` for a forward outside the sampler. */
  step: StepStart | undefined;
}

/**
 * A hook: any subset of the methods below (at least one). Unknown keys are errors when registering.
 *
 * Timing: the generator reports each block once, right after it ran, so `beforeBlock` (which sees the input) is
 * called then too, just before the `afterBlock` methods. `beforeStep` runs before the step's backbone call,
 * `afterStep` after the step's update.
 * @example
 * const hook: Hook = { blocks: ["layers.*"], afterBlock: ({ block, output }) => console.log(block, output.nodeFeats!.shape) };
 * registerHook(model, "shapes", hook);
 */
export interface Hook {
  /** Blocks the block methods see: names or `*` patterns (`"layers.*"`). Default: every block. */
  blocks?: readonly string[];
  /** Sees a block's input (called after the block ran; see Timing). */
  beforeBlock?(context: BlockHookContext): void;
  /** Sees a block's input and output. */
  afterBlock?(context: BlockHookContext): void;
  /** Called before each sampler step's backbone call: step index, t, whether the step is computed or forecast. */
  beforeStep?(start: StepStart): void;
  /** Called after each sampler step with the state, the prediction and the next state. */
  afterStep?(event: StepEvent): void;
  /**
   * Stateful hooks forget what they hold (new run). Called at the start of every sampling run (step 0 of batch 0,
   * e.g. each `sample()`) and by `resetHooks(model)`.
   */
  reset?(): void;
}

/** The keys a {@link Hook} may have. */
export const HOOK_KEYS: readonly (keyof Hook)[] = ["blocks", "beforeBlock", "afterBlock", "beforeStep", "afterStep", "reset"];
