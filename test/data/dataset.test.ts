/** loadQm9Split: packed storage equals per-molecule featurisation, views rebuild from buffers, progress, limits. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { featurize } from "../../kernel-lib/data/featurize";
import { loadQm9Split, unpackSplit } from "../../kernel-lib/data/dataset";
import { QM9_SPLIT_COUNTS, readQm9Records, toMolecule } from "../../kernel-lib/data/qm9_reader";
import { collate, planBatches } from "../../kernel-lib/data/batching";

describe("loadQm9Split", () => {
  it("holds the same features as featurize() on each record", async () => {
    const split = await loadQm9Split("train", { limit: 2000 });
    const recs = await readQm9Records({ split: "train", limit: 2000 });
    assert.equal(split.molecules.length, 2000);
    assert.deepEqual([...split.ids], recs.map((r) => r.id));
    assert.equal(split.ids[0], 1, "methane first");
    recs.forEach((rec, m) => {
      const want = featurize(toMolecule(rec));
      const got = split.molecules[m];
      assert.equal(got.n, want.n);
      assert.equal(split.sizes[m], want.n);
      assert.deepEqual(got.coords, want.coords, `coords of id ${rec.id}`);
      assert.deepEqual(got.atomTypes, want.atomTypes);
      assert.deepEqual(got.charges, want.charges);
      assert.deepEqual(got.bonds, want.bonds, `bonds of id ${rec.id}`);
    });
    // The planner and collate consume it directly.
    const plan = planBatches(split.sizes, { budget: 1152 });
    const batch = collate(plan[0].map((i) => split.molecules[i]));
    assert.ok(batch.B * batch.N <= 1152);
  });

  it("rebuilds views from the packed buffers (shared memory for workers)", async () => {
    const split = await loadQm9Split("val", { limit: 300, sharedMemory: true, scheme: "edm" });
    assert.ok(split.packed.bonds.buffer instanceof SharedArrayBuffer);
    assert.ok(split.packed.coords.buffer instanceof SharedArrayBuffer);
    const again = unpackSplit(split.packed);
    assert.deepEqual(again, split.molecules);
    assert.equal(split.scheme, "edm");
    assert.equal(split.packed.bondOffsets[300], split.packed.bonds.length);
    assert.throws(() => unpackSplit({ ...split.packed, atomOffsets: new Int32Array(3) }), /packed split is inconsistent/);
  });

  it("loads a whole split with progress reports", async () => {
    const calls: [number, number | undefined][] = [];
    const split = await loadQm9Split("test", { onProgress: (d, e) => calls.push([d, e]), progressEvery: 5000 });
    const total = QM9_SPLIT_COUNTS.midi.test;
    assert.equal(split.molecules.length, total);
    assert.deepEqual(calls, [[5000, total], [10000, total], [total, total]]);
    const none = await loadQm9Split("test", { limit: 0, onProgress: (d, e) => calls.push([d, e]) });
    assert.equal(none.molecules.length, 0);
    assert.deepEqual(calls[calls.length - 1], [0, 0]);
  });

  it("rejects bad options", async () => {
    await assert.rejects(loadQm9Split("all" as "train"), /invalid split: all/);
    await assert.rejects(loadQm9Split("train", { limit: 1.5 }), /invalid limit: 1.5/);
    await assert.rejects(loadQm9Split("train", { batch: 3 } as never), /unknown loadQm9Split option: batch/);
  });
});
