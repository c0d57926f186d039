/**
 * Figure 2b: the linear-predictability error over the solver steps (mean over molecules with a spread band), one
 * trace per variant (extrapolation on the step axis, on the time axis, …).
 */
import { checkLength, checkNonEmpty, checkPixels, escapeLabel, finiteNumbers, resolveFigureOptions } from "./inputs";
import { PALETTE, THEME, axisStyle, baseLayout, withAlpha } from "./theme";
import type { PlotlyFigure, PlotlyTrace, PredictabilityInput } from "./types";

/** Options of {@link predictabilityFigure}. */
export interface PredictabilityOptions {
  /** Figure title (default: built from `input.quantity`). */
  title: string;
  /** Logarithmic y axis (default true: the error spans decades, largest in the early steps). */
  logY: boolean;
  /** x-axis title (default `"solver step k"`). */
  xTitle: string;
  /** Size in px (default 900 × 480). */
  width: number;
  height: number;
}

/** Defaults of {@link PredictabilityOptions} (an empty title means "built from the quantity"). */
export const DEFAULT_PREDICTABILITY_OPTIONS: PredictabilityOptions = {
  title: "",
  logY: true,
  xTitle: "solver step k",
  width: 900,
  height: 480,
};

/** Fill defaults and validate (unknown keys and bad sizes are errors). */
export function resolvePredictabilityOptions(options?: Partial<PredictabilityOptions>): PredictabilityOptions {
  const o = resolveFigureOptions("predictabilityFigure", DEFAULT_PREDICTABILITY_OPTIONS, options);
  checkPixels("width", o.width);
  checkPixels("height", o.height);
  return o;
}

/** The band edges of one series, or undefined when it has no spread. */
function band(
  where: string, s: PredictabilityInput["series"][number], mean: number[], n: number,
): { lower: number[]; upper: number[] } | undefined {
  if ((s.lower === undefined) !== (s.upper === undefined)) {
    throw new Error(`invalid ${where}: lower and upper go together; pass both or neither (or std)`);
  }
  if (s.lower !== undefined && s.upper !== undefined) {
    const lower = finiteNumbers(`${where}.lower`, s.lower);
    const upper = finiteNumbers(`${where}.upper`, s.upper);
    checkLength(`${where}.lower`, lower.length, n);
    checkLength(`${where}.upper`, upper.length, n);
    return { lower, upper };
  }
  if (s.std !== undefined) {
    const std = finiteNumbers(`${where}.std`, s.std);
    checkLength(`${where}.std`, std.length, n);
    if (std.some((v) => v < 0)) throw new Error(`invalid ${where}.std: negative entries; a std is >= 0`);
    return { lower: mean.map((m, i) => m - std[i]), upper: mean.map((m, i) => m + std[i]) };
  }
  return undefined;
}

/**
 * Build Figure 2b.
 * @param input `series`: per variant the steps k, the mean error and optionally `lower`/`upper` or `std`;
 *   `quantity` names what was extrapolated (for the title).
 * @example
 * const fig = predictabilityFigure({ quantity: "predicted coordinates", series: [
 *   { label: "step axis (r = 1)", steps: [2, 3, 4], mean: [0.5, 0.1, 0.05], std: [0.1, 0.02, 0.01] }] });
 * fig.data.length; // 2 (band, mean)
 */
export function predictabilityFigure(input: PredictabilityInput, options?: Partial<PredictabilityOptions>): PlotlyFigure {
  const o = resolvePredictabilityOptions(options);
  const series = input?.series ?? [];
  checkNonEmpty("series", series.length, "pass at least one error curve");
  const data: PlotlyTrace[] = [];
  series.forEach((s, i) => {
    const where = `series[${i}]`;
    const steps = finiteNumbers(`${where}.steps`, s.steps);
    const n = steps.length;
    checkNonEmpty(`${where}.steps`, n, "pass the steps k >= 2 where the error is defined");
    const mean = finiteNumbers(`${where}.mean`, s.mean);
    checkLength(`${where}.mean`, mean.length, n);
    if (mean.some((v) => v < 0)) throw new Error(`invalid ${where}.mean: negative entries; an error norm is >= 0`);
    const color = PALETTE[i % PALETTE.length];
    const name = escapeLabel(s.label);
    const b = band(where, s, mean, n);
    if (b) {
      // On a log axis a band edge <= 0 cannot be drawn: clamp it a decade below the smallest positive value.
      const positive = [...mean, ...b.upper].filter((v) => v > 0);
      const floor = positive.length ? Math.min(...positive) / 10 : 1e-12;
      const lower = o.logY ? b.lower.map((v) => Math.max(v, floor)) : b.lower;
      data.push({
        type: "scatter", mode: "lines", name: `${name} (spread)`,
        x: [...steps, ...steps.slice().reverse()], y: [...b.upper, ...lower.slice().reverse()],
        fill: "toself", fillcolor: withAlpha(color, 0.18), line: { width: 0, color },
        hoverinfo: "skip", legendgroup: name, showlegend: false,
      });
    }
    data.push({
      type: "scatter", mode: "lines+markers", name, x: steps, y: mean,
      line: { color, width: 2 }, marker: { color, size: 4 }, legendgroup: name,
      hovertemplate: `${name}<br>step %{x}<br>error %{y:.4g}<extra></extra>`,
    });
  });
  const quantity = escapeLabel(input.quantity ?? "trajectory");
  const title = o.title || `Linear predictability error of the ${quantity} (mean over molecules, band: spread)`;
  return {
    data,
    layout: {
      ...baseLayout(title, o),
      xaxis: axisStyle(o.xTitle),
      yaxis: axisStyle("relative error ‖y<sub>k</sub> − ŷ<sub>k</sub>‖ / ‖y<sub>k</sub>‖", o.logY ? { type: "log", exponentformat: "power", dtick: "D2" } : {}),
      legend: { x: 0.98, xanchor: "right", y: 0.98, yanchor: "top" },
      margin: { ...THEME.margin },
    },
  };
}
