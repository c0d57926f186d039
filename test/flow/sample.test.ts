/**
 * `sample()`: determinism (same seed → identical molecules, cached or not), cached output differs from uncached and
 * has no NaN, reported counts, streaming callbacks, no tensor leaks, and bad input rejected before any work.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../kernel-lib/env";
import { LoadedModel } from "../../kernel-lib/model/model_io";
import { sample, SampleOptions } from "../../kernel-lib/flow/sample";
import { loadFixtureLoadedModel, plainMolecules } from "../model/semla_fixture";
import { registerHook, removeHook } from "../../kernel-lib/hooks/registry";

let model: LoadedModel;
before(async () => {
  await initBackend();
  model = loadFixtureLoadedModel();
});
after(() => model.generator.dispose());

const BASE: Partial<SampleOptions> = { n: 6, steps: 9, seed: 3, sizeHistogram: { "4": 1, "6": 2, "9": 1 }, buckets: [6, 9], batchCost: 24 };


describe("sample()", () => {
  it("Heun: two network calls per step, deterministic, differs from Euler, and reports the steps it computed", async () => {
    const h1 = await sample(model, { ...BASE, solver: "heun" });
    const h2 = await sample(model, { ...BASE, solver: "heun" });
    assert.deepEqual(plainMolecules(h1.molecules), plainMolecules(h2.molecules));
    assert.equal(h1.effectiveSteps, 18);
    assert.equal(h1.networkCalls, 18 * h1.batches);
    assert.deepEqual(h1.stepsComputed[0], [0, 1, 2, 3, 4, 5, 6, 7, 8]);
    const euler = await sample(model, BASE);
    assert.notDeepEqual(plainMolecules(h1.molecules), plainMolecules(euler.molecules));
    const cached = await sample(model, { ...BASE, solver: "heun", cache: "taylor:m=1,D=2" });
    assert.equal(cached.effectiveSteps, 10, "both calls of steps 0, 2, 4, 6, 8");
    await assert.rejects(() => sample(model, { ...BASE, solver: "rk4" as "heun" }), /invalid solver: rk4; use euler, heun, dpm2m/);
  });

  it("DPM-Solver++(2M): one call per step, deterministic, differs from Euler only through the multistep correction", async () => {
    const d1 = await sample(model, { ...BASE, solver: "dpm2m" });
    const d2 = await sample(model, { ...BASE, solver: "dpm2m" });
    assert.deepEqual(plainMolecules(d1.molecules), plainMolecules(d2.molecules));
    assert.equal(d1.effectiveSteps, 9);
    const euler = await sample(model, BASE);
    assert.notDeepEqual(plainMolecules(d1.molecules).map((m) => m.positions), plainMolecules(euler.molecules).map((m) => m.positions));
    // Two steps: the first is first order (t = 0) and the second's prediction is the sample: identical to Euler.
    const two = { ...BASE, steps: 2 };
    assert.deepEqual(plainMolecules((await sample(model, { ...two, solver: "dpm2m" })).molecules), plainMolecules((await sample(model, two)).molecules));
  });

  it("same seed gives identical molecules, uncached and cached; counts are reported", async () => {
    const a = await sample(model, BASE);
    const b = await sample(model, BASE);
    assert.equal(a.molecules.length, 6);
    assert.deepEqual(plainMolecules(a.molecules), plainMolecules(b.molecules));
    assert.equal(a.effectiveSteps, 9);
    assert.equal(a.networkCalls, 9 * a.batches);
    assert.ok(a.batches >= 2, "several batches (two buckets)");
    assert.ok(a.moleculesPerSecond > 0 && a.wallSeconds > 0 && a.peakTensorBytes > 0);
    const sizes = a.molecules.map((m) => m.elements.length);
    assert.ok(sizes.every((n) => [4, 6, 9].includes(n)), `sizes ${sizes}`);
    const c1 = await sample(model, { ...BASE, cache: "taylor:m=2,D=3" });
    const c2 = await sample(model, { ...BASE, cache: { kind: "taylor", order: 2, interval: 3 } });
    assert.deepEqual(plainMolecules(c1.molecules), plainMolecules(c2.molecules));
    assert.equal(c1.effectiveSteps, 4); // steps 0, 3, 6 and the final step 8
    assert.equal(c1.networkCalls, 4 * c1.batches);
    assert.equal(c1.cache.kind, "taylor");
    const other = await sample(model, { ...BASE, seed: 4 });
    assert.notDeepEqual(plainMolecules(other.molecules), plainMolecules(a.molecules));
  });

  it("cached output differs from uncached and contains no NaN (every forecaster and level)", async () => {
    const base = await sample(model, BASE);
    for (const cache of ["taylor:m=2,D=3", "ab:j=2,D=2", "reuse:D=3", "taylor:m=1,D=3,level=lastBlock", "taylor:m=1,D=3,axis=time"]) {
      const r = await sample(model, { ...BASE, cache });
      assert.notDeepEqual(plainMolecules(r.molecules).map((m) => m.positions), plainMolecules(base.molecules).map((m) => m.positions), cache);
      for (const m of r.molecules) assert.ok(!m.positions.some((x) => !Number.isFinite(x)), `${cache}: non-finite coordinates`);
      assert.equal(r.molecules.length, 6);
    }
  });

  it("explicit sizes, progress and batch callbacks stream every molecule once, in order", async () => {
    const seen: number[] = [];
    const progress: number[] = [];
    const r = await sample(model, {
      ...BASE, sizes: [5, 3, 8], n: undefined as unknown as number,
      onBatch: (mols, idx) => { assert.equal(mols.length, idx.length); seen.push(...idx); },
      onProgress: (done, total) => { assert.equal(total, 3); progress.push(done); },
    });
    assert.deepEqual(r.molecules.map((m) => m.elements.length), [5, 3, 8]);
    assert.deepEqual([...seen].sort(), [0, 1, 2]);
    assert.equal(progress[progress.length - 1], 3);
  });

  it("leaks no tensors (uncached, output level, last-block level)", async () => {
    await sample(model, { ...BASE, n: 2 });
    const before = tf.memory().numTensors;
    for (const cache of ["none", "ab:j=3,D=2", "taylor:m=2,D=3,level=lastBlock"]) {
      await sample(model, { ...BASE, n: 2, cache });
      assert.equal(tf.memory().numTensors, before, `${cache} leaked`);
    }
  });

  it("stops with a failing block hook's error and leaks nothing", async () => {
    const before = tf.memory().numTensors;
    for (const cache of ["none", "taylor:m=2,D=3,level=lastBlock"]) {
      let calls = 0;
      registerHook(model, "failing", {
        blocks: ["layers.0"],
        afterBlock: () => {
          if (++calls === 3) throw new Error("hook failed on purpose");
        },
      });
      try {
        await assert.rejects(sample(model, { ...BASE, n: 2, cache }), /hook failed on purpose/);
      } finally {
        removeHook(model, "failing");
      }
      assert.equal(tf.memory().numTensors, before, `${cache}: leaked after the failure`);
    }
  });

  it("rejects bad input with a clear error before any work starts", async () => {
    let called = 0;
    const cb = { onProgress: () => called++, onBatch: () => called++ };
    const before = tf.memory().numTensors;
    const cases: [Partial<SampleOptions> & Record<string, unknown>, RegExp][] = [
      [{ cache: "magic:D=2" }, /unknown cache kind: magic/],
      [{ cache: "taylor:m=5,D=2" }, /invalid order: 5; TaylorSeer supports orders 1 to 4/],
      [{ cache: "ab:j=7,D=2" }, /invalid steps: 7; Adams–Bashforth supports 1 to 6 steps/],
      [{ cache: "taylor:m=2,D=0" }, /invalid interval: 0; must be an integer >= 1/],
      [{ steps: 1 }, /invalid steps: 1; must be an integer >= 2/],
      [{ sizeHistogram: { "5": 0, "7": 0 } }, /empty histogram/],
      [{ sizes: [5, 32] }, /a molecule of 32 atoms is too large for this model \(maxAtoms 32\)/],
      [{ sizeHistogram: { "40": 3 } }, /a molecule of 40 atoms is too large/],
      [{ stepz: 10 }, /unknown sample option: stepz/],
      [{ n: 0 }, /invalid n: 0/],
      [{ grid: "cosine" as "log" }, /unknown time grid: cosine/],
    ];
    for (const [opts, re] of cases) {
      await assert.rejects(() => sample(model, { ...BASE, ...cb, ...opts }), re, JSON.stringify(opts));
    }
    assert.equal(called, 0, "no batch ran");
    assert.equal(tf.memory().numTensors, before);
  });
});
