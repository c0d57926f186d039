/** notebooks/04_speed_quality.ipynb runs headless, small: configurations, Tables 1 and 2, the frontier. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runNotebook } from "./notebook_case";

describe("04_speed_quality notebook", () => {
  it("samples the configurations, shows both tables and saves the frontier", (t) => {
    const run = runNotebook("04_speed_quality", {
      MOLCACHE_NB_N: "2", MOLCACHE_NB_STEPS: "6", MOLCACHE_NB_CACHES: "base,matched,taylor:m=2,D=3", MOLCACHE_NB_NOVELTY: "0",
    }, (m) => t.diagnostic(m));
    assert.match(run.text, /3 configurations × 1 seed\(s\) × 2 molecules/);
    assert.match(run.text, /\| Method \| Atom stab\. ↑ \(%\) \|/);
    assert.match(run.text, /\| Method \| Steps \| NFE \| Time \(s\) \| Mol\/s \| Speed-up \| Peak MB \|/);
    assert.match(run.text, /\| Base \(3 steps\) \| 3 \| 3 \|/);
    assert.match(run.text, /Taylor m=2 D=3: per molecule/);
    assert.equal(run.figures.length, 1);
    assert.equal(run.htmlFigures, 1);
    assert.match(String((run.figures[0].layout.title as { text: string }).text), /Speed vs quality/);
  });
});
