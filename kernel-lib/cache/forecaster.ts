/**
 * Forecasters predict a backbone output on a skipped step from outputs computed on earlier steps. They work on a
 * named set of tensors (e.g. coordinates and logits) with scalar coefficients that do not depend on the data, so they
 * commute with rotations, translations and atom permutations (the cached sampler stays equivariant).
 *
 * Tensor ownership: `update` copies what it keeps (the caller keeps its tensors); `predict` returns new tensors owned
 * by the caller; `reset`/`dispose` release everything held.
 */
import * as tf from "@tensorflow/tfjs";

/** A named set of tensors forecast together (all entries use the same coefficients). */
export type FeatureMap = Record<string, tf.Tensor>;

/** Common interface of reuse, TaylorSeer and Adams–Bashforth. */
export interface Forecaster {
  /** Record the output computed at position `x` (the step index, or t on the time axis). */
  update(x: number, features: FeatureMap): void;
  /** Forecast the output at position `x` (after at least one update). */
  predict(x: number): FeatureMap;
  /** Forget everything (start of a run, or a batch of a new shape). */
  reset(): void;
  /** Number of full outputs' worth of tensors held (for the memory report). */
  heldCopies(): number;
}

/** Keep a copy of every tensor of a map outside any tidy scope. */
export function keepCopy(features: FeatureMap): FeatureMap {
  const out: FeatureMap = {};
  for (const [k, t] of Object.entries(features)) out[k] = tf.keep(t.clone());
  return out;
}

/** Dispose every tensor of a map. */
export function disposeMap(features: FeatureMap | undefined): void {
  if (features) for (const t of Object.values(features)) t.dispose();
}

/** Σ_i coefficients[i] · maps[i], key by key (a new map owned by the caller). */
export function combine(maps: readonly FeatureMap[], coefficients: readonly number[]): FeatureMap {
  return tf.tidy(() => {
    const out: FeatureMap = {};
    for (const key of Object.keys(maps[0])) {
      let acc = tf.mul(maps[0][key], coefficients[0]);
      for (let i = 1; i < maps.length; i++) acc = tf.add(acc, tf.mul(maps[i][key], coefficients[i]));
      out[key] = acc;
    }
    return out;
  });
}

/** The error thrown when predicting before any update. */
export function notReady(): Error {
  return new Error("cannot forecast before the first full step; call update() first");
}
