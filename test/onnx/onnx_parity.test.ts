/**
 * The compiled (ONNX Runtime) backbone against the reference fixtures and the TF.js backbone: every block output of
 * forward cases A, B, C within 1e-4 of forward.json and of TF.js; one session per block serves every batch shape;
 * block ranges and resumption (what last-block caching uses); observers; no TF.js tensor leaks; bad use errors.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../kernel-lib/env";
import { BlockState } from "../../kernel-lib/model/blocks";
import { SemlaGenerator } from "../../kernel-lib/model/generator";
import { registerHook, removeHook } from "../../kernel-lib/hooks/registry";
import { attentionBias, compileOnnx, OnnxGenerator } from "../../kernel-lib/onnx/onnx_generator";
import { moleculeContext } from "../../kernel-lib/model/ops";
import { caseInputs, disposeAll, fixtureBundle, fixtureTensor, layoutOf, loadFixtureModel, maxDiffReal, paddedVsAlone, randomInputs, readOutputs } from "../model/semla_fixture";

const TOLERANCE = 1e-4;
let model: SemlaGenerator;
let onnx: OnnxGenerator;

before(async () => {
  await initBackend();
  model = loadFixtureModel();
  onnx = compileOnnx(model);
});
after(() => {
  onnx.dispose();
  model.dispose();
});

/** Every block output (and the outputs) of a forward, under the fixture's names. */
function blockOutputs(net: SemlaGenerator | OnnxGenerator, c: string): Map<string, { data: Float32Array; shape: number[] }> {
  const inputs = caseInputs(c);
  const got = new Map<string, { data: Float32Array; shape: number[] }>();
  const keep = (name: string, t: tf.Tensor | undefined) => {
    assert.ok(t, `${name} missing from the block state`);
    got.set(name, { data: t.dataSync() as Float32Array, shape: t.shape });
  };
  const observer = (block: string, _input: BlockState, output: BlockState) => {
    const m = /^layers\.(\d+)$/.exec(block);
    if (m) {
      keep(`inter.layer${m[1]}.output.coord_sets`, output.coordSets);
      keep(`inter.layer${m[1]}.output.node_feats`, output.nodeFeats);
      if (output.edgeFeats) keep(`inter.layer${m[1]}.output.edge_feats`, output.edgeFeats);
    } else if (block === "embed") {
      keep("inter.embed.atom_feats", output.nodeFeats);
      keep("inter.embed.coord_sets", output.coordSets);
      keep("inter.embed.edge_feats", output.edgeFeats);
    } else if (block === "finalFF") {
      keep("inter.final_ff.coord_sets", output.coordSets);
      keep("inter.final_ff.node_feats", output.nodeFeats);
    } else if (block === "coordHead") keep("inter.dynamics.coords", output.coords);
    else if (block === "bondRefine") keep("inter.bond_refine.edge_feats", output.edgeFeats);
    else if (block === "heads") {
      keep("output.coords", output.outputs!.coords);
      keep("output.type_logits", output.outputs!.typeLogits);
      keep("output.bond_logits", output.outputs!.bondLogits);
      keep("output.charge_logits", output.outputs!.chargeLogits);
    }
  };
  const state = net.forwardBlocks(inputs, { observers: [observer] });
  tf.dispose(state as unknown as tf.TensorContainer);
  disposeAll(inputs);
  return got;
}

/** Fixture names of block outputs (not in-block intermediates, which only the TF.js debug recorder sees). */
function blockOutputNames(c: string): string[] {
  const f = fixtureBundle("forward");
  return [...f.tensors.keys()]
    .filter((k) => k.startsWith(`${c}/`) && !k.startsWith(`${c}/input.`))
    .map((k) => k.slice(2))
    .filter((k) => /^output\.|\.output\.|^inter\.embed\.|^inter\.final_ff\.|^inter\.dynamics\.coords$|^inter\.bond_refine\./.test(k));
}

