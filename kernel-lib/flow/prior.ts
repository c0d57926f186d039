/**
 * The sampler's starting point (the reference prior): per molecule, Gaussian coordinates N(0, 1) centred on the
 * molecule's mean, atom classes uniform over the whole vocabulary, and bond classes uniform over the 5 classes,
 * independently for every ordered pair (so the prior bond state is not symmetric). Padding is zero.
 */
import type { SamplerState } from "../model/sampler_state";
import { Rng } from "../util/rng";

// The state type is defined beside the network (model/ sits below flow/); re-exported here, where it is made.
export type { SamplerState };

/** Number of real atoms of molecule `b`. */
export function moleculeSize(state: SamplerState, b: number): number {
  let n = 0;
  for (let i = 0; i < state.N; i++) n += state.mask[b * state.N + i];
  return n;
}

/**
 * Draw a prior batch for the given molecule sizes, padded to the largest (or to `padTo`).
 * @param vocabSize atom classes (18); `bondClasses` 5.
 * @example
 * const prior = drawPrior([5, 7], new Rng(0), { vocabSize: 18, bondClasses: 5 }); prior.N; // 7
 */
export function drawPrior(
  sizes: readonly number[],
  rng: Rng,
  options: { vocabSize: number; bondClasses: number; padTo?: number },
): SamplerState {
  if (sizes.length === 0) throw new Error("cannot draw a prior for zero molecules");
  for (const n of sizes) if (!(Number.isInteger(n) && n >= 1)) throw new Error(`invalid molecule size: ${n}; sizes are integers >= 1`);
  const B = sizes.length;
  const N = Math.max(options.padTo ?? 0, ...sizes);
  const state: SamplerState = {
    B, N,
    mask: new Float32Array(B * N),
    coords: new Float32Array(B * N * 3),
    atomClasses: new Int32Array(B * N),
    bondClasses: new Int32Array(B * N * N),
  };
  sizes.forEach((n, b) => {
    const mean = [0, 0, 0];
    const xyz = rng.normals(n * 3);
    for (let i = 0; i < n; i++) for (let d = 0; d < 3; d++) mean[d] += xyz[i * 3 + d] / n;
    for (let i = 0; i < n; i++) {
      state.mask[b * N + i] = 1;
      for (let d = 0; d < 3; d++) state.coords[(b * N + i) * 3 + d] = xyz[i * 3 + d] - mean[d];
      state.atomClasses[b * N + i] = rng.int(options.vocabSize);
    }
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) state.bondClasses[(b * N + i) * N + j] = rng.int(options.bondClasses);
    }
  });
  return state;
}

/** Copy a sampler state (the integrator updates its own copy; the caller's prior stays as it was). */
export function cloneState(s: SamplerState): SamplerState {
  return {
    B: s.B, N: s.N, mask: s.mask.slice(), coords: s.coords.slice(),
    atomClasses: s.atomClasses.slice(), bondClasses: s.bondClasses.slice(),
  };
}
