/**
 * A recording: per series (block + field), per molecule, per step, a typed array of the real atoms' values
 * (padding removed). Filled by the feature recorder, read back from a bundle, or built by hand in tests. Plain JS
 * memory, no tensors.
 */
import type { DataFrame } from "danfojs-node";
import { seriesFloats, seriesKey, SeriesSpec } from "./series";
import { recordingToDataFrame, RecordingFrameOptions } from "./recording_frame";

/** What the recording knows about one molecule. */
export interface RecordedMolecule {
  /** Index of the molecule in the sampling run's output. */
  index: number;
  /** Real atoms of the molecule. */
  size: number;
  /** The recorded atoms' indices (all real atoms unless the recorder chose some). */
  atoms: readonly number[];
  /** The batch it was sampled in. */
  batch: number;
}

/** One step of the run (same grid and schedule for every batch). */
export interface RecordedStep {
  step: number;
  /** Solver time t_k in [0, 1). */
  t: number;
  /** True when the backbone ran; false when its output was forecast. */
  computed: boolean;
}

/** One series of one molecule over the steps it was recorded at. */
export interface Trajectory {
  spec: SeriesSpec;
  molecule: RecordedMolecule;
  /** Step indices, increasing. */
  steps: number[];
  /** Solver time of each step. */
  t: number[];
  /** Whether each step was computed. */
  computed: boolean[];
  /** One row per step: the flattened `[atoms, width]` (or `[atoms, atoms, width]`) values. Views: copy to modify. */
  rows: Float32Array[];
}

interface Track {
  steps: number[];
  rows: Float32Array[];
}

/**
 * Recorded trajectories. The recorder appends; analysis reads {@link Recording.trajectory}.
 * @example
 * const traj = recording.trajectory("layers.2", "nodeFeats", 0); traj.rows.length; // steps recorded
 */
export class Recording {
  /** Free-form metadata (model name, config sizes, coordinate std, sampling options). */
  readonly meta: Record<string, unknown>;
  private readonly specs = new Map<string, SeriesSpec>();
  private readonly tracks = new Map<string, Map<number, Track>>();
  private readonly mols = new Map<number, RecordedMolecule>();
  private readonly stepInfo = new Map<number, RecordedStep>();
  private byteCount = 0;

  constructor(meta: Record<string, unknown> = {}) {
    this.meta = meta;
  }

  /** Bytes of recorded values (typed arrays; bookkeeping not counted). */
  get bytes(): number {
    return this.byteCount;
  }

  /** Declare a molecule (before appending its values). Re-declaring with different sizes is an error. */
  addMolecule(m: RecordedMolecule): void {
    const old = this.mols.get(m.index);
    if (old && (old.size !== m.size || old.atoms.join() !== m.atoms.join())) {
      throw new Error(`molecule ${m.index} was recorded with ${old.size} atoms and now has ${m.size}; call reset() between runs`);
    }
    if (!old) this.mols.set(m.index, { ...m, atoms: [...m.atoms] });
  }

  /** Declare a step's time and computed flag. */
  addStep(s: RecordedStep): void {
    if (!this.stepInfo.has(s.step)) this.stepInfo.set(s.step, { ...s });
  }

  /**
   * Append one step of one series for one molecule. `data` is kept (not copied).
   * @throws when the molecule is unknown, the length does not fit the spec, or the step is already recorded.
   */
  append(spec: SeriesSpec, molecule: number, step: number, data: Float32Array): void {
    const mol = this.mols.get(molecule);
    if (!mol) throw new Error(`molecule ${molecule} is not declared; call addMolecule first`);
    const key = seriesKey(spec.block, spec.field);
    const known = this.specs.get(key);
    if (known && (known.width !== spec.width || known.layout !== spec.layout)) {
      throw new Error(`series ${key} changed shape (width ${known.width} → ${spec.width}); record one model per recording`);
    }
    if (!known) this.specs.set(key, { ...spec });
    const expected = seriesFloats(spec, mol.atoms.length);
    if (data.length !== expected) throw new Error(`series ${key}, molecule ${molecule}: ${data.length} values, expected ${expected}`);
    let perMol = this.tracks.get(key);
    if (!perMol) this.tracks.set(key, (perMol = new Map()));
    let track = perMol.get(molecule);
    if (!track) perMol.set(molecule, (track = { steps: [], rows: [] }));
    const last = track.steps[track.steps.length - 1];
    if (last !== undefined && !(step > last)) {
      throw new Error(`series ${key}, molecule ${molecule}: step ${step} comes after step ${last}; call reset() between runs`);
    }
    track.steps.push(step);
    track.rows.push(data);
    this.byteCount += data.byteLength;
  }

  /** The recorded series, in recording order. */
  series(): SeriesSpec[] {
    return [...this.specs.values()];
  }

  /** The series of `block` and `field`, or `undefined`. */
  spec(block: string, field: string): SeriesSpec | undefined {
    return this.specs.get(seriesKey(block, field));
  }

  /** Blocks with at least one series, in recording order. */
  blocks(): string[] {
    return [...new Set(this.series().map((s) => s.block))];
  }

  /** Recorded molecules by increasing index. */
  molecules(): RecordedMolecule[] {
    return [...this.mols.values()].sort((a, b) => a.index - b.index);
  }

  /** One recorded molecule. */
  molecule(index: number): RecordedMolecule {
    const m = this.mols.get(index);
    if (!m) throw new Error(`molecule ${index} is not in the recording; recorded: ${this.molecules().map((x) => x.index).join(", ") || "none"}`);
    return m;
  }

  /** Every step seen, by increasing index. */
  steps(): RecordedStep[] {
    return [...this.stepInfo.values()].sort((a, b) => a.step - b.step);
  }

  /**
   * The trajectory of one series of one molecule.
   * @throws naming what is recorded when the block, field or molecule is not.
   */
  trajectory(block: string, field: string, molecule: number): Trajectory {
    const key = seriesKey(block, field);
    const spec = this.specs.get(key);
    if (!spec) {
      throw new Error(`series ${key} was not recorded; recorded: ${[...this.specs.keys()].join(", ") || "none"}`);
    }
    const mol = this.molecule(molecule);
    const track = this.tracks.get(key)?.get(molecule) ?? { steps: [], rows: [] };
    const info = track.steps.map((s) => this.stepInfo.get(s));
    return {
      spec,
      molecule: mol,
      steps: [...track.steps],
      t: info.map((s) => (s ? s.t : NaN)),
      computed: info.map((s) => (s ? s.computed : false)),
      rows: [...track.rows],
    };
  }

  /** Forget everything recorded (metadata kept). */
  clear(): void {
    this.specs.clear();
    this.tracks.clear();
    this.mols.clear();
    this.stepInfo.clear();
    this.byteCount = 0;
  }

  /**
   * The recording as a long danfo.js DataFrame: one row per (series, molecule, step, atom [, atom2 for edge
   * series]) with feature columns `f0 … f{w−1}` (see {@link RecordingFrameOptions} to choose what goes in).
   * @example
   * recording.toDataFrame({ blocks: ["layers.0"], fields: ["nodeFeats"] }).shape; // [steps × atoms, 8 + 128]
   */
  toDataFrame(options: Partial<RecordingFrameOptions> = {}): DataFrame {
    return recordingToDataFrame(this, options);
  }
}
