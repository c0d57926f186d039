/**
 * The block × step heatmap of feature similarity: cosine similarity of each block's output with its output at the
 * previous step. Bright (near 1) where consecutive steps agree, i.e. where caching is safe.
 */
import { checkLength, checkNonEmpty, checkPixels, escapeLabel, resolveFigureOptions, stepsOrRange, toNumbers } from "./inputs";
import { THEME, axisStyle, baseLayout } from "./theme";
import type { PlotlyFigure, SimilarityHeatmapInput } from "./types";

/** Options of {@link similarityHeatmapFigure}. */
export interface SimilarityHeatmapOptions {
  /** Figure title. */
  title: string;
  /** Colour range; NaN (the default) means "from the data" (max is then 1 when the data reach it). */
  zmin: number;
  zmax: number;
  /** Size in px (default 900 × 420). */
  width: number;
  height: number;
}

/** Defaults of {@link SimilarityHeatmapOptions}. */
export const DEFAULT_SIMILARITY_HEATMAP_OPTIONS: SimilarityHeatmapOptions = {
  title: "Cosine similarity of each block's output between consecutive solver steps",
  zmin: NaN,
  zmax: NaN,
  width: 900,
  height: 420,
};

/** Fill defaults and validate (unknown keys, bad sizes and an empty colour range are errors). */
export function resolveSimilarityHeatmapOptions(options?: Partial<SimilarityHeatmapOptions>): SimilarityHeatmapOptions {
  // NaN defaults mean "auto"; resolveFigureOptions rejects non-finite values the caller passes.
  const o = resolveFigureOptions("similarityHeatmapFigure", DEFAULT_SIMILARITY_HEATMAP_OPTIONS, options);
  checkPixels("width", o.width);
  checkPixels("height", o.height);
  if (Number.isFinite(o.zmin) && Number.isFinite(o.zmax) && !(o.zmin < o.zmax)) {
    throw new Error(`invalid zmin/zmax: ${o.zmin} >= ${o.zmax}; zmin must be below zmax`);
  }
  return o;
}

/**
 * Build the block × step similarity heatmap.
 * @param input `similarity`: one row per block, one column per step (NaN cells are left blank); optional
 *   `blockLabels` and `steps` (default 1, 2, …).
 * @example
 * const fig = similarityHeatmapFigure({ similarity: [[0.2, 0.9, 0.99], [0.1, 0.8, 0.97]] });
 * fig.data[0].type; // "heatmap"
 */
export function similarityHeatmapFigure(input: SimilarityHeatmapInput, options?: Partial<SimilarityHeatmapOptions>): PlotlyFigure {
  const o = resolveSimilarityHeatmapOptions(options);
  const rows = input?.similarity ?? [];
  checkNonEmpty("similarity", rows.length, "pass one row per block");
  const nSteps = rows[0]?.length ?? 0;
  checkNonEmpty("similarity[0]", nSteps, "pass one column per step");
  const z = rows.map((row, b) => {
    checkLength(`similarity[${b}]`, row?.length ?? -1, nSteps);
    const values = toNumbers(`similarity[${b}]`, row, true);
    values.forEach((v, k) => {
      if (v !== null && (v < -1 - 1e-6 || v > 1 + 1e-6)) {
        throw new Error(`invalid similarity[${b}][${k}]: ${v}; a cosine similarity lies in [-1, 1]`);
      }
    });
    return values;
  });
  const steps = stepsOrRange("steps", input.steps, nSteps, 1);
  const labels = input.blockLabels ? input.blockLabels.map(escapeLabel) : rows.map((_, b) => `block ${b}`);
  checkLength("blockLabels", labels.length, rows.length);
  if (new Set(labels).size !== labels.length) throw new Error("invalid blockLabels: duplicates; each block needs its own label");
  const finite = z.flat().filter((v): v is number => v !== null);
  if (finite.length === 0) throw new Error("invalid similarity: no finite values; nothing to draw");
  const hi = finite.reduce((a, b) => Math.max(a, b), -Infinity);
  const lo = finite.reduce((a, b) => Math.min(a, b), Infinity);
  const zmax = Number.isFinite(o.zmax) ? o.zmax : hi >= 0.999 ? 1 : hi;
  const zmin = Number.isFinite(o.zmin) ? o.zmin : Math.min(lo, zmax - 1e-3);
  return {
    data: [{
      type: "heatmap", z, x: steps, y: labels, zmin, zmax,
      colorscale: THEME.similarityColorscale,
      colorbar: { title: { text: "cosine<br>similarity" }, thickness: 14 },
      xgap: nSteps <= 60 ? 1 : 0, ygap: 1,
      hovertemplate: "%{y}, step %{x}<br>cos = %{z:.4f}<extra></extra>",
    }],
    layout: {
      ...baseLayout(o.title, o),
      xaxis: axisStyle("solver step k (similarity with step k − 1)", { showgrid: false }),
      yaxis: axisStyle("block", { showgrid: false, autorange: "reversed", type: "category" }),
    },
  };
}
