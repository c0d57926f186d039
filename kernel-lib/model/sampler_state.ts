/**
 * What the network reads and predicts during sampling, as plain arrays: the sampler's state and the network's raw
 * prediction. Defined beside the network (not in flow/) so that the observer types in `observers.ts`, which the
 * generators use, sit below the sampler in the import order.
 */

/** The state of one sampled batch (row-major, padded to N atoms). */
export interface SamplerState {
  B: number;
  N: number;
  /** Atom mask `[B, N]`. */
  mask: Float32Array;
  /** Coordinates `[B, N, 3]`, normalised units. */
  coords: Float32Array;
  /** Atom classes `[B, N]`. */
  atomClasses: Int32Array;
  /** Bond classes `[B, N, N]` (ordered pairs). */
  bondClasses: Int32Array;
}

/** The raw network prediction of a step, as JS arrays (row-major, padded). */
export interface Prediction {
  coords: Float32Array;
  typeLogits: Float32Array;
  bondLogits: Float32Array;
  chargeLogits: Float32Array;
}
