/** Batches: padding and its inverse, and the size-bucketed planner (budget, coverage, determinism, errors). */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../kernel-lib/util/rng";
import { FeaturizedMolecule } from "../../kernel-lib/data/featurize";
import { QM9_BUCKETS, bucketIndex, collate, planBatches, unbatch } from "../../kernel-lib/data/batching";
import { statsSizeHistogram, sampleSizes } from "../../kernel-lib/data/size_histogram";

/** A synthetic featurised molecule of n atoms with distinct values (a chain of single bonds). */
function fake(n: number, seed: number): FeaturizedMolecule {
  const coords = Float32Array.from({ length: 3 * n }, (_, k) => seed + k / 100);
  const atomTypes = Int32Array.from({ length: n }, (_, a) => 2 + ((a + seed) % 4));
  const charges = Int32Array.from({ length: n }, (_, a) => (a === 0 ? 1 : 0));
  const bonds = new Int32Array(n * n);
  for (let a = 0; a + 1 < n; a++) bonds[a * n + a + 1] = bonds[(a + 1) * n + a] = 1 + ((a + seed) % 3);
  return { n, coords, atomTypes, charges, bonds };
}

describe("collate", () => {
  it("pads to the largest member with class 0 and mask 0, and unbatch inverts it", () => {
    const mols = [fake(3, 1), fake(5, 2), fake(1, 3)];
    const b = collate(mols);
    assert.equal(b.B, 3);
    assert.equal(b.N, 5);
    assert.deepEqual([...b.sizes], [3, 5, 1]);
    assert.equal(b.coords.length, 3 * 5 * 3);
    assert.equal(b.bonds.length, 3 * 25);
    assert.deepEqual([...b.mask], [1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0]);
    for (let k = 0; k < b.B * b.N; k++) {
      if (b.mask[k] === 0) {
        assert.equal(b.atomTypes[k], 0);
        assert.equal(b.charges[k], 0);
        assert.deepEqual([...b.coords.subarray(3 * k, 3 * k + 3)], [0, 0, 0]);
      }
    }
    // Every bond cell touching a padding atom is 0; molecule 0's bond 1-2 sits at row 1, column 2 of a 5×5 block.
    for (let bb = 0; bb < 3; bb++) {
      for (let i = 0; i < 5; i++) {
        for (let j = 0; j < 5; j++) {
          if (i >= b.sizes[bb] || j >= b.sizes[bb]) assert.equal(b.bonds[bb * 25 + i * 5 + j], 0);
        }
      }
    }
    assert.equal(b.bonds[1 * 5 + 2], mols[0].bonds[1 * 3 + 2]);
    mols.forEach((m, k) => assert.deepEqual(unbatch(b, k), m));
    assert.equal(collate(mols, { padTo: 12 }).N, 12);
    assert.deepEqual(unbatch(collate(mols, { padTo: 12 }), 1), mols[1]);
  });

  it("rejects empty lists and a padTo below the largest molecule", () => {
    assert.throws(() => collate([]), /empty list/);
    assert.throws(() => collate([fake(5, 0)], { padTo: 4 }), /invalid padTo: 4; the largest molecule has 5 atoms/);
    assert.throws(() => unbatch(collate([fake(2, 0)]), 1), /invalid b: 1; the batch holds 1/);
  });
});

describe("planBatches", () => {
  const sizes = sampleSizes(statsSizeHistogram("train"), 5000, new Rng(11));

  it("puts each molecule in the first bucket >= its size", () => {
    assert.equal(bucketIndex(12, QM9_BUCKETS), 0);
    assert.equal(bucketIndex(13, QM9_BUCKETS), 1);
    assert.equal(bucketIndex(29, QM9_BUCKETS), 6);
    assert.throws(() => bucketIndex(31, QM9_BUCKETS), /31 atoms is larger than the largest bucket 30/);
  });

  it("covers every index exactly once and respects the budget", () => {
    for (const budget of [30, 1152, 4096]) {
      const plan = planBatches(sizes, { budget, rng: new Rng(1) });
      const seen = plan.flat().sort((a, b) => a - b);
      assert.deepEqual(seen, sizes.map((_, i) => i), `budget ${budget}`);
      for (const batch of plan) {
        const buckets = new Set(batch.map((i) => bucketIndex(sizes[i], QM9_BUCKETS)));
        assert.equal(buckets.size, 1, "one bucket per batch");
        const nBucket = QM9_BUCKETS[[...buckets][0]];
        assert.ok(batch.length * nBucket <= budget, `B ${batch.length} × ${nBucket} <= ${budget}`);
        assert.ok(batch.length * Math.max(...batch.map((i) => sizes[i])) <= budget, "padded cost within budget");
      }
      // Full batches hold floor(budget / N_bucket): all but at most one batch per bucket.
      const partial = plan.filter((b) => b.length < Math.floor(budget / QM9_BUCKETS[bucketIndex(sizes[b[0]], QM9_BUCKETS)]));
      assert.ok(partial.length <= QM9_BUCKETS.length);
    }
  });

  it("is deterministic for a seed, differs across seeds, and is ordered without an rng", () => {
    const a = planBatches(sizes, { budget: 1152, rng: new Rng(7) });
    const b = planBatches(sizes, { budget: 1152, rng: new Rng(7) });
    const c = planBatches(sizes, { budget: 1152, rng: new Rng(8) });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    assert.deepEqual(planBatches([17, 9, 25], { budget: 60 }), [[1], [0], [2]]);
    assert.deepEqual(planBatches([18, 18, 18, 10], { budget: 36 }), [[3], [0, 1], [2]]);
  });

  it("rejects bad budgets, buckets and sizes", () => {
    assert.throws(() => planBatches([25], { budget: 20 }), /invalid budget: 20; it must be at least the largest used bucket \(30 atoms\)/);
    assert.throws(() => planBatches([40], { budget: 1000 }), /40 atoms is larger than the largest bucket 30/);
    assert.throws(() => planBatches([5], { buckets: [10, 8] }), /strictly ascending/);
    assert.throws(() => planBatches([0]), /invalid size at index 0: 0/);
    assert.throws(() => planBatches([5], { budget: 1.5 }), /invalid budget: 1.5/);
    assert.throws(() => planBatches([5], { bugdet: 5 } as never), /unknown planBatches option: bugdet/);
    assert.deepEqual(planBatches([]), []);
  });
});
