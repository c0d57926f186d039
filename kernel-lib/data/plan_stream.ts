/**
 * The sampler's batch plan, produced one batch at a time: exactly the batches of
 * `planBatches(sampleSizes(histogram, n, new Rng(seed)), { budget, buckets })`, in the same order with the same batch
 * indices, but without holding the n sizes or the plan. Memory does not grow with n.
 *
 * How: the plan lists bucket 0's molecules in index order cut into batches, then bucket 1's, and so on. The stream
 * makes one pass over the size sequence per bucket, redrawing the sizes from the seed (one uniform each, ~10 ns), and
 * keeps the members of the current bucket only. A {@link PlanCursor} (bucket, position in the pass, generator
 * state, next batch index) says where the stream stands, so a run can be continued in another process at once.
 */
import { Rng, RngState } from "../util/rng";
import { checkInteger } from "../util/options";
import { bucketIndex, resolvePlanBatchesOptions } from "./batching";
import { SizeHistogram, sizeDrawer } from "./size_histogram";

/** Where the molecule sizes come from: drawn from a histogram with a seed, or given. */
export type SizeSource =
  | { kind: "histogram"; histogram: SizeHistogram; seed: number; n: number }
  | { kind: "sizes"; sizes: readonly number[] };

/** Where a streamed plan stands: enough to continue it elsewhere (it is saved in run manifests). JSON-safe. */
export interface PlanCursor {
  /** Index of the next batch in the plan. */
  batch: number;
  /** Bucket being cut into batches (index into the buckets). */
  bucket: number;
  /** Sizes already read in this bucket's pass (molecule index of the next one). */
  position: number;
  /** The size generator's state at `position` (histogram sources; `null` for given sizes). */
  rng: RngState | null;
}

/** One batch of the plan. */
export interface PlannedBatch {
  /** Position in the plan (seeds the batch's generator). */
  batchIndex: number;
  /** Molecule indices (positions in the run's output order by size draw). */
  indices: number[];
  /** Atom count of each molecule. */
  sizes: number[];
  /** The cursor after this batch (where a resumed run continues). */
  next: PlanCursor;
}

/** Options of {@link BatchPlanStream}: those of `planBatches` without shuffling. */
export interface PlanStreamOptions {
  /** Atoms per batch (see `planBatches`). */
  budget: number;
  /** Ascending bucket upper limits in atoms. */
  buckets: readonly number[];
  /**
   * Most molecules of a given atom count per batch (the memory cap), applied to the largest size a bucket can hold
   * from this source: a streamed plan cannot see the sizes drawn later, so it takes the bound that holds for all.
   */
  maxMolecules?: (atoms: number) => number;
}

/**
 * A lazily produced sampling plan.
 * @example
 * const stream = new BatchPlanStream({ kind: "histogram", histogram, seed: 0, n: 1e9 }, { budget: 1152, buckets: QM9_BUCKETS });
 * for (let b = stream.next(); b; b = stream.next()) run(b); // memory stays flat
 */
export class BatchPlanStream {
  /** Molecules in the run. */
  readonly n: number;
  private readonly perBatch: number[];
  private readonly used: boolean[];
  private readonly bucketOfSize: Int32Array;
  private readonly draw: ((rng: Rng) => number) | undefined;
  private readonly sizes: readonly number[] | undefined;
  private readonly seed: number;
  private cursor: PlanCursor;
  private rng: Rng | undefined;

