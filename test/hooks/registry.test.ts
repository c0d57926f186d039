/**
 * The hook registry on the tiny fixture model: duplicate names throw with the fix, bad hooks are refused, hooks see
 * every step (index, t, computed/forecast, batch, molecules) and the chosen blocks with the step they belong to,
 * removal is exact (the model's observer maps are restored), hooks do not change the sampled molecules, reset runs
 * last-registered first, a throwing hook aborts cleanly, and nothing leaks.
 */
import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../kernel-lib/env";
import { LoadedModel } from "../../kernel-lib/model/model_io";
import { sample, SampleOptions } from "../../kernel-lib/flow/sample";
import { timeGrid } from "../../kernel-lib/flow/time_grid";
import { hookRegistry, registerHook, removeHook, resetHooks } from "../../kernel-lib/hooks/registry";
import { attachedObservers } from "../../kernel-lib/model/observers";
import { matchesBlockPattern, resolveBlockPatterns } from "../../kernel-lib/hooks/block_patterns";
import { loadFixtureLoadedModel, plainMolecules } from "../model/semla_fixture";

let model: LoadedModel;
before(async () => {
  await initBackend();
  model = loadFixtureLoadedModel();
});
after(() => model.generator.dispose());
afterEach(() => hookRegistry(model).clear());

const BASE: Partial<SampleOptions> = { n: 5, steps: 6, seed: 11, sizeHistogram: { "4": 1, "6": 2, "9": 1 }, buckets: [6, 9], batchCost: 24 };

describe("block patterns", () => {
  const names = ["embed", "layers.0", "layers.1", "layers.10", "finalFF", "heads"];
  it("match names and * patterns, in execution order, and reject patterns that match nothing", () => {
    assert.ok(matchesBlockPattern("layers.10", "layers.*"));
    assert.ok(!matchesBlockPattern("layers.1", "layers.1.*"));
    assert.ok(!matchesBlockPattern("layersX0", "layers.0"), "the dot is literal");
    assert.deepEqual(resolveBlockPatterns(names, ["heads", "layers.*"]), ["layers.0", "layers.1", "layers.10", "heads"]);
    assert.deepEqual(resolveBlockPatterns(names, "all"), names);
    assert.throws(() => resolveBlockPatterns(names, ["layer.*"]), /unknown block: layer\.\*; blocks are embed, layers\.0/);
    assert.throws(() => resolveBlockPatterns(names, [""]), /invalid blocks entry/);
  });
});

