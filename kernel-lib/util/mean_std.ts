/** The one mean ± standard deviation of molcache (metrics, analysis, report and benches use it). */

/**
 * Mean and population standard deviation (numpy's default; 0 for one value) of all `values`; NaN for both when empty.
 * Callers leave out what should not count (NaN, null) first.
 * @example
 * meanStd([1, 2, 3]); // { mean: 2, std: 0.816… }
 */
export function meanStd(values: ArrayLike<number>): { mean: number; std: number } {
  const xs = Array.from(values);
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
  return { mean, std };
}