  /**
   * @param start continue from this cursor (from a previous stream's {@link PlannedBatch.next}); default the start.
   * @throws on bad options, a size no bucket holds or a used bucket larger than the budget (as `planBatches`), checked
   *   for every size the source can give before the first batch.
   */
  constructor(source: SizeSource, options: PlanStreamOptions, start?: PlanCursor) {
    const { budget, buckets } = resolvePlanBatchesOptions({ budget: options.budget, buckets: options.buckets });
    let possible: number[]; // sizes the source can give
    if (source.kind === "histogram") {
      checkInteger("n", source.n, 1);
      this.n = source.n;
      this.draw = sizeDrawer(source.histogram);
      possible = source.histogram.counts.flatMap((c, size) => (c > 0 ? [size] : []));
    } else {
      this.n = source.sizes.length;
      this.sizes = source.sizes;
      possible = [...new Set(source.sizes)];
      source.sizes.forEach((s, i) => {
        if (!(Number.isInteger(s) && s >= 1)) throw new Error(`invalid size at index ${i}: ${s}; sizes are atom counts >= 1`);
      });
    }
    const largest = possible.reduce((m, s) => Math.max(m, s), 0);
    if (possible.includes(0)) throw new Error("invalid size histogram: it gives molecules of 0 atoms; sizes are atom counts >= 1");
    this.bucketOfSize = new Int32Array(largest + 1).fill(-1);
    this.used = buckets.map(() => false);
    for (const s of possible.sort((a, b) => a - b)) {
      const k = bucketIndex(s, buckets);
      this.bucketOfSize[s] = k;
      this.used[k] = true;
    }
    const largestIn = buckets.map(() => 0);
    for (const s of possible) largestIn[bucketIndex(s, buckets)] = Math.max(largestIn[bucketIndex(s, buckets)], s);
    this.perBatch = buckets.map((b, k) => {
      const byAtoms = Math.floor(budget / b);
      return options.maxMolecules && this.used[k] && byAtoms >= 1 ? Math.min(byAtoms, options.maxMolecules(largestIn[k])) : byAtoms;
    });
    this.used.forEach((u, k) => {
      if (u && this.perBatch[k] < 1) {
        throw new Error(`invalid budget: ${budget}; it must be at least the largest used bucket (${buckets[k]} atoms)`);
      }
    });
    this.seed = source.kind === "histogram" ? source.seed : 0;
    const seedRng = source.kind === "histogram" ? new Rng(source.seed) : undefined;
    this.cursor = start ? checkCursor(start, buckets.length, this.n, seedRng !== undefined) : { batch: 0, bucket: 0, position: 0, rng: seedRng ? seedRng.state() : null };
    if (!start) this.startBucket(0, seedRng);
    else this.rng = this.cursor.rng ? Rng.fromState(this.cursor.rng) : undefined;
  }

  /** Where the stream stands (the cursor of the next batch). */
  position(): PlanCursor {
    return { ...this.cursor, rng: this.rng ? this.rng.state() : null };
  }

  /** Move to the first used bucket at or after `k` (a fresh pass over the sizes). */
  private startBucket(k: number, rng?: Rng): void {
    while (k < this.used.length && !this.used[k]) k++;
    this.cursor = { ...this.cursor, bucket: k, position: 0 };
    this.rng = this.draw ? (rng ?? new Rng(this.seed)) : undefined;
  }

  /** The next batch, or `undefined` when the plan is done. */
  next(): PlannedBatch | undefined {
    const indices: number[] = [];
    const sizes: number[] = [];
    while (this.cursor.bucket < this.used.length) {
      const k = this.cursor.bucket;
      const want = this.perBatch[k];
      let i = this.cursor.position;
      while (i < this.n && indices.length < want) {
        const s = this.draw ? this.draw(this.rng!) : this.sizes![i];
        if (this.bucketOfSize[s] === k) {
          indices.push(i);
          sizes.push(s);
        }
        i++;
      }
      this.cursor.position = i;
      if (indices.length === want || (i >= this.n && indices.length > 0)) {
        // A pass that reached the end moves on now, so the cursor after a bucket's last batch points at the next one.
        if (i >= this.n) this.startBucket(k + 1);
        const batchIndex = this.cursor.batch++;
        return { batchIndex, indices, sizes, next: this.position() };
      }
      this.startBucket(k + 1);
    }
    return undefined;
  }
}

function checkCursor(c: PlanCursor, buckets: number, n: number, hasRng: boolean): PlanCursor {
  const ok = c && Number.isInteger(c.batch) && c.batch >= 0 && Number.isInteger(c.bucket) && c.bucket >= 0 && c.bucket <= buckets &&
    Number.isInteger(c.position) && c.position >= 0 && c.position <= n &&
    (hasRng ? Array.isArray(c.rng) && c.rng.length === 4 && c.rng.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32) : c.rng === null);
  if (!ok) throw new Error(`invalid plan cursor: ${JSON.stringify(c)}; it must come from this run's plan (a run manifest)`);
  return { batch: c.batch, bucket: c.bucket, position: c.position, rng: c.rng ? [c.rng[0], c.rng[1], c.rng[2], c.rng[3]] : null };
}
