/** The report's trajectory study: recordings of base and cached runs, Figures 1/2a/2b and the heatmap, options. */
import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../kernel-lib/env";
import { createRandomModel } from "../../kernel-lib/model/model_io";
import { TINY_CONFIG } from "../../kernel-lib/model/config";
import { attachedObservers } from "../../kernel-lib/model/observers";
import { parseCacheSpec } from "../../kernel-lib/cache/config";
import { resolveTrajectoryStudyOptions, studyCaches, trajectoryStudy } from "../../kernel-lib/report/trajectories";

before(async () => {
  await initBackend();
});

describe("trajectoryStudy", () => {
  it("records base and cached runs from the same priors and builds the four figures, leaking no tensors", async () => {
    const model = createRandomModel(TINY_CONFIG, { seed: 1 });
    const before = tf.memory().numTensors;
    const study = await trajectoryStudy(model, { n: 2, steps: 7, caches: ["taylor:m=2,D=3", "ab:j=2,D=2"] });
    assert.equal(tf.memory().numTensors, before);
    assert.deepEqual(study.figures.map((f) => f.name), ["pca_trajectory", "atom_trajectory", "predictability", "similarity_heatmap"]);
    assert.equal(study.cached.length, 2);
    const [taylor] = study.cached;
    // Same prior: step 0 computes in both runs and agrees exactly; later forecast steps drift.
    assert.equal(taylor.deviation.rmsd[0].mean, 0);
    assert.deepEqual(taylor.deviation.computed, [true, false, false, true, false, false, true]);
    assert.ok(taylor.deviation.rmsd.some((s) => s.mean > 0));
    // Figure 1: a 7-step path per panel; Figure 2a: base + 2 cached runs; 2b: step and time axes.
    assert.equal(study.pca.coordinates.points.length, 7);
    const atomFig = study.figures[1].figure;
    const names = new Set(atomFig.data.map((d) => d.name));
    assert.ok(names.has("Base (K = 7)") && names.has("Taylor m=2 D=3") && names.has("AB j=2 D=2"), [...names].join(", "));
    assert.deepEqual(study.predictability.step.steps, [2, 3, 4, 5, 6]);
    assert.equal(study.similarity!.blocks.length, TINY_CONFIG.nLayers);
    model.generator.dispose();
  });

  it("records on the ONNX backend too (the hooks run on the compiled network), leaking no tensors", async () => {
    const model = createRandomModel(TINY_CONFIG, { seed: 1 });
    const before = tf.memory().numTensors;
    const study = await trajectoryStudy(model, { n: 2, steps: 7, caches: ["taylor:m=2,D=3"], backend: "onnx" });
    assert.equal(tf.memory().numTensors, before);
    assert.deepEqual(study.figures.map((f) => f.name), ["pca_trajectory", "atom_trajectory", "predictability", "similarity_heatmap"]);
    assert.equal(study.base.recording.trajectory("sampler", "prediction.coords", 0).rows.length, 7);
    assert.equal(study.similarity!.blocks.length, TINY_CONFIG.nLayers);
    assert.equal(study.cached[0].deviation.rmsd[0].mean, 0);
    assert.deepEqual(study.cached[0].deviation.computed, [true, false, false, true, false, false, true]);
    assert.equal(attachedObservers(model.generator), undefined, "the recorder is removed");
    model.generator.dispose();
  });

  it("rejects bad options naming the field", () => {
    assert.throws(() => resolveTrajectoryStudyOptions({ n: 0 }), /invalid n: 0; must be an integer >= 1/);
    assert.throws(() => resolveTrajectoryStudyOptions({ n: 2, molecule: 2 }), /invalid molecule: 2; must be below n = 2/);
    assert.throws(() => resolveTrajectoryStudyOptions({ caches: ["none"] }), /"none" is the base run/);
    assert.throws(() => resolveTrajectoryStudyOptions({ caches: ["taylor:m=7,D=2"] }), /invalid order: 7/);
    assert.throws(() => resolveTrajectoryStudyOptions({ backend: "gpu" as never }), /invalid backend: gpu; use one of tfjs, onnx/);
    assert.throws(() => resolveTrajectoryStudyOptions({ bogus: 1 } as never), /unknown trajectory study option: bogus/);
  });

  it("studyCaches picks the forecaster with the most intervals, else Taylor m=2 at D = 2, 3, 4", () => {
    const specs = (xs: string[]) => xs.map((x) => parseCacheSpec(x));
    const pick = studyCaches(specs(["taylor:m=1,D=3", "taylor:m=2,D=2", "ab:j=2,D=3", "taylor:m=2,D=4", "taylor:m=2,D=4,start=5"]));
    assert.deepEqual(pick.map((c) => c.kind === "taylor" && `${c.order}/${c.interval}`), ["2/2", "2/4"]);
    assert.deepEqual(studyCaches(specs(["none"])).map((c) => c.kind !== "none" && c.interval), [2, 3, 4]);
  });
});
