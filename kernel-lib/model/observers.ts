/**
 * The observation seam: what the generator reports after each block and the sampler after each step, and the one
 * place where an observer is attached to a network. The public way to observe is the hook registry
 * (`hooks/registry.ts`), which attaches a single dispatcher here; everything else in this file is internal plumbing
 * (it is not exported from the package's index). Observers live in a WeakMap rather than on the generator object, so
 * a network carries no public, writable observer state and a network nobody observes costs nothing.
 */
import type { BlockState } from "./blocks";
import type { Prediction, SamplerState } from "./sampler_state";

/** Called after each block with its input and output state (tensors are owned by the forward's tidy scope). */
export type BlockObserver = (block: string, input: BlockState, output: BlockState) => void;

/** What an observer sees after each sampler step. Arrays are live views: copy what you keep. */
export interface StepEvent {
  step: number;
  t: number;
  dt: number;
  /** True when the backbone ran; false when its output was forecast. */
  computed: boolean;
  /** The state fed to the network at this step. */
  state: SamplerState;
  /** The network's (or the forecast's) prediction. */
  prediction: Prediction;
  /** The state after the update (the next step's input). */
  next: SamplerState;
  /** Batch index within a `sample()` run (0 when `integrate` is called directly). */
  batch?: number;
  /** Indices of the batch's molecules in the run's output, one per row (0 … B−1 when called directly). */
  molecules?: readonly number[];
}

/** What a step observer's optional `beforeStep` sees, before the step's backbone call. */
export interface StepStart {
  step: number;
  t: number;
  dt: number;
  /** True when the backbone will run; false when its output will be forecast. */
  computed: boolean;
  /** Number of steps of the run. */
  steps: number;
  /** The state fed to the network at this step. Live: copy what you keep. */
  state: SamplerState;
  /** Batch index within a `sample()` run (0 when `integrate` is called directly). */
  batch: number;
  /** Indices of the batch's molecules in the run's output, one per row (0 … B−1 when called directly). */
  molecules: readonly number[];
}

/**
 * Called after every step. May carry a `beforeStep` method, called before the step's backbone call (block hooks use
 * it to know which step the blocks they see belong to).
 */
export interface StepObserver {
  (event: StepEvent): void;
  beforeStep?: (start: StepStart) => void;
}

/** The observers attached to one network: a block observer for its forwards, a step observer for the sampler. */
export interface AttachedObservers {
  block: BlockObserver;
  step: StepObserver;
}

const ATTACHED = new WeakMap<object, AttachedObservers>();
/** Networks that report to another network's observers (a compiled copy reports to its source generator's). */
const SOURCES = new WeakMap<object, object>();

/** Attach `observers` to `network` (replacing what was attached), or detach with `undefined`. Internal: use hooks. */
export function attachObservers(network: object, observers: AttachedObservers | undefined): void {
  if (observers) ATTACHED.set(network, observers);
  else ATTACHED.delete(network);
}

/** The observers attached to `network` (or to the network it reports to), if any. */
export function attachedObservers(network: object): AttachedObservers | undefined {
  return ATTACHED.get(SOURCES.get(network) ?? network);
}

/** Make `copy` report to the observers attached to `source`, now and later (hooks on a model see its compiled copy). */
export function reportToSource(copy: object, source: object): void {
  SOURCES.set(copy, SOURCES.get(source) ?? source);
}
