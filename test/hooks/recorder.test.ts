/**
 * The feature recorder on the tiny fixture model: recording leaves the molecules unchanged and is removed after
 * sampleAndRecord; padding is removed (the last recorded prediction is the sampled molecule); selections of blocks,
 * kinds, molecules, atoms and steps; the estimate is exact when every step is computed; the budget refuses a run
 * before sampling starts (and a plain sample() before its first batch); cached runs record blocks only where they
 * ran; DataFrame and bundle exports; reset and reuse; bad options; no tensor leaks.
 */
import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../kernel-lib/env";
import { LoadedModel } from "../../kernel-lib/model/model_io";
import { sample, SampleOptions } from "../../kernel-lib/flow/sample";
import { timeGrid } from "../../kernel-lib/flow/time_grid";
import { hookRegistry, registerHook } from "../../kernel-lib/hooks/registry";
import { FeatureRecorder, recordFeatures, resolveRecorderOptions } from "../../kernel-lib/hooks/recorder";
import { estimateRecordingBytes, sampleAndRecord } from "../../kernel-lib/hooks/record_sample";
import { readRecording, writeRecording } from "../../kernel-lib/hooks/recording_io";
import { blockSeries, extractRow } from "../../kernel-lib/hooks/series";
import { Recording } from "../../kernel-lib/hooks/recording";
import { loadFixtureLoadedModel, plainMolecules } from "../model/semla_fixture";
import { withTempDir } from "../helpers/temp_dir";

let model: LoadedModel;
before(async () => {
  await initBackend();
  model = loadFixtureLoadedModel();
});
after(() => model.generator.dispose());
afterEach(() => hookRegistry(model).clear());

const BASE: Partial<SampleOptions> = { n: 5, steps: 7, seed: 5, sizeHistogram: { "4": 1, "6": 2, "9": 1 }, buckets: [6, 9], batchCost: 24 };

describe("extractRow (padding removal)", () => {
  it("copies the chosen real atoms of one batch row for node, coordinate-set and edge layouts", () => {
    // B = 2, N = 3; values encode their indices.
    const node = Float32Array.from({ length: 2 * 3 * 2 }, (_, i) => i); // [B, N, 2]
    assert.deepEqual(Array.from(extractRow({ layout: "node", width: 2 }, node, 3, 1, [0, 2], new Float32Array(4))), [6, 7, 10, 11]);
    const sets = Float32Array.from({ length: 2 * 2 * 3 * 3 }, (_, i) => i); // [B, S=2, N, 3]
    // batch 1, atom 2: set 0 at ((1*2+0)*3+2)*3 = 24, set 1 at ((1*2+1)*3+2)*3 = 33
    assert.deepEqual(Array.from(extractRow({ layout: "sets", width: 6 }, sets, 3, 1, [2], new Float32Array(6))), [24, 25, 26, 33, 34, 35]);
    const edge = Float32Array.from({ length: 2 * 3 * 3 }, (_, i) => i); // [B, N, N, 1]
    assert.deepEqual(Array.from(extractRow({ layout: "edge", width: 1 }, edge, 3, 0, [0, 2], new Float32Array(4))), [0, 2, 6, 8]);
  });
});