describe("ONNX backbone parity (forward.json)", () => {
  const f = fixtureBundle("forward");
  for (const c of ["A", "B", "C"]) {
    it(`case ${c}: every block output within ${TOLERANCE} of the reference and of TF.js`, () => {
      const mine = blockOutputs(onnx, c);
      const tfjs = blockOutputs(model, c);
      const mask = fixtureTensor(f, `${c}/input.mask`).data;
      const names = blockOutputNames(c);
      // embed 3 + layers (2 each, +1 edge in the last) + finalFF 2 + coords + refined edges + 4 outputs.
      assert.equal(names.length, 3 + 3 * 2 + 1 + 2 + 1 + 1 + 4, `fixture block outputs: ${names.join(", ")}`);
      const failures: string[] = [];
      let worst = 0;
      for (const name of names) {
        const ref = fixtureTensor(f, `${c}/${name}`);
        const got = mine.get(name);
        if (!got) {
          failures.push(`${name}: not produced`);
          continue;
        }
        assert.deepEqual(got.shape, ref.shape, `${name} shape`);
        const layout = layoutOf(name, ref.shape.length);
        const dRef = maxDiffReal(got.data, ref.data, ref.shape, mask, layout);
        const dTf = maxDiffReal(got.data, tfjs.get(name)!.data, ref.shape, mask, layout);
        worst = Math.max(worst, dRef);
        if (!(dRef <= TOLERANCE)) failures.push(`${name}: |Δ reference| ${dRef.toExponential(2)}`);
        if (!(dTf <= TOLERANCE)) failures.push(`${name}: |Δ TF.js| ${dTf.toExponential(2)}`);
      }
      assert.deepEqual(failures, [], `case ${c} mismatches`);
      assert.ok(worst > 0, "a comparison of identical zeros proves nothing");
    });
  }

  it("the check can fail: weights perturbed before compiling break parity", () => {
    const w = model.params.get("dynamics.layers.1.message_ff.message_mlp.2.weight");
    const original = w.clone();
    let perturbed: OnnxGenerator | undefined;
    try {
      w.assign(tf.mul(original, 1.01) as tf.Tensor2D);
      perturbed = compileOnnx(model);
    } finally {
      w.assign(original);
      original.dispose();
    }
    try {
      const got = blockOutputs(perturbed, "A").get("output.coords")!;
      const ref = fixtureTensor(f, "A/output.coords");
      const d = maxDiffReal(got.data, ref.data, ref.shape, fixtureTensor(f, "A/input.mask").data, "atom");
      assert.ok(d > TOLERANCE, `perturbation changed coords by only ${d}`);
    } finally {
      perturbed.dispose();
    }
  });

  it("a molecule padded in a batch gives the outputs it gives alone (≤ 1e-5), as in TF.js", () => {
    const forward = (inputs: Parameters<OnnxGenerator["forward"]>[0]) => readOutputs(onnx.forward(inputs) as unknown as Record<string, tf.Tensor>);
    for (const [n, sizes, padTo] of [[3, [3], 12], [5, [5, 8], 11]] as const) {
      const worst = paddedVsAlone(forward, model.config, n, sizes, padTo);
      assert.ok(worst <= 1e-5, `padding ${n} atoms to ${padTo} changed ONNX outputs by ${worst}`);
    }
  });

  it("the attention bias equals the TF.js context's (padding, one-atom molecules)", () => {
    const mask = new Float32Array([1, 1, 1, 0, 1, 0, 0, 0]);
    const mine = attentionBias({ data: mask, dims: [2, 4] }).data;
    const ctx = moleculeContext(tf.tensor2d(mask, [2, 4]));
    const ref = ctx.attnBias.dataSync();
    assert.deepEqual(Array.from(mine), Array.from(ref).map((x) => (x === 0 ? 0 : x)));
    tf.dispose([ctx.mask, ctx.setMask, ctx.nAtoms, ctx.attnBias]);
  });
});

