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
import * as fs from "node:fs";
import * as path from "node:path";
import { testTempDir } from "../helpers/temp_dir";

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

/** An interval cost table from a per-step error density: skipped step s of interval (c, n) costs (s − c)·e[s]. */
const densityCosts = (e: readonly (number | null)[]) => e.map((_, c) => Array.from({ length: e.length - 1 - c }, (_, i) => {
  let total = 0;
  for (let s = c + 1; s < c + 1 + i; s++) total += (s - c) * (e[s] ?? e[2] ?? 0);
  return total;
}));
/** An 8-step profile: error largest early, a flat gate signal. */
const tmp = testTempDir("molcache-bb-");
function writeProfile(name: string, steps: number): string {
  const file = path.join(tmp, name);
  const series = (f: (k: number) => number | null) => Array.from({ length: steps }, (_, k) => f(k));
  fs.writeFileSync(file, JSON.stringify({
    format: "molcache-cache-profile/1", model: "fixture", steps, grid: "log", molecules: 2, seed: 0, quantity: "test",
    error: { step: series((k) => (k < 2 ? null : 8 / k)), time: series((k) => (k < 2 ? null : 8 / k)) }, gate: series((k) => (k ? 0.3 : null)),
    forecastCost: { "taylor:m=2": densityCosts(series((k) => (k < 2 ? null : 8 / k))) },
  }));
  return file;
}
const PROFILE = writeProfile("profile.json", STEPS);

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

  it("calibrated: computes the profile's planned steps; adaptive: the gate's, and its computed steps equal the plain forward", () => {
    const base = runAll("none");
    const calibrated = runAll(`taylor:m=2,schedule=calibrated,nfe=4,profile=${PROFILE}`);
    assert.equal(calibrated.computed.filter(Boolean).length, 4);
    assert.ok(calibrated.computed[0] && calibrated.computed[STEPS - 1]);
    assert.ok(calibrated.computed[1] || calibrated.computed[2], "a call early, where the profile's error is");
    const adaptive = runAll("taylor:m=2,schedule=adaptive,threshold=0.05");
    const calls = adaptive.computed.filter(Boolean).length;
    assert.ok(calls > 2 && calls < STEPS, `${calls} calls`);
    assert.ok(adaptive.computed[0] && adaptive.computed[STEPS - 1]);
    // The gate runs the first blocks and then the rest: the same numbers as one forward pass.
    adaptive.computed.forEach((c, k) => c && assert.deepEqual(adaptive.outputs[k], base.outputs[k], `step ${k}`));
    const tuned = new CachedBackbone(model, parseCacheSpec(`ab:j=2,schedule=adaptive,nfe=4,profile=${PROFILE}`), grid.t);
    assert.ok(tuned.adaptive && tuned.threshold! > 0.3, `threshold ${tuned.threshold}`);
    assert.deepEqual(tuned.schedule, [true, false, false, false, false, false, false, true]);
    assert.ok(tuned.needsInputs(3), "the gate needs every step's inputs");
  });

  it("keeps one cache per call index (Heun's two calls per step)", () => {
    const before = tf.memory().numTensors;
    const backbone = new CachedBackbone(model, parseCacheSpec("taylor:m=1,D=2"), grid.t);
    const inputs = stepInputs(0);
    disposeAll(backbone.call(0, inputs, 0).outputs);
    assert.equal(backbone.heldCopies(), 1);
    disposeAll(backbone.call(0, inputs, 1, grid.t[1]).outputs);
    assert.equal(backbone.heldCopies(), 2);
    const a = backbone.call(1, undefined, 0);
    const b = backbone.call(1, undefined, 1);
    assert.ok(!a.computed && !b.computed);
    disposeAll(a.outputs);
    disposeAll(b.outputs);
    assert.throws(() => backbone.call(1, undefined, -1), /invalid call index: -1/);
    backbone.dispose();
    disposeAll(inputs);
    assert.equal(tf.memory().numTensors, before);
  });

  it("new schedules leak no tensors", () => {
    const before = tf.memory().numTensors;
    for (const spec of [`taylor:m=2,schedule=calibrated,nfe=4,profile=${PROFILE}`, "ab:j=3,schedule=adaptive,threshold=0.05,axis=time", "ab:j=3,D=2,axis=time"]) {
      runAll(spec);
      assert.equal(tf.memory().numTensors, before, `${spec} leaked`);
    }
  });

  it("a schedule without a usable profile fails with one line naming the fix", () => {
    assert.throws(() => new CachedBackbone(model, parseCacheSpec("taylor:m=2,schedule=calibrated,nfe=4"), grid.t),
      /this cache schedule needs a calibration profile: pass profile=<file> in the cache spec \(record it with `molcache calibrate`\)/);
    const other = writeProfile("other.json", 20);
    assert.throws(() => new CachedBackbone(model, parseCacheSpec(`taylor:m=2,schedule=calibrated,nfe=4,profile=${other}`), grid.t),
      /was recorded at 20 steps, the run has 8; record one with `molcache calibrate --steps 8`/);
    assert.throws(() => new CachedBackbone(model, parseCacheSpec(`taylor:m=2,schedule=calibrated,nfe=4,profile=${path.join(tmp, "none.json")}`), grid.t),
      /no cache profile at .*none.json; record one with `molcache calibrate/);
    const bad = path.join(tmp, "bad.json");
    fs.writeFileSync(bad, JSON.stringify({ format: "other" }));
    assert.throws(() => new CachedBackbone(model, parseCacheSpec(`taylor:m=2,schedule=calibrated,nfe=4,profile=${bad}`), grid.t),
      /is not a molcache cache profile/);
  });
});