describe("feature recorder", () => {
  it("knows which fields each block produces (probe forward, no leak, hooks silenced)", () => {
    let calls = 0;
    registerHook(model, "spy", { afterBlock: () => { calls++; } });
    const n = tf.memory().numTensors;
    const series = blockSeries(model.generator);
    assert.equal(tf.memory().numTensors, n);
    assert.equal(calls, 0, "the probe forward is invisible to hooks");
    const fields = (b: string) => series.get(b)!.map((s) => `${s.field}:${s.layout}:${s.width}`);
    assert.deepEqual(fields("embed"), ["nodeFeats:node:64", "coordSets:sets:24", "edgeFeats:edge:16"]);
    assert.deepEqual(fields("layers.1"), ["nodeFeats:node:64", "coordSets:sets:24"]);
    assert.deepEqual(fields("layers.2"), ["nodeFeats:node:64", "coordSets:sets:24", "edgeFeats:edge:16"]);
    assert.deepEqual(fields("coordHead"), ["coords:node:3"]);
    assert.deepEqual(fields("heads"), ["outputs.coords:node:3", "outputs.typeLogits:node:18", "outputs.bondLogits:edge:5", "outputs.chargeLogits:node:7"]);
    assert.deepEqual(fields("sampler").slice(0, 3), ["state.coords:node:3", "state.atomClasses:node:1", "state.bondClasses:edge:1"]);
  });

  it("does not change the molecules, is removed afterwards, removes padding, and its estimate is exact on an uncached run", async () => {
    const reference = await sample(model, BASE);
    const { result, recording, estimatedBytes } = await sampleAndRecord(model, BASE);
    assert.deepEqual(plainMolecules(result.molecules), plainMolecules(reference.molecules), "recording changed the molecules");
    assert.deepEqual(hookRegistry(model).names(), [], "recorder removed");
    assert.equal(recording.bytes, estimatedBytes, "every step computed: the estimate is exact");
    assert.equal(estimatedBytes, estimateRecordingBytes(model, BASE));
    assert.deepEqual(recording.steps().map((s) => s.step), [0, 1, 2, 3, 4, 5, 6]);
    assert.deepEqual(recording.steps().map((s) => s.t), Array.from(timeGrid(7, "log").t));
    assert.equal(recording.molecules().length, 5);
    for (const m of recording.molecules()) {
      const mol = result.molecules[m.index];
      assert.equal(m.size, mol.elements.length);
      const pred = recording.trajectory("sampler", "prediction.coords", m.index);
      assert.equal(pred.rows.length, 7);
      assert.equal(pred.rows[6].length, m.size * 3, "padding removed");
      const positions = Array.from(pred.rows[6], (v) => v * model.coordStd);
      positions.forEach((v, i) => assert.ok(Math.abs(v - mol.positions[i]) < 1e-5, `molecule ${m.index} coordinate ${i}`));
      // Uncached: the heads' output is the prediction.
      assert.deepEqual(Array.from(recording.trajectory("heads", "outputs.coords", m.index).rows[3]), Array.from(pred.rows[3]));
      const edges = recording.trajectory("layers.2", "edgeFeats", m.index);
      assert.equal(edges.rows[0].length, m.size * m.size * 16);
      const sets = recording.trajectory("embed", "coordSets", m.index);
      assert.equal(sets.rows[0].length, m.size * 24);
    }
    // The state at step 0 is the centred prior.
    const x0 = recording.trajectory("sampler", "state.coords", 0).rows[0];
    for (let d = 0; d < 3; d++) {
      let c = 0;
      for (let i = d; i < x0.length; i += 3) c += x0[i];
      assert.ok(Math.abs(c) < 1e-5, "prior centred");
    }
  });

  it("records only the chosen blocks, kinds, molecules, atoms and steps", async () => {
    const { recording, estimatedBytes } = await sampleAndRecord(model, BASE, {
      blocks: ["layers.*", "sampler"], keep: ["nodeFeats", "state"], molecules: [1, 3], atoms: [0, 2, 7], steps: [0, 3, 6],
    });
    assert.deepEqual(recording.series().map((s) => `${s.block}/${s.field}`).sort(), [
      "layers.0/nodeFeats", "layers.1/nodeFeats", "layers.2/nodeFeats", "sampler/state.atomClasses", "sampler/state.bondClasses", "sampler/state.coords",
    ]);
    assert.deepEqual(recording.molecules().map((m) => m.index), [1, 3]);
    for (const m of recording.molecules()) {
      assert.deepEqual(m.atoms, m.size > 7 ? [0, 2, 7] : [0, 2]);
      const tr = recording.trajectory("layers.1", "nodeFeats", m.index);
      assert.deepEqual(tr.steps, [0, 3, 6]);
      assert.equal(tr.rows[0].length, m.atoms.length * 64);
      assert.equal(recording.trajectory("sampler", "state.bondClasses", m.index).rows[0].length, m.atoms.length ** 2);
    }
    assert.equal(recording.bytes, estimatedBytes);
    assert.throws(() => recording.trajectory("embed", "nodeFeats", 1), /series embed\/nodeFeats was not recorded/);
    assert.throws(() => recording.trajectory("layers.0", "nodeFeats", 0), /molecule 0 is not in the recording; recorded: 1, 3/);
  });

  it("refuses a run over the budget before sampling starts, and a plain sample() before its first batch", async () => {
    let steps = 0;
    let progress = 0;
    registerHook(model, "counter", { beforeStep: () => { steps++; } });
    const need = estimateRecordingBytes(model, BASE);
    await assert.rejects(
      sampleAndRecord(model, { ...BASE, onProgress: () => { progress++; } }, { budgetBytes: need - 1 }),
      /recording would need [\d.]+ MiB, over the budget of [\d.]+ MiB; record fewer blocks, kinds \(keep\), molecules, atoms or steps, or raise budgetBytes/,
    );
    assert.equal(steps, 0, "no step ran");
    assert.equal(progress, 0);
    assert.deepEqual(hookRegistry(model).names(), ["counter"], "the recorder was never registered");
    const before = tf.memory().numTensors;
    const rec = recordFeatures(model, { budgetBytes: 1000 });
    await assert.rejects(sample(model, BASE), /recording batch 0 would need .* over the budget/);
    assert.equal(steps, 1, "refused at the first step's start, before its network call");
    assert.equal(rec.recording.bytes, 0);
    assert.equal(tf.memory().numTensors, before, "leak after a refused run");
  });

  it("on cached runs records block outputs only where the blocks ran", async () => {
    const out = await sampleAndRecord(model, { ...BASE, cache: "taylor:m=1,D=3" }, { blocks: ["layers.0", "heads", "sampler"], keep: ["nodeFeats", "outputs", "prediction"], molecules: [0] });
    const computedSteps = out.recording.steps().filter((s) => s.computed).map((s) => s.step);
    assert.deepEqual(computedSteps, [0, 3, 6]);
    assert.deepEqual(out.recording.trajectory("layers.0", "nodeFeats", 0).steps, computedSteps);
    assert.deepEqual(out.recording.trajectory("sampler", "prediction.coords", 0).steps, [0, 1, 2, 3, 4, 5, 6]);
    assert.deepEqual(out.recording.trajectory("sampler", "prediction.coords", 0).computed, [true, false, false, true, false, false, true]);
    assert.ok(out.recording.bytes < out.estimatedBytes, "the estimate is an upper bound");
    const last = await sampleAndRecord(model, { ...BASE, cache: "taylor:m=1,D=3,level=lastBlock" }, { blocks: ["layers.0", "heads"], keep: ["nodeFeats", "outputs"], molecules: [0] });
    assert.deepEqual(last.recording.trajectory("layers.0", "nodeFeats", 0).steps, [0, 3, 6]);
    assert.deepEqual(last.recording.trajectory("heads", "outputs.typeLogits", 0).steps, [0, 1, 2, 3, 4, 5, 6], "the head runs on forecast steps");
  });

  it("exports a long DataFrame and a bundle that reads back identically (atomic, no temporary files left)", async () => {
    const { recording } = await sampleAndRecord(model, BASE, { blocks: ["layers.0", "sampler"], keep: ["nodeFeats", "state"], molecules: [0, 2] });
    const m0 = recording.molecule(0);
    const df = recording.toDataFrame({ blocks: ["sampler"], fields: ["state.coords"], molecules: [0] });
    assert.deepEqual(df.columns, ["step", "t", "computed", "block", "field", "molecule", "atom", "f0", "f1", "f2"]);
    assert.deepEqual(df.shape, [7 * m0.size, 10]);
    const traj = recording.trajectory("sampler", "state.coords", 0);
    const f1 = df.column("f1").values as number[];
    assert.ok(Math.abs(f1[m0.size + 1] - traj.rows[1][1 * 3 + 1]) < 1e-7, "step 1, atom 1, y");
    const both = recording.toDataFrame({ fields: ["nodeFeats", "state.bondClasses"], molecules: [2], steps: [0] });
    const n2 = recording.molecule(2).size;
    assert.deepEqual(both.shape, [n2 + n2 * n2, 8 + 64], "atom2 column for edge rows, NaN-padded features");
    assert.throws(() => recording.toDataFrame({ fields: ["nodeFeatz"] }), /unknown field: nodeFeatz/);
    assert.throws(() => recording.toDataFrame({ maxCells: 10 }), /select fewer blocks/);

    await withTempDir("molcache-rec-", async (dir) => {
      const file = writeRecording(recording, dir, "run");
      assert.deepEqual(fs.readdirSync(dir).sort(), ["run.bin", "run.json"]);
      const back = readRecording(file);
      assert.equal(back.bytes, recording.bytes);
      assert.deepEqual(back.steps(), recording.steps());
      assert.deepEqual(back.molecules(), recording.molecules());
      assert.deepEqual(back.series(), recording.series());
      for (const s of recording.series()) {
        for (const m of recording.molecules()) {
          const a = recording.trajectory(s.block, s.field, m.index);
          const b = back.trajectory(s.block, s.field, m.index);
          assert.deepEqual(b.steps, a.steps);
          assert.deepEqual(b.rows.map((r) => Array.from(r)), a.rows.map((r) => Array.from(r)));
        }
      }
      assert.equal(back.meta.coordStd, model.coordStd);
      fs.writeFileSync(path.join(dir, "bad.json"), JSON.stringify({ bin: "run.bin", meta: { format: "x" }, tensors: [] }));
      assert.throws(() => readRecording(path.join(dir, "bad.json")), /is not a recording/);
    });
  });

  it("a recorder left registered records each run afresh (sample() resets it at the start); reset empties it", async () => {
    const rec = recordFeatures(model, { blocks: ["sampler"], keep: ["state"], molecules: [0] });
    await sample(model, BASE);
    const bytes = rec.recording.bytes;
    const first = rec.recording.trajectory("sampler", "state.coords", 0).rows.map((r) => Array.from(r));
    assert.ok(bytes > 0);
    // A second run with another seed: no "call reset() between runs" error, and only the second run is kept.
    await sample(model, { ...BASE, seed: 6 });
    assert.equal(rec.recording.bytes, bytes);
    const second = rec.recording.trajectory("sampler", "state.coords", 0).rows.map((r) => Array.from(r));
    assert.equal(second.length, first.length);
    assert.notDeepEqual(second, first, "the second run's states, not the first's");
    rec.reset();
    assert.equal(rec.recording.bytes, 0);
    await sample(model, BASE);
    assert.equal(rec.recording.bytes, bytes);
    assert.deepEqual(rec.recording.trajectory("sampler", "state.coords", 0).rows.map((r) => Array.from(r)), first, "same seed, same recording");
    assert.throws(() => recordFeatures(model, { blocks: ["sampler"] }), /hook "featureRecorder" is already registered/);
    rec.remove();
    assert.deepEqual(hookRegistry(model).names(), []);
  });

  it("rejects bad options with the field and the fix", () => {
    assert.throws(() => resolveRecorderOptions(model, { block: ["x"] } as never), /unknown recorder option: block/);
    assert.throws(() => resolveRecorderOptions(model, { keep: ["nodes" as never] }), /unknown keep kind: nodes/);
    assert.throws(() => resolveRecorderOptions(model, { keep: [] }), /invalid keep/);
    assert.throws(() => resolveRecorderOptions(model, { blocks: ["layer.*"] }), /unknown block: layer\.\*/);
    assert.throws(() => resolveRecorderOptions(model, { molecules: [-1] }), /invalid molecules/);
    assert.throws(() => resolveRecorderOptions(model, { budgetBytes: 0 }), /invalid budgetBytes/);
    assert.throws(() => resolveRecorderOptions(model, { blocks: ["coordHead"], keep: ["state"] }), /nothing to record/);
    assert.throws(() => estimateRecordingBytes(model, BASE, { molecules: [9] }), /invalid molecules: 9 is not in a run of 5 molecules/);
    assert.throws(() => estimateRecordingBytes(model, BASE, { steps: [7] }), /invalid steps: 7 is not a step of a 7-step run/);
    assert.throws(() => new Recording().append({ block: "b", field: "f", kind: "nodeFeats", layout: "node", width: 1 }, 0, 0, new Float32Array(1)), /molecule 0 is not declared/);
    assert.ok(new FeatureRecorder(model).series().length > 10);
  });

  it("leaks no tensors", async () => {
    await sampleAndRecord(model, { ...BASE, n: 2 });
    const before = tf.memory().numTensors;
    for (const cache of ["none", "ab:j=2,D=2", "taylor:m=1,D=2,level=lastBlock"]) {
      await sampleAndRecord(model, { ...BASE, n: 2, cache });
      assert.equal(tf.memory().numTensors, before, `${cache} leaked`);
    }
  });
});
