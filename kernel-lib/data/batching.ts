/**
 * Batches: padding featurised molecules into dense `[B, N, …]` arrays with a mask, and size-bucketed batch
 * planning under an atoms-per-batch budget (the reference's linear batch cost). The planner works on sizes alone,
 * so the trainer (dataset molecules) and the sampler (sizes drawn from the histogram) share it.
 */
import { Rng } from "../util/rng";
import { FeaturizedMolecule, PAD_CLASS } from "./featurize";
import { checkInteger, rejectUnknownOptions } from "../util/options";

/** The reference's QM9 size buckets (atoms with H): a molecule goes into the first bucket ≥ its size. */
export const QM9_BUCKETS: readonly number[] = [12, 16, 18, 20, 22, 24, 30];

/** A padded batch: B molecules, each padded to N atoms with class 0 and mask 0. Arrays are row-major. */
export interface Batch {
  /** Molecules in the batch. */
  B: number;
  /** Atoms per molecule after padding (the largest member unless `padTo` asked for more). */
  N: number;
  /** Normalised coordinates [B, N, 3]; padding atoms are 0. */
  coords: Float32Array;
  /** Atom-type classes [B, N]; padding is `<PAD>` (0). */
  atomTypes: Int32Array;
  /** Bond classes [B, N, N]; any pair with a padding atom is 0. */
  bonds: Int32Array;
  /** Charge classes [B, N]; padding is 0. */
  charges: Int32Array;
  /** 1 for real atoms, 0 for padding [B, N]. */
  mask: Float32Array;
  /** Real atom count of each molecule [B]. */
  sizes: Int32Array;
}

/** Options of {@link collate}. */
export interface CollateOptions {
  /** Pad to this many atoms (0 = the largest member; default 0). Must be ≥ the largest member. */
  padTo: number;
}

/** Defaults of {@link CollateOptions}. */
export const DEFAULT_COLLATE: Readonly<CollateOptions> = { padTo: 0 };

/**
 * Pad molecules into one {@link Batch}.
 * @throws on an empty list or a `padTo` smaller than the largest molecule.
 * @example
 * const batch = collate([f1, f2]); // batch.N = max(f1.n, f2.n), batch.mask marks real atoms
 */
export function collate(mols: readonly FeaturizedMolecule[], options?: Partial<CollateOptions>): Batch {
  rejectUnknownOptions(options, DEFAULT_COLLATE, "collate");
  const { padTo } = { ...DEFAULT_COLLATE, ...options };
  checkInteger("padTo", padTo, 0);
  if (mols.length === 0) throw new Error("cannot collate an empty list of molecules; give at least one");
  const largest = mols.reduce((m, f) => Math.max(m, f.n), 0);
  if (padTo !== 0 && padTo < largest) throw new Error(`invalid padTo: ${padTo}; the largest molecule has ${largest} atoms`);
  const B = mols.length;
  const N = padTo || largest;
  const coords = new Float32Array(B * N * 3);
  const atomTypes = new Int32Array(B * N).fill(PAD_CLASS);
  const bonds = new Int32Array(B * N * N);
  const charges = new Int32Array(B * N);
  const mask = new Float32Array(B * N);
  const sizes = new Int32Array(B);
  mols.forEach((f, b) => {
    const n = f.n;
    sizes[b] = n;
    coords.set(f.coords.subarray(0, 3 * n), b * N * 3);
    atomTypes.set(f.atomTypes.subarray(0, n), b * N);
    charges.set(f.charges.subarray(0, n), b * N);
    mask.fill(1, b * N, b * N + n);
    for (let i = 0; i < n; i++) bonds.set(f.bonds.subarray(i * n, i * n + n), b * N * N + i * N);
  });
  return { B, N, coords, atomTypes, bonds, charges, mask, sizes };
}

/**
 * Molecule `b` of a batch, without its padding (copies).
 * @example
 * unbatch(collate([f]), 0); // equal to f
 */
export function unbatch(batch: Batch, b: number): FeaturizedMolecule {
  checkInteger("b", b, 0);
  if (b >= batch.B) throw new Error(`invalid b: ${b}; the batch holds ${batch.B} molecules`);
  const { N } = batch;
  const n = batch.sizes[b];
  const bonds = new Int32Array(n * n);
  for (let i = 0; i < n; i++) bonds.set(batch.bonds.subarray(b * N * N + i * N, b * N * N + i * N + n), i * n);
  return {
    n,
    coords: batch.coords.slice(b * N * 3, b * N * 3 + 3 * n),
    atomTypes: batch.atomTypes.slice(b * N, b * N + n),
    charges: batch.charges.slice(b * N, b * N + n),
    bonds,
  };
}

