/**
 * Adams–Bashforth forecasting with j steps (Yu et al. 2025, as in mol_cache `ab_cache.py`): an affine combination
 * of the last a = min(stored, j) full outputs with the classical AB coefficients, most recent first. The forecast
 * ignores the offset and the spacing: every skipped step of an interval gets the same value (on a straight line AB2
 * lands on the midpoint kₙ + D/2). Coefficients sum to 1, so translations are preserved.
 */
import { combine, disposeMap, FeatureMap, Forecaster, keepCopy, notReady } from "./forecaster";

/** AB coefficients by the number of stored outputs, most recent first. */
export const ADAMS_BASHFORTH_COEFFICIENTS: readonly (readonly number[])[] = [
  [1],
  [3 / 2, -1 / 2],
  [23 / 12, -16 / 12, 5 / 12],
  [55 / 24, -59 / 24, 37 / 24, -9 / 24],
  [1901 / 720, -2774 / 720, 2616 / 720, -1274 / 720, 251 / 720],
  [4277 / 1440, -7923 / 1440, 9982 / 1440, -7298 / 1440, 2877 / 1440, -475 / 1440],
];

/** Adams–Bashforth state: the last j full outputs, most recent first. */
export class AdamsBashforthForecaster implements Forecaster {
  private history: FeatureMap[] = [];

  /** @param steps j, 1 … 6. */
  constructor(readonly steps: number) {
    if (!(Number.isInteger(steps) && steps >= 1 && steps <= ADAMS_BASHFORTH_COEFFICIENTS.length)) {
      throw new Error(`invalid steps: ${steps}; Adams–Bashforth supports 1 to ${ADAMS_BASHFORTH_COEFFICIENTS.length} steps`);
    }
  }

  update(_x: number, features: FeatureMap): void {
    this.history.unshift(keepCopy(features));
    while (this.history.length > this.steps) disposeMap(this.history.pop());
  }

  predict(_x: number): FeatureMap {
    if (this.history.length === 0) throw notReady();
    const a = Math.min(this.history.length, this.steps);
    return combine(this.history.slice(0, a), ADAMS_BASHFORTH_COEFFICIENTS[a - 1]);
  }

  reset(): void {
    this.history.forEach(disposeMap);
    this.history = [];
  }

  heldCopies(): number {
    return this.history.length;
  }
}
