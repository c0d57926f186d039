/**
 * Figure 1: the PCA path of one molecule's generation trajectory, one panel per projected quantity (coordinates,
 * atom types), points coloured by solver step with one shared colour bar, start and end marked.
 */
import { checkLength, checkNonEmpty, checkPixels, column, escapeLabel, finiteNumbers, resolveFigureOptions, stepsOrRange } from "./inputs";
import { mergeAxis, subplotGrid } from "./subplots";
import { THEME, axisStyle, baseLayout } from "./theme";
import type { PcaTrajectoryInput, PlotlyFigure, PlotlyTrace } from "./types";

/** Options of {@link pcaTrajectoryFigure}. */
export interface PcaTrajectoryOptions {
  /** Figure title. */
  title: string;
  /** Size in px (default 1000 × 460). */
  width: number;
  height: number;
  /** Marker size of the step points in px (default 7). */
  markerSize: number;
  /** Draw a thin grey line through the points in step order (default true). */
  showPath: boolean;
}

/** Defaults of {@link PcaTrajectoryOptions}. */
export const DEFAULT_PCA_TRAJECTORY_OPTIONS: PcaTrajectoryOptions = {
  title: "Generation trajectory of one molecule, first two principal components",
  width: 1000,
  height: 460,
  markerSize: 7,
  showPath: true,
};

/** Fill defaults and validate (unknown keys and bad sizes are errors). */
export function resolvePcaTrajectoryOptions(options?: Partial<PcaTrajectoryOptions>): PcaTrajectoryOptions {
  const o = resolveFigureOptions("pcaTrajectoryFigure", DEFAULT_PCA_TRAJECTORY_OPTIONS, options);
  checkPixels("width", o.width);
  checkPixels("height", o.height);
  if (!(o.markerSize > 0)) throw new Error(`invalid markerSize: ${o.markerSize}; must be > 0`);
  return o;
}

/** Axis title of component `i` with its share of variance, e.g. `"PC1 (52.1% of variance)"`. */
function pcTitle(i: number, ratio: number): string {
  return `PC${i + 1} (${(100 * ratio).toFixed(1)}% of variance)`;
}

/**
 * Build Figure 1 from projected points (e.g. the analysis' PCA of a recorded trajectory).
 * @param input one panel per quantity: `points` (one `[pc1, pc2]` row per step) and `explainedVariance` ratios;
 *   optional `steps` (default 0…K−1) and `times` (shown on hover).
 * @example
 * const fig = pcaTrajectoryFigure({ panels: [
 *   { label: "Coordinates", points: [[0, 0], [1, 0.5], [1.5, 1.2]], explainedVariance: [0.8, 0.15] },
 *   { label: "Atom types", points: [[2, 0], [0.5, 0.1], [0, 0]], explainedVariance: [0.9, 0.05] }] });
 * fig.data.length; // 8 (path, points, start, end per panel)
 */
export function pcaTrajectoryFigure(input: PcaTrajectoryInput, options?: Partial<PcaTrajectoryOptions>): PlotlyFigure {
  const o = resolvePcaTrajectoryOptions(options);
  const panels = input.panels;
  checkNonEmpty("panels", panels?.length ?? 0, "pass at least one panel (coordinates and/or atom types)");
  const n = panels[0].points?.length ?? 0;
  checkNonEmpty(`panels[0].points`, n, "the trajectory needs at least one step");
  const steps = stepsOrRange("steps", input.steps, n);
  const times = input.times === undefined ? undefined : finiteNumbers("times", input.times);
  if (times) checkLength("times", times.length, n);

  const grid = subplotGrid({ rows: 1, cols: panels.length, hGap: 0.1, titles: panels.map((p) => escapeLabel(p.label)) });
  const data: PlotlyTrace[] = [];
  const hoverTime = times ? "<br>t = %{customdata:.4f}" : "";
  panels.forEach((panel, p) => {
    const where = `panels[${p}]`;
    checkLength(`${where}.points`, panel.points?.length ?? 0, n);
    const x = column(`${where}.points`, panel.points, 0);
    const y = column(`${where}.points`, panel.points, 1);
    const ev = finiteNumbers(`${where}.explainedVariance`, panel.explainedVariance);
    if (ev.length < 2 || ev.some((v) => v < 0 || v > 1)) {
      throw new Error(`invalid ${where}.explainedVariance: [${ev.join(", ")}]; need at least 2 ratios in [0, 1]`);
    }
    const cell = grid.cells[p];
    const axes = { xaxis: cell.xref, yaxis: cell.yref };
    if (o.showPath) {
      data.push({ type: "scatter", mode: "lines", x, y, ...axes, line: { color: "#b0b0b0", width: 1 },
        hoverinfo: "skip", showlegend: false });
    }
    data.push({
      type: "scatter", mode: "markers", name: escapeLabel(panel.label), x, y, ...axes,
      marker: { color: steps, coloraxis: "coloraxis", size: o.markerSize, line: { width: 0.5, color: "#ffffff" } },
      ...(times ? { customdata: times } : {}),
      hovertemplate: `step %{marker.color}${hoverTime}<br>PC1 %{x:.4g}<br>PC2 %{y:.4g}<extra>${escapeLabel(panel.label)}</extra>`,
      showlegend: false,
    });
    const ends: [string, number, string][] = [
      [`start (step ${steps[0]})`, 0, "diamond"],
      [`end (step ${steps[n - 1]})`, n - 1, "square"],
    ];
    for (const [name, k, symbol] of ends) {
      data.push({
        type: "scatter", mode: "markers", name, x: [x[k]], y: [y[k]], ...axes,
        marker: { symbol, size: 13, color: "rgba(0,0,0,0)", line: { width: 2.5, color: "#d62728" } },
        legendgroup: name.split(" ")[0], showlegend: p === 0,
        hovertemplate: `${name}<extra></extra>`,
      });
    }
    mergeAxis(grid.layout, cell.xKey, axisStyle(pcTitle(0, ev[0])));
    mergeAxis(grid.layout, cell.yKey, axisStyle(pcTitle(1, ev[1])));
  });

  const layout = {
    ...baseLayout(o.title, o),
    ...grid.layout,
    margin: { ...THEME.margin, r: 110, b: 90 },
    coloraxis: {
      colorscale: THEME.stepColorscale,
      cmin: Math.min(...steps),
      cmax: Math.max(...steps),
      colorbar: { title: { text: "solver step" }, thickness: 14, len: 0.9 },
    },
    legend: { orientation: "h", x: 0.5, xanchor: "center", y: -0.2, yanchor: "top" },
  };
  return { data, layout };
}
