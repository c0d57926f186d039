/**
 * A recording as a long-format danfo.js DataFrame: `step, t, computed, block, field, molecule, atom[, atom2],
 * f0 … f{w−1}`, one row per atom (or atom pair for edge series) per step. Widths differ between series: narrower
 * series leave the extra feature columns NaN.
 */
import type { DataFrame } from "danfojs-node";
import type { Recording } from "./recording";
import { resolveBlockPatterns } from "./block_patterns";
import { makeDataFrame } from "./data_frame";
import { rejectUnknownOptions } from "../util/options";

/** Options of {@link recordingToDataFrame}: which part of the recording goes in. */
export interface RecordingFrameOptions {
  /** Blocks by name or `*` pattern (`"sampler"` for the sampler's state and prediction). Default all. */
  blocks: "all" | readonly string[];
  /** Fields (`nodeFeats`, `outputs.typeLogits`, `state.coords`, …). Default all. */
  fields: "all" | readonly string[];
  /** Molecule indices. Default all. */
  molecules: "all" | readonly number[];
  /** Step indices. Default all. */
  steps: "all" | readonly number[];
  /** Refuse frames with more cells than this (default 20 million): select fewer blocks, fields, molecules or steps. */
  maxCells: number;
}

/** Defaults of {@link RecordingFrameOptions}. */
export const DEFAULT_RECORDING_FRAME_OPTIONS: Readonly<RecordingFrameOptions> = {
  blocks: "all", fields: "all", molecules: "all", steps: "all", maxCells: 20_000_000,
};

/** Fill defaults and validate (unknown keys are errors). */
export function resolveRecordingFrameOptions(options: Partial<RecordingFrameOptions> = {}): RecordingFrameOptions {
  rejectUnknownOptions(options, DEFAULT_RECORDING_FRAME_OPTIONS, "DataFrame");
  const o = { ...DEFAULT_RECORDING_FRAME_OPTIONS, ...options };
  if (!(Number.isInteger(o.maxCells) && o.maxCells >= 1)) throw new Error(`invalid maxCells: ${o.maxCells}; must be an integer >= 1`);
  return o;
}

/**
 * The recording (or a selection of it) as a long DataFrame.
 * @throws when a chosen block, field or molecule is not recorded, or the frame would exceed `maxCells`.
 * @example
 * const df = recordingToDataFrame(rec, { blocks: ["sampler"], fields: ["state.coords"], molecules: [0] });
 * df.columns; // ["step", "t", "computed", "block", "field", "molecule", "atom", "f0", "f1", "f2"]
 */
export function recordingToDataFrame(recording: Recording, options: Partial<RecordingFrameOptions> = {}): DataFrame {
  const o = resolveRecordingFrameOptions(options);
  const blocks = new Set(resolveBlockPatterns(recording.blocks(), o.blocks));
  const allFields = new Set(recording.series().map((s) => s.field));
  if (o.fields !== "all") {
    for (const f of o.fields) if (!allFields.has(f)) throw new Error(`unknown field: ${f}; recorded fields are ${[...allFields].join(", ")}`);
  }
  const series = recording.series().filter((s) => blocks.has(s.block) && (o.fields === "all" || o.fields.includes(s.field)));
  if (series.length === 0) throw new Error("no recorded series matches these blocks and fields; see recording.series()");
  const molecules = o.molecules === "all" ? recording.molecules() : o.molecules.map((m) => recording.molecule(m));
  const stepSet = o.steps === "all" ? undefined : new Set(o.steps);
  const edges = series.some((s) => s.layout === "edge");
  const width = Math.max(...series.map((s) => s.width));

  // Count rows first, to refuse oversized frames before allocating anything.
  const trajectories = series.flatMap((s) => molecules.map((m) => recording.trajectory(s.block, s.field, m.index)));
  let rows = 0;
  for (const tr of trajectories) {
    const a = tr.molecule.atoms.length;
    const perStep = tr.spec.layout === "edge" ? a * a : a;
    rows += perStep * tr.steps.filter((k) => !stepSet || stepSet.has(k)).length;
  }
  const nCols = 7 + (edges ? 1 : 0) + width;
  if (rows * nCols > o.maxCells) {
    throw new Error(`the DataFrame would have ${rows} rows × ${nCols} columns (> maxCells ${o.maxCells}); select fewer blocks, fields, molecules or steps, or raise maxCells`);
  }
  const cols = {
    step: new Array<number>(rows), t: new Array<number>(rows), computed: new Array<boolean>(rows),
    block: new Array<string>(rows), field: new Array<string>(rows), molecule: new Array<number>(rows),
    atom: new Array<number>(rows), atom2: new Array<number>(edges ? rows : 0),
  };
  const feats = Array.from({ length: width }, () => new Float64Array(rows).fill(NaN));
  let r = 0;
  for (const tr of trajectories) {
    const { layout, width: w, block, field } = tr.spec;
    const atoms = tr.molecule.atoms;
    const a = atoms.length;
    tr.steps.forEach((step, k) => {
      if (stepSet && !stepSet.has(step)) return;
      const row = tr.rows[k];
      const perStep = layout === "edge" ? a * a : a;
      for (let p = 0; p < perStep; p++) {
        cols.step[r] = step;
        cols.t[r] = tr.t[k];
        cols.computed[r] = tr.computed[k];
        cols.block[r] = block;
        cols.field[r] = field;
        cols.molecule[r] = tr.molecule.index;
        cols.atom[r] = atoms[layout === "edge" ? Math.floor(p / a) : p];
        if (edges) cols.atom2[r] = layout === "edge" ? atoms[p % a] : -1;
        for (let f = 0; f < w; f++) feats[f][r] = row[p * w + f];
        r++;
      }
    });
  }
  const columns: Record<string, ArrayLike<number | string | boolean>> = {
    step: cols.step, t: cols.t, computed: cols.computed, block: cols.block, field: cols.field, molecule: cols.molecule, atom: cols.atom,
  };
  if (edges) columns.atom2 = cols.atom2;
  feats.forEach((f, i) => (columns[`f${i}`] = f));
  return makeDataFrame(columns);
}
