/**
 * The speed–quality frontier (Tables 1/2 as a figure): throughput against each quality metric, the base sampler at
 * its step counts joined as a line, every cache configuration as a marker (one colour per forecaster, labelled by
 * its interval D), one subplot per metric, error bars where a std is given.
 */
import { checkNonEmpty, checkPixels, escapeLabel, resolveFigureOptions } from "./inputs";
import { mergeAxis, subplotGrid } from "./subplots";
import { THEME, axisStyle, baseLayout, forecasterColor } from "./theme";
import type { FrontierInput, FrontierMetric, FrontierPoint, PlotlyFigure, PlotlyTrace } from "./types";

/** Options of {@link speedQualityFrontierFigure}. */
export interface FrontierOptions {
  /** Figure title. */
  title: string;
  /** Subplots per row (default 3). */
  columns: number;
  /** Size of one subplot cell in px (default 420 × 360); the figure size follows from the grid. */
  cellWidth: number;
  cellHeight: number;
  /** Logarithmic throughput axis (default false). */
  logX: boolean;
}

/** Defaults of {@link FrontierOptions}. */
export const DEFAULT_FRONTIER_OPTIONS: FrontierOptions = {
  title: "Speed vs quality: Base at several step counts (line) and cache configurations (markers, D = interval)",
  columns: 3,
  cellWidth: 420,
  cellHeight: 360,
  logX: false,
};

/** Fill defaults and validate (unknown keys and bad sizes are errors). */
export function resolveFrontierOptions(options?: Partial<FrontierOptions>): FrontierOptions {
  const o = resolveFigureOptions("speedQualityFrontierFigure", DEFAULT_FRONTIER_OPTIONS, options);
  if (!(Number.isInteger(o.columns) && o.columns >= 1)) throw new Error(`invalid columns: ${o.columns}; must be an integer >= 1`);
  checkPixels("cellWidth", o.cellWidth);
  checkPixels("cellHeight", o.cellHeight);
  return o;
}

/** Value of metric `key` of a point: NaN/±∞ become `null` (not drawn); a missing key is an error. */
function metricValue(p: FrontierPoint, key: string, where: string): number | null {
  if (!p.metrics || !(key in p.metrics)) {
    throw new Error(`missing metric "${key}" in ${where}; every point needs every metric in input.metrics`);
  }
  const v = p.metrics[key];
  return Number.isFinite(v) ? v : null;
}

function checkPoint(p: FrontierPoint, where: string): void {
  if (!(Number.isFinite(p?.throughput) && p.throughput > 0)) {
    throw new Error(`invalid ${where}.throughput: ${p?.throughput}; must be a positive number of molecules/s`);
  }
}

/** Error-bar fields for a list of points: only when at least one point has a std. */
function errorBars(points: readonly FrontierPoint[], metric: FrontierMetric): Record<string, unknown> {
  const bar = (array: (number | null)[]) => ({ type: "data", array, visible: true, thickness: 1, width: 3 });
  const out: Record<string, unknown> = {};
  if (points.some((p) => p.throughputStd !== undefined)) out.error_x = bar(points.map((p) => p.throughputStd ?? null));
  if (points.some((p) => p.metricStd?.[metric.key] !== undefined)) {
    out.error_y = bar(points.map((p) => p.metricStd?.[metric.key] ?? null));
  }
  return out;
}

/**
 * Build the speed–quality frontier.
 * @param input `base` points (with `steps`), `caches` (with `forecaster` and `interval`), and the `metrics` to plot
 *   (key into each point's `metrics`, axis title with units).
 * @example
 * const fig = speedQualityFrontierFigure({
 *   metrics: [{ key: "validity", title: "Validity (%)" }],
 *   base: [{ steps: 100, throughput: 2, metrics: { validity: 95 } }, { steps: 51, throughput: 4, metrics: { validity: 93 } }],
 *   caches: [{ forecaster: "Taylor m=1", interval: 2, throughput: 3.8, metrics: { validity: 94.5 } }] });
 * fig.data.length; // 2 (Base line, one forecaster)
 */
