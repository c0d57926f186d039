/**
 * The plain-data inputs of the figure builders, and the Plotly figure they return.
 *
 * The builders take arrays and small records, never model, sampler or tensor objects, so the analysis, metrics and
 * benchmark code can feed them whatever it computed, and the figures can be snapshot-tested on hand-made inputs.
 */

/** One Plotly trace: a plain JSON object (`type`, `x`, `y`, `marker`, …) as Plotly.js takes it. */
export type PlotlyTrace = Record<string, unknown>;

/** A Plotly layout: a plain JSON object (`title`, `xaxis`, `annotations`, …). */
export type PlotlyLayout = Record<string, unknown>;

/**
 * A figure as Plotly.js takes it (`Plotly.newPlot(div, fig.data, fig.layout)`), plain JSON only: no typed arrays,
 * no functions, `null` for gaps. The same object is what `application/vnd.plotly.v1+json` carries.
 */
export interface PlotlyFigure {
  data: PlotlyTrace[];
  layout: PlotlyLayout;
}

/** Rows of numbers, each with at least the needed columns (`number[][]`, `Float64Array[]`, …). */
export type NumberRows = ReadonlyArray<ArrayLike<number>>;

// --- Figure 1: PCA path of one molecule's trajectory ---

/** One panel of {@link PcaTrajectoryInput}: the trajectory of one quantity projected on its first two PCs. */
export interface PcaPanel {
  /** Panel title, e.g. `"Coordinates"` or `"Atom types"`. */
  label: string;
  /** One row per step: `[pc1, pc2, …]` (only the first two columns are used). */
  points: NumberRows;
  /** Explained-variance ratios of the components (fractions in [0, 1]; at least the first two). */
  explainedVariance: ArrayLike<number>;
}

/** Input of `pcaTrajectoryFigure`: one panel per projected quantity, the same steps in each. */
export interface PcaTrajectoryInput {
  /** Usually two panels: coordinates, then atom types. */
  panels: readonly PcaPanel[];
  /** The step index of each point (default 0, 1, …). */
  steps?: ArrayLike<number>;
  /** The solver time of each point, shown on hover when given. */
  times?: ArrayLike<number>;
}

// --- Figure 2a: one atom's coordinates over the steps ---

/** One sampling run's trajectory of one atom. */
export interface AtomTrajectoryRun {
  /** Legend label, e.g. `"Base"` or `"Taylor m=1, D=3"`. */
  label: string;
  /** One row per step: the atom's `[x, y, z]` in Å. */
  positions: NumberRows;
  /** x values of the rows (default 0, 1, …): step indices, or solver times with `xAxis: "time"`. */
  steps?: ArrayLike<number>;
  /** Per step: `true` where the backbone was computed (markers are drawn there); omit for the base run. */
  computed?: ArrayLike<boolean>;
  /** Forecaster name, used to pick the colour (`"Taylor m=1"`, `"AB j=2"`, …; default: by position). */
  forecaster?: string;
}

/** Input of `atomTrajectoryFigure`. */
export interface AtomTrajectoryInput {
  /** The uncached reference run (solid line). */
  base: AtomTrajectoryRun;
  /** Cached runs at several intervals (one line style each). */
  cached: readonly AtomTrajectoryRun[];
  /** Name of the atom in titles, e.g. `"atom 3 (C)"`. */
  atomLabel: string;
}

// --- Figure 2b: linear-predictability error over the steps ---

/** One curve of the linear-predictability error (mean over molecules, with an optional spread band). */
export interface PredictabilitySeries {
  /** Legend label, e.g. `"step axis (r = 1)"` or `"time axis"`. */
  label: string;
  /** Step index k of each value (k ≥ 2). */
  steps: ArrayLike<number>;
  /** Mean relative error ‖y_k − ŷ_k‖ / (‖y_k‖ + ε) over molecules (unitless). */
  mean: ArrayLike<number>;
  /** Lower edge of the spread band (e.g. 10th percentile); needs `upper`. */
  lower?: ArrayLike<number>;
  /** Upper edge of the spread band (e.g. 90th percentile); needs `lower`. */
  upper?: ArrayLike<number>;
  /** Standard deviation: band = mean ± std when `lower`/`upper` are not given. */
  std?: ArrayLike<number>;
}

/** Input of `predictabilityFigure`. */
export interface PredictabilityInput {
  series: readonly PredictabilitySeries[];
  /** What y is, for the title (e.g. `"predicted coordinates"`). */
  quantity: string;
}

// --- Figure 3: acceleration combinations ---

/** One measured combination of accelerations. */
export interface AccelerationRow {
  /** Bar group on the x axis: the system-level options, e.g. `"wasm"`, `"wasm + buckets + 2 workers"`. */
  setting: string;
  /** Bar colour within a group: the cache, e.g. `"no cache"`, `"Taylor m=1, D=3"`. */
  variant: string;
  /** Wall-clock seconds to sample the molecules. */
  timeS: number;
  /** Standard deviation of `timeS` over repeats (error bar). */
  timeStdS?: number;
  /** Peak memory in MB (resident set or tensor memory, as the caller measured it). */
  peakMemoryMB: number;
  /** Standard deviation of `peakMemoryMB` (error bar). */
  peakMemoryStdMB?: number;
}

/** Input of `accelerationFigure`. */
export interface AccelerationInput {
  /** Molecules sampled per measurement (for the title). */
  numMolecules: number;
  rows: readonly AccelerationRow[];
  /** The row the speedups are relative to (default: the first row). */
  baseline?: { setting: string; variant: string };
}

// --- Speed–quality frontier (Tables 1/2 as a figure) ---

/** Measured throughput and quality of one sampler configuration (means, optional std over seeds). */
export interface FrontierPoint {
  /** Molecules per second. */
  throughput: number;
  throughputStd?: number;
  /** Metric key → value (keys as in {@link FrontierMetric.key}). */
  metrics: Readonly<Record<string, number>>;
  metricStd?: Readonly<Record<string, number>>;
}

/** The uncached sampler at one step count. */
export interface FrontierBasePoint extends FrontierPoint {
  steps: number;
}

/** A cache configuration. */
export interface FrontierCachePoint extends FrontierPoint {
  /** Forecaster name, one colour each: `"Reuse"`, `"Taylor m=1"`, `"AB j=2"`, … */
  forecaster: string;
  /** Cache interval D (label next to the marker). */
  interval: number;
}

/** A quality metric to plot against throughput (one subplot each). */
export interface FrontierMetric {
  key: string;
  /** Axis title, with units where there are any, e.g. `"Validity (%)"`, `"Strain (kcal/mol)"`. */
  title: string;
}

/** Input of `speedQualityFrontierFigure`. */
export interface FrontierInput {
  base: readonly FrontierBasePoint[];
  caches: readonly FrontierCachePoint[];
  metrics: readonly FrontierMetric[];
}

// --- Block × step cosine-similarity heatmap ---

/** Input of `similarityHeatmapFigure`. */
export interface SimilarityHeatmapInput {
  /** One row per block, one column per step: cosine similarity of the block's output with the previous step's. */
  similarity: NumberRows;
  /** Row labels (default `"block 0"`, …). */
  blockLabels?: readonly string[];
  /** Step index of each column (default 1, 2, …: similarity needs a previous step). */
  steps?: ArrayLike<number>;
}
