/** notebooks/05_acceleration.ipynb runs headless, small: every combination of backend, workers, buckets and cache. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runNotebook } from "./notebook_case";

describe("05_acceleration notebook", () => {
  it("measures tfjs/onnx × 1 thread/2 workers (+ no buckets) × cache and saves Figure 3", (t) => {
    const run = runNotebook("05_acceleration", { MOLCACHE_NB_N: "2", MOLCACHE_NB_STEPS: "4", MOLCACHE_NB_WORKERS: "2" }, (m) => t.diagnostic(m));
    for (const setting of ["tfjs, 1 thread, no buckets", "tfjs, 1 thread", "tfjs, 2 workers", "onnx, 1 thread", "onnx, 2 workers"]) {
      for (const cache of ["none", "taylor:m=2,D=3"]) {
        assert.match(run.text, new RegExp(`${setting}, ${cache.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: [\\d.]+ s`), `${setting}, ${cache}`);
      }
    }
    assert.equal(run.figures.length, 1);
    assert.equal(run.htmlFigures, 1);
    const bars = run.figures[0].data.filter((d) => d.type === "bar");
    assert.equal(bars.length, 4, "time and memory panels × two cache variants");
    assert.equal((bars[0].x as unknown[]).length, 5, "five settings");
  });
});
