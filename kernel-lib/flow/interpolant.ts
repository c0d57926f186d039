/**
 * Training examples for flow matching, as the reference trainer builds them ("uniform-sample" strategy with
 * equivariant OT): a prior (centred Gaussian coordinates, uniform atom and bond classes), OT alignment of the
 * prior to the data, t ~ Beta(2, 1), coordinates x_t = (1 − t)·x₀ + t·x₁ + σ·ε (σ = 0.2), and each atom type and
 * each ordered bond pair independently taking the data value with probability t, else the prior's.
 */
import { Batch } from "../data/batching";
import { Rng } from "../util/rng";
import { alignPriorToData } from "./ot_align";

/** Options of {@link makeTrainingExample}. */
export interface InterpolantOptions {
  /** Atom classes in the vocabulary (18). */
  vocabSize: number;
  /** Bond classes (5). */
  bondClasses: number;
  /** Standard deviation of the Gaussian noise added to interpolated coordinates (default 0.2, the reference). */
  coordNoise: number;
  /** Align the prior to the data by OT (default true, the reference). */
  alignPrior: boolean;
}

/** Defaults of {@link InterpolantOptions}. */
export const DEFAULT_INTERPOLANT: Readonly<InterpolantOptions> = { vocabSize: 18, bondClasses: 5, coordNoise: 0.2, alignPrior: true };

/** The noisy inputs at time t (what the network sees); the batch itself is the target. */
export interface TrainingExample {
  /** Time per molecule `[B]`. */
  t: Float32Array;
  /** Interpolated coordinates `[B, N, 3]`. */
  coords: Float32Array;
  /** Interpolated atom classes `[B, N]`. */
  atomClasses: Int32Array;
  /** Interpolated bond classes `[B, N, N]` (ordered pairs, not symmetric). */
  bondClasses: Int32Array;
}

/**
 * Build the noisy inputs for a padded data batch. Padding stays zero (class 0).
 * @example
 * const ex = makeTrainingExample(collate(mols), new Rng(step), DEFAULT_INTERPOLANT);
 */
export function makeTrainingExample(batch: Batch, rng: Rng, options: InterpolantOptions = DEFAULT_INTERPOLANT): TrainingExample {
  const { B, N } = batch;
  const ex: TrainingExample = {
    t: new Float32Array(B),
    coords: new Float32Array(B * N * 3),
    atomClasses: new Int32Array(B * N),
    bondClasses: new Int32Array(B * N * N),
  };
  for (let b = 0; b < B; b++) {
    const n = batch.sizes[b];
    const data = batch.coords.subarray(b * N * 3, b * N * 3 + n * 3);
    const prior = centredNormals(rng, n);
    if (options.alignPrior) alignPriorToData(prior, data, n);
    const noise = centredNormals(rng, n);
    // Beta(2, 1) by inverse CDF: F(t) = t².
    const t = Math.sqrt(rng.uniform());
    ex.t[b] = t;
    for (let k = 0; k < n * 3; k++) {
      ex.coords[b * N * 3 + k] = (1 - t) * prior[k] + t * data[k] + options.coordNoise * noise[k];
    }
    for (let i = 0; i < n; i++) {
      const keep = rng.uniform() < t;
      const priorClass = rng.int(options.vocabSize);
      ex.atomClasses[b * N + i] = keep ? batch.atomTypes[b * N + i] : priorClass;
    }
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const cell = (b * N + i) * N + j;
        const keep = rng.uniform() < t;
        const priorClass = rng.int(options.bondClasses);
        ex.bondClasses[cell] = keep ? batch.bonds[cell] : priorClass;
      }
    }
  }
  return ex;
}

/** n×3 standard normals with the mean over atoms removed. */
function centredNormals(rng: Rng, n: number): Float32Array {
  const x = rng.normals(n * 3);
  for (let d = 0; d < 3; d++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += x[i * 3 + d] / n;
    for (let i = 0; i < n; i++) x[i * 3 + d] -= mean;
  }
  return x;
}
