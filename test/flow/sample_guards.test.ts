/**
 * sample() refuses what would give raw TypeErrors or silent garbage (issue 18): a missing model, `cache: null`, an
 * absurd step count, and a model whose outputs are NaN (it would write `nan nan nan *` atoms).
 */
import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../kernel-lib/env";
import { sample, SampleOptions } from "../../kernel-lib/flow/sample";
import { createRandomModel, LoadedModel } from "../../kernel-lib/model/model_io";
import { CONFIG_PRESETS } from "../../kernel-lib/model/config";

const BASE: Partial<SampleOptions> = { n: 2, steps: 3, seed: 0, sizeHistogram: { "5": 1 }, buckets: [5], batchCost: 10 };

before(async () => {
  await initBackend();
});

describe("sample guards", () => {
  it("names a missing model and a null cache instead of throwing raw TypeErrors", async () => {
    await assert.rejects(() => sample(undefined as unknown as LoadedModel, BASE),
      /^TypeError: sample needs a model as its first argument, got undefined; load one with loadModel\(dir\) or createRandomModel\(config\)$/);
    const model = createRandomModel(CONFIG_PRESETS.tiny, { seed: 0 });
    try {
      await assert.rejects(() => sample(model, { ...BASE, cache: null as unknown as string }),
        /^TypeError: invalid cache: null; pass a spec such as "taylor:m=2,D=3", a config such as \{ kind: "taylor", order: 2, interval: 3 \}, or leave it out for no cache$/);
      await assert.rejects(() => sample(model, { ...BASE, steps: 1e9 }), /invalid steps: 1000000000; at most 10000 solver steps \(the reference samples with 100\)/);
      const ok = await sample(model, { ...BASE, cache: undefined });
      assert.equal(ok.molecules.length, 2, "cache: undefined means the default (none)");
    } finally {
      model.generator.dispose();
    }
  });

  it("fails with one message when the model's outputs are NaN, making no molecules and leaking no tensors", async () => {
    const model = createRandomModel(CONFIG_PRESETS.tiny, { seed: 0 });
    try {
      const flat = model.generator.params.flatten();
      flat.fill(NaN, 0, 1000);
      model.generator.params.assignFlat(flat);
      const before = tf.memory().numTensors;
      let batches = 0;
      await assert.rejects(() => sample(model, { ...BASE, onBatch: () => batches++ }),
        /the model produced non-finite coordinates or atom types \(NaN or infinity\) for \d+ atoms; its weights hold NaN\/Inf values or the sampling diverged/);
      assert.equal(batches, 0, "no batch was handed on");
      assert.equal(tf.memory().numTensors, before);
    } finally {
      model.generator.dispose();
    }
  });
});
