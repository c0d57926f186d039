/**
 * TaylorSeer forecasting of order m (Liu et al. 2025), with the exact recursion of the official TaylorSeer and
 * mol_cache code: at each full step the finite differences Δ⁰…Δᵐ are rebuilt from the new output and the previous
 * differences, each divided by the latest spacing only; a forecast is Σᵢ Δⁱ (x − xₙ)ⁱ / i!.
 *
 * Orders ramp up (after n full steps only min(m, n−1) differences exist), and with mixed spacings these are not true
 * divided differences: e.g. f = k², full steps 0, 2, 4, m = 2 forecasts 23 at 5 and 32 at 6.
 */
import * as tf from "@tensorflow/tfjs";
import { disposeMap, FeatureMap, Forecaster, notReady } from "./forecaster";

/** Largest supported order. */
export const MAX_TAYLOR_ORDER = 4;

/** TaylorSeer state: the differences of the last full step and its position. */
export class TaylorSeerForecaster implements Forecaster {
  private diffs: FeatureMap[] = [];
  private lastX = NaN;

  /** @param order m, 1 … 4. */
  constructor(readonly order: number) {
    if (!(Number.isInteger(order) && order >= 1 && order <= MAX_TAYLOR_ORDER)) {
      throw new Error(`invalid order: ${order}; TaylorSeer supports orders 1 to ${MAX_TAYLOR_ORDER}`);
    }
  }

  update(x: number, features: FeatureMap): void {
    const spacing = x - this.lastX;
    if (this.diffs.length > 0 && !(spacing !== 0 && Number.isFinite(spacing))) {
      throw new Error(`invalid update position ${x}: it must differ from the previous full step ${this.lastX}`);
    }
    const old = this.diffs;
    const fresh: FeatureMap[] = [];
    const zero: FeatureMap = {};
    for (const [k, t] of Object.entries(features)) zero[k] = tf.keep(t.clone());
    fresh.push(zero);
    for (let i = 0; i < this.order && i < old.length; i++) {
      const next: FeatureMap = {};
      for (const key of Object.keys(features)) {
        next[key] = tf.keep(tf.tidy(() => tf.div(tf.sub(fresh[i][key], old[i][key]), spacing)));
      }
      fresh.push(next);
    }
    old.forEach(disposeMap);
    this.diffs = fresh;
    this.lastX = x;
  }

  predict(x: number): FeatureMap {
    if (this.diffs.length === 0) throw notReady();
    const offset = x - this.lastX;
    const coefficients: number[] = [];
    let factorial = 1;
    for (let i = 0; i < this.diffs.length; i++) {
      if (i > 0) factorial *= i;
      coefficients.push(offset ** i / factorial);
    }
    return tf.tidy(() => {
      const out: FeatureMap = {};
      for (const key of Object.keys(this.diffs[0])) {
        let acc = this.diffs[0][key].clone();
        for (let i = 1; i < this.diffs.length; i++) acc = tf.add(acc, tf.mul(this.diffs[i][key], coefficients[i]));
        out[key] = acc;
      }
      return out;
    });
  }

  reset(): void {
    this.diffs.forEach(disposeMap);
    this.diffs = [];
    this.lastX = NaN;
  }

  heldCopies(): number {
    return this.diffs.length;
  }
}
