/**
 * Linear-predictability error (docs/architecture.md, "Definitions the analysis uses"): at step k ≥ 2 extrapolate
 * linearly from the two previous steps, ŷ_k = y_{k−1} + r_k (y_{k−1} − y_{k−2}), with r_k = 1 on the step axis or
 * (t_k − t_{k−1}) / (t_{k−1} − t_{k−2}) on the time axis; error = ‖y_k − ŷ_k‖ / (‖y_k‖ + ε), per molecule, then
 * mean and spread over molecules. The paper uses it as a proxy for smoothness (largest in the early steps).
 *
 * When a series is not recorded at every step (e.g. block outputs on forecast steps), the two previous *recorded*
 * steps are used and r_k is the ratio of the gaps on the chosen axis (1 for consecutive steps on the step axis).
 */
import type { Recording } from "../hooks/recording";
import { checkQuantiles, resolveAnalysisOptions, spread, withFrame } from "./stats";
import { chooseMolecules, FeatureTransform, SeriesRef, TrajectoryRows, trajectoryRows } from "./trajectory";

/** The axis linear extrapolation runs on. */
export type PredictabilityAxis = "step" | "time";

/**
 * The error of each row of one trajectory (NaN for the first two rows).
 * @param x the position of each row on the chosen axis: step indices (step axis) or solver times (time axis).
 * @param eps ε of the denominator (default 1e-8).
 * @example
 * predictabilityErrors([[0], [1], [2], [4]], [0, 1, 2, 3]); // [NaN, NaN, 0, 0.25]
 */
export function predictabilityErrors(rows: ReadonlyArray<ArrayLike<number>>, x: ArrayLike<number>, eps = 1e-8): Float64Array {
  if (rows.length !== x.length) throw new Error(`got ${rows.length} rows and ${x.length} axis positions; pass one position per row`);
  if (!(eps >= 0)) throw new Error(`invalid eps: ${eps}; must be >= 0`);
  const out = new Float64Array(rows.length).fill(NaN);
  for (let k = 2; k < rows.length; k++) {
    const gapPrev = x[k - 1] - x[k - 2];
    if (!(gapPrev > 0 && x[k] - x[k - 1] > 0)) {
      throw new Error(`axis positions must increase: ${x[k - 2]}, ${x[k - 1]}, ${x[k]} at row ${k}`);
    }
    const r = (x[k] - x[k - 1]) / gapPrev;
    const y = rows[k];
    const a = rows[k - 1];
    const b = rows[k - 2];
    if (y.length !== a.length || a.length !== b.length) throw new Error(`row ${k} differs in length from the rows before it`);
    let num = 0;
    let den = 0;
    for (let i = 0; i < y.length; i++) {
      const d = y[i] - (a[i] + r * (a[i] - b[i]));
      num += d * d;
      den += y[i] * y[i];
    }
    out[k] = Math.sqrt(num) / (Math.sqrt(den) + eps);
  }
  return out;
}

/** Options of {@link linearPredictability}. */
export interface PredictabilityOptions {
  /** `step` (r = 1) or `time` (r = ratio of time gaps). Default `step`. */
  axis: PredictabilityAxis;
  /** ε of the denominator (default 1e-8). */
  eps: number;
  /** Quantiles of the spread band (default 0.1 and 0.9). */
  lowerQuantile: number;
  upperQuantile: number;
}

/** Defaults of {@link PredictabilityOptions}. */
export const DEFAULT_PREDICTABILITY_OPTIONS: Readonly<PredictabilityOptions> = { axis: "step", eps: 1e-8, lowerQuantile: 0.1, upperQuantile: 0.9 };

/** Error per step over molecules (plain arrays) with a lazily built DataFrame `frame` (`step, t, mean, std, lower, upper, count`). */
export interface PredictabilityResult {
  axis: PredictabilityAxis;
  /** Steps k where the error is defined for at least one molecule. */
  steps: number[];
  t: number[];
  /** Mean, population std, quantiles and number of molecules, per step. */
  mean: number[];
  std: number[];
  lower: number[];
  upper: number[];
  count: number[];
  /** Molecule indices, and their errors (`perMolecule[m][i]` at `steps[i]`, NaN where undefined). */
  molecules: number[];
  perMolecule: number[][];
}

