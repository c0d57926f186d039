/** ONNX Runtime profiling of the compiled blocks (what `bench forward --backend onnx --profile` reports). */
import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../kernel-lib/env";
import { compileOnnx } from "../../kernel-lib/onnx/onnx_generator";
import { onnxProfileByOperator } from "../../kernel-lib/onnx/ort_session";
import { disposeAll, loadFixtureModel, randomInputs } from "../model/semla_fixture";
import { testTempDir } from "../helpers/temp_dir";

const dir = testTempDir("molcache-ort-prof-");
before(async () => {
  await initBackend();
});

describe("ONNX profile", () => {
  it("writes one profile per block session and sums kernel times by operator", () => {
    const model = loadFixtureModel();
    const onnx = compileOnnx(model, {}, path.join(dir, "p_"));
    const inputs = randomInputs(model.config, [6, 4], 1);
    for (let i = 0; i < 2; i++) tf.dispose(onnx.forward(inputs) as unknown as tf.TensorContainer);
    onnx.dispose();
    disposeAll(inputs);
    model.dispose();
    const files = fs.readdirSync(dir).map((f) => path.join(dir, f));
    assert.equal(files.length, model.blockNames().length);
    const ops = onnxProfileByOperator(files);
    const names = ops.map((o) => o.name);
    assert.ok(names.includes("MatMul") || names.includes("FusedMatMul"), `operators: ${names.join(", ")}`);
    assert.ok(names.includes("Softmax"));
    for (let k = 1; k < ops.length; k++) assert.ok(ops[k - 1].ms >= ops[k].ms, "not sorted by time");
    assert.ok(ops.every((o) => o.calls > 0 && o.ms >= 0));
  });
});
