/**
 * Feature similarity: cosine similarity of each block's output between consecutive steps, per molecule, averaged
 * over molecules (a blocks × steps matrix; the heatmap shows where caching is safe). A block's output is the
 * concatenation of the fields recorded for it. A step whose block output, or the previous step's, was not recorded
 * (e.g. forecast) is NaN.
 */
import type { Recording } from "../hooks/recording";
import { resolveBlockPatterns } from "../hooks/block_patterns";
import { resolveAnalysisOptions, withFrame } from "./stats";
import { chooseMolecules } from "./trajectory";

/**
 * Cosine similarity of two vectors; 1 when both are zero (identical), 0 when only one is.
 * @example
 * cosineSimilarity([1, 2, 3], [1, 2, 3]); // 1
 */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`vectors of ${a.length} and ${b.length} values; cosine similarity needs equal lengths`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  if (na === 0 && nb === 0) return 1;
  if (na === 0 || nb === 0) return 0;
  // Clamp float rounding (|cos| ≤ 1).
  return Math.max(-1, Math.min(1, dot / Math.sqrt(na * nb)));
}

/** Options of {@link blockSimilarity}. */
export interface SimilarityOptions {
  /** Blocks by name or pattern (default all recorded model blocks, without the sampler). */
  blocks: "all" | readonly string[];
  /** Fields concatenated into a block's output (default all recorded for the block). */
  fields: "all" | readonly string[];
  /** Molecules (default all recorded). */
  molecules: "all" | readonly number[];
}

/** Defaults of {@link SimilarityOptions}. */
export const DEFAULT_SIMILARITY_OPTIONS: Readonly<SimilarityOptions> = { blocks: "all", fields: "all", molecules: "all" };

/** Blocks × steps similarity (plain arrays) with a lazily built long DataFrame `frame` (`block, step, t, similarity`). */
export interface SimilarityResult {
  blocks: string[];
  /** Steps k ≥ 1 (the similarity compares k with k − 1). */
  steps: number[];
  t: number[];
  /** `similarity[b][i]`: mean over molecules of the cosine similarity of block b's output at steps[i] and steps[i] − 1. */
  similarity: number[][];
}

/**
 * Cosine similarity of each block's output between consecutive steps.
 * @example
 * const sim = blockSimilarity(recording, { blocks: ["layers.*"] });
 * similarityHeatmapFigure(toSimilarityHeatmapInput(sim));
 */
export function blockSimilarity(recording: Recording, options: Partial<SimilarityOptions> = {}) {
  const o = resolveAnalysisOptions("blockSimilarity", DEFAULT_SIMILARITY_OPTIONS, options);
  const recorded = recording.blocks();
  const blocks = o.blocks === "all" ? recorded.filter((b) => b !== "sampler") : resolveBlockPatterns(recorded, o.blocks);
  if (blocks.length === 0) throw new Error("no recorded block to compare; record some model blocks (or pass blocks: [\"sampler\"])");
  const molecules = chooseMolecules(recording, o.molecules);
  const stepInfo = recording.steps();
  const steps = stepInfo.map((s) => s.step).filter((s) => s >= 1);
  const tOf = new Map(stepInfo.map((s) => [s.step, s.t]));
  const similarity = blocks.map((block) => {
    const specs = recording.series().filter((s) => s.block === block && (o.fields === "all" || o.fields.includes(s.field)));
    if (specs.length === 0) throw new Error(`block ${block} has none of the fields ${JSON.stringify(o.fields)} recorded`);
    const sums = new Float64Array(steps.length);
    const counts = new Int32Array(steps.length);
    for (const m of molecules) {
      // The block's output at each step: its fields concatenated (a step counts only if every field is there).
      const vectors = new Map<number, Float32Array[]>();
      for (const spec of specs) {
        const tr = recording.trajectory(block, spec.field, m);
        tr.steps.forEach((s, k) => {
          const parts = vectors.get(s) ?? [];
          parts.push(tr.rows[k]);
          vectors.set(s, parts);
        });
      }
      steps.forEach((s, i) => {
        const cur = vectors.get(s);
        const prev = vectors.get(s - 1);
        if (!cur || !prev || cur.length !== specs.length || prev.length !== specs.length) return;
        sums[i] += cosineSimilarity(concat(prev), concat(cur));
        counts[i]++;
      });
    }
    return Array.from(sums, (v, i) => (counts[i] ? v / counts[i] : NaN));
  });
  const result: SimilarityResult = { blocks, steps, t: steps.map((s) => tOf.get(s) ?? NaN), similarity };
  return withFrame(result, () => ({
    block: blocks.flatMap((b) => steps.map(() => b)),
    step: blocks.flatMap(() => steps),
    t: blocks.flatMap(() => result.t),
    similarity: similarity.flat(),
  }));
}

function concat(parts: Float32Array[]): Float32Array {
  if (parts.length === 1) return parts[0];
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
