/** notebooks/04_speed_quality.ipynb runs headless, small: configurations, Tables 1 and 2, the frontier, the matched-NFE study. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runNotebook } from "./notebook_case";

describe("04_speed_quality notebook", () => {
  it("samples the configurations, shows both tables and saves the frontier", (t) => {
    const run = runNotebook("04_speed_quality", {
      MOLCACHE_NB_N: "2", MOLCACHE_NB_STEPS: "6", MOLCACHE_NB_CACHES: "base,matched,taylor:m=2,D=3", MOLCACHE_NB_NOVELTY: "0",
      MOLCACHE_NB_MATCHED: "matched-nfe@4",
    }, (m) => t.diagnostic(m));
    assert.match(run.text, /3 configurations × 1 seed\(s\) × 2 molecules/);
    assert.match(run.text, /\| Method \| Atom stab\. ↑ \(%\) \|/);
    assert.match(run.text, /\| Method \| Steps \| NFE \| Time \(s\) \| Mol\/s \| Speed-up \| Peak MB \|/);
    assert.match(run.text, /\| Base \(3 steps\) \| 3 \| 3 \|/);
    assert.match(run.text, /Taylor m=2 D=3: per molecule/);
    // The matched-NFE study: Base@4, uniform (D=2 gives 4 calls at K = 6), calibrated, adaptive, Heun@2.
    assert.match(run.text, /\| 4 \| Base \(4 steps\) \| 4\.0 \|/);
    assert.match(run.text, /\| 4 \| AB j=2 uniform nfe=4 \(axis=time\) \| 4\.0 \|/);
    assert.match(run.text, /\| 4 \| AB j=2 uniform nfe=4 \(jumps=computed\) \| 4\.0 \|/);
    assert.match(run.text, /\| 4 \| Taylor m=2 calibrated nfe=4 \| 4\.0 \|/);
    assert.match(run.text, /\| 4 \| Heun \(2 steps\) \| 4\.0 \|/);
    assert.match(run.text, /NFE 4: (no sampler beats|beats) Base \(4 steps\)/);
    assert.equal(run.figures.length, 2);
    assert.equal(run.htmlFigures, 2);
    assert.match(String((run.figures[0].layout.title as { text: string }).text), /Speed vs quality/);
    assert.match(String((run.figures[1].layout.title as { text: string }).text), /Matched NFE/);
  });
});
