/**
 * Deviation of a cached run from the base run (same seed and prior), per step: RMSD of the coordinates after
 * removing each one's centre (no alignment: both runs start from the same prior), and the share of atoms and of
 * bonds (atom pairs i < j) whose argmax type differs. Mean and spread over molecules.
 */
import type { Recording } from "../hooks/recording";
import { checkQuantiles, resolveAnalysisOptions, spread, Spread, withFrame } from "./stats";
import { chooseMolecules, SeriesRef } from "./trajectory";

/** Options of {@link cachedRunDeviation}. */
export interface DeviationOptions {
  /** Coordinates compared (default the sampler's predicted coordinates; `state.coords` for x_t). */
  coords: SeriesRef;
  /** Atom types compared by argmax (default predicted type logits; class fields compare the class). */
  types: SeriesRef;
  /** Bonds compared by argmax (default predicted bond logits). */
  bonds: SeriesRef;
  /** Molecules (default all recorded in both runs). */
  molecules: "all" | readonly number[];
  /** Multiply RMSDs by this (default: the recording's `coordStd`, giving Å; 1 keeps normalised units). */
  coordScale: number;
  lowerQuantile: number;
  upperQuantile: number;
}

/** Defaults of {@link DeviationOptions} (`coordScale` NaN = from the recording, else 1). */
export const DEFAULT_DEVIATION_OPTIONS: Readonly<DeviationOptions> = {
  coords: { block: "sampler", field: "prediction.coords" },
  types: { block: "sampler", field: "prediction.typeLogits" },
  bonds: { block: "sampler", field: "prediction.bondLogits" },
  molecules: "all", coordScale: NaN, lowerQuantile: 0.1, upperQuantile: 0.9,
};

/** Per-step deviation (plain arrays) with a lazily built DataFrame `frame` (one row per step). */
export interface DeviationResult {
  steps: number[];
  t: number[];
  /** Whether the cached run computed each step (false: forecast). */
  computed: boolean[];
  /** Coordinate RMSD (Å when `coordScale` is the coordinate std). */
  rmsd: Spread[];
  /** Share of atoms whose type differs, in [0, 1]. */
  typeChanged: Spread[];
  /** Share of atom pairs whose bond type differs, in [0, 1]. */
  bondChanged: Spread[];
  coordScale: number;
  molecules: number[];
}

function argmaxes(row: ArrayLike<number>, width: number): Int32Array {
  const n = row.length / width;
  const out = new Int32Array(n);
  for (let g = 0; g < n; g++) {
    let best = 0;
    for (let f = 1; f < width; f++) if (row[g * width + f] > row[g * width + best]) best = f;
    out[g] = width === 1 ? row[g] : best;
  }
  return out;
}

/**
 * RMSD of two coordinate sets (`[a, 3]` flattened) after removing each one's centre.
 * @example
 * centredRmsd([0, 0, 0, 2, 0, 0], [1, 1, 1, 3, 1, 1]); // 0 (a pure shift)
 */
export function centredRmsd(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length || a.length % 3 !== 0) throw new Error(`coordinate sets of ${a.length} and ${b.length} values; expected the same [atoms, 3]`);
  const n = a.length / 3;
  if (n === 0) return NaN;
  const ca = [0, 0, 0];
  const cb = [0, 0, 0];
  for (let i = 0; i < n; i++) for (let d = 0; d < 3; d++) {
    ca[d] += a[i * 3 + d] / n;
    cb[d] += b[i * 3 + d] / n;
  }
  let sum = 0;
  for (let i = 0; i < n; i++) for (let d = 0; d < 3; d++) sum += ((a[i * 3 + d] - ca[d]) - (b[i * 3 + d] - cb[d])) ** 2;
  return Math.sqrt(sum / n);
}

/**
 * Deviation of `cached` from `base`, per step.
 * @throws when the runs' molecules differ (record both with the same seed and sizes) or a series is missing.
 * @example
 * const dev = cachedRunDeviation(baseRecording, cachedRecording);
 * dev.rmsd.map((s) => s.mean); // per step, Å
 */
