/**
 * Figure 3: wall-clock time and peak memory to sample a fixed number of molecules under combinations of
 * accelerations: grouped bars (x: system-level setting, colour: cache variant), two panels, time bars labelled
 * with the speedup over a baseline.
 */
import { checkNonEmpty, checkPixels, escapeLabel, resolveFigureOptions } from "./inputs";
import { mergeAxis, subplotGrid } from "./subplots";
import { THEME, axisStyle, baseLayout, forecasterColor } from "./theme";
import type { AccelerationInput, AccelerationRow, PlotlyFigure, PlotlyTrace } from "./types";

/** Options of {@link accelerationFigure}. */
export interface AccelerationOptions {
  /** Figure title (default: built from the number of molecules). */
  title: string;
  /** Size in px (default 1200 × 520). */
  width: number;
  height: number;
}

/** Defaults of {@link AccelerationOptions} (an empty title means "built from the input"). */
export const DEFAULT_ACCELERATION_OPTIONS: AccelerationOptions = { title: "", width: 1200, height: 520 };

/** Fill defaults and validate (unknown keys and bad sizes are errors). */
export function resolveAccelerationOptions(options?: Partial<AccelerationOptions>): AccelerationOptions {
  const o = resolveFigureOptions("accelerationFigure", DEFAULT_ACCELERATION_OPTIONS, options);
  checkPixels("width", o.width);
  checkPixels("height", o.height);
  return o;
}

function checkRow(row: AccelerationRow, i: number): void {
  const where = `rows[${i}]`;
  if (typeof row?.setting !== "string" || typeof row.variant !== "string") {
    throw new Error(`invalid ${where}: setting and variant must be strings`);
  }
  if (!(Number.isFinite(row.timeS) && row.timeS > 0)) {
    throw new Error(`invalid ${where}.timeS: ${row.timeS}; must be a positive number of seconds`);
  }
  if (!(Number.isFinite(row.peakMemoryMB) && row.peakMemoryMB >= 0)) {
    throw new Error(`invalid ${where}.peakMemoryMB: ${row.peakMemoryMB}; must be a number >= 0`);
  }
  for (const k of ["timeStdS", "peakMemoryStdMB"] as const) {
    const v = row[k];
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw new Error(`invalid ${where}.${k}: ${v}; must be >= 0`);
  }
}

const round4 = (x: number) => Number(x.toPrecision(4));

/** A speedup with 3 significant digits: `"2.73"`, `"27.0"`, `"105"`. */
export function formatSpeedup(ratio: number): string {
  return ratio >= 100 ? ratio.toFixed(0) : ratio.toPrecision(3);
}

/** The distinct values of `key` in order of first appearance. */
function distinct(rows: readonly AccelerationRow[], key: "setting" | "variant"): string[] {
  return [...new Set(rows.map((r) => r[key]))];
}

/**
 * Build Figure 3.
 * @param input `numMolecules` sampled per measurement, one row per measured (setting, variant), and optionally
 *   the `baseline` row for the speedups (default: the first row).
 * @example
 * const fig = accelerationFigure({ numMolecules: 100, rows: [
 *   { setting: "wasm", variant: "no cache", timeS: 60, peakMemoryMB: 900 },
 *   { setting: "wasm", variant: "Taylor m=1, D=3", timeS: 22, peakMemoryMB: 950 }] });
 * fig.data[1].text; // ["2.73×"]
 */
