/** LoadedModel.dispose(): every tensor a loaded or random model holds is released (idempotent), and nothing else. */
import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../kernel-lib/env";
import { sample } from "../../kernel-lib/flow/sample";
import { TINY_CONFIG } from "../../kernel-lib/model/config";
import { createRandomModel, DEFAULT_MODEL_DIR, loadedModel, loadModel } from "../../kernel-lib/model/model_io";

before(async () => {
  await initBackend();
});

describe("LoadedModel.dispose", () => {
  it("a random model: its parameters are all the tensors it holds, and dispose releases them (twice is fine)", async () => {
    const before = tf.memory().numTensors;
    const model = createRandomModel(TINY_CONFIG, { seed: 1 });
    assert.equal(tf.memory().numTensors - before, model.generator.params.names().length);
    await sample(model, { n: 2, steps: 3, seed: 0 });
    model.dispose();
    assert.equal(tf.memory().numTensors, before);
    model.dispose();
    assert.equal(tf.memory().numTensors, before);
  });

  it("a model folder (the default model when present, else a saved random one)", (t) => {
    const dir = fs.existsSync(path.join(DEFAULT_MODEL_DIR, "config.json")) ? DEFAULT_MODEL_DIR : undefined;
    if (!dir) t.diagnostic(`${DEFAULT_MODEL_DIR} is missing: loading a random tiny model instead`);
    const before = tf.memory().numTensors;
    const model = dir ? loadModel(dir) : createRandomModel(TINY_CONFIG);
    assert.ok(tf.memory().numTensors > before);
    model.dispose();
    assert.equal(tf.memory().numTensors, before);
  });

  it("loadedModel(parts) disposes exactly the generator it was given", () => {
    const other = createRandomModel(TINY_CONFIG, { seed: 2 });
    const before = tf.memory().numTensors;
    const source = createRandomModel(TINY_CONFIG, { seed: 3 });
    const wrapped = loadedModel({ generator: source.generator, coordStd: 1.7, name: "wrapped", meta: {} });
    wrapped.dispose();
    assert.equal(tf.memory().numTensors, before);
    assert.ok(other.generator.params.names().every((n) => !other.generator.params.get(n).isDisposed), "another model is untouched");
    other.dispose();
  });
});
