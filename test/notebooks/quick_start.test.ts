/** notebooks/01_quick_start.ipynb runs headless, small: sampling with and without the cache, a molecule, the comparison. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { figureTitles, runNotebook } from "./notebook_case";

describe("01_quick_start notebook", () => {
  it("samples, shows molecules, switches caching on and compares, with every figure saved", (t) => {
    const run = runNotebook("01_quick_start", { MOLCACHE_NB_N: "3", MOLCACHE_NB_STEPS: "6" }, (m) => t.diagnostic(m));
    assert.match(run.text, /N = 3 molecules, K = 6 steps/);
    assert.match(run.text, /3 molecules in .* s \(.* molecules\/s\), 6 network calls per batch/);
    assert.match(run.text, /3 network calls per batch: .*× the base throughput/);
    assert.match(run.text, /\| Base \(6 steps\) \|[\s\S]*\| Taylor m=2 D=3 \|/);
    assert.equal(run.figures.length, 3);
    assert.equal(run.htmlFigures, 3, "each figure has its HTML fallback");
    assert.equal(run.figures[0].data[0].type, "scatter3d");
    assert.match(figureTitles(run)[1], /sampled with the cache/);
    assert.equal(figureTitles(run)[2], "Caching: throughput and validity");
  });
});