export function accelerationFigure(input: AccelerationInput, options?: Partial<AccelerationOptions>): PlotlyFigure {
  const o = resolveAccelerationOptions(options);
  const rows = input?.rows ?? [];
  checkNonEmpty("rows", rows.length, "pass at least one measured combination");
  if (!(Number.isInteger(input.numMolecules) && input.numMolecules > 0)) {
    throw new Error(`invalid numMolecules: ${input.numMolecules}; must be an integer >= 1`);
  }
  rows.forEach(checkRow);
  const key = (r: { setting: string; variant: string }) => `${r.setting}\u0000${r.variant}`;
  const byKey = new Map<string, AccelerationRow>();
  rows.forEach((r) => {
    if (byKey.has(key(r))) throw new Error(`duplicate row: setting "${r.setting}", variant "${r.variant}"; merge repeats into one row with a std`);
    byKey.set(key(r), r);
  });
  const baseline = input.baseline ? byKey.get(key(input.baseline)) : rows[0];
  if (!baseline) {
    throw new Error(`invalid baseline: no row with setting "${input.baseline?.setting}" and variant "${input.baseline?.variant}"`);
  }
  const settings = distinct(rows, "setting");
  const variants = distinct(rows, "variant");
  const grid = subplotGrid({ rows: 1, cols: 2, hGap: 0.1, titles: ["Wall-clock time", "Peak memory"] });
  const data: PlotlyTrace[] = [];
  const x = settings.map(escapeLabel);
  variants.forEach((variant, v) => {
    const cells = settings.map((s) => byKey.get(key({ setting: s, variant })));
    const color = forecasterColor(variant, v);
    const name = escapeLabel(variant);
    const common = { type: "bar", name, x, legendgroup: name, marker: { color, line: { color: "#333333", width: 0.5 } } };
    const errors = (k: "timeStdS" | "peakMemoryStdMB") =>
      cells.some((c) => c?.[k] !== undefined)
        ? { error_y: { type: "data", array: cells.map((c) => c?.[k] ?? null), visible: true, thickness: 1.2, width: 4 } }
        : {};
    data.push({
      ...common, xaxis: grid.cells[0].xref, yaxis: grid.cells[0].yref, showlegend: true,
      y: cells.map((c) => c?.timeS ?? null),
      text: cells.map((c) => (c ? `${formatSpeedup(baseline.timeS / c.timeS)}×` : "")),
      textposition: "outside", cliponaxis: false, constraintext: "none", textangle: -90, textfont: { size: 11 },
      hovertemplate: `${name}<br>%{x}<br>%{y:.3g} s (%{text} vs baseline)<extra></extra>`,
      ...errors("timeStdS"),
    });
    data.push({
      ...common, xaxis: grid.cells[1].xref, yaxis: grid.cells[1].yref, showlegend: false,
      y: cells.map((c) => c?.peakMemoryMB ?? null),
      text: cells.map((c) => (c ? `${c.peakMemoryMB.toFixed(0)}` : "")),
      textposition: "outside", cliponaxis: false, constraintext: "none", textangle: -90, textfont: { size: 11 },
      hovertemplate: `${name}<br>%{x}<br>%{y:.4g} MB<extra></extra>`,
      ...errors("peakMemoryStdMB"),
    });
  });
  mergeAxis(grid.layout, grid.cells[0].xKey, axisStyle("system-level setting", { showgrid: false }));
  mergeAxis(grid.layout, grid.cells[1].xKey, axisStyle("system-level setting", { showgrid: false }));
  // Headroom above the tallest bar (with its error bar) for the vertical labels.
  const top = (v: (r: AccelerationRow) => number) => round4(1.22 * Math.max(...rows.map(v)));
  mergeAxis(grid.layout, grid.cells[0].yKey, axisStyle("time (s)", { range: [0, top((r) => r.timeS + (r.timeStdS ?? 0))] }));
  mergeAxis(grid.layout, grid.cells[1].yKey,
    axisStyle("peak memory (MB)", { range: [0, top((r) => r.peakMemoryMB + (r.peakMemoryStdMB ?? 0))] }));
  const title = o.title ||
    `Time and peak memory to sample ${input.numMolecules} molecules (labels: speedup vs ${escapeLabel(baseline.setting)}, ${escapeLabel(baseline.variant)})`;
  return {
    data,
    layout: {
      ...baseLayout(title, o),
      ...grid.layout,
      barmode: "group",
      bargap: 0.25,
      bargroupgap: 0.05,
      margin: { ...THEME.margin, r: 200 },
      legend: { x: 1.02, xanchor: "left", y: 1, yanchor: "top", title: { text: "cache" } },
    },
  };
}
