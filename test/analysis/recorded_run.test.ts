/**
 * The analyses on real recordings of the tiny fixture model: a cached run deviates from the base run (same seed)
 * by exactly 0 at step 0 and by more than 0 after its first forecast step; block similarities are finite cosines;
 * the predictability error and PCA run on recorded trajectories and feed the figure builders.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { initBackend } from "../../kernel-lib/env";
import { LoadedModel } from "../../kernel-lib/model/model_io";
import { SampleOptions } from "../../kernel-lib/flow/sample";
import { sampleAndRecord } from "../../kernel-lib/hooks/record_sample";
import { Recording } from "../../kernel-lib/hooks/recording";
import { cachedRunDeviation } from "../../kernel-lib/analysis/deviation";
import { blockSimilarity } from "../../kernel-lib/analysis/similarity";
import { recordingPredictability } from "../../kernel-lib/analysis/predictability";
import { moleculePca } from "../../kernel-lib/analysis/pca";
import { similarityHeatmapFigure } from "../../kernel-lib/viz/similarity_heatmap";
import { predictabilityFigure } from "../../kernel-lib/viz/predictability";
import { pcaTrajectoryFigure } from "../../kernel-lib/viz/pca_trajectory";
import { loadFixtureLoadedModel } from "../model/semla_fixture";
import { toPcaTrajectoryInput, toPredictabilitySeries, toSimilarityHeatmapInput } from "../../kernel-lib/viz/analysis_inputs";

let model: LoadedModel;
let base: Recording;
let cached: Recording;
const RUN: Partial<SampleOptions> = { n: 4, steps: 8, seed: 2, sizeHistogram: { "5": 1, "7": 1 }, buckets: [7], batchCost: 28 };
const REC = { blocks: ["layers.*", "sampler"], keep: ["nodeFeats", "coordSets", "state", "prediction"] } as const;

before(async () => {
  await initBackend();
  model = loadFixtureLoadedModel();
  base = (await sampleAndRecord(model, RUN, { ...REC, keep: [...REC.keep], blocks: [...REC.blocks] })).recording;
  cached = (await sampleAndRecord(model, { ...RUN, cache: "taylor:m=1,D=3" }, { ...REC, keep: [...REC.keep], blocks: [...REC.blocks] })).recording;
});
after(() => model.generator.dispose());

describe("analyses on recorded runs", () => {
  it("cached vs base: 0 at step 0, > 0 after the first forecast step, in Å", () => {
    const dev = cachedRunDeviation(base, cached);
    assert.equal(dev.coordScale, model.coordStd);
    assert.deepEqual(dev.steps, [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(dev.computed, [true, false, false, true, false, false, true, true]);
    assert.equal(dev.rmsd[0].mean, 0);
    assert.equal(dev.typeChanged[0].mean, 0);
    assert.equal(dev.bondChanged[0].mean, 0);
    assert.ok(dev.rmsd[1].mean > 1e-4, `step 1 RMSD ${dev.rmsd[1].mean}`);
    assert.ok(dev.rmsd.every((s) => s.count === 4 && Number.isFinite(s.mean)));
    const self = cachedRunDeviation(base, base);
    assert.ok(self.rmsd.every((s) => s.mean === 0));
  });

  it("block similarity: layers × steps of finite cosines; NaN where the cached run skipped a block", () => {
    const sim = blockSimilarity(base);
    assert.deepEqual(sim.blocks, ["layers.0", "layers.1", "layers.2"]);
    assert.deepEqual(sim.steps, [1, 2, 3, 4, 5, 6, 7]);
    for (const row of sim.similarity) for (const v of row) assert.ok(v >= -1 && v <= 1, `${v}`);
    assert.equal(similarityHeatmapFigure(toSimilarityHeatmapInput(sim)).data[0].type, "heatmap");
    const c = blockSimilarity(cached);
    // Computed at 0, 3, 6, 7: only 7 has its previous step computed.
    assert.deepEqual(c.similarity[0].map((v) => Number.isFinite(v)), [false, false, false, false, false, false, true]);
  });

  it("predictability and PCA on recorded trajectories feed the figures", () => {
    const step = recordingPredictability(base);
    const time = recordingPredictability(base, { axis: "time", block: "layers.2", field: "nodeFeats" });
    assert.deepEqual(step.steps, [2, 3, 4, 5, 6, 7]);
    assert.ok(step.mean.every((v) => Number.isFinite(v) && v > 0) && time.mean.every((v) => Number.isFinite(v) && v > 0));
    assert.ok(predictabilityFigure({ series: [toPredictabilitySeries(step), toPredictabilitySeries(time)], quantity: "trajectory" }).data.length >= 2);
    const { coordinates, atomTypes } = moleculePca(base, 1);
    assert.equal(coordinates.points.length, 8);
    const total = coordinates.explainedVariance.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(total - 1) < 1e-9);
    assert.ok(pcaTrajectoryFigure(toPcaTrajectoryInput([coordinates, atomTypes])).data.length >= 2);
  });
});
