/**
 * PCA projection of a molecule's trajectory (Figure 1 of the paper): stack the trajectory (one row per step), fit
 * PCA (ml-pca, centred, not scaled) and keep the first components; for coordinates, atom-type features or any
 * recorded block. Each component's sign is fixed so the last step projects to a value >= 0 (plots are
 * reproducible).
 */
import { PCA } from "ml-pca";
import type { Recording } from "../hooks/recording";
import { resolveAnalysisOptions, withFrame } from "./stats";
import { FeatureTransform, SeriesRef, trajectoryRows } from "./trajectory";

/** A projection: one row per input row, and the explained-variance ratio of every component. */
export interface PcaProjection {
  /** One row per step: `[pc1, pc2, …]` (`components` columns; zero-padded when the data have fewer dimensions). */
  points: number[][];
  /** Explained-variance ratios (fractions summing to 1; zeros when the rows do not vary), at least `components` entries. */
  explainedVariance: number[];
}

/**
 * PCA of rows of numbers (at least 2 rows, all the same length).
 * @param components number of components kept (default 2).
 * @example
 * pcaProject([[0, 0], [1, 2], [2, 4]]).explainedVariance; // [1, 0]
 */
export function pcaProject(rows: ReadonlyArray<ArrayLike<number>>, components = 2): PcaProjection {
  if (!(Number.isInteger(components) && components >= 1)) throw new Error(`invalid components: ${components}; must be an integer >= 1`);
  if (!rows || rows.length < 2) throw new Error(`PCA needs at least 2 rows (steps), got ${rows ? rows.length : rows}`);
  const width = rows[0].length;
  if (width === 0) throw new Error("PCA needs rows with at least one value");
  const data = rows.map((r, i) => {
    if (r.length !== width) throw new Error(`row ${i} has ${r.length} values, row 0 has ${width}; rows must have the same length`);
    const row = Array.from(r);
    if (row.some((v) => !Number.isFinite(v))) throw new Error(`row ${i} has a non-finite value`);
    return row;
  });
  const pca = new PCA(data, { center: true, scale: false });
  const total = pca.getEigenvalues().reduce((a, b) => a + b, 0);
  const explained = total > 0 ? pca.getEigenvalues().map((v) => v / total) : pca.getEigenvalues().map(() => 0);
  const kept = Math.min(components, explained.length);
  const projected = pca.predict(data, { nComponents: kept }).to2DArray();
  const last = projected[projected.length - 1];
  const points = projected.map((row) => {
    const out = new Array<number>(components).fill(0);
    // With no variance every projection is 0 (ml-pca's vectors are then arbitrary).
    if (total > 0) for (let c = 0; c < kept; c++) out[c] = last[c] < 0 ? -row[c] : row[c];
    return out;
  });
  while (explained.length < components) explained.push(0);
  return { points, explainedVariance: explained };
}

/** Options of {@link trajectoryPca}. */
export interface TrajectoryPcaOptions {
  /** Molecule index (default 0). */
  molecule: number;
  /** Series (default the sampler's state coordinates). */
  block: string;
  field: string;
  /** Feature transform (default `auto`: one-hot for classes, softmax for logits). */
  transform: FeatureTransform;
  /** Components kept (default 2). */
  components: number;
  /** Panel label (default `"<block> <field>"`). */
  label: string;
}

/** Defaults of {@link TrajectoryPcaOptions}. */
export const DEFAULT_TRAJECTORY_PCA_OPTIONS: Readonly<TrajectoryPcaOptions> = {
  molecule: 0, block: "sampler", field: "state.coords", transform: "auto", components: 2, label: "",
};

/** A projected trajectory (plain arrays) with a lazily built DataFrame `frame` (`step, t, computed, pc1, pc2, …`). */
export interface TrajectoryPca extends PcaProjection, SeriesRef {
  label: string;
  molecule: number;
  steps: number[];
  t: number[];
  computed: boolean[];
}

/**
 * PCA of one molecule's trajectory of one recorded series.
 * @example
 * const coords = trajectoryPca(recording, { molecule: 0, block: "sampler", field: "state.coords", label: "Coordinates" });
 * coords.points.length; // steps recorded
 */
export function trajectoryPca(recording: Recording, options: Partial<TrajectoryPcaOptions> = {}) {
  const o = resolveAnalysisOptions("trajectoryPca", DEFAULT_TRAJECTORY_PCA_OPTIONS, options);
  const tr = trajectoryRows(recording, o, o.molecule, o.transform);
  if (tr.rows.length < 2) throw new Error(`${o.block}/${o.field} of molecule ${o.molecule} has ${tr.rows.length} recorded step(s); PCA needs at least 2`);
  const proj = pcaProject(tr.rows, o.components);
  const result: TrajectoryPca = {
    ...proj, block: o.block, field: o.field, label: o.label || `${o.block} ${o.field}`, molecule: o.molecule,
    steps: tr.steps, t: tr.t, computed: tr.computed,
  };
  return withFrame(result, () => {
    const cols: Record<string, ArrayLike<number | boolean>> = { step: tr.steps, t: tr.t, computed: tr.computed };
    for (let c = 0; c < o.components; c++) cols[`pc${c + 1}`] = proj.points.map((p) => p[c]);
    return cols;
  });
}

/** Options of {@link moleculePca}: the two quantities of Figure 1. */
export interface MoleculePcaOptions {
  /** Coordinates series (default the sampler's state coordinates, i.e. x_t). */
  coordinates: SeriesRef;
  /** Atom-type series (default the sampler's predicted type logits, as probabilities). */
  atomTypes: SeriesRef;
  components: number;
}

/** Defaults of {@link MoleculePcaOptions}. */
export const DEFAULT_MOLECULE_PCA_OPTIONS: Readonly<MoleculePcaOptions> = {
  coordinates: { block: "sampler", field: "state.coords" },
  atomTypes: { block: "sampler", field: "prediction.typeLogits" },
  components: 2,
};

/**
 * Figure 1 for one molecule: PCA of its coordinate trajectory and of its atom-type trajectory.
 * @example
 * const { coordinates, atomTypes } = moleculePca(recording, 0);
 * pcaTrajectoryFigure(toPcaTrajectoryInput([coordinates, atomTypes]));
 */
export function moleculePca(recording: Recording, molecule = 0, options: Partial<MoleculePcaOptions> = {}) {
  const o = resolveAnalysisOptions("moleculePca", DEFAULT_MOLECULE_PCA_OPTIONS, options);
  return {
    coordinates: trajectoryPca(recording, { ...o.coordinates, molecule, components: o.components, label: "Coordinates" }),
    atomTypes: trajectoryPca(recording, { ...o.atomTypes, molecule, components: o.components, label: "Atom types" }),
  };
}
