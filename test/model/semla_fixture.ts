/**
 * Shared helpers for the model, flow and cache tests: the tiny fixture model, the forward cases as generator
 * inputs, random inputs, rotations, and comparisons restricted to real atoms / real atom pairs.
 */
import * as tf from "@tensorflow/tfjs";
import { sharedPath } from "../helpers/paths";
import { Bundle, BundleTensor, readBundle } from "../../kernel-lib/util/bundle";
import { TINY_CONFIG, SemlaConfig } from "../../kernel-lib/model/config";
import { ParamStore } from "../../kernel-lib/model/params";
import { SemlaGenerator } from "../../kernel-lib/model/generator";
import { GeneratorInputs } from "../../kernel-lib/model/blocks";
import { expectedParameterShapes } from "../../kernel-lib/model/parameter_shapes";
import { Rng } from "../../kernel-lib/util/rng";
import { SamplerState } from "../../kernel-lib/flow/prior";
import { LoadedModel, loadedModel } from "../../kernel-lib/model/model_io";
import { Molecule } from "../../kernel-lib/chem/molecule";

let weights: Bundle | undefined;
const bundles = new Map<string, Bundle>();

/** A fixture bundle by stem (`forward`, `sampler_log10`, …), read once. */
export function fixtureBundle(stem: string): Bundle {
  let b = bundles.get(stem);
  if (!b) {
    b = readBundle(sharedPath("fixtures", "semla", `${stem}.json`));
    bundles.set(stem, b);
  }
  return b;
}

/** A tensor of a fixture bundle (throws naming it when absent). */
export function fixtureTensor(bundle: Bundle, name: string): BundleTensor {
  const t = bundle.tensors.get(name);
  if (!t) throw new Error(`fixture tensor ${name} is missing`);
  return t;
}

/** The tiny fixture model with the reference weights (the caller disposes it). */
export function loadFixtureModel(): SemlaGenerator {
  weights ??= readBundle(sharedPath("fixtures", "semla", "weights.json"));
  const params = new ParamStore();
  params.loadBundle(weights, expectedParameterShapes(TINY_CONFIG));
  return new SemlaGenerator(TINY_CONFIG, params);
}

const INPUT_KEYS: [keyof GeneratorInputs, string][] = [
  ["coords", "input.coords"], ["atomics", "input.atomics"], ["bonds", "input.bonds"], ["mask", "input.mask"],
  ["t", "input.t"], ["condCoords", "input.cond_coords"], ["condAtomics", "input.cond_atomics"], ["condBonds", "input.cond_bonds"],
];

/** A bundle tensor as a float32 tf tensor. */
export function toTensor(t: BundleTensor): tf.Tensor {
  return tf.tensor(t.dtype === "int32" ? Float32Array.from(t.data) : t.data, t.shape, "float32");
}

/** Generator inputs of forward case `A`, `B` or `C` (the caller disposes them). */
export function caseInputs(c: string): GeneratorInputs {
  const f = fixtureBundle("forward");
  const out: Record<string, tf.Tensor> = {};
  for (const [key, name] of INPUT_KEYS) out[key] = toTensor(fixtureTensor(f, `${c}/${name}`));
  return out as unknown as GeneratorInputs;
}

/** Dispose every tensor of an object. */
export function disposeAll(obj: object): void {
  for (const t of Object.values(obj)) if (t instanceof tf.Tensor) t.dispose();
}

/** How the atom axes of a tensor are laid out, for comparing real entries only. */
export type Layout = "atom" | "pair" | "sets";

/** The layout of a fixture tensor from its name and rank. */
export function layoutOf(name: string, rank: number): Layout {
  if (/coord_sets|coord_update|coord_attn_update/.test(name)) return "sets";
  if (rank === 4) return "pair";
  return "atom";
}

/**
 * Largest |a − b| over real atoms (pairs of real atoms for `pair`). `mask` is `[B, N]` 0/1.
 * Layouts: atom `[B, N, …]`, pair `[B, N, N, …]`, sets `[B, S, N, …]`.
 */
