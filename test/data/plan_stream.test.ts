/**
 * The streamed batch plan: the same batches, order and batch indices as `planBatches(sampleSizes(…))` for any n,
 * budget and buckets; continued from any cursor it gives the rest of the same plan; memory does not grow with n
 * (a 1e9-molecule plan yields its first batches at once); bad input is rejected before the first batch.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { BatchPlanStream, PlannedBatch, SizeSource } from "../../kernel-lib/data/plan_stream";
import { planBatches, QM9_BUCKETS } from "../../kernel-lib/data/batching";
import { histogramFromJson, sampleSizes, statsSizeHistogram } from "../../kernel-lib/data/size_histogram";
import { Rng } from "../../kernel-lib/util/rng";

function drain(stream: BatchPlanStream): PlannedBatch[] {
  const out: PlannedBatch[] = [];
  for (let b = stream.next(); b; b = stream.next()) out.push(b);
  return out;
}

describe("BatchPlanStream", () => {
  it("equals planBatches over drawn sizes for many n, seeds, budgets and buckets", () => {
    const qm9 = statsSizeHistogram("train");
    const cases: [number, number, number, readonly number[]][] = [
      [1, 0, 1152, QM9_BUCKETS], [7, 1, 1152, QM9_BUCKETS], [333, 2, 1152, QM9_BUCKETS], [4000, 3, 600, QM9_BUCKETS],
      [2500, 4, 90, [18, 30]], [999, 5, 30, [30]],
    ];
    for (const [n, seed, budget, buckets] of cases) {
      const sizes = sampleSizes(qm9, n, new Rng(seed));
      const expected = planBatches(sizes, { budget, buckets });
      const got = drain(new BatchPlanStream({ kind: "histogram", histogram: qm9, seed, n }, { budget, buckets }));
      assert.deepEqual(got.map((b) => b.indices), expected, `n=${n} seed=${seed}`);
      assert.deepEqual(got.map((b) => b.batchIndex), expected.map((_, i) => i));
      got.forEach((b) => assert.deepEqual(b.sizes, b.indices.map((i) => sizes[i])));
    }
    const given = [9, 4, 6, 6, 9, 4, 4, 6];
    const fromSizes = drain(new BatchPlanStream({ kind: "sizes", sizes: given }, { budget: 18, buckets: [6, 9] }));
    assert.deepEqual(fromSizes.map((b) => b.indices), planBatches(given, { budget: 18, buckets: [6, 9] }));
  });

  it("continues from any cursor with the rest of the same plan (also through JSON)", () => {
    const source: SizeSource = { kind: "histogram", histogram: histogramFromJson({ 4: 1, 6: 2, 9: 1, 11: 1 }), seed: 9, n: 300 };
    const options = { budget: 24, buckets: [6, 9, 12] };
    const all = drain(new BatchPlanStream(source, options));
    assert.ok(all.length > 20);
    for (let k = 0; k < all.length; k++) {
      const cursor = JSON.parse(JSON.stringify(all[k].next));
      const rest = drain(new BatchPlanStream(source, options, cursor));
      assert.deepEqual(rest.map((b) => [b.batchIndex, b.indices]), all.slice(k + 1).map((b) => [b.batchIndex, b.indices]), `after batch ${k}`);
    }
  });

  it("a 1e9-molecule plan yields batches at once without growing memory", () => {
    const stream = new BatchPlanStream({ kind: "histogram", histogram: statsSizeHistogram("train"), seed: 0, n: 1e9 }, { budget: 1152, buckets: QM9_BUCKETS });
    const t0 = performance.now();
    const heap0 = process.memoryUsage().heapUsed;
    for (let k = 0; k < 200; k++) assert.equal(stream.next()!.batchIndex, k);
    assert.ok(performance.now() - t0 < 5000, "200 batches of a 1e9 plan should take well under 5 s");
    assert.ok(process.memoryUsage().heapUsed - heap0 < 50e6, "the stream must not hold the plan");
  });

  it("rejects bad sources, options and cursors before the first batch", () => {
    const h = histogramFromJson({ 4: 1, 40: 1 });
    assert.throws(() => new BatchPlanStream({ kind: "histogram", histogram: h, seed: 0, n: 5 }, { budget: 100, buckets: [30] }), /40 atoms is larger than the largest bucket 30/);
    assert.throws(() => new BatchPlanStream({ kind: "sizes", sizes: [25] }, { budget: 20, buckets: [12, 30] }), /invalid budget: 20; it must be at least the largest used bucket \(30 atoms\)/);
    assert.throws(() => new BatchPlanStream({ kind: "sizes", sizes: [3, 0] }, { budget: 20, buckets: [12] }), /invalid size at index 1: 0/);
    const ok: SizeSource = { kind: "histogram", histogram: histogramFromJson({ 4: 1 }), seed: 0, n: 5 };
    assert.throws(() => new BatchPlanStream(ok, { budget: 20, buckets: [12] }, { batch: 0, bucket: 0, position: 9, rng: [1, 2, 3, 4] }), /invalid plan cursor/);
    assert.throws(() => new BatchPlanStream(ok, { budget: 20, buckets: [12] }, { batch: 0, bucket: 0, position: 1, rng: null }), /invalid plan cursor/);
  });
});
