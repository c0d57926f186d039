/**
 * Trajectories as the analyses use them: one row of numbers per step (a molecule's recorded atoms flattened), with
 * step indices and solver times, optionally turned from logits into probabilities or from classes into one-hots.
 */
import type { Recording } from "../hooks/recording";
import type { SeriesSpec } from "../hooks/series";

/** A recorded quantity: a block (or `"sampler"`) and a field. */
export interface SeriesRef {
  block: string;
  field: string;
}

/**
 * How to turn each recorded value into features: `none` as recorded; `softmax` over the last axis (logits →
 * probabilities); `onehot` (class indices → one-hot vectors); `auto` = `onehot` for the sampler's class fields,
 * `softmax` for logits, else `none`.
 */
export type FeatureTransform = "auto" | "none" | "softmax" | "onehot";

/** One molecule's trajectory as rows of numbers. */
export interface TrajectoryRows {
  /** Molecule index (in the run's output). */
  molecule: number;
  /** Step index of each row. */
  steps: number[];
  /** Solver time of each row. */
  t: number[];
  /** Whether the backbone ran at each row's step. */
  computed: boolean[];
  /** One row of features per step. */
  rows: Float64Array[];
}

/** The transform `auto` stands for, for a series. */
export function autoTransform(spec: Pick<SeriesSpec, "field">): Exclude<FeatureTransform, "auto"> {
  if (spec.field.endsWith("Classes")) return "onehot";
  if (spec.field.endsWith("Logits")) return "softmax";
  return "none";
}

/** Number of classes of a class field, from the recording's metadata. */
function classCount(recording: Recording, spec: SeriesSpec): number {
  const key = spec.field.endsWith("bondClasses") ? "nEdgeTypes" : "vocabSize";
  const n = recording.meta[key];
  if (!(typeof n === "number" && Number.isInteger(n) && n > 0)) {
    throw new Error(`cannot one-hot ${spec.block}/${spec.field}: the recording's meta has no ${key}; pass transform "none"`);
  }
  return n;
}

/** Apply a transform to one recorded row (`width` values per atom or pair). */
export function transformRow(row: ArrayLike<number>, width: number, transform: Exclude<FeatureTransform, "auto">, classes = 0): Float64Array {
  if (transform === "none") return Float64Array.from(row);
  const groups = row.length / width;
  if (transform === "onehot") {
    if (width !== 1) throw new Error(`onehot needs one class index per atom or pair, got ${width} values; use "softmax" or "none"`);
    const out = new Float64Array(groups * classes);
    for (let g = 0; g < groups; g++) {
      const c = row[g];
      if (!(Number.isInteger(c) && c >= 0 && c < classes)) throw new Error(`invalid class ${c} at position ${g}; expected 0 … ${classes - 1}`);
      out[g * classes + c] = 1;
    }
    return out;
  }
  const out = new Float64Array(row.length);
  for (let g = 0; g < groups; g++) {
    let max = -Infinity;
    for (let f = 0; f < width; f++) max = Math.max(max, row[g * width + f]);
    let sum = 0;
    for (let f = 0; f < width; f++) sum += (out[g * width + f] = Math.exp(row[g * width + f] - max));
    for (let f = 0; f < width; f++) out[g * width + f] /= sum;
  }
  return out;
}

/**
 * One molecule's trajectory of one recorded series, as rows of features.
 * @throws when the series or molecule is not recorded.
 * @example
 * trajectoryRows(recording, { block: "sampler", field: "state.coords" }, 0).rows[0].length; // atoms × 3
 */
export function trajectoryRows(recording: Recording, ref: SeriesRef, molecule: number, transform: FeatureTransform = "none"): TrajectoryRows {
  const tr = recording.trajectory(ref.block, ref.field, molecule);
  const how = transform === "auto" ? autoTransform(tr.spec) : transform;
  const classes = how === "onehot" ? classCount(recording, tr.spec) : 0;
  return {
    molecule,
    steps: tr.steps,
    t: tr.t,
    computed: tr.computed,
    rows: tr.rows.map((r) => transformRow(r, tr.spec.width, how, classes)),
  };
}

/** Molecule indices: all recorded ones, or the given ones (checked). */
export function chooseMolecules(recording: Recording, molecules: "all" | readonly number[]): number[] {
  if (molecules === "all") return recording.molecules().map((m) => m.index);
  if (!Array.isArray(molecules) || molecules.length === 0) throw new Error(`invalid molecules: ${JSON.stringify(molecules)}; pass "all" or a non-empty array`);
  for (const m of molecules) recording.molecule(m);
  return [...molecules];
}
