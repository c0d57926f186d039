/**
 * CachedBackbone: follows its schedule, forecasts at the output and last-block levels (the latter runs the head and
 * differs from the former), resets, and leaks no tensors.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../kernel-lib/env";
import { SemlaGenerator } from "../../kernel-lib/model/generator";
import { GeneratorInputs } from "../../kernel-lib/model/blocks";
import { CachedBackbone } from "../../kernel-lib/cache/cached_backbone";
import { parseCacheSpec } from "../../kernel-lib/cache/config";
import { timeGrid } from "../../kernel-lib/flow/time_grid";
import { disposeAll, loadFixtureModel, randomInputs, readOutputs } from "../model/semla_fixture";

let model: SemlaGenerator;
before(async () => {
  await initBackend();
  model = loadFixtureModel();
});
after(() => model.dispose());

const STEPS = 8;
const grid = timeGrid(STEPS);

/** Inputs of step k: a state that drifts with k, as in sampling. */
function stepInputs(k: number): GeneratorInputs {
  const base = randomInputs(model.config, [6, 4], 1);
  const drift = randomInputs(model.config, [6, 4], 2);
  const coords = tf.tidy(() => tf.add(base.coords, tf.mul(drift.coords, k / STEPS))) as tf.Tensor3D;
  const t = tf.fill([2], grid.t[k]) as tf.Tensor1D;
  disposeAll(drift);
  base.coords.dispose();
  base.t.dispose();
  return { ...base, coords, t };
}

function runAll(spec: string): { outputs: Record<string, Float32Array>[]; computed: boolean[]; held: number } {
  const backbone = new CachedBackbone(model, parseCacheSpec(spec), grid.t);
  const outputs: Record<string, Float32Array>[] = [];
  const computed: boolean[] = [];
  for (let k = 0; k < STEPS; k++) {
    const inputs = stepInputs(k);
    const call = backbone.call(k, inputs);
    computed.push(call.computed);
    outputs.push(readOutputs(call.outputs as unknown as Record<string, tf.Tensor>));
    disposeAll(inputs);
  }
  const held = backbone.heldCopies();
  backbone.dispose();
  return { outputs, computed, held };
}

const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

describe("CachedBackbone", () => {
  it("computes on the schedule and forecasts elsewhere; computed steps equal the plain forward", () => {
    const base = runAll("none");
    const cached = runAll("taylor:m=2,D=3");
    assert.deepEqual(cached.computed, [true, false, false, true, false, false, true, true]);
    assert.ok(base.computed.every(Boolean));
    for (const k of [0, 3, 6, 7]) assert.deepEqual(cached.outputs[k], base.outputs[k], `step ${k}`);
    for (const k of [1, 2, 4, 5]) assert.ok(maxDiff(cached.outputs[k].coords, base.outputs[k].coords) > 0, `step ${k} was not forecast`);
    // Step 1 has only one full step behind it: a Taylor forecast is then plain reuse of step 0.
    assert.deepEqual(cached.outputs[1], base.outputs[0]);
    assert.equal(cached.held, 3);
  });

  it("output-level forecast steps need no inputs; computed and last-block steps do", () => {
    const out = new CachedBackbone(model, parseCacheSpec("taylor:m=1,D=3"), grid.t);
    const last = new CachedBackbone(model, parseCacheSpec("taylor:m=1,D=3,level=lastBlock"), grid.t);
    const none = new CachedBackbone(model, parseCacheSpec("none"), grid.t);
    assert.deepEqual(out.schedule.map((_, k) => out.needsInputs(k)), out.schedule);
    assert.ok(last.schedule.every((_, k) => last.needsInputs(k)) && none.schedule.every((_, k) => none.needsInputs(k)));
    const before = tf.memory().numTensors;
    const inputs = stepInputs(0);
    disposeAll(out.call(0, inputs).outputs);
    const forecast = out.call(1, undefined);
    assert.equal(forecast.computed, false);
    disposeAll(forecast.outputs);
    assert.throws(() => out.call(3, undefined), /step 3 needs the network inputs/);
    assert.throws(() => last.call(1, undefined), /step 1 needs the network inputs/);
    out.dispose();
    disposeAll(inputs);
    assert.equal(tf.memory().numTensors, before);
  });

  it("the last-block level runs the head on forecast features and differs from the output level", () => {
    const output = runAll("ab:j=2,D=3");
    const last = runAll("ab:j=2,D=3,level=lastBlock");
    assert.deepEqual(last.computed, output.computed);
    for (const k of [0, 3, 6, 7]) assert.deepEqual(last.outputs[k], output.outputs[k], `computed step ${k}`);
    for (const k of [4, 5]) {
      const d = maxDiff(last.outputs[k].bondLogits, output.outputs[k].bondLogits);
      assert.ok(d > 1e-4, `step ${k}: last-block forecast equals the output forecast (${d})`);
      assert.ok(last.outputs[k].coords.every(Number.isFinite));
    }
    // The head output is a real network output: coordinates centred per molecule.
    const c = last.outputs[4].coords;
    let mean = 0;
    for (let i = 0; i < 6; i++) mean += c[i * 3] / 6;
    assert.ok(Math.abs(mean) < 1e-5);
  });

  it("leaks no tensors at either level and releases its cache on reset", () => {
    runAll("reuse:D=2");
    const before = tf.memory().numTensors;
    for (const spec of ["none", "reuse:D=2", "taylor:m=4,D=2", "ab:j=6,D=2,level=lastBlock", "taylor:m=2,D=3,level=lastBlock,axis=time"]) {
      runAll(spec);
      assert.equal(tf.memory().numTensors, before, `${spec} leaked`);
    }
    const backbone = new CachedBackbone(model, parseCacheSpec("taylor:m=1,D=2"), grid.t);
    const inputs = stepInputs(0);
    disposeAll(backbone.call(0, inputs).outputs);
    assert.ok(backbone.heldCopies() > 0);
    backbone.reset();
    assert.equal(backbone.heldCopies(), 0);
    assert.throws(() => backbone.call(1, inputs), /cannot forecast before the first full step/);
    disposeAll(inputs);
    assert.equal(tf.memory().numTensors, before);
  });
});
