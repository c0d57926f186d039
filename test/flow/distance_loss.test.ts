/**
 * The auxiliary distance loss: the mean squared error of distances between atoms at most two bonds apart, for
 * molecules at t ≥ minT; invariant to rotations, translations and atom order; blind to distances three bonds apart;
 * added to the reference loss with its weight, and absent by default.
 */
import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../kernel-lib/env";
import { distanceLoss, pairsWithinTwoBonds } from "../../kernel-lib/flow/distance_loss";
import { flowMatchingLoss, LossTargets } from "../../kernel-lib/flow/loss";
import { GeneratorOutputs } from "../../kernel-lib/model/blocks";
import { Rng } from "../../kernel-lib/util/rng";

before(async () => {
  await initBackend();
});

// A four-atom chain A–B–C–D (bonds 0–1, 1–2, 2–3), padded to 5 atoms.
const N = 5;
const CHAIN: [number, number][] = [[0, 1], [1, 2], [2, 3]];
const TARGET = [[0, 0, 0], [1.5, 0, 0], [2, 1.4, 0], [3.5, 1.4, 0]];

function bondsTensor(bonds: [number, number][], n = N): tf.Tensor3D {
  const b = new Int32Array(n * n);
  for (const [i, j] of bonds) b[i * n + j] = b[j * n + i] = 1;
  return tf.tensor3d(b, [1, n, n], "int32");
}
function coordsTensor(xyz: number[][], n = N): tf.Tensor3D {
  const c = new Float32Array(n * 3);
  xyz.forEach((p, i) => c.set(p, i * 3));
  return tf.tensor3d(c, [1, n, 3]);
}
const mask = (real: number, n = N) => tf.tensor2d(Array.from({ length: n }, (_, i) => (i < real ? 1 : 0)), [1, n]);

/** The loss by hand: pairs within two bonds of the chain, both orders. */
function byHand(pred: number[][], target: number[][], pairs: [number, number][]): number {
  const d = (x: number[][], i: number, j: number) => Math.hypot(x[i][0] - x[j][0], x[i][1] - x[j][1], x[i][2] - x[j][2]);
  let s = 0;
  for (const [i, j] of pairs) s += 2 * (d(pred, i, j) - d(target, i, j)) ** 2;
  return s / (2 * pairs.length + 1e-3);
}

function lossOf(pred: number[][], t = 0.9, minT = 0.75, target = TARGET, bonds = CHAIN): number {
  return tf.tidy(() => distanceLoss(coordsTensor(pred), coordsTensor(target), bondsTensor(bonds), mask(4), tf.tensor1d([t]), minT).arraySync()[0]);
}

