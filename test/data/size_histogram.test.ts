/** Size histograms: from qm9_stats.json and from records, JSON round trip, seeded sampling, empty histograms. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../kernel-lib/util/rng";
import { QM9_SPLIT_COUNTS } from "../../kernel-lib/data/qm9_reader";
import {
  computeSizeHistogram, histogramFromJson, histogramFromSizes, histogramToJson, sampleSizes, statsSizeHistogram,
} from "../../kernel-lib/data/size_histogram";

describe("size histograms", () => {
  it("reads the MiDi split histograms from qm9_stats.json", () => {
    for (const split of ["train", "val", "test"] as const) {
      assert.equal(statsSizeHistogram(split).total, QM9_SPLIT_COUNTS.midi[split]);
    }
    const all = statsSizeHistogram("all");
    assert.equal(all.total, 128742);
    assert.equal(all.counts[29], 35);
    assert.equal(all.counts[28], 0, "no QM9 molecule has 28 atoms");
  });

  it("computes an EDM split histogram from the records", async () => {
    const hist = await computeSizeHistogram({ scheme: "edm", split: "test" });
    assert.equal(hist.total, QM9_SPLIT_COUNTS.edm.test);
    assert.ok(hist.counts.length <= 30 && hist.counts[0] === 0);
  });

  it("round-trips through JSON and counts sizes", () => {
    const h = histogramFromSizes([5, 3, 5]);
    assert.deepEqual(h.counts, [0, 0, 0, 1, 0, 2]);
    assert.deepEqual(histogramToJson(h), { "3": 1, "5": 2 });
    assert.deepEqual(histogramFromJson(histogramToJson(h)), h);
    assert.throws(() => histogramFromJson({ "2.5": 1 }), /size histogram key "2.5"/);
    assert.throws(() => histogramFromJson({ "4": -1 }), /count for 4 atoms: -1/);
  });

  it("samples sizes following the histogram, reproducibly for a seed", () => {
    const hist = statsSizeHistogram("train");
    const draws = sampleSizes(hist, 50000, new Rng(3));
    assert.deepEqual(draws.slice(0, 100), sampleSizes(hist, 100, new Rng(3)));
    assert.notDeepEqual(draws.slice(0, 100), sampleSizes(hist, 100, new Rng(4)));
    const got = histogramFromSizes(draws);
    let tv = 0;
    for (let n = 0; n < hist.counts.length; n++) {
      const p = hist.counts[n] / hist.total;
      const q = (got.counts[n] ?? 0) / draws.length;
      if (p === 0) assert.equal(q, 0, `size ${n} has no molecules but was drawn`);
      tv += Math.abs(p - q) / 2;
    }
    // Total variation for 50,000 draws over ~26 sizes is about 0.01; a broken sampler is far off.
    assert.ok(tv < 0.02, `total variation ${tv}`);
    assert.equal(sampleSizes(histogramFromJson({ "7": 4 }), 5, new Rng(0)).join(), "7,7,7,7,7");
  });

  it("rejects an empty histogram and bad counts", () => {
    assert.throws(() => sampleSizes(histogramFromSizes([]), 3, new Rng(0)), /empty histogram/);
    assert.throws(() => sampleSizes(histogramFromJson({ "4": 0 }), 3, new Rng(0)), /empty histogram/);
    assert.throws(() => sampleSizes(statsSizeHistogram(), -1, new Rng(0)), /invalid count: -1/);
    assert.throws(() => statsSizeHistogram("dev" as "train"), /no size histogram for MiDi split "dev"/);
  });
});