export function maxDiffReal(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  shape: readonly number[],
  mask: ArrayLike<number>,
  layout: Layout,
): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  const B = shape[0];
  const N = layout === "sets" ? shape[2] : shape[1];
  const inner = shape.slice(layout === "atom" ? 2 : 3).reduce((x, y) => x * y, 1);
  let worst = 0;
  for (let idx = 0; idx < a.length; idx++) {
    const outer = Math.floor(idx / inner);
    let real: boolean;
    if (layout === "atom") {
      const i = outer % N, bb = Math.floor(outer / N);
      real = mask[bb * N + i] > 0;
    } else if (layout === "pair") {
      const j = outer % N, i = Math.floor(outer / N) % N, bb = Math.floor(outer / (N * N));
      real = mask[bb * N + i] > 0 && mask[bb * N + j] > 0;
    } else {
      const i = outer % N, bb = Math.floor(outer / (N * shape[1]));
      real = mask[bb * N + i] > 0;
    }
    if (real) {
      const d = Math.abs(a[idx] - b[idx]);
      if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
    }
  }
  if (B === 0) throw new Error("empty batch");
  return worst;
}

/** A uniformly random rotation matrix (row-major 3×3, det +1) from a seeded Rng (QR of a Gaussian matrix). */
export function randomRotation(rng: Rng): number[] {
  const v = () => [rng.normal(), rng.normal(), rng.normal()];
  const norm = (x: number[]) => { const l = Math.hypot(...x); return x.map((y) => y / l); };
  const a = norm(v());
  let b = v();
  const d = a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
  b = norm(b.map((y, k) => y - d * a[k]));
  const c = [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
  return [...a, ...b, ...c];
}

/** Apply `x ↦ R x + shift` to every 3-vector of a row-major `[…, 3]` array. */
export function rotateArray(x: ArrayLike<number>, r: readonly number[], shift: readonly number[] = [0, 0, 0]): Float32Array {
  const out = new Float32Array(x.length);
  for (let k = 0; k < x.length; k += 3) {
    for (let i = 0; i < 3; i++) out[k + i] = r[3 * i] * x[k] + r[3 * i + 1] * x[k + 1] + r[3 * i + 2] * x[k + 2] + shift[i];
  }
  return out;
}

/**
 * Random generator inputs for molecules of the given sizes padded to N = max(sizes) (or `padTo`): one-hot states,
 * softmax-like conditioning, coordinates centred per molecule. Values at padding are zero.
 */
export function randomInputs(config: SemlaConfig, sizes: readonly number[], seed: number, padTo = 0): GeneratorInputs {
  const rng = new Rng(seed);
  const B = sizes.length;
  const N = Math.max(padTo, ...sizes);
  const V = config.vocabSize, E = config.nEdgeTypes;
  const mask = new Float32Array(B * N);
  const coords = new Float32Array(B * N * 3), cond = new Float32Array(B * N * 3);
  const atomics = new Float32Array(B * N * V), condAtomics = new Float32Array(B * N * V);
  const bonds = new Float32Array(B * N * N * E), condBonds = new Float32Array(B * N * N * E);
  const t = new Float32Array(B);
  sizes.forEach((n, b) => {
    t[b] = rng.uniform();
    for (const arr of [coords, cond]) {
      const mean = [0, 0, 0];
      for (let i = 0; i < n; i++) for (let d = 0; d < 3; d++) { const x = rng.normal(); arr[(b * N + i) * 3 + d] = x; mean[d] += x / n; }
      for (let i = 0; i < n; i++) for (let d = 0; d < 3; d++) arr[(b * N + i) * 3 + d] -= mean[d];
    }
    for (let i = 0; i < n; i++) {
      mask[b * N + i] = 1;
      atomics[(b * N + i) * V + rng.int(V)] = 1;
      let s = 0;
      for (let k = 0; k < V; k++) { const e = Math.exp(2 * rng.normal()); condAtomics[(b * N + i) * V + k] = e; s += e; }
      for (let k = 0; k < V; k++) condAtomics[(b * N + i) * V + k] /= s;
      for (let j = 0; j < n; j++) {
        bonds[((b * N + i) * N + j) * E + rng.int(E)] = 1;
        if (j < i) continue;
        let s2 = 0;
        const p: number[] = [];
        for (let k = 0; k < E; k++) { const e = Math.exp(2 * rng.normal()); p.push(e); s2 += e; }
        for (let k = 0; k < E; k++) {
          condBonds[((b * N + i) * N + j) * E + k] = p[k] / s2;
          condBonds[((b * N + j) * N + i) * E + k] = p[k] / s2;
        }
      }
    }
  });
  return {
    coords: tf.tensor3d(coords, [B, N, 3]), atomics: tf.tensor3d(atomics, [B, N, V]), bonds: tf.tensor4d(bonds, [B, N, N, E]),
    mask: tf.tensor2d(mask, [B, N]), t: tf.tensor1d(t), condCoords: tf.tensor3d(cond, [B, N, 3]),
    condAtomics: tf.tensor3d(condAtomics, [B, N, V]), condBonds: tf.tensor4d(condBonds, [B, N, N, E]),
  };
}

/** Read every output of a forward as JS arrays (disposing the tensors). */
export function readOutputs(o: Record<string, tf.Tensor>): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const [k, t] of Object.entries(o)) { out[k] = t.dataSync() as Float32Array; t.dispose(); }
  return out;
}

