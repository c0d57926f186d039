/**
 * Generator properties on random inputs: E(3) equivariance of coordinates and invariance of logits, permutation
 * equivariance, padding invariance, input validation (shapes, maxAtoms), resumable block ranges, differentiability
 * (finite gradients for every parameter) and no tensor leaks.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../kernel-lib/env";
import { SemlaGenerator } from "../../kernel-lib/model/generator";
import { GeneratorInputs } from "../../kernel-lib/model/blocks";
import { Rng } from "../../kernel-lib/util/rng";
import { createRandomModel } from "../../kernel-lib/model/model_io";
import { TINY_CONFIG } from "../../kernel-lib/model/config";
import {
  disposeAll, loadFixtureModel, maxDiffReal, paddedVsAlone, randomInputs, randomRotation, readOutputs, rotateArray,
} from "./semla_fixture";

let model: SemlaGenerator;
before(async () => {
  await initBackend();
  model = loadFixtureModel();
});
after(() => model.dispose());

const SIZES = [9, 6, 4];
const OUTPUT_LAYOUTS = { coords: "atom", typeLogits: "atom", chargeLogits: "atom", bondLogits: "pair" } as const;

function forwardArrays(inputs: GeneratorInputs): Record<string, Float32Array> {
  return readOutputs(model.forward(inputs) as unknown as Record<string, tf.Tensor>);
}

function withReplaced(inputs: GeneratorInputs, patch: Partial<Record<keyof GeneratorInputs, tf.Tensor>>): GeneratorInputs {
  return { ...inputs, ...patch } as GeneratorInputs;
}

describe("generator symmetries", () => {
  it("rotation + translation of the inputs rotates the coordinates and leaves logits unchanged (≤ 1e-4)", () => {
    const inputs = randomInputs(model.config, SIZES, 1);
    const base = forwardArrays(inputs);
    const rng = new Rng(7);
    const r = randomRotation(rng);
    const shift = [3.5, -2, 1.25];
    const rotated = withReplaced(inputs, {
      coords: tf.tensor(rotateArray(inputs.coords.dataSync(), r, shift), inputs.coords.shape),
      condCoords: tf.tensor(rotateArray(inputs.condCoords.dataSync(), r, shift), inputs.condCoords.shape),
    });
    const out = forwardArrays(rotated);
    const mask = inputs.mask.dataSync();
    const shape = (k: string) => ({ coords: [3, 9, 3], typeLogits: [3, 9, 18], chargeLogits: [3, 9, 7], bondLogits: [3, 9, 9, 5] })[k]!;
    // Output coordinates are centred, so the translation disappears and only the rotation remains.
    const expected = rotateArray(base.coords, r);
    assert.ok(maxDiffReal(out.coords, expected, shape("coords"), mask, "atom") <= 1e-4, "coords not rotated");
    for (const k of ["typeLogits", "chargeLogits", "bondLogits"] as const) {
      const d = maxDiffReal(out[k], base[k], shape(k), mask, OUTPUT_LAYOUTS[k]);
      assert.ok(d <= 1e-4, `${k} changed by ${d} under rotation`);
    }
    // The check can fail: an unrotated output is far from the rotated one.
    assert.ok(maxDiffReal(base.coords, expected, shape("coords"), mask, "atom") > 1e-2);
    disposeAll(rotated);
    disposeAll(inputs);
  });

  it("permuting the atoms of a molecule permutes every output", () => {
    const n = 7;
    const inputs = randomInputs(model.config, [n], 2);
    const perm = [3, 0, 6, 1, 5, 2, 4];
    const gatherAtoms = (t: tf.Tensor, axes: number[]) => tf.tidy(() => {
      let x = t;
      for (const axis of axes) x = tf.gather(x, tf.tensor1d(perm, "int32"), axis);
      return x;
    });
    const permuted: GeneratorInputs = {
      coords: gatherAtoms(inputs.coords, [1]) as tf.Tensor3D, atomics: gatherAtoms(inputs.atomics, [1]) as tf.Tensor3D,
      bonds: gatherAtoms(inputs.bonds, [1, 2]) as tf.Tensor4D, mask: gatherAtoms(inputs.mask, [1]) as tf.Tensor2D,
      t: inputs.t.clone(), condCoords: gatherAtoms(inputs.condCoords, [1]) as tf.Tensor3D,
      condAtomics: gatherAtoms(inputs.condAtomics, [1]) as tf.Tensor3D, condBonds: gatherAtoms(inputs.condBonds, [1, 2]) as tf.Tensor4D,
    };
    const base = model.forward(inputs);
    const out = model.forward(permuted);
    const pairs: [tf.Tensor, tf.Tensor, number[]][] = [
      [out.coords, base.coords, [1]], [out.typeLogits, base.typeLogits, [1]], [out.chargeLogits, base.chargeLogits, [1]],
      [out.bondLogits, base.bondLogits, [1, 2]],
    ];
    for (const [got, ref, axes] of pairs) {
      const expected = gatherAtoms(ref, axes);
      const d = tf.max(tf.abs(tf.sub(got, expected))).dataSync()[0];
      expected.dispose();
      assert.ok(d <= 1e-4, `permuted output differs by ${d}`);
    }
    disposeAll(base);
    disposeAll(out);
    disposeAll(permuted);
    disposeAll(inputs);
  });

  it("padding a molecule (alone vs inside a padded batch) does not change its outputs (≤ 1e-5)", () => {
    // 3 atoms padded to 12 (the case) and 5 padded to 11 next to a larger molecule.
    for (const [n, sizes, padTo] of [[3, [3], 12], [5, [5, 8], 11]] as const) {
      const worst = paddedVsAlone((inputs) => forwardArrays(inputs), model.config, n, sizes, padTo);
      assert.ok(worst <= 1e-5, `padding ${n} atoms to ${padTo} changed outputs by ${worst}`);
    }
  });
});

describe("generator inputs and blocks", () => {
  it("rejects inputs of the wrong shape, naming the tensor", () => {
    const inputs = randomInputs(model.config, [4, 3], 4);
    const bad = withReplaced(inputs, { atomics: tf.zeros([2, 4, 17]) });
    assert.throws(() => model.forward(bad), /expected atomics of shape \[2,4,18\], got \[2,4,17\]/);
    assert.throws(() => model.forward(withReplaced(inputs, { t: undefined as unknown as tf.Tensor })), /missing input t/);
    bad.atomics.dispose();
    disposeAll(inputs);
  });

  it("rejects a molecule larger than maxAtoms before computing", () => {
    const inputs = randomInputs(model.config, [model.config.maxAtoms], 5);
    const before = tf.memory().numTensors;
    assert.throws(() => model.forward(inputs), /too large for this model \(maxAtoms 32\)/);
    assert.equal(tf.memory().numTensors, before);
    disposeAll(inputs);
  });

  it("a forward can stop after any block and resume from its state, with the same result", () => {
    const inputs = randomInputs(model.config, [6, 4], 6);
    const full = forwardArrays(inputs);
    const mid = model.forwardBlocks(inputs, { until: "layers.1" });
    const rest = model.forwardBlocks(inputs, { from: "layers.2", initial: mid });
    const resumed = readOutputs(rest.outputs! as unknown as Record<string, tf.Tensor>);
    for (const k of Object.keys(full)) assert.deepEqual(resumed[k], full[k], `${k} differs after resuming`);
    tf.dispose([mid, { coordSets: rest.coordSets, nodeFeats: rest.nodeFeats, edgeFeats: rest.edgeFeats, coords: rest.coords }] as unknown as tf.TensorContainer);
    assert.throws(() => model.forwardBlocks(inputs, { until: "layers.9" }), /unknown block: layers.9/);
    assert.throws(() => model.forwardBlocks(inputs, { from: "heads", until: "embed" }), /comes before/);
    assert.throws(() => model.forwardBlocks(inputs, { from: "finalFF" }), /block finalFF needs coordSets/);
    assert.deepEqual(model.blockNames(), ["embed", "layers.0", "layers.1", "layers.2", "finalFF", "coordHead", "bondRefine", "heads"]);
    disposeAll(inputs);
  });

  it("is differentiable: tf.variableGrads gives finite gradients for every parameter", () => {
    const inputs = randomInputs(model.config, [6, 4], 8);
    const { value, grads } = tf.variableGrads(() => {
      const o = model.forward(inputs);
      return tf.addN([tf.sum(tf.square(o.coords)), tf.mean(o.typeLogits), tf.mean(o.bondLogits), tf.mean(o.chargeLogits)]) as tf.Scalar;
    }, model.params.variables());
    const bad = Object.entries(grads).filter(([, g]) => !tf.all(tf.isFinite(g)).dataSync()[0]).map(([k]) => k);
    assert.deepEqual(bad, [], "non-finite gradients");
    // Every parameter gets a gradient except layer 0's edge_feat_norm, which the reference stores but never uses.
    const missing = model.params.names().filter((n) => !(model.params.get(n).name in grads));
    assert.deepEqual(missing, ["dynamics.layers.0.edge_feat_norm.weight", "dynamics.layers.0.edge_feat_norm.bias"]);
    const nonzero = Object.values(grads).filter((g) => tf.max(tf.abs(g)).dataSync()[0] > 0).length;
    assert.ok(nonzero > model.params.names().length * 0.8, `only ${nonzero} parameters get a gradient`);
    value.dispose();
    tf.dispose(grads);
    disposeAll(inputs);
  });

  it("forward and forwardBlocks leak no tensors", () => {
    const inputs = randomInputs(model.config, [6, 4], 9);
    forwardArrays(inputs); // warm-up (kernels, lazily built state)
    const before = tf.memory().numTensors;
    forwardArrays(inputs);
    const mid = model.forwardBlocks(inputs, { until: "layers.2" });
    tf.dispose(mid as unknown as tf.TensorContainer);
    const rec: tf.Tensor[] = [];
    const st = model.forwardBlocks(inputs, { record: (_n, t) => rec.push(tf.keep(t.clone())), observers: [() => undefined] });
    tf.dispose(rec);
    tf.dispose(st as unknown as tf.TensorContainer);
    assert.equal(tf.memory().numTensors, before);
    disposeAll(inputs);
  });
});

describe("several models at once", () => {
  it("two generators can live side by side (tfjs variable names are global)", () => {
    const a = createRandomModel(TINY_CONFIG, { seed: 1 });
    const b = createRandomModel(TINY_CONFIG, { seed: 2 });
    assert.equal(a.generator.parameterCount(), b.generator.parameterCount());
    a.generator.dispose();
    b.generator.dispose();
  });
});
