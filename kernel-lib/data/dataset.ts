/**
 * A QM9 split in memory, featurised for the trainer. The molecules are views into a few large typed arrays (one
 * per field), which keeps the whole MiDi train split to roughly 200 MB and lets worker threads receive it as a
 * handful of buffers ({@link PackedSplit}; with `sharedMemory` they share it without copying).
 */
import { FeaturizedMolecule, QM9_COORD_STD, featurize } from "./featurize";
import { checkInteger, rejectUnknownOptions } from "../util/options";
import { QM9_FILE, QM9_SPLIT_COUNTS, SPLIT_NAMES, SplitName, SplitScheme, readQm9, toMolecule } from "./qm9_reader";

/** A split as flat arrays; molecule `m` owns atoms `atomOffsets[m]..atomOffsets[m+1]` and bond cells likewise. */
export interface PackedSplit {
  scheme: SplitScheme;
  split: SplitName;
  /** The coordinate std the coordinates were divided by (Å). */
  coordStd: number;
  /** QM9 ids, one per molecule. */
  ids: Int32Array;
  /** Atoms per molecule. */
  sizes: Int32Array;
  /** Prefix sums of sizes (length count + 1). */
  atomOffsets: Int32Array;
  /** Prefix sums of sizes² (length count + 1): where each dense bond matrix starts. */
  bondOffsets: Int32Array;
  /** Normalised coordinates, 3 per atom. */
  coords: Float32Array;
  /** Atom-type classes, 1 per atom. */
  atomTypes: Int32Array;
  /** Charge classes, 1 per atom. */
  charges: Int32Array;
  /** Dense bond classes, n² per molecule. */
  bonds: Int32Array;
}

/** A loaded split: featurised molecules (views into `packed`) with their ids and sizes. */
export interface Qm9Split {
  scheme: SplitScheme;
  split: SplitName;
  coordStd: number;
  /** Featurised molecules in file order. */
  molecules: FeaturizedMolecule[];
  /** QM9 ids (same order). */
  ids: Int32Array;
  /** Atoms per molecule (same order): what {@link planBatches} takes. */
  sizes: Int32Array;
  /** The flat storage behind `molecules` (send it to workers; rebuild with {@link unpackSplit}). */
  packed: PackedSplit;
}

/** Options of {@link loadQm9Split}. */
export interface LoadQm9SplitOptions {
  /** Split protocol (default `midi`). */
  scheme: SplitScheme;
  /** At most this many molecules, the first in file order (default `Infinity`). */
  limit: number;
  /** The QM9 `.jsonl.gz` file (default the shipped one). */
  file: string;
  /** Coordinate std in Å (default {@link QM9_COORD_STD}). */
  coordStd: number;
  /** Allocate the packed arrays on SharedArrayBuffers (default false). */
  sharedMemory: boolean;
  /** Called with (molecules loaded, expected total or undefined) every `progressEvery` molecules and at the end. */
  onProgress: ((done: number, expected: number | undefined) => void) | undefined;
  /** Molecules between progress calls (default 10,000). */
  progressEvery: number;
}

/** Defaults of {@link LoadQm9SplitOptions}. */
export const DEFAULT_LOAD_QM9_SPLIT: Readonly<LoadQm9SplitOptions> = {
  scheme: "midi", limit: Infinity, file: QM9_FILE, coordStd: QM9_COORD_STD, sharedMemory: false,
  onProgress: undefined, progressEvery: 10000,
};

/**
 * Fill defaults and validate {@link LoadQm9SplitOptions}.
 * @example
 * resolveLoadQm9SplitOptions({ limit: 256 }).scheme; // "midi"
 */
export function resolveLoadQm9SplitOptions(options?: Partial<LoadQm9SplitOptions>): LoadQm9SplitOptions {
  rejectUnknownOptions(options, DEFAULT_LOAD_QM9_SPLIT, "loadQm9Split");
  const o = { ...DEFAULT_LOAD_QM9_SPLIT, ...options };
  checkInteger("limit", o.limit, 0, true);
  checkInteger("progressEvery", o.progressEvery, 1);
  if (typeof o.sharedMemory !== "boolean") throw new Error(`invalid sharedMemory: ${o.sharedMemory}; use true or false`);
  if (o.onProgress !== undefined && typeof o.onProgress !== "function") throw new Error("invalid onProgress: pass a function or nothing");
  if (!(o.coordStd > 0 && Number.isFinite(o.coordStd))) throw new Error(`invalid coordStd: ${o.coordStd}; must be a positive number of Å`);
  return o;
}

const NO_BONDS = new Uint16Array(0);
const NO_ORDERS = new Uint8Array(0);