describe("ONNX backbone: shapes, ranges, observers, memory", () => {
  it("one set of sessions serves several batch shapes (B and N symbolic), matching TF.js", () => {
    for (const [sizes, seed] of [[[3, 9, 6], 1], [[12], 2], [[1, 4], 3]] as [number[], number][]) {
      const inputs = randomInputs(model.config, sizes, seed);
      const a = model.forward(inputs);
      const b = onnx.forward(inputs);
      const mask = inputs.mask.dataSync();
      for (const [k, layout] of [["coords", "atom"], ["typeLogits", "atom"], ["bondLogits", "pair"], ["chargeLogits", "atom"]] as const) {
        assert.deepEqual(b[k].shape, a[k].shape, `${k} shape for sizes ${sizes}`);
        const d = maxDiffReal(b[k].dataSync(), a[k].dataSync(), a[k].shape, mask, layout);
        assert.ok(d <= TOLERANCE, `${k} off by ${d} for sizes ${sizes}`);
      }
      disposeAll(a);
      disposeAll(b);
      disposeAll(inputs);
    }
  });

  it("forward leaks no TF.js tensors and leaves its inputs alone", () => {
    const inputs = caseInputs("A");
    const out = onnx.forward(inputs);
    disposeAll(out);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) disposeAll(onnx.forward(inputs));
    const state = onnx.forwardBlocks(inputs, { observers: [() => undefined] });
    tf.dispose(state as unknown as tf.TensorContainer);
    assert.equal(tf.memory().numTensors, before, "tensors leaked");
    assert.ok(!inputs.coords.isDisposed);
    disposeAll(inputs);
  });

  it("running to the last layer and resuming from finalFF equals the full forward (last-block caching path)", () => {
    const inputs = caseInputs("A");
    const full = onnx.forward(inputs);
    const last = `layers.${model.config.nLayers - 1}`;
    const features = onnx.forwardBlocks(inputs, { until: last });
    assert.deepEqual(Object.keys(features).sort(), ["coordSets", "edgeFeats", "nodeFeats"]);
    const before = tf.memory().numTensors;
    const resumed = onnx.forwardBlocks(inputs, { from: "finalFF", initial: features });
    // Passed-through tensors come back as the caller's objects; nothing of the caller's is disposed.
    assert.ok(!features.edgeFeats!.isDisposed && !features.coordSets!.isDisposed);
    for (const k of ["coords", "typeLogits", "bondLogits", "chargeLogits"] as const) {
      assert.deepEqual(resumed.outputs![k].dataSync(), full[k].dataSync(), k);
    }
    const created = new Set([resumed.coordSets, resumed.nodeFeats, resumed.edgeFeats, resumed.coords, ...Object.values(resumed.outputs!)]);
    created.forEach((t) => t && !Object.values(features).includes(t) && t.dispose());
    assert.equal(tf.memory().numTensors, before, "resume leaked");
    tf.dispose(features as unknown as tf.TensorContainer);
    disposeAll(full);
    disposeAll(inputs);
  });

  it("observers (per call) and hooks registered on the source model see every block in order", () => {
    const inputs = caseInputs("B");
    const seen: string[] = [];
    const registered: string[] = [];
    registerHook(model, "test", { afterBlock: ({ block }) => registered.push(block) });
    try {
      disposeAll(onnx.forwardBlocks(inputs, { observers: [(block) => seen.push(block)] }).outputs!);
    } finally {
      removeHook(model, "test");
    }
    assert.deepEqual(seen, model.blockNames());
    assert.deepEqual(registered, model.blockNames());
    disposeAll(inputs);
  });

  it("bad use gives clear errors", () => {
    const inputs = caseInputs("C");
    assert.throws(() => onnx.forwardBlocks(inputs, { record: () => undefined }), /cannot record in-block intermediates/);
    assert.throws(() => onnx.forwardBlocks(inputs, { from: "nope" }), /unknown block: nope/);
    assert.throws(() => onnx.forwardBlocks(inputs, { from: "finalFF" }), /finalFF needs coordSets/);
    assert.throws(() => compileOnnx(model, { intraOpThreads: -1 }), /invalid intraOpThreads: -1/);
    assert.throws(() => compileOnnx(model, { provider: "tpu" as "cpu" }), /invalid provider: tpu/);
    assert.throws(() => compileOnnx(model, { threads: 2 } as never), /unknown ONNX session option: threads/);
    const wrong = { ...inputs, t: tf.zeros([3]) as tf.Tensor1D };
    assert.throws(() => onnx.forward(wrong), /expected t of shape \[1\], got \[3\]/);
    wrong.t.dispose();
    disposeAll(inputs);
  });
});
