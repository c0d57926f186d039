/**
 * What the step loop (`integrate`) needs from the thing that produces a step's prediction: run the network or
 * forecast its output. Defined here, below the cache, so that flow/ does not depend on cache/: the cache's
 * `CachedBackbone` implements this interface.
 */
import type { GeneratorInputs, GeneratorOutputs } from "../model/blocks";
import type { BackboneNetwork } from "../model/network";

/** The result of one backbone call. Tensors are owned by the caller. */
export interface BackboneCall {
  outputs: GeneratorOutputs;
  /** True when the network really ran on this step. */
  computed: boolean;
}

/**
 * When the categorical state (atom and bond types) jumps: on `every` step, from that step's (possibly forecast)
 * logits, or only on `computed` steps, over the whole interval to the next computed step, from fresh logits.
 */
export type CategoricalJumps = "every" | "computed";

/** A network behind a compute-or-forecast decision, for one sampling run of one batch at a time. */
export interface Backbone {
  /** The network (its hooks are the run's step observers). */
  readonly model: BackboneNetwork;
  /** One boolean per step: computed (true) or forecast; steps decided during the run are false here. */
  readonly schedule: readonly boolean[];
  /** When the categorical state jumps (`computed` needs a fixed {@link Backbone.schedule}); default `every`. */
  readonly jumps?: CategoricalJumps;
  /** Whether {@link Backbone.call} needs the network inputs at this step and call index. */
  needsInputs(step: number, callIndex?: number): boolean;
  /**
   * The prediction of step `step` (`callIndex` 1 for a second call in the same step, e.g. Heun's corrector; `t` the
   * time of this call).
   */
  call(step: number, inputs: GeneratorInputs | undefined, callIndex?: number, t?: number): BackboneCall;
  /** Forget everything held from an earlier run. */
  reset(): void;
}