describe("distance loss (auxiliary, training only)", () => {
  it("selects the pairs at most two bonds apart, real atoms only", () => {
    const near = tf.tidy(() => pairsWithinTwoBonds(bondsTensor(CHAIN), mask(4)).arraySync()[0]);
    const pairs = near.flatMap((row, i) => row.map((v, j) => (v ? `${i}${j}` : "")).filter((p) => p));
    assert.deepEqual(pairs, ["01", "02", "10", "12", "13", "20", "21", "23", "31", "32"]);
  });

  it("is zero for the target, and equals the hand-computed mean squared distance error", () => {
    assert.ok(lossOf(TARGET) < 1e-8);
    const pred = [[0, 0, 0], [1.6, 0.1, 0], [2, 1.3, 0.2], [3.4, 1.5, 0]];
    const pairs: [number, number][] = [[0, 1], [1, 2], [2, 3], [0, 2], [1, 3]];
    assert.ok(Math.abs(lossOf(pred) - byHand(pred, TARGET, pairs)) < 1e-5);
  });

  it("is invariant to rotating and translating the prediction and to atom order", () => {
    const pred = [[0.1, 0, 0], [1.6, 0.1, 0], [2, 1.3, 0.2], [3.4, 1.5, 0]];
    const c = Math.cos(0.7), s = Math.sin(0.7);
    const moved = pred.map(([x, y, z]) => [c * x - s * z + 3, y - 2, s * x + c * z + 1]);
    assert.ok(Math.abs(lossOf(moved) - lossOf(pred)) < 1e-5);
    // Reverse the atom order of prediction, target and bonds.
    const order = [3, 2, 1, 0];
    const reordered = lossOf(order.map((i) => pred[i]), 0.9, 0.75, order.map((i) => TARGET[i]), CHAIN.map(([i, j]) => [3 - i, 3 - j]));
    assert.ok(Math.abs(reordered - lossOf(pred)) < 1e-6);
  });

  it("ignores distances three bonds apart (a torsion of the chain costs nothing)", () => {
    const d = (x: number[][], i: number, j: number) => Math.hypot(x[i][0] - x[j][0], x[i][1] - x[j][1], x[i][2] - x[j][2]);
    // D rotated about the B–C axis keeps C–D and B–D, changes A–D.
    const rotated = rotateAboutAxis(TARGET[3], TARGET[1], TARGET[2], 1.2);
    const pred = [...TARGET.slice(0, 3), rotated];
    assert.ok(Math.abs(d(pred, 0, 3) - d(TARGET, 0, 3)) > 0.3, "the 1–4 distance changes");
    assert.ok(lossOf(pred) < 1e-8);
    const moved = [...TARGET.slice(0, 3), [3.5, 1.4 * Math.cos(1), 1.4 * Math.sin(1)]];
    assert.ok(lossOf(moved) > 1e-3, "moving D off that circle costs");
  });

  it("counts only molecules at t ≥ minT, and padding atoms not at all", () => {
    const pred = [[0, 0, 0], [1.7, 0, 0], [2, 1.4, 0], [3.5, 1.4, 0]];
    assert.ok(lossOf(pred, 0.8) > 0);
    assert.equal(lossOf(pred, 0.7), 0);
    const padded = tf.tidy(() => {
      const p = coordsTensor([...pred, [9, 9, 9]], 6);
      const tg = coordsTensor([...TARGET, [0, 0, 0]], 6);
      return distanceLoss(p, tg, bondsTensor(CHAIN, 6), mask(4, 6), tf.tensor1d([0.9]), 0.75).arraySync()[0];
    });
    assert.ok(Math.abs(padded - lossOf(pred, 0.9)) < 1e-6);
  });

  it("is added to the reference loss with its weight; off by default; leaks no tensors", () => {
    const numBefore = tf.memory().numTensors;
    const rng = new Rng(5);
    const parts = tf.tidy(() => {
      const out: GeneratorOutputs = {
        coords: coordsTensor(TARGET.map((p) => p.map((x) => x + 0.1 * rng.normals(1)[0]))),
        typeLogits: tf.randomNormal([1, N, 18], 0, 1, "float32", 1) as tf.Tensor3D,
        bondLogits: tf.randomNormal([1, N, N, 5], 0, 1, "float32", 2) as tf.Tensor4D,
        chargeLogits: tf.randomNormal([1, N, 7], 0, 1, "float32", 3) as tf.Tensor3D,
      } as GeneratorOutputs;
      const target: LossTargets = {
        coords: coordsTensor(TARGET), atomTypes: tf.tensor2d([[3, 3, 3, 3, 0]], [1, N], "int32"),
        bonds: bondsTensor(CHAIN), charges: tf.zeros([1, N], "int32") as tf.Tensor2D, mask: mask(4), t: tf.tensor1d([0.9]),
      };
      const plain = flowMatchingLoss(out, target);
      const withDistance = flowMatchingLoss(out, target, undefined, { weight: 10, minT: 0.75 });
      assert.throws(() => flowMatchingLoss(out, { ...target, t: undefined }, undefined, { weight: 10, minT: 0.75 }), /needs the time of each molecule/);
      return [plain.total, plain.distance, withDistance.total, withDistance.distance].map((x) => x.arraySync() as number);
    });
    const [plainTotal, plainDistance, total, distance] = parts;
    assert.equal(plainDistance, 0);
    assert.ok(distance > 0);
    assert.ok(Math.abs(total - (plainTotal + 10 * distance)) < 1e-5, `${total} vs ${plainTotal} + 10 × ${distance}`);
    assert.equal(tf.memory().numTensors, numBefore);
  });
});

/** Point p rotated by `angle` about the axis through a and b. */
function rotateAboutAxis(p: number[], a: number[], b: number[], angle: number): number[] {
  const k = b.map((x, i) => x - a[i]);
  const norm = Math.hypot(k[0], k[1], k[2]);
  const u = k.map((x) => x / norm);
  const v = p.map((x, i) => x - a[i]);
  const cross = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
  const dot = u[0] * v[0] + u[1] * v[1] + u[2] * v[2];
  return v.map((x, i) => x * Math.cos(angle) + cross[i] * Math.sin(angle) + u[i] * dot * (1 - Math.cos(angle)) + a[i]);
}
