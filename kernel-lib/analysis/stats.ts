/**
 * Small statistics shared by the analyses (mean, population std, quantiles over molecules, ignoring NaN) and the
 * lazily built DataFrame every analysis result carries.
 */
import type { DataFrame } from "danfojs-node";
import { Columns, makeDataFrame } from "../hooks/data_frame";
import { meanStd } from "../util/mean_std";
import { rejectUnknownOptions } from "../util/options";

/** Mean, population standard deviation (numpy's default), chosen quantiles and count of the finite values. */
export interface Spread {
  mean: number;
  std: number;
  lower: number;
  upper: number;
  count: number;
}

/**
 * Quantile `q` in [0, 1] of sorted values, linearly interpolated (numpy's default); NaN when empty.
 * @example
 * quantileSorted([1, 2, 3, 4], 0.5); // 2.5
 */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * The spread of the finite entries of `values` (NaN entries, e.g. molecules without a value at a step, are left out).
 * @example
 * spread([1, 2, 3, NaN], 0.1, 0.9); // { mean: 2, std: 0.816…, lower: 1.2, upper: 2.8, count: 3 }
 */
export function spread(values: ArrayLike<number>, lowerQ: number, upperQ: number): Spread {
  const xs = Array.from(values).filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return { mean: NaN, std: NaN, lower: NaN, upper: NaN, count: 0 };
  const { mean, std } = meanStd(xs);
  return { mean, std, lower: quantileSorted(xs, lowerQ), upper: quantileSorted(xs, upperQ), count: xs.length };
}

/** Check a quantile pair: 0 ≤ lower ≤ upper ≤ 1. */
export function checkQuantiles(lower: number, upper: number): void {
  if (!(lower >= 0 && lower <= upper && upper <= 1)) {
    throw new Error(`invalid quantiles: lower ${lower}, upper ${upper}; need 0 <= lower <= upper <= 1`);
  }
}

/**
 * Add a non-enumerable, lazily built `frame` (danfo.js DataFrame) to a result object, so results stay plain JSON
 * and danfo is only loaded when a frame is asked for.
 */
export function withFrame<T extends object>(result: T, columns: () => Columns): T & { readonly frame: DataFrame } {
  let frame: DataFrame | undefined;
  Object.defineProperty(result, "frame", {
    enumerable: false,
    get: () => (frame ??= makeDataFrame(columns())),
  });
  return result as T & { readonly frame: DataFrame };
}

/** Fill defaults into options and reject unknown keys (messages name the function). */
export function resolveAnalysisOptions<T extends object>(what: string, defaults: T, given: Partial<T> | undefined): T {
  rejectUnknownOptions(given, defaults, what);
  const out = { ...defaults } as T;
  for (const [k, v] of Object.entries(given ?? {})) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
