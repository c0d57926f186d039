/** Model folders: save/load round trip, loadModel errors, random models. */
import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../kernel-lib/env";
import { TINY_CONFIG } from "../../kernel-lib/model/config";
import { createRandomModel, DEFAULT_MODEL_DIR, loadModel, saveModel } from "../../kernel-lib/model/model_io";
import { QM9_COORD_STD } from "../../kernel-lib/data/featurize";
import { disposeAll, randomInputs, readOutputs } from "./semla_fixture";
import { testTempDir } from "../helpers/temp_dir";

const tmp = testTempDir("molcache-model-");
before(async () => {
  await initBackend();
});

describe("model folders", () => {
  it("save then load gives bit-identical weights, the same metadata and the same forward", () => {
    // Parameter variables have global names (p/<name>), so only one model lives at a time here.
    const model = createRandomModel(TINY_CONFIG, { seed: 3, name: "round-trip" });
    model.sizeHistogram = { "5": 2, "9": 1 };
    model.meta = { note: "test" };
    const dir = path.join(tmp, "rt");
    saveModel(model, dir);
    assert.deepEqual(fs.readdirSync(dir).sort(), ["config.json", "weights.bin", "weights.json"]);
    const inputs = randomInputs(TINY_CONFIG, [5, 3], 1);
    const weights = new Map(model.generator.params.names().map((n) => [n, model.generator.params.get(n).dataSync()]));
    const a = readOutputs(model.generator.forward(inputs) as unknown as Record<string, tf.Tensor>);
    model.generator.dispose();
    const loaded = loadModel(dir);
    assert.equal(loaded.name, "round-trip");
    assert.equal(loaded.coordStd, QM9_COORD_STD);
    assert.deepEqual(loaded.sizeHistogram, { "5": 2, "9": 1 });
    assert.deepEqual(loaded.meta, { note: "test" });
    assert.deepEqual(loaded.generator.config, TINY_CONFIG);
    assert.deepEqual(loaded.generator.params.names(), [...weights.keys()]);
    for (const [name, values] of weights) assert.deepEqual(loaded.generator.params.get(name).dataSync(), values, name);
    const b = readOutputs(loaded.generator.forward(inputs) as unknown as Record<string, tf.Tensor>);
    assert.deepEqual(a, b);
    disposeAll(inputs);
    loaded.generator.dispose();
  });

  it("random models are seeded: same seed same weights, other seed other weights", () => {
    const weightsOf = (seed: number) => {
      const m = createRandomModel(TINY_CONFIG, { seed });
      const w = m.generator.params.get("feat_proj.0.weight").dataSync();
      assert.equal(m.generator.parameterCount(), 215075);
      m.generator.dispose();
      return w;
    };
    assert.deepEqual(weightsOf(1), weightsOf(1));
    assert.notDeepEqual(weightsOf(1), weightsOf(2));
  });

  it("loadModel fails clearly on a missing folder, a foreign config file and weights that do not fit", () => {
    assert.throws(() => loadModel(path.join(tmp, "nope")), /no model at .*nope: .*config\.json is missing; pass a folder written by saveModel or `molcache import`/);
    const foreign = path.join(tmp, "foreign");
    fs.mkdirSync(foreign);
    fs.writeFileSync(path.join(foreign, "config.json"), JSON.stringify({ hello: "world" }));
    assert.throws(() => loadModel(foreign), /is not a molcache model file/);
    fs.writeFileSync(path.join(foreign, "config.json"), "{not json");
    assert.throws(() => loadModel(foreign), /cannot parse .*config\.json/);
    // A folder whose config says 4 layers but whose weights have 3.
    const model = createRandomModel(TINY_CONFIG, { seed: 0 });
    const mismatch = path.join(tmp, "mismatch");
    saveModel(model, mismatch);
    model.generator.dispose();
    const cfgPath = path.join(mismatch, "config.json");
    const file = JSON.parse(fs.readFileSync(cfgPath, "utf8"));
    file.config.nLayers = 4;
    fs.writeFileSync(cfgPath, JSON.stringify(file));
    const before = tf.memory().numTensors;
    assert.throws(() => loadModel(mismatch), /weights do not fit the config .*missing dynamics\.layers\.3/);
    assert.equal(tf.memory().numTensors, before, "a failed load must not leave variables behind");
  });

  it("the default model folder is data/models/default", () => {
    assert.ok(DEFAULT_MODEL_DIR.endsWith(path.join("data", "models", "default")));
  });
});
