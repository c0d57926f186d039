/** notebooks/02_trajectories_pca.ipynb runs headless, small: recording, Figure 1, a layer's PCA, the similarity heatmap. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runNotebook } from "./notebook_case";

describe("02_trajectories_pca notebook", () => {
  it("records a run and saves Figure 1, the hidden-feature PCA, the heatmap and the molecule", (t) => {
    const run = runNotebook("02_trajectories_pca", { MOLCACHE_NB_N: "2", MOLCACHE_NB_STEPS: "6" }, (m) => t.diagnostic(m));
    assert.match(run.text, /recorded \d+ series of 2 molecules over 6 steps/);
    assert.match(run.text, /explained variance, first two components: coordinates [\d.]+% \+ [\d.]+%/);
    assert.equal(run.figures.length, 4);
    assert.equal(run.htmlFigures, 4);
    const types = run.figures.map((f) => [...new Set(f.data.map((d) => d.type))].join(","));
    assert.deepEqual(types, ["scatter", "scatter", "heatmap", "scatter3d"]);
    // Figure 1: two panels, one point per step on each path.
    const paths = run.figures[0].data.filter((d) => Array.isArray(d.x) && (d.x as unknown[]).length === 6);
    assert.ok(paths.length >= 2, "a 6-step path in each panel");
  });
});