/** An append-only typed array that doubles its capacity. */
class Builder<A extends Int32Array | Float32Array> {
  private data: A;
  length = 0;
  constructor(private readonly make: (n: number) => A, capacity = 1 << 16) {
    this.data = make(capacity);
  }
  private reserve(extra: number): void {
    if (this.length + extra <= this.data.length) return;
    let cap = this.data.length * 2;
    while (cap < this.length + extra) cap *= 2;
    const next = this.make(cap);
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
  push(v: number): void {
    this.reserve(1);
    this.data[this.length++] = v;
  }
  append(src: ArrayLike<number>): void {
    this.reserve(src.length);
    this.data.set(src, this.length);
    this.length += src.length;
  }
  /** An exact-length copy in a (possibly shared) buffer. */
  finish(alloc: (n: number) => A): A {
    const out = alloc(this.length);
    out.set(this.data.subarray(0, this.length));
    return out;
  }
}

/**
 * Rebuild the molecule views of a packed split (e.g. in a worker thread that received `packed`).
 * @example
 * const molecules = unpackSplit(split.packed); // same contents as split.molecules
 */
export function unpackSplit(packed: PackedSplit): FeaturizedMolecule[] {
  const count = packed.sizes.length;
  if (packed.atomOffsets.length !== count + 1 || packed.bondOffsets.length !== count + 1) {
    throw new Error(`packed split is inconsistent: ${count} sizes but ${packed.atomOffsets.length} atom offsets; was it built by loadQm9Split?`);
  }
  const out = new Array<FeaturizedMolecule>(count);
  for (let m = 0; m < count; m++) {
    const a = packed.atomOffsets[m];
    const n = packed.sizes[m];
    const b = packed.bondOffsets[m];
    out[m] = {
      n,
      coords: packed.coords.subarray(3 * a, 3 * (a + n)),
      atomTypes: packed.atomTypes.subarray(a, a + n),
      charges: packed.charges.subarray(a, a + n),
      bonds: packed.bonds.subarray(b, b + n * n),
    };
  }
  return out;
}

/**
 * Load and featurise a QM9 split into memory (one streaming pass over the gzip file).
 * @param split `train`, `val` or `test` of the chosen scheme (MiDi by default).
 * @example
 * const train = await loadQm9Split("train", { onProgress: (d, t) => console.log(d, t) });
 * const plan = planBatches(train.sizes, { budget: 1152, rng: new Rng(0) });
 * const batch = collate(plan[0].map((i) => train.molecules[i]));
 */
export async function loadQm9Split(split: SplitName, options?: Partial<LoadQm9SplitOptions>): Promise<Qm9Split> {
  if (!SPLIT_NAMES.includes(split)) throw new Error(`invalid split: ${split}; use "train", "val" or "test"`);
  const o = resolveLoadQm9SplitOptions(options);
  const expected = o.file === QM9_FILE ? Math.min(o.limit, QM9_SPLIT_COUNTS[o.scheme][split]) : undefined;
  const i32 = (n: number) => new Int32Array(n);
  const f32 = (n: number) => new Float32Array(n);
  const ids = new Builder(i32, 1 << 12);
  const sizes = new Builder(i32, 1 << 12);
  const coords = new Builder(f32);
  const atomTypes = new Builder(i32);
  const charges = new Builder(i32);
  // Bonds stay sparse (i, j, class per bond) until the dense matrices are allocated once at the end.
  const bondCounts = new Builder(i32, 1 << 12);
  const bondTriples = new Builder(i32);
  let done = 0;
  for await (const rec of readQm9({ file: o.file, scheme: o.scheme, split, limit: o.limit })) {
    const mol = toMolecule(rec);
    // featurize validates elements and charges (naming the atom) and is the single source of the encoding;
    // its dense bond matrix is dropped here and rebuilt from the sparse list below (class = Kekulé order).
    const f = featurize({ ...mol, bondI: NO_BONDS, bondJ: NO_BONDS, bondOrder: NO_ORDERS }, { coordStd: o.coordStd });
    ids.push(rec.id);
    sizes.push(f.n);
    coords.append(f.coords);
    atomTypes.append(f.atomTypes);
    charges.append(f.charges);
    bondCounts.push(mol.bondOrder.length);
    for (let k = 0; k < mol.bondOrder.length; k++) {
      bondTriples.push(mol.bondI[k]);
      bondTriples.push(mol.bondJ[k]);
      bondTriples.push(mol.bondOrder[k]);
    }
    done++;
    if (o.onProgress && done % o.progressEvery === 0) o.onProgress(done, expected);
  }
  const alloc = <A extends Int32Array | Float32Array>(ctor: { new (b: ArrayBufferLike): A; BYTES_PER_ELEMENT: number }) =>
    (n: number): A => new ctor(o.sharedMemory ? new SharedArrayBuffer(n * ctor.BYTES_PER_ELEMENT) : new ArrayBuffer(n * ctor.BYTES_PER_ELEMENT));
  const sizeArr = sizes.finish(alloc(Int32Array));
  const count = sizeArr.length;
  const atomOffsets = alloc(Int32Array)(count + 1);
  const bondOffsets = alloc(Int32Array)(count + 1);
  for (let m = 0; m < count; m++) {
    atomOffsets[m + 1] = atomOffsets[m] + sizeArr[m];
    bondOffsets[m + 1] = bondOffsets[m] + sizeArr[m] * sizeArr[m];
  }
  const bonds = alloc(Int32Array)(bondOffsets[count]);
  const counts = bondCounts.finish(i32);
  const triples = bondTriples.finish(i32);
  for (let m = 0, t = 0; m < count; m++) {
    const n = sizeArr[m], base = bondOffsets[m];
    for (let k = 0; k < counts[m]; k++, t += 3) {
      const i = triples[t], j = triples[t + 1], c = triples[t + 2];
      bonds[base + i * n + j] = c;
      bonds[base + j * n + i] = c;
    }
  }
  const packed: PackedSplit = {
    scheme: o.scheme, split, coordStd: o.coordStd,
    ids: ids.finish(alloc(Int32Array)), sizes: sizeArr, atomOffsets, bondOffsets,
    coords: coords.finish(alloc(Float32Array)), atomTypes: atomTypes.finish(alloc(Int32Array)),
    charges: charges.finish(alloc(Int32Array)), bonds,
  };
  if (o.onProgress && (done === 0 || done % o.progressEvery !== 0)) o.onProgress(done, expected);
  return { scheme: o.scheme, split, coordStd: o.coordStd, molecules: unpackSplit(packed), ids: packed.ids, sizes: sizeArr, packed };
}
