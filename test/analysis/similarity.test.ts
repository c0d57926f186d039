/**
 * Cosine similarity of block outputs between consecutive steps, hand-worked: identical outputs give 1, a sign flip
 * −1, a known angle its cosine; missing steps are NaN; the heatmap input builds a figure.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { blockSimilarity, cosineSimilarity } from "../../kernel-lib/analysis/similarity";
import { similarityHeatmapFigure } from "../../kernel-lib/viz/similarity_heatmap";
import { handRecording } from "./hand_recording";
import { toSimilarityHeatmapInput } from "../../kernel-lib/viz/analysis_inputs";

describe("cosineSimilarity", () => {
  it("is 1 for identical vectors, −1 for opposite, 0 for orthogonal, cos θ in between", () => {
    assert.equal(cosineSimilarity([0.3, -2, 5], [0.3, -2, 5]), 1);
    assert.equal(cosineSimilarity([1, 2], [-1, -2]), -1);
    assert.equal(cosineSimilarity([1, 0], [0, 3]), 0);
    assert.ok(Math.abs(cosineSimilarity([1, 0], [1, 1]) - Math.SQRT1_2) < 1e-12);
    assert.equal(cosineSimilarity([0, 0], [0, 0]), 1);
    assert.equal(cosineSimilarity([0, 0], [1, 0]), 0);
    assert.throws(() => cosineSimilarity([1], [1, 2]), /equal lengths/);
  });
});

describe("blockSimilarity", () => {
  const t = [0, 0.1, 0.3, 0.6];
  const rec = handRecording([2, 3], t, [
    // Identical output at every step: similarity 1.
    { block: "layers.0", field: "nodeFeats", width: 2, value: (m, _k, i) => m + i + 1 },
    // Rotating by 45° per step in the (x, y) plane of every atom: cos 45°.
    { block: "layers.1", field: "nodeFeats", width: 2, value: (_m, k, i) => (i % 2 === 0 ? Math.cos((k * Math.PI) / 4) : Math.sin((k * Math.PI) / 4)) },
    // Sign flips every step: −1; recorded only at steps 0, 1, 3 (step 2 missing → NaN at 2 and 3).
    { block: "heads", field: "outputs.coords", width: 3, value: (_m, k, i) => (k % 2 ? -1 : 1) * (i + 1), steps: [0, 1, 3] },
    { block: "sampler", field: "state.coords", width: 3, value: (_m, k, i) => k + i },
  ]);

  it("gives blocks × steps: 1 for identical outputs, cos 45° for a rotation, −1 for a flip, NaN where a step is missing", () => {
    const sim = blockSimilarity(rec);
    assert.deepEqual(sim.blocks, ["layers.0", "layers.1", "heads"], "the sampler is left out by default");
    assert.deepEqual(sim.steps, [1, 2, 3]);
    assert.deepEqual(sim.t, [0.1, 0.3, 0.6]);
    assert.deepEqual(sim.similarity[0], [1, 1, 1]);
    sim.similarity[1].forEach((v) => assert.ok(Math.abs(v - Math.SQRT1_2) < 1e-6, `${v}`));
    assert.equal(sim.similarity[2][0], -1);
    assert.ok(Number.isNaN(sim.similarity[2][1]) && Number.isNaN(sim.similarity[2][2]));
    assert.deepEqual(sim.frame.columns, ["block", "step", "t", "similarity"]);
    assert.deepEqual(sim.frame.shape, [9, 4]);
    const fig = similarityHeatmapFigure(toSimilarityHeatmapInput(sim));
    assert.equal(fig.data[0].type, "heatmap");
  });

  it("chooses blocks by pattern, molecules and fields, and names what is missing", () => {
    const sim = blockSimilarity(rec, { blocks: ["layers.*"], molecules: [1] });
    assert.deepEqual(sim.blocks, ["layers.0", "layers.1"]);
    assert.deepEqual(blockSimilarity(rec, { blocks: ["sampler"] }).blocks, ["sampler"]);
    assert.throws(() => blockSimilarity(rec, { blocks: ["layers.0"], fields: ["coordSets"] }), /block layers.0 has none of the fields/);
    assert.throws(() => blockSimilarity(rec, { blocks: ["embed"] }), /unknown block: embed/);
    assert.throws(() => blockSimilarity(rec, { molecules: [7] }), /molecule 7 is not in the recording/);
  });
});
