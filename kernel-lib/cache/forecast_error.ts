/**
 * The real forecast error of a cache forecaster on a recorded base trajectory (every step computed), the error model
 * of the calibrated schedule.
 *
 * Every forecaster is linear in the outputs it saw, with coefficients that do not depend on the data, so a forecast
 * at step s is Σᵢ wᵢ F(kᵢ) over the computed steps kᵢ. The weights come from the real forecaster (fed unit vectors,
 * so there is one implementation of each recursion), and the error ‖Σᵢ wᵢ F(kᵢ) − F(s)‖ is a quadratic form in the
 * Gram matrix ⟨F(k), F(l)⟩ of the trajectory: the recorded outputs are reduced to K×K numbers per part and molecule
 * once, and each forecast's error then costs a few dozen operations.
 */
import * as tf from "@tensorflow/tfjs";
import { createForecaster, ResolvedCachingConfig } from "./config";

/** Gram matrices of recorded outputs, one per series (one output part of one molecule), each with a weight. */
export class TrajectoryGrams {
  /** Steps K of the trajectory. */
  readonly steps: number;
  private readonly grams: Float64Array[] = [];
  private readonly weights: number[] = [];

  /**
   * @param series one entry per (part, molecule): its flattened output at each step (all of the same length K),
   *   and the weight of its relative error in the total (e.g. 1 / molecules for a mean over molecules).
   * @param eps ε of the relative error's denominator (default 1e-8, as the linear-predictability error).
   */
  constructor(series: readonly { rows: readonly ArrayLike<number>[]; weight: number }[], readonly eps = 1e-8) {
    if (!series.length) throw new Error("no recorded series: record at least one molecule");
    const K = series[0].rows.length;
    this.steps = K;
    for (const { rows, weight } of series) {
      if (rows.length !== K) throw new Error(`series differ in steps: ${rows.length} and ${K}`);
      const g = new Float64Array(K * K);
      for (let k = 0; k < K; k++) {
        for (let l = k; l < K; l++) {
          const a = rows[k];
          const b = rows[l];
          let dot = 0;
          for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
          g[k * K + l] = dot;
          g[l * K + k] = dot;
        }
      }
      this.grams.push(g);
      this.weights.push(weight);
    }
  }

  /**
   * Weighted sum over series of ‖Σᵢ wᵢ F(kᵢ) − F(s)‖ / (‖F(s)‖ + ε): the relative error of the forecast with
   * weights `w` on steps `points` at step `s`.
   */
  error(s: number, points: readonly number[], w: ArrayLike<number>): number {
    const K = this.steps;
    const idx = [...points, s];
    const c = [...Array.from(w), -1];
    let total = 0;
    for (let g = 0; g < this.grams.length; g++) {
      const G = this.grams[g];
      let q = 0;
      for (let i = 0; i < idx.length; i++) {
        if (c[i] === 0) continue;
        const row = idx[i] * K;
        let inner = 0;
        for (let j = 0; j < idx.length; j++) inner += c[j] * G[row + idx[j]];
        q += c[i] * inner;
      }
      total += this.weights[g] * Math.sqrt(Math.max(q, 0)) / (Math.sqrt(G[s * K + s]) + this.eps);
    }
    return total;
  }
}

/**
 * How much the output predicted at each step still weighs in the state the final network call sees: the sampler
 * moves a fraction α_k = dt_k / (1 − t_k) of the way to the prediction (coordinates; the categorical jump rates
 * scale the same way), so step s's prediction enters the state before the final step with weight
 * α_s · Π_{s<j<K−1} (1 − α_j) (the network's own feedback ignored). On the log grid α is constant and late steps weigh
 * ~100× more than early ones: an error model without this put the calls early and sampled much worse than uniform.
 * Normalised to sum 1.
 * @example
 * predictionInfluence(timeGrid(100, "log"))[98] / predictionInfluence(timeGrid(100, "log"))[0]; // ≈ 90
 */
export function predictionInfluence(grid: { t: ArrayLike<number>; dt: ArrayLike<number> }): Float64Array {
  const K = grid.t.length;
  const w = new Float64Array(K);
  let tail = 1; // Π_{s<j<K−1} (1 − α_j)
  for (let s = K - 1; s >= 0; s--) {
    const alpha = Math.min(1, grid.dt[s] / (1 - grid.t[s]));
    w[s] = alpha * tail;
    if (s < K - 1) tail *= 1 - alpha;
  }
  const total = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / total);
}

/**
 * The weights the forecaster of `config` puts on each of `history` (computed steps, increasing) when it forecasts
 * each of `targets`: it is updated with unit vectors at the history's positions and asked for each target.
 * @param x the position of each step on the config's axis (step indices, or solver times on the time axis).
 * @example
 * forecastWeights(parseCacheSpec("taylor:m=1,D=2") as ResolvedCachingConfig, [0, 1, 2, 3], [0, 2], [3]); // [[-0.5, 1.5]]
 */
