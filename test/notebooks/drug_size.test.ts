/** notebooks/07_drug_size.ipynb runs headless: drug-size molecules from a small random GEOM-Drugs-config model. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runNotebook } from "./notebook_case";

describe("07_drug_size notebook", () => {
  it("samples GEOM-size molecules (base and cached), shows the largest and scores them", (t) => {
    // Two layers keep it fast; sizes, buckets and the ONNX path are those of the full model.
    const run = runNotebook("07_drug_size", {
      MOLCACHE_NB_N: "3", MOLCACHE_NB_STEPS: "4", MOLCACHE_NB_LAYERS: "2", MOLCACHE_NB_BACKEND: "onnx",
      MOLCACHE_NB_MODEL: "unused", // this notebook builds its own model (no MOLCACHE_NB_CHECKPOINT: random weights)
    }, (m) => t.diagnostic(m));
    const m = /drawn sizes: ([\d, ]+) \(mean ([\d.]+) atoms\)/.exec(run.text);
    assert.ok(m, "no drawn sizes printed");
    const sizes = m[1].split(",").map(Number);
    assert.equal(sizes.length, 3);
    assert.ok(sizes.every((s) => s >= 16 && s <= 118), `sizes ${sizes} are outside the GEOM-Drugs histogram`);
    assert.match(run.text, /2 layers/);
    assert.match(run.text, /cached vs base: [\d.]+x faster/);
    assert.match(run.text, /largest molecule: \d+ atoms/);
    assert.match(run.text, /Quality/);
    assert.equal(run.figures.length, 1);
    assert.equal(run.figures[0].data[0].type, "scatter3d");
  });
});
