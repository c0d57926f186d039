/** notebooks/03_predictability.ipynb runs headless, small: Figure 2b (two quantities), Figure 2a, deviations. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { figureTitles, runNotebook } from "./notebook_case";

describe("03_predictability notebook", () => {
  it("saves the predictability curves, the atom trajectory base vs cached and the deviation", (t) => {
    const run = runNotebook("03_predictability", { MOLCACHE_NB_N: "2", MOLCACHE_NB_STEPS: "8", MOLCACHE_NB_INTERVALS: "2,3" }, (m) => t.diagnostic(m));
    assert.match(run.text, /D = 2: 5 network calls per batch/);
    assert.match(run.text, /D = 3: 4 network calls per batch/);
    assert.match(run.text, /Deviation from the base run/);
    assert.equal(run.figures.length, 4);
    assert.equal(run.htmlFigures, 4);
    const titles = figureTitles(run);
    assert.match(titles[0], /predictability/i);
    assert.match(titles[2], /base vs cached/);
    assert.equal(titles[3], "Cached vs base: predicted-coordinate RMSD over the steps");
    // Two cached runs in Figure 2a (legend entries besides the base run).
    const names = new Set(run.figures[2].data.map((d) => d.name));
    assert.ok(names.has("Taylor m=2, D=2") && names.has("Taylor m=2, D=3"), [...names].join(", "));
  });
});