/**
 * Linear-predictability error of several molecules' trajectories, per step.
 * @example
 * const res = linearPredictability([traj0, traj1], { axis: "time" }); res.mean[0]; // error at steps[0] (= 2)
 */
export function linearPredictability(trajectories: readonly TrajectoryRows[], options: Partial<PredictabilityOptions> = {}) {
  const o = resolveAnalysisOptions("linearPredictability", DEFAULT_PREDICTABILITY_OPTIONS, options);
  if (o.axis !== "step" && o.axis !== "time") throw new Error(`invalid axis: ${o.axis}; use "step" or "time"`);
  checkQuantiles(o.lowerQuantile, o.upperQuantile);
  if (!trajectories || trajectories.length === 0) throw new Error("linearPredictability needs at least one trajectory");
  const errs = trajectories.map((tr) => {
    const x = o.axis === "step" ? tr.steps : tr.t;
    const e = predictabilityErrors(tr.rows, x, o.eps);
    const byStep = new Map<number, number>();
    tr.steps.forEach((s, i) => Number.isFinite(e[i]) && byStep.set(s, e[i]));
    return byStep;
  });
  const times = new Map<number, number>();
  for (const tr of trajectories) tr.steps.forEach((s, i) => times.set(s, tr.t[i]));
  const steps = [...new Set(errs.flatMap((m) => [...m.keys()]))].sort((a, b) => a - b);
  const perMolecule = errs.map((m) => steps.map((s) => m.get(s) ?? NaN));
  const spreads = steps.map((_, i) => spread(perMolecule.map((row) => row[i]), o.lowerQuantile, o.upperQuantile));
  const result: PredictabilityResult = {
    axis: o.axis,
    steps,
    t: steps.map((s) => times.get(s) ?? NaN),
    mean: spreads.map((s) => s.mean),
    std: spreads.map((s) => s.std),
    lower: spreads.map((s) => s.lower),
    upper: spreads.map((s) => s.upper),
    count: spreads.map((s) => s.count),
    molecules: trajectories.map((tr) => tr.molecule),
    perMolecule,
  };
  return withFrame(result, () => ({
    step: result.steps, t: result.t, mean: result.mean, std: result.std, lower: result.lower, upper: result.upper, count: result.count,
  }));
}

/** Options of {@link recordingPredictability}. */
export interface RecordingPredictabilityOptions extends PredictabilityOptions, SeriesRef {
  /** Molecules (default all recorded). */
  molecules: "all" | readonly number[];
  /** Feature transform (default `none`: the recorded values). */
  transform: FeatureTransform;
}

/** Defaults of {@link RecordingPredictabilityOptions}: the predicted coordinates on the step axis. */
export const DEFAULT_RECORDING_PREDICTABILITY_OPTIONS: Readonly<RecordingPredictabilityOptions> = {
  ...DEFAULT_PREDICTABILITY_OPTIONS, block: "sampler", field: "prediction.coords", molecules: "all", transform: "none",
};

/**
 * Linear-predictability error of a recorded series over molecules.
 * @example
 * const step = recordingPredictability(recording, { axis: "step" });
 * const time = recordingPredictability(recording, { axis: "time" });
 * predictabilityFigure({ series: [toPredictabilitySeries(step), toPredictabilitySeries(time)], quantity: "predicted coordinates" });
 */
export function recordingPredictability(recording: Recording, options: Partial<RecordingPredictabilityOptions> = {}) {
  const o = resolveAnalysisOptions("recordingPredictability", DEFAULT_RECORDING_PREDICTABILITY_OPTIONS, options);
  const trajectories = chooseMolecules(recording, o.molecules).map((m) => trajectoryRows(recording, o, m, o.transform));
  return linearPredictability(trajectories, { axis: o.axis, eps: o.eps, lowerQuantile: o.lowerQuantile, upperQuantile: o.upperQuantile });
}
