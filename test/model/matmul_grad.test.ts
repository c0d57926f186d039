/** The model's matMul: the values and gradients of tf.matMul, from plain products (no transposed-operand kernels). */
import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../kernel-lib/env";
import { matMul } from "../../kernel-lib/model/ops";

before(async () => {
  await initBackend();
});

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describe("matMul", () => {
  for (const [name, shapeA, shapeB] of [
    ["rank 2", [37, 19], [19, 23]],
    ["rank 3 (batched)", [6, 11, 11], [6, 11, 5]],
  ] as [string, number[], number[]][]) {
    it(`${name}: same value and gradients as tf.matMul, no tensors left`, () => {
      const a = tf.randomNormal(shapeA, 0, 1, "float32", 1);
      const b = tf.randomNormal(shapeB, 0, 1, "float32", 2);
      // A loss with a non-uniform upstream gradient, so a swapped or untransposed gradient would show.
      const weights = tf.randomNormal([...shapeA.slice(0, -1), shapeB[shapeB.length - 1]], 0, 1, "float32", 3);
      const loss = (f: (x: tf.Tensor, y: tf.Tensor) => tf.Tensor) => (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(f(x, y), weights));
      const before = tf.memory().numTensors;
      const ours = tf.grads(loss(matMul))([a, b]);
      const reference = tf.grads(loss((x, y) => tf.matMul(x as tf.Tensor3D, y as tf.Tensor3D)))([a, b]);
      const value = matMul(a, b);
      const referenceValue = tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D);
      assert.deepEqual(value.shape, referenceValue.shape);
      assert.ok(maxAbsDiff(value, referenceValue) < 1e-5);
      assert.deepEqual(ours[0].shape, shapeA);
      assert.deepEqual(ours[1].shape, shapeB);
      assert.ok(maxAbsDiff(ours[0], reference[0]) < 1e-4, "gradient of a");
      assert.ok(maxAbsDiff(ours[1], reference[1]) < 1e-4, "gradient of b");
      tf.dispose([...ours, ...reference, value, referenceValue]);
      assert.equal(tf.memory().numTensors, before);
      tf.dispose([a, b, weights]);
    });
  }
});