/** Options of {@link planBatches}. */
export interface PlanBatchesOptions {
  /** Atoms per batch: a batch of bucket size N_b holds at most `floor(budget / N_b)` molecules (default 1152 = 64 × 18). */
  budget: number;
  /** Ascending bucket upper limits in atoms (default {@link QM9_BUCKETS}). */
  buckets: readonly number[];
  /** Shuffles within buckets and the batch order when given (training epochs); none = index order, by bucket. */
  rng: Rng | undefined;
  /**
   * A second cap: the most molecules a batch padded to `atoms` may hold (e.g. from a memory budget); called with the
   * largest member of each bucket. Default none (the atoms budget alone).
   */
  maxMolecules: ((atoms: number) => number) | undefined;
}

/** Defaults of {@link PlanBatchesOptions}. */
export const DEFAULT_PLAN_BATCHES: Readonly<PlanBatchesOptions> = { budget: 1152, buckets: QM9_BUCKETS, rng: undefined, maxMolecules: undefined };

/**
 * Fill defaults and validate {@link PlanBatchesOptions}.
 * @throws on unknown keys, a non-integer budget, buckets that are empty, not positive integers or not ascending.
 */
export function resolvePlanBatchesOptions(options?: Partial<PlanBatchesOptions>): PlanBatchesOptions {
  rejectUnknownOptions(options, DEFAULT_PLAN_BATCHES, "planBatches");
  const o = { ...DEFAULT_PLAN_BATCHES, ...options };
  checkInteger("budget", o.budget, 1);
  if (!Array.isArray(o.buckets) || o.buckets.length === 0) {
    throw new Error(`invalid buckets: ${String(o.buckets)}; give ascending atom counts, e.g. [${QM9_BUCKETS.join(", ")}]`);
  }
  o.buckets.forEach((v, k) => {
    checkInteger(`buckets[${k}]`, v, 1);
    if (k > 0 && v <= o.buckets[k - 1]) throw new Error(`invalid buckets: [${o.buckets.join(", ")}]; must be strictly ascending`);
  });
  if (o.rng !== undefined && !(o.rng instanceof Rng)) throw new Error("invalid rng: pass an Rng (kernel-lib/util/rng) or nothing");
  return o;
}

/**
 * The index of the first bucket ≥ `size`.
 * @throws if `size` exceeds the largest bucket.
 * @example
 * bucketIndex(17, QM9_BUCKETS); // 2 (the 18-atom bucket)
 */
export function bucketIndex(size: number, buckets: readonly number[]): number {
  for (let k = 0; k < buckets.length; k++) if (size <= buckets[k]) return k;
  throw new Error(`a molecule of ${size} atoms is larger than the largest bucket ${buckets[buckets.length - 1]}; add a bucket >= ${size}`);
}

function shuffleInPlace<T>(xs: T[], rng: Rng): void {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = xs[i];
    xs[i] = xs[j];
    xs[j] = t;
  }
}

/**
 * Group molecules (given by their atom counts) into batches: each molecule goes into the first bucket ≥ its size,
 * and a bucket of size N_b is cut into batches of `floor(budget / N_b)` molecules (the last may be smaller), so
 * every batch satisfies `B × N_b ≤ budget`. Every index appears exactly once.
 * @param sizes atoms per molecule (positive integers).
 * @returns indices into `sizes`, one array per batch. With `rng`: shuffled within buckets, batch order shuffled.
 * @throws if the budget is smaller than a used bucket, or a size is out of range.
 * @example
 * planBatches([17, 9, 25], { budget: 60 }); // [[1], [0], [2]]: buckets 12, 18, 30
 * planBatches(sizes, { budget: 2048, rng: new Rng(epoch) }); // one training epoch
 */
export function planBatches(sizes: ArrayLike<number>, options?: Partial<PlanBatchesOptions>): number[][] {
  const { budget, buckets, rng, maxMolecules } = resolvePlanBatchesOptions(options);
  const members: number[][] = buckets.map(() => []);
  for (let i = 0; i < sizes.length; i++) {
    const s = sizes[i];
    if (!(Number.isInteger(s) && s >= 1)) throw new Error(`invalid size at index ${i}: ${s}; sizes are atom counts >= 1`);
    members[bucketIndex(s, buckets)].push(i);
  }
  const batches: number[][] = [];
  members.forEach((idx, k) => {
    if (idx.length === 0) return;
    const byAtoms = Math.floor(budget / buckets[k]);
    if (byAtoms < 1) {
      throw new Error(`invalid budget: ${budget}; it must be at least the largest used bucket (${buckets[k]} atoms)`);
    }
    const largest = idx.reduce((m, i) => Math.max(m, sizes[i]), 0);
    const perBatch = maxMolecules ? Math.min(byAtoms, maxMolecules(largest)) : byAtoms;
    if (!(perBatch >= 1)) throw new Error(`a batch of one ${largest}-atom molecule exceeds the batch limit (maxMolecules ${perBatch})`);
    if (rng) shuffleInPlace(idx, rng);
    for (let s = 0; s < idx.length; s += perBatch) batches.push(idx.slice(s, s + perBatch));
  });
  if (rng) shuffleInPlace(batches, rng);
  return batches;
}
