/**
 * Figure 2a: one atom's x, y and z over the solver steps, the base run against cached runs at several intervals
 * (one line style per run, one subplot per axis), with markers on the steps where a cached run computed.
 */
import { checkLength, checkNonEmpty, checkPixels, column, escapeLabel, resolveFigureOptions, stepsOrRange } from "./inputs";
import { mergeAxis, subplotGrid } from "./subplots";
import { DASHES, THEME, axisStyle, baseLayout, forecasterColor } from "./theme";
import type { AtomTrajectoryInput, AtomTrajectoryRun, PlotlyFigure, PlotlyTrace } from "./types";

/** Options of {@link atomTrajectoryFigure}. */
export interface AtomTrajectoryOptions {
  /** Figure title (default: built from the atom label). */
  title: string;
  /** x-axis title (default `"solver step k"`; use e.g. `"time t"` when the runs' `steps` are times). */
  xTitle: string;
  /** Size in px (default 900 × 720). */
  width: number;
  height: number;
  /** Marker size on computed steps in px (default 6). */
  markerSize: number;
}

/** Defaults of {@link AtomTrajectoryOptions} (an empty title means "built from the atom label"). */
export const DEFAULT_ATOM_TRAJECTORY_OPTIONS: AtomTrajectoryOptions = {
  title: "",
  xTitle: "solver step k",
  width: 900,
  height: 720,
  markerSize: 6,
};

/** Fill defaults and validate (unknown keys and bad sizes are errors). */
export function resolveAtomTrajectoryOptions(options?: Partial<AtomTrajectoryOptions>): AtomTrajectoryOptions {
  const o = resolveFigureOptions("atomTrajectoryFigure", DEFAULT_ATOM_TRAJECTORY_OPTIONS, options);
  checkPixels("width", o.width);
  checkPixels("height", o.height);
  if (!(o.markerSize > 0)) throw new Error(`invalid markerSize: ${o.markerSize}; must be > 0`);
  return o;
}

const AXES = ["x", "y", "z"] as const;

/**
 * Build Figure 2a.
 * @param input `base` (solid black line) and `cached` runs: per step the atom's `[x, y, z]` in Å, optional
 *   `computed` flags (markers on computed steps) and `forecaster` (colour).
 * @example
 * const fig = atomTrajectoryFigure({ atomLabel: "atom 0 (C)",
 *   base: { label: "Base", positions: [[0, 0, 0], [0.5, 0.1, 0], [1, 0.2, 0]] },
 *   cached: [{ label: "Taylor m=1, D=2", forecaster: "Taylor m=1", positions: [[0, 0, 0], [0.6, 0.1, 0], [1, 0.2, 0]],
 *     computed: [true, false, true] }] });
 * fig.data.length; // 9: 3 axes × (base line, cached line, cached markers)
 */
export function atomTrajectoryFigure(input: AtomTrajectoryInput, options?: Partial<AtomTrajectoryOptions>): PlotlyFigure {
  const o = resolveAtomTrajectoryOptions(options);
  if (!input || !input.base) throw new Error("missing base: pass the uncached run as input.base");
  const cached = input.cached ?? [];
  const runs: { run: AtomTrajectoryRun; where: string; color: string; dash: string }[] = [
    { run: input.base, where: "base", color: THEME.baseColor, dash: "solid" },
    ...cached.map((run, i) => ({
      run,
      where: `cached[${i}]`,
      color: forecasterColor(run.forecaster ?? run.label, i),
      dash: DASHES[(i + 1) % DASHES.length],
    })),
  ];
  const label = escapeLabel(input.atomLabel ?? "atom");
  const grid = subplotGrid({ rows: 3, cols: 1, vGap: 0.06, sharedX: true });
  const data: PlotlyTrace[] = [];
  for (const { run, where, color, dash } of runs) {
    const n = run.positions?.length ?? 0;
    checkNonEmpty(`${where}.positions`, n, "pass one [x, y, z] row per step");
    const steps = stepsOrRange(`${where}.steps`, run.steps, n);
    const computed = run.computed === undefined ? undefined : Array.from(run.computed, Boolean);
    if (computed) checkLength(`${where}.computed`, computed.length, n);
    const name = escapeLabel(run.label);
    AXES.forEach((axis, a) => {
      const values = column(`${where}.positions`, run.positions, a);
      const cell = grid.cells[a];
      data.push({
        type: "scatter", mode: "lines", name, x: steps, y: values, xaxis: cell.xref, yaxis: cell.yref,
        line: { color, dash, width: run === input.base ? 2.5 : 1.8 },
        legendgroup: name, showlegend: a === 0,
        hovertemplate: `${name}<br>step %{x}<br>${axis} = %{y:.4f} Å<extra></extra>`,
      });
      if (computed && computed.some((c) => !c)) {
        const idx = computed.flatMap((c, k) => (c ? [k] : []));
        data.push({
          type: "scatter", mode: "markers", name: `${name}: computed steps`,
          x: idx.map((k) => steps[k]), y: idx.map((k) => values[k]), xaxis: cell.xref, yaxis: cell.yref,
          marker: { color, size: o.markerSize, symbol: "circle", line: { width: 0.5, color: "#ffffff" } },
          legendgroup: name, showlegend: false,
          hovertemplate: `${name} (computed)<br>step %{x}<br>${axis} = %{y:.4f} Å<extra></extra>`,
        });
      }
    });
  }
  AXES.forEach((axis, a) => {
    const cell = grid.cells[a];
    mergeAxis(grid.layout, cell.yKey, axisStyle(`${axis} (Å)`));
    mergeAxis(grid.layout, cell.xKey, axisStyle(a === AXES.length - 1 ? o.xTitle : "", { showticklabels: a === AXES.length - 1 }));
  });
  const title = o.title || `Coordinates of ${label} over the solver steps: base vs cached (markers: computed steps)`;
  return {
    data,
    layout: {
      ...baseLayout(title, o),
      ...grid.layout,
      margin: { ...THEME.margin, r: 190 },
      legend: { x: 1.02, xanchor: "left", y: 1, yanchor: "top", title: { text: "run" } },
    },
  };
}