describe("hook registry", () => {
  it("refuses a duplicate name with the fix, unknown keys, hooks without methods and unknown blocks", () => {
    registerHook(model, "a", { afterStep: () => undefined });
    assert.throws(() => registerHook(model, "a", { afterStep: () => undefined }), /hook "a" is already registered on this model; remove it first \(removeHook\(model, "a"\)\) or use a different name/);
    assert.throws(() => registerHook(model, "b", { afterStp: () => undefined } as never), /unknown hook "b" option: afterStp; known: /);
    assert.throws(() => registerHook(model, "b", { blocks: ["heads"] }), /has no method/);
    assert.throws(() => registerHook(model, "b", { blocks: ["layers.9"], afterBlock: () => undefined }), /unknown block: layers\.9/);
    assert.throws(() => registerHook(model, "", { afterStep: () => undefined }), /invalid hook name/);
    assert.deepEqual(hookRegistry(model).names(), ["a"]);
  });

  it("the same registry serves the generator and the loaded model; removal is exact and detaches the dispatcher", () => {
    const g = model.generator;
    assert.equal(attachedObservers(g), undefined);
    assert.equal(hookRegistry(model), hookRegistry(g));
    const h1 = { afterStep: () => undefined };
    registerHook(g, "one", h1);
    registerHook(model, "two", { afterBlock: () => undefined });
    const dispatcher = attachedObservers(g);
    assert.ok(dispatcher?.block && dispatcher.step);
    assert.equal(removeHook(model, "one"), h1);
    assert.equal(removeHook(model, "one"), undefined, "removing twice is not an error");
    assert.deepEqual(hookRegistry(model).names(), ["two"]);
    assert.equal(attachedObservers(g), dispatcher, "one hook left: dispatcher stays");
    removeHook(model, "two");
    assert.equal(attachedObservers(g), undefined, "no hook left: nothing attached");
    assert.match(hookRegistry(model).toString(), /HookRegistry\(0\)/);
  });

  it("step hooks see every step (index, t, computed, batch, molecules); block hooks see the chosen blocks with their step", async () => {
    const starts: { step: number; t: number; computed: boolean; batch: number; molecules: number[] }[] = [];
    const ends: { step: number; batch?: number }[] = [];
    const blocks: { block: string; step: number | undefined; shape: number[] }[] = [];
    const order: string[] = [];
    registerHook(model, "steps", {
      beforeStep: (s) => { starts.push({ step: s.step, t: s.t, computed: s.computed, batch: s.batch, molecules: [...s.molecules] }); order.push("beforeStep"); },
      afterStep: (e) => { ends.push({ step: e.step, batch: e.batch }); order.push("afterStep"); },
    });
    registerHook(model, "layers", {
      blocks: ["layers.*"],
      beforeBlock: ({ block, input }) => { assert.ok(input.nodeFeats, `${block} input has node features`); order.push(`before ${block}`); },
      afterBlock: ({ block, step, output }) => { blocks.push({ block, step: step?.step, shape: output.nodeFeats!.shape }); order.push(`after ${block}`); },
    });
    const res = await sample(model, { ...BASE, cache: "taylor:m=1,D=2" });
    const grid = timeGrid(6, "log");
    assert.equal(starts.length, 6 * res.batches);
    assert.deepEqual(ends.map((e) => e.step), starts.map((s) => s.step));
    assert.deepEqual(starts.slice(0, 6).map((s) => s.step), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(starts.slice(0, 6).map((s) => s.t), Array.from(grid.t));
    // D = 2: steps 0, 2, 4 and the final step are computed, the others forecast.
    assert.deepEqual(starts.slice(0, 6).map((s) => s.computed), [true, false, true, false, true, true]);
    const mols = new Set(starts.flatMap((s) => s.molecules));
    assert.deepEqual([...mols].sort(), [0, 1, 2, 3, 4], "every molecule index appears");
    assert.deepEqual([...new Set(starts.map((s) => s.batch))], Array.from({ length: res.batches }, (_, b) => b));
    // Output-level cache: blocks run only on computed steps, 3 layers each.
    const computedSteps = starts.filter((s) => s.computed).length;
    assert.equal(blocks.length, 3 * computedSteps);
    assert.deepEqual([...new Set(blocks.map((b) => b.block))], ["layers.0", "layers.1", "layers.2"]);
    assert.ok(blocks.every((b) => b.step !== undefined && b.shape[2] === 64));
    assert.deepEqual(order.slice(0, 8), ["beforeStep", "before layers.0", "after layers.0", "before layers.1", "after layers.1", "before layers.2", "after layers.2", "afterStep"]);
  });

  it("block hooks see plain forwards too, with no step", () => {
    const seen: (number | undefined)[] = [];
    registerHook(model, "any", { blocks: ["heads"], afterBlock: ({ step }) => seen.push(step?.step) });
    const g = model.generator;
    const B = 1;
    const N = 3;
    tf.tidy(() => {
      g.forward({
        coords: tf.randomNormal([B, N, 3], 0, 1, "float32", 1), atomics: tf.zeros([B, N, 18]), bonds: tf.zeros([B, N, N, 5]), mask: tf.ones([B, N]),
        t: tf.fill([B], 0.5), condCoords: tf.zeros([B, N, 3]), condAtomics: tf.zeros([B, N, 18]), condBonds: tf.zeros([B, N, N, 5]),
      } as never);
    });
    assert.deepEqual(seen, [undefined]);
  });

  it("hooks that read everything do not change the molecules; removing them restores the original behaviour", async () => {
    const original = await sample(model, BASE);
    let reads = 0;
    registerHook(model, "reader", {
      afterBlock: ({ output }) => {
        for (const t of [output.coordSets, output.nodeFeats, output.edgeFeats, output.coords]) if (t) { t.dataSync(); reads++; }
      },
      afterStep: (e) => { reads += e.prediction.coords.length > 0 ? 1 : 0; },
    });
    const hooked = await sample(model, BASE);
    assert.ok(reads > 0);
    assert.deepEqual(plainMolecules(hooked.molecules), plainMolecules(original.molecules));
    removeHook(model, "reader");
    const readsBefore = reads;
    const after = await sample(model, BASE);
    assert.equal(reads, readsBefore, "a removed hook is never called");
    assert.deepEqual(plainMolecules(after.molecules), plainMolecules(original.molecules));
  });

  it("resetHooks resets stateful hooks, last registered first", () => {
    const calls: string[] = [];
    registerHook(model, "first", { afterStep: () => undefined, reset: () => calls.push("first") });
    registerHook(model, "plain", { afterStep: () => undefined });
    registerHook(model, "second", { afterStep: () => undefined, reset: () => calls.push("second") });
    resetHooks(model);
    assert.deepEqual(calls, ["second", "first"]);
  });

  it("a throwing step hook aborts sampling with its error and leaks no tensors; hooks leak nothing", async () => {
    await sample(model, { ...BASE, n: 2 });
    const before = tf.memory().numTensors;
    registerHook(model, "boom", { beforeStep: (s) => { if (s.step === 3) throw new Error("boom at step 3"); } });
    await assert.rejects(sample(model, { ...BASE, n: 2 }), /boom at step 3/);
    assert.equal(tf.memory().numTensors, before, "leak after an aborted run");
    removeHook(model, "boom");
    registerHook(model, "reader", { afterBlock: ({ output }) => void output.nodeFeats?.dataSync(), afterStep: () => undefined });
    for (const cache of ["none", "taylor:m=1,D=2,level=lastBlock"]) {
      await sample(model, { ...BASE, n: 2, cache });
      assert.equal(tf.memory().numTensors, before, `${cache} leaked with a hook`);
    }
  });
});