/** Argmax over the last axis of row-major `[…, k]` data. */
export function argmaxRows(data: ArrayLike<number>, k: number): Int32Array {
  const out = new Int32Array(data.length / k);
  for (let e = 0; e < out.length; e++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (data[e * k + c] > data[e * k + best]) best = c;
    out[e] = best;
  }
  return out;
}

/** The fixture's prior as a sampler state. */
export function fixturePrior(f: Bundle): SamplerState {
  const mask = fixtureTensor(f, "prior.mask");
  const [B, N] = mask.shape;
  return {
    B, N, mask: Float32Array.from(mask.data), coords: Float32Array.from(fixtureTensor(f, "prior.coords").data),
    atomClasses: argmaxRows(fixtureTensor(f, "prior.atomics").data, 18),
    bondClasses: argmaxRows(fixtureTensor(f, "prior.bonds").data, 5),
  };
}

/** The fixture model as a sampling-ready model (QM9 coordinate std). */
export function loadFixtureLoadedModel(): LoadedModel {
  return loadedModel({ generator: loadFixtureModel(), coordStd: 1.7232995, name: "tiny-fixture", meta: {} });
}

/** Molecules as plain arrays, for deepEqual comparisons of sampling runs. */
export function plainMolecules(mols: readonly Molecule[]) {
  return mols.map((m) => ({
    elements: Array.from(m.elements), positions: Array.from(m.positions), charges: Array.from(m.charges),
    bonds: Array.from(m.bondI).map((i, k) => [i, m.bondJ[k], m.bondOrder[k]]),
  }));
}

/**
 * Largest difference over every output of molecule 0 (n atoms) between a forward of it alone (N = n) and a forward
 * of `sizes` (molecule 0 first, same draws) padded to `padTo` atoms; `forward` is either backend's.
 */
export function paddedVsAlone(
  forward: (inputs: GeneratorInputs) => Record<string, Float32Array>,
  config: SemlaConfig,
  n: number,
  sizes: readonly number[],
  padTo: number,
): number {
  const alone = randomInputs(config, [n], 3);
  const padded = randomInputs(config, sizes, 3, padTo);
  const a = forward(alone);
  const p = forward(padded);
  disposeAll(alone);
  disposeAll(padded);
  const N = padTo;
  const widths = { coords: 3, typeLogits: config.vocabSize, chargeLogits: config.nChargeTypes, bondLogits: config.nEdgeTypes };
  let worst = 0;
  const track = (x: number, y: number) => { const d = Math.abs(x - y); worst = Number.isNaN(d) ? Infinity : Math.max(worst, d); };
  for (let i = 0; i < n; i++) {
    for (const k of ["coords", "typeLogits", "chargeLogits"] as const) {
      for (let c = 0; c < widths[k]; c++) track(a[k][i * widths[k] + c], p[k][i * widths[k] + c]);
    }
    const e = widths.bondLogits;
    for (let j = 0; j < n; j++) for (let c = 0; c < e; c++) track(a.bondLogits[(i * n + j) * e + c], p.bondLogits[(i * N + j) * e + c]);
  }
  return worst;
}
