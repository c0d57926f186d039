/**
 * Time grids of the ODE solver. `linear`: t_k = k/K. `log` (the reference default of SemlaFlow's evaluate/predict
 * scripts): t_k = 1 − 0.01·100^((K−k)/K), running 0 → 0.99, dense near t = 1.
 *
 * As in the reference, the time fed to the network is accumulated in float32 by adding each float64 step size, and
 * the last network call is at t_{K−1}.
 */

/** Supported grids. */
export type TimeGridKind = "linear" | "log";

/** The solver's steps: what t each network call sees and how far each step moves. */
export interface TimeGrid {
  kind: TimeGridKind;
  /** Time fed to the network at each step (float32 values). */
  t: Float32Array;
  /** Step sizes (float64). */
  dt: Float64Array;
}

/**
 * Build a time grid of `steps` steps.
 * @example
 * timeGrid(10, "linear").t[9]; // 0.9000001 (float32 accumulation)
 */
export function timeGrid(steps: number, kind: TimeGridKind = "log"): TimeGrid {
  if (!(Number.isInteger(steps) && steps >= 2)) throw new Error(`invalid steps: ${steps}; must be an integer >= 2`);
  const points = new Float64Array(steps + 1);
  for (let k = 0; k <= steps; k++) {
    if (kind === "linear") points[k] = k / steps;
    else if (kind === "log") points[k] = 1 - 0.01 * Math.pow(100, (steps - k) / steps);
    else throw new Error(`unknown time grid: ${kind}; use "linear" or "log"`);
  }
  const dt = new Float64Array(steps);
  const t = new Float32Array(steps);
  let acc = Math.fround(points[0]);
  for (let k = 0; k < steps; k++) {
    dt[k] = points[k + 1] - points[k];
    t[k] = acc;
    acc = Math.fround(acc + dt[k]);
  }
  return { kind, t, dt };
}
