/**
 * Adams–Bashforth forecasting with j steps (Yu et al. 2025, as in mol_cache `ab_cache.py`): an affine combination
 * of the last a = min(stored, j) full outputs with the classical AB coefficients, most recent first. The forecast
 * ignores the offset and the spacing: every skipped step of an interval gets the same value (on a straight line AB2
 * lands on the midpoint kₙ + D/2). Coefficients sum to 1, so translations are preserved.
 *
 * With `variableStep` (the time axis) the coefficients are the variable-step Adams–Bashforth ones for a step from
 * the last full position xₙ to the forecast position x: βᵢ = (1 / (x − xₙ)) ∫ from xₙ to x of ℓᵢ(u) du, ℓᵢ the
 * Lagrange basis on the stored positions. Each skipped step gets its own forecast, and on equally spaced positions
 * with x − xₙ = the spacing they are exactly the classical coefficients above. They also sum to 1.
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

/** Gauss–Legendre nodes and weights on [0, 1], 3 points: exact for the degree ≤ 5 polynomials of j ≤ 6. */
const GAUSS_NODES = [0.5 - Math.sqrt(0.15), 0.5, 0.5 + Math.sqrt(0.15)];
const GAUSS_WEIGHTS = [5 / 18, 8 / 18, 5 / 18];

/**
 * Variable-step Adams–Bashforth coefficients: the mean over [positions[0], x] of each Lagrange basis polynomial on
 * `positions` (most recent first).
 * @example
 * variableStepCoefficients([0, -1], 1); // [1.5, -0.5] (AB2)
 */
export function variableStepCoefficients(positions: readonly number[], x: number): number[] {
  const a = positions.length;
  if (a > GAUSS_NODES.length * 2) throw new Error(`variable-step Adams–Bashforth supports up to 6 positions, got ${a}`);
  const basis = (i: number, u: number) => {
    let v = 1;
    for (let j = 0; j < a; j++) if (j !== i) v *= (u - positions[j]) / (positions[i] - positions[j]);
    return v;
  };
  const x0 = positions[0];
  if (x === x0) return positions.map((_, i) => (i === 0 ? 1 : 0));
  return positions.map((_, i) => GAUSS_NODES.reduce((acc, g, q) => acc + GAUSS_WEIGHTS[q] * basis(i, x0 + g * (x - x0)), 0));
}

/** Adams–Bashforth state: the last j full outputs and their positions, most recent first. */
export class AdamsBashforthForecaster implements Forecaster {
  private history: FeatureMap[] = [];
  private positions: number[] = [];

  /**
   * @param steps j, 1 … 6.
   * @param variableStep forecast at each position with variable-step coefficients (the time axis) instead of the
   *   classical ones (the step axis, as the official code).
   */
  constructor(readonly steps: number, readonly variableStep = false) {
    if (!(Number.isInteger(steps) && steps >= 1 && steps <= ADAMS_BASHFORTH_COEFFICIENTS.length)) {
      throw new Error(`invalid steps: ${steps}; Adams–Bashforth supports 1 to ${ADAMS_BASHFORTH_COEFFICIENTS.length} steps`);
    }
  }

  update(x: number, features: FeatureMap): void {
    if (this.positions.length > 0 && !(Number.isFinite(x) && x !== this.positions[0])) {
      throw new Error(`invalid update position ${x}: it must differ from the previous full step ${this.positions[0]}`);
    }
    this.history.unshift(keepCopy(features));
    this.positions.unshift(x);
    while (this.history.length > this.steps) disposeMap(this.history.pop());
    this.positions.length = this.history.length;
  }

  predict(x: number): FeatureMap {
    if (this.history.length === 0) throw notReady();
    const a = Math.min(this.history.length, this.steps);
    const coefficients = this.variableStep ? variableStepCoefficients(this.positions.slice(0, a), x) : ADAMS_BASHFORTH_COEFFICIENTS[a - 1];
    return combine(this.history.slice(0, a), coefficients);
  }

  reset(): void {
    this.history.forEach(disposeMap);
    this.history = [];
    this.positions = [];
  }

  heldCopies(): number {
    return this.history.length;
  }
}