export function forecastWeights(config: ResolvedCachingConfig, x: ArrayLike<number>, history: readonly number[], targets: readonly number[]): Float64Array[] {
  const forecaster = createForecaster(config);
  const H = history.length;
  try {
    history.forEach((k, i) => {
      const unit = tf.tensor1d(Array.from({ length: H }, (_, j) => (j === i ? 1 : 0)));
      forecaster.update(x[k], { w: unit });
      unit.dispose();
    });
    return targets.map((s) => {
      const out = forecaster.predict(x[s]);
      const w = Float64Array.from(out.w.dataSync());
      out.w.dispose();
      return w;
    });
  } finally {
    forecaster.reset();
  }
}

/** The computed steps before and at `c` assumed when an interval of length h starts at c: c, c − h, … (> 0), and 0. */
function historyAt(c: number, h: number, depth: number): number[] {
  const out: number[] = [];
  for (let k = c; k > 0 && out.length < depth; k -= h) out.unshift(k);
  if (out.length < depth) out.unshift(0);
  return out;
}

/** History points fed to the forecaster per interval: enough for TaylorSeer m ≤ 4 and Adams–Bashforth j ≤ 6. */
const HISTORY_DEPTH = 6;

/**
 * The per-interval cost table of the calibrated schedule: `table[c][n − c − 1]` is the real forecast error summed
 * over the skipped steps c+1 … n−1, each weighted by `influence` (see {@link predictionInfluence}), when c and n compute, the forecaster having computed c, c − h, c − 2h, … (and
 * step 0) before, h = n − c (the spacing history of a uniform schedule through c; the real history of a calibrated
 * schedule differs where its spacing changes, which is why {@link scheduleForecastError} re-measures the result).
 * @param onProgress called with (rows done, rows).
 */
export function intervalCostTable(
  grams: TrajectoryGrams, config: ResolvedCachingConfig, x: ArrayLike<number>, influence: ArrayLike<number>,
  onProgress?: (done: number, total: number) => void,
): number[][] {
  const K = grams.steps;
  const table: number[][] = [];
  for (let c = 0; c < K; c++) {
    const row: number[] = [];
    for (let n = c + 1; n < K; n++) {
      const history = historyAt(c, n - c, HISTORY_DEPTH);
      const targets = Array.from({ length: n - c - 1 }, (_, i) => c + 1 + i);
      const weights = forecastWeights(config, x, history, targets);
      row.push(targets.reduce((acc, s, i) => acc + influence[s] * grams.error(s, history, weights[i]), 0));
    }
    table.push(row);
    onProgress?.(c + 1, K);
  }
  return table;
}

/**
 * The real forecast error of a whole schedule, summed over the skipped steps with weights `influence`: the forecaster
 * of `config` run through it (updated on the computed steps in order, forecasting every skipped one), scored on the
 * recorded trajectory.
 */
export function scheduleForecastError(
  grams: TrajectoryGrams, config: ResolvedCachingConfig, x: ArrayLike<number>, influence: ArrayLike<number>, schedule: readonly boolean[],
): number {
  if (schedule.length !== grams.steps) throw new Error(`schedule has ${schedule.length} steps, the recording ${grams.steps}`);
  if (!schedule[0]) throw new Error("a schedule must compute step 0");
  const history = schedule.flatMap((c, k) => (c ? [k] : []));
  const skipped = schedule.flatMap((c, k) => (c ? [] : [k]));
  // One pass of the real recursion on unit vectors (one per computed step): forecasts in step order.
  const forecaster = createForecaster(config);
  const H = history.length;
  let total = 0;
  try {
    let next = 0;
    history.forEach((k, i) => {
      const unit = tf.tensor1d(Array.from({ length: H }, (_, j) => (j === i ? 1 : 0)));
      forecaster.update(x[k], { w: unit });
      unit.dispose();
      const end = i + 1 < H ? history[i + 1] : schedule.length;
      for (; next < skipped.length && skipped[next] < end; next++) {
        const s = skipped[next];
        const out = forecaster.predict(x[s]);
        const w = out.w.dataSync();
        out.w.dispose();
        // Only the steps the forecaster can still see carry weight; keep the last few for the quadratic form.
        const from = Math.max(0, i + 1 - HISTORY_DEPTH);
        total += influence[s] * grams.error(s, history.slice(from, i + 1), Array.from(w).slice(from, i + 1));
      }
    });
  } finally {
    forecaster.reset();
  }
  return total;
}

/** The key of a config's forecaster in a profile's cost tables: `taylor:m=2`, `ab:j=2,axis=time`, `reuse`. */
export function forecasterKey(config: ResolvedCachingConfig): string {
  const base = config.kind === "taylor" ? `taylor:m=${config.order}` : config.kind === "ab" ? `ab:j=${config.steps}` : "reuse";
  return config.axis === "time" ? `${base}${base.includes(":") ? "," : ":"}axis=time` : base;
}
