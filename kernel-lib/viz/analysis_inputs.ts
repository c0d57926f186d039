/**
 * Adapters from analysis results to figure inputs. They live in viz/ (which reads analysis results) so that analysis
 * stays free of figure types.
 */
import type { TrajectoryPca } from "../analysis/pca";
import type { PredictabilityResult } from "../analysis/predictability";
import type { SimilarityResult } from "../analysis/similarity";
import type { PcaPanel, PcaTrajectoryInput, PredictabilitySeries, SimilarityHeatmapInput } from "./types";

/**
 * The input of `pcaTrajectoryFigure` from projected trajectories (one panel each; they must share their steps).
 * @example
 * pcaTrajectoryFigure(toPcaTrajectoryInput([coordinates, atomTypes]));
 */
export function toPcaTrajectoryInput(projections: readonly TrajectoryPca[]): PcaTrajectoryInput {
  if (!projections || projections.length === 0) throw new Error("toPcaTrajectoryInput needs at least one projection");
  const first = projections[0];
  for (const p of projections) {
    if (p.steps.join() !== first.steps.join()) {
      throw new Error(`projections cover different steps (${p.label}: ${p.steps.length}, ${first.label}: ${first.steps.length}); record both series at the same steps`);
    }
  }
  const panels: PcaPanel[] = projections.map((p) => ({
    label: p.label,
    points: p.points.map((row) => (row.length >= 2 ? row : [row[0], 0])),
    explainedVariance: p.explainedVariance.length >= 2 ? p.explainedVariance : [...p.explainedVariance, 0],
  }));
  return { panels, steps: first.steps, times: first.t };
}

/**
 * One curve of `predictabilityFigure` (band = the quantiles).
 * @example
 * toPredictabilitySeries(result).label; // "step axis"
 */
export function toPredictabilitySeries(result: PredictabilityResult, label = `${result.axis} axis`): PredictabilitySeries {
  const keep = result.mean.map((m, i) => Number.isFinite(m) && Number.isFinite(result.lower[i]) && Number.isFinite(result.upper[i]));
  const pick = (xs: number[]) => xs.filter((_, i) => keep[i]);
  return { label, steps: pick(result.steps), mean: pick(result.mean), lower: pick(result.lower), upper: pick(result.upper) };
}

/**
 * The input of `similarityHeatmapFigure`.
 * @example
 * similarityHeatmapFigure(toSimilarityHeatmapInput(blockSimilarity(recording)));
 */
export function toSimilarityHeatmapInput(result: SimilarityResult): SimilarityHeatmapInput {
  return { similarity: result.similarity, blockLabels: result.blocks, steps: result.steps };
}