export function cachedRunDeviation(base: Recording, cached: Recording, options: Partial<DeviationOptions> = {}) {
  const o = resolveAnalysisOptions("cachedRunDeviation", DEFAULT_DEVIATION_OPTIONS, options);
  checkQuantiles(o.lowerQuantile, o.upperQuantile);
  const metaStd = base.meta.coordStd;
  const scale = Number.isFinite(o.coordScale) ? o.coordScale : typeof metaStd === "number" ? metaStd : 1;
  if (!(scale > 0)) throw new Error(`invalid coordScale: ${o.coordScale}; must be > 0`);
  const molecules = chooseMolecules(base, o.molecules);
  for (const m of molecules) {
    const a = base.molecule(m);
    const b = cached.molecule(m);
    if (a.size !== b.size || a.atoms.join() !== b.atoms.join()) {
      throw new Error(`molecule ${m} has ${a.size} atoms in the base run and ${b.size} in the cached run; record both runs with the same seed and sizes`);
    }
  }
  const cachedSteps = new Map(cached.steps().map((s) => [s.step, s]));
  const steps = base.steps().map((s) => s.step).filter((s) => cachedSteps.has(s));
  const perStep = { rmsd: steps.map(() => [] as number[]), type: steps.map(() => [] as number[]), bond: steps.map(() => [] as number[]) };
  const index = new Map(steps.map((s, i) => [s, i]));
  const compare = (ref: SeriesRef, m: number, each: (i: number, x: Float32Array, y: Float32Array, width: number) => void) => {
    const a = base.trajectory(ref.block, ref.field, m);
    const b = cached.trajectory(ref.block, ref.field, m);
    const rowsB = new Map(b.steps.map((s, k) => [s, b.rows[k]]));
    a.steps.forEach((s, k) => {
      const i = index.get(s);
      const y = rowsB.get(s);
      if (i !== undefined && y) each(i, a.rows[k], y, a.spec.width);
    });
  };
  for (const m of molecules) {
    compare(o.coords, m, (i, x, y) => perStep.rmsd[i].push(scale * centredRmsd(x, y)));
    compare(o.types, m, (i, x, y, w) => {
      const ax = argmaxes(x, w);
      const ay = argmaxes(y, w);
      let diff = 0;
      for (let g = 0; g < ax.length; g++) diff += ax[g] !== ay[g] ? 1 : 0;
      perStep.type[i].push(ax.length ? diff / ax.length : NaN);
    });
    const atoms = base.molecule(m).atoms.length;
    compare(o.bonds, m, (i, x, y, w) => {
      const ax = argmaxes(x, w);
      const ay = argmaxes(y, w);
      let diff = 0;
      let pairs = 0;
      for (let p = 0; p < atoms; p++) for (let q = p + 1; q < atoms; q++) {
        pairs++;
        if (ax[p * atoms + q] !== ay[p * atoms + q]) diff++;
      }
      perStep.bond[i].push(pairs ? diff / pairs : NaN);
    });
  }
  const sp = (xs: number[]) => spread(xs, o.lowerQuantile, o.upperQuantile);
  const result: DeviationResult = {
    steps,
    t: steps.map((s) => cachedSteps.get(s)!.t),
    computed: steps.map((s) => cachedSteps.get(s)!.computed),
    rmsd: perStep.rmsd.map(sp),
    typeChanged: perStep.type.map(sp),
    bondChanged: perStep.bond.map(sp),
    coordScale: scale,
    molecules,
  };
  return withFrame(result, () => ({
    step: result.steps, t: result.t, computed: result.computed,
    rmsd_mean: result.rmsd.map((s) => s.mean), rmsd_std: result.rmsd.map((s) => s.std),
    type_changed_mean: result.typeChanged.map((s) => s.mean), type_changed_std: result.typeChanged.map((s) => s.std),
    bond_changed_mean: result.bondChanged.map((s) => s.mean), bond_changed_std: result.bondChanged.map((s) => s.std),
  }));
}