export function speedQualityFrontierFigure(input: FrontierInput, options?: Partial<FrontierOptions>): PlotlyFigure {
  const o = resolveFrontierOptions(options);
  const metrics = input?.metrics ?? [];
  checkNonEmpty("metrics", metrics.length, "name at least one quality metric ({ key, title })");
  const base = [...(input.base ?? [])];
  const caches = input.caches ?? [];
  checkNonEmpty("base and caches", base.length + caches.length, "pass at least one measured configuration");
  base.forEach((p, i) => {
    checkPoint(p, `base[${i}]`);
    if (!(Number.isInteger(p.steps) && p.steps >= 1)) throw new Error(`invalid base[${i}].steps: ${p.steps}; must be an integer >= 1`);
  });
  caches.forEach((p, i) => {
    checkPoint(p, `caches[${i}]`);
    if (!(Number.isInteger(p.interval) && p.interval >= 1)) {
      throw new Error(`invalid caches[${i}].interval: ${p.interval}; must be an integer >= 1`);
    }
  });
  // Most steps first, so the line runs from slow/accurate to fast.
  base.sort((a, b) => b.steps - a.steps);
  const forecasters = [...new Set(caches.map((c) => c.forecaster))];

  const cols = Math.min(o.columns, metrics.length);
  const rows = Math.ceil(metrics.length / cols);
  const grid = subplotGrid({ rows, cols, hGap: 0.1, vGap: rows > 1 ? 0.16 : 0.1 });
  const data: PlotlyTrace[] = [];
  metrics.forEach((metric, m) => {
    if (typeof metric?.key !== "string" || typeof metric.title !== "string") {
      throw new Error(`invalid metrics[${m}]: expected { key: string, title: string }`);
    }
    const cell = grid.cells[m];
    const axes = { xaxis: cell.xref, yaxis: cell.yref };
    const yTitle = escapeLabel(metric.title);
    if (base.length) {
      data.push({
        type: "scatter", mode: "lines+markers+text", name: "Base (steps)", ...axes,
        x: base.map((p) => p.throughput), y: base.map((p, i) => metricValue(p, metric.key, `base[${i}]`)),
        text: base.map((p) => String(p.steps)), textposition: "top center", textfont: { size: 10, color: THEME.baseColor },
        line: { color: THEME.baseColor, width: 1.8 }, marker: { color: THEME.baseColor, size: 7, symbol: "square" },
        legendgroup: "Base", showlegend: m === 0,
        hovertemplate: `Base, %{text} steps<br>%{x:.4g} molecules/s<br>${yTitle}: %{y:.4g}<extra></extra>`,
        ...errorBars(base, metric),
      });
    }
    forecasters.forEach((f, fi) => {
      const points = caches.filter((c) => c.forecaster === f);
      const color = forecasterColor(f, fi);
      const name = escapeLabel(f);
      data.push({
        type: "scatter", mode: "markers+text", name, ...axes,
        x: points.map((p) => p.throughput),
        y: points.map((p) => metricValue(p, metric.key, `caches (forecaster ${f}, D=${p.interval})`)),
        text: points.map((p) => `D=${p.interval}`), textposition: "middle right", textfont: { size: 10, color },
        marker: { color, size: 9, symbol: "circle", line: { color: "#ffffff", width: 0.8 } },
        legendgroup: name, showlegend: m === 0,
        hovertemplate: `${name}, %{text}<br>%{x:.4g} molecules/s<br>${yTitle}: %{y:.4g}<extra></extra>`,
        ...errorBars(points, metric),
      });
    });
    mergeAxis(grid.layout, cell.xKey, axisStyle("throughput (molecules/s)", o.logX ? { type: "log" } : {}));
    mergeAxis(grid.layout, cell.yKey, axisStyle(yTitle));
  });
  const width = Math.round(cols * o.cellWidth + 200);
  const height = Math.round(rows * o.cellHeight + 160);
  return {
    data,
    layout: {
      ...baseLayout(o.title, { width, height }),
      ...grid.layout,
      margin: { ...THEME.margin, r: 170 },
      legend: { x: 1.02, xanchor: "left", y: 1, yanchor: "top", title: { text: "sampler" } },
    },
  };
}
