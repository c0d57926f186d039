/**
 * How precisely a model reproduces bond geometry: real molecules are shown to it clean (or with Gaussian noise of
 * `noise`, normalised units) at time `t`, with their true atom and bond types, and its predicted clean structure x̂₁
 * is compared with the truth bond by bond. Near t = 1 this is what the sampler's last steps output, so bond-length
 * errors here are what the MMFF94 strain of generated molecules is made of (a C–H bond 0.05 Å off costs ~1 kcal/mol).
 * Self-conditioned like sampling: a first pass's prediction is fed back as the conditioning of the measured one.
 */
import * as tf from "@tensorflow/tfjs";
import { Molecule } from "../chem/molecule";
import { elementSymbol } from "../chem/elements";
import { collate } from "../data/batching";
import { featurize } from "../data/featurize";
import { batchInputs, conditionOn } from "../model/batch_inputs";
import { LoadedModel } from "../model/model_io";
import { Rng } from "../util/rng";

/** Options of {@link bondPrecision}. */
export interface BondPrecisionOptions {
  /** Time the molecules are shown at (default 0.99). */
  t: number;
  /** Standard deviation of the Gaussian noise added to the coordinates, normalised units (default 0; training uses 0.2). */
  noise: number;
  /** Seed of the noise (default 0). */
  seed: number;
  /** Molecules per forward pass (default 64). */
  batchSize: number;
}

/** Defaults of {@link BondPrecisionOptions}. */
export const DEFAULT_BOND_PRECISION: Readonly<BondPrecisionOptions> = { t: 0.99, noise: 0, seed: 0, batchSize: 64 };

/** The error of one kind of bond (elements in alphabetical order, e.g. "C–H"), predicted minus true length. */
export interface BondTypeError {
  bond: string;
  count: number;
  /** Mean signed error, Å (negative: too short). */
  meanError: number;
  /** Root-mean-square error, Å. */
  rmsError: number;
}

/** Result of {@link bondPrecision}. */
export interface BondPrecision {
  molecules: number;
  /** RMS distance of predicted from true coordinates over all atoms and axes, Å. */
  coordinateRms: number;
  /** Per kind of bond, most frequent first. */
  bonds: BondTypeError[];
}

/**
 * Measure `model`'s bond-length errors on `molecules` (they must fit the model: elements in its vocabulary, at most
 * `maxAtoms` atoms).
 * @example
 * const p = bondPrecision(loadModel(), qm9TestMolecules); p.bonds.find((b) => b.bond === "C–H")?.rmsError; // Å
 */
export function bondPrecision(model: LoadedModel, molecules: readonly Molecule[], options?: Partial<BondPrecisionOptions>): BondPrecision {
  const o = { ...DEFAULT_BOND_PRECISION, ...options };
  if (!(o.t >= 0 && o.t <= 1)) throw new Error(`bondPrecision: t must be in [0, 1], got ${o.t}`);
  if (!(o.noise >= 0)) throw new Error(`bondPrecision: noise must be ≥ 0, got ${o.noise}`);
  const { vocabSize, nEdgeTypes } = model.generator.config;
  const rng = new Rng(o.seed);
  const errors = new Map<string, number[]>();
  let squared = 0;
  let values = 0;
  for (let start = 0; start < molecules.length; start += o.batchSize) {
    const chunk = molecules.slice(start, start + o.batchSize);
    const batch = collate(chunk.map((m) => featurize(m, { coordStd: model.coordStd })));
    const { B, N } = batch;
    const shown = batch.coords.slice();
    for (let b = 0; b < B; b++) {
      const noise = rng.normals(batch.sizes[b] * 3);
      for (let k = 0; k < noise.length; k++) shown[b * N * 3 + k] += o.noise * noise[k];
    }
    const arrays = { coords: shown, atomClasses: batch.atomTypes, bondClasses: batch.bonds, mask: batch.mask, t: new Float32Array(B).fill(o.t) };
    const predicted = tf.tidy(() => {
      const inputs = batchInputs(arrays, B, N, vocabSize, nEdgeTypes);
      conditionOn(inputs, model.generator.forward(inputs));
      return model.generator.forward(inputs).coords;
    });
    const p = predicted.dataSync() as Float32Array;
    predicted.dispose();
    const s = model.coordStd;
    chunk.forEach((mol, b) => {
      const at = (x: ArrayLike<number>, i: number, d: number) => x[(b * N + i) * 3 + d];
      const dist = (x: ArrayLike<number>, i: number, j: number) => s * Math.hypot(at(x, i, 0) - at(x, j, 0), at(x, i, 1) - at(x, j, 1), at(x, i, 2) - at(x, j, 2));
      for (let k = 0; k < mol.elements.length * 3; k++) squared += (s * (p[b * N * 3 + k] - batch.coords[b * N * 3 + k])) ** 2;
      values += mol.elements.length * 3;
      for (let k = 0; k < mol.bondI.length; k++) {
        const i = mol.bondI[k], j = mol.bondJ[k];
        const key = [elementSymbol(mol.elements[i]), elementSymbol(mol.elements[j])].sort().join("–");
        let list = errors.get(key);
        if (!list) errors.set(key, (list = []));
        list.push(dist(p, i, j) - dist(batch.coords, i, j));
      }
    });
  }
  const bonds = [...errors.entries()].map(([bond, e]) => ({
    bond, count: e.length,
    meanError: e.reduce((a, x) => a + x, 0) / e.length,
    rmsError: Math.sqrt(e.reduce((a, x) => a + x * x, 0) / e.length),
  }));
  bonds.sort((a, b) => b.count - a.count || a.bond.localeCompare(b.bond));
  return { molecules: molecules.length, coordinateRms: Math.sqrt(squared / Math.max(1, values)), bonds };
}
