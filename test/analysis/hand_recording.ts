/**
 * Hand-made recordings for the analysis tests: a function of (step, atom, feature) per series, every molecule
 * recorded at every step, so expected results can be worked out by hand.
 */
import { Recording } from "../../kernel-lib/hooks/recording";
import { SeriesLayout, SeriesSpec } from "../../kernel-lib/hooks/series";

/** One hand-made series: its spec and the value at (molecule, step, flat index within the row). */
export interface HandSeries {
  block: string;
  field: string;
  layout?: SeriesLayout;
  width: number;
  value: (molecule: number, step: number, index: number) => number;
  /** Steps the series is recorded at (default every step). */
  steps?: readonly number[];
}

/** A recording of `sizes.length` molecules over the times `t`, with the given series. */
export function handRecording(sizes: readonly number[], t: readonly number[], series: readonly HandSeries[], meta: Record<string, unknown> = {}): Recording {
  const rec = new Recording({ vocabSize: 4, nEdgeTypes: 3, ...meta });
  t.forEach((tk, k) => rec.addStep({ step: k, t: tk, computed: true }));
  sizes.forEach((n, m) => rec.addMolecule({ index: m, size: n, atoms: Array.from({ length: n }, (_, i) => i), batch: 0 }));
  for (const s of series) {
    const spec: SeriesSpec = { block: s.block, field: s.field, kind: "nodeFeats", layout: s.layout ?? "node", width: s.width };
    sizes.forEach((n, m) => {
      const len = spec.layout === "edge" ? n * n * s.width : n * s.width;
      for (const k of s.steps ?? t.map((_, i) => i)) rec.append(spec, m, k, Float32Array.from({ length: len }, (_, i) => s.value(m, k, i)));
    });
  }
  return rec;
}

/** The log time grid's first times (non-uniform spacing), for time-axis tests. */
export const LOG_TIMES = [0, 0.2, 0.36, 0.488, 0.5904, 0.67232];
