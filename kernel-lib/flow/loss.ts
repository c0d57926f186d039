/**
 * The reference flow-matching loss, per molecule then averaged over the batch:
 * coordinates MSE over real atoms and axes; type, bond and charge cross-entropies summed over real atoms (bonds: over
 * real ordered pairs including i = j) and divided by the count (+ 1e−3); weighted 1 / 0.2 / 0.5 (QM9) / 1.
 * Optionally molcache's auxiliary distance loss (distance_loss.ts) is added.
 */
import * as tf from "@tensorflow/tfjs";
import { GeneratorOutputs } from "../model/blocks";
import { distanceLoss, DistanceLossOptions } from "./distance_loss";

/** Loss weights (QM9 defaults; GEOM-Drugs uses bond 1.0). */
export interface LossWeights {
  coord: number;
  type: number;
  bond: number;
  charge: number;
}

/** The reference QM9 weights. */
export const QM9_LOSS_WEIGHTS: Readonly<LossWeights> = { coord: 1, type: 0.2, bond: 0.5, charge: 1 };

/** Targets as tensors: normalised coordinates `[B,N,3]`, classes as int32 `[B,N]`, `[B,N,N]`, `[B,N]`, mask `[B,N]`. */
export interface LossTargets {
  coords: tf.Tensor3D;
  atomTypes: tf.Tensor2D;
  bonds: tf.Tensor3D;
  charges: tf.Tensor2D;
  mask: tf.Tensor2D;
  /** Time per molecule `[B]`; needed only with a distance loss. */
  t?: tf.Tensor1D;
}

/** The total loss and its unweighted parts (scalars, batch means). */
export interface LossParts {
  total: tf.Scalar;
  coord: tf.Scalar;
  type: tf.Scalar;
  bond: tf.Scalar;
  charge: tf.Scalar;
  /** The distance loss (unweighted; 0 without one). */
  distance: tf.Scalar;
}

const EPS_COUNT = 1e-3;

/** Σ over real entries of −log softmax(logits)[target], per molecule `[B]`. */
function crossEntropySum(logits: tf.Tensor, target: tf.Tensor, weight: tf.Tensor, classes: number): tf.Tensor {
  const logp = tf.logSoftmax(logits);
  const picked = tf.sum(tf.mul(logp, tf.oneHot(target, classes)), -1);
  const perEntry = tf.mul(tf.neg(picked), weight);
  return tf.sum(tf.reshape(perEntry, [perEntry.shape[0], -1]), 1);
}

/**
 * Compute the loss (inside the caller's tidy or gradient scope); with `distance`, molcache's auxiliary distance
 * loss is added (its weight > 0 needs `target.t`).
 * @example
 * const { total } = flowMatchingLoss(model.forward(inputs), targets);
 */
export function flowMatchingLoss(
  out: GeneratorOutputs, target: LossTargets, weights: LossWeights = QM9_LOSS_WEIGHTS, distance?: DistanceLossOptions,
): LossParts {
  const [b, n] = target.mask.shape;
  const mask = target.mask;
  const atoms = tf.sum(mask, 1);
  const pairMask = tf.mul(tf.reshape(mask, [b, n, 1]), tf.reshape(mask, [b, 1, n]));
  const pairs = tf.sum(tf.reshape(pairMask, [b, -1]), 1);
  const sq = tf.sum(tf.mul(tf.square(tf.sub(out.coords, target.coords)), tf.expandDims(mask, 2)), [1, 2]);
  const coord = tf.div(sq, tf.mul(atoms, 3));
  const type = tf.div(crossEntropySum(out.typeLogits, target.atomTypes, mask, out.typeLogits.shape[2]), tf.add(atoms, EPS_COUNT));
  const bond = tf.div(crossEntropySum(out.bondLogits, target.bonds, pairMask, out.bondLogits.shape[3]), tf.add(pairs, EPS_COUNT));
  const charge = tf.div(crossEntropySum(out.chargeLogits, target.charges, mask, out.chargeLogits.shape[2]), tf.add(atoms, EPS_COUNT));
  const terms = [tf.mul(coord, weights.coord), tf.mul(type, weights.type), tf.mul(bond, weights.bond), tf.mul(charge, weights.charge)];
  let dist: tf.Tensor = tf.zeros([b]);
  if (distance && distance.weight > 0) {
    if (!target.t) throw new Error("a distance loss needs the time of each molecule (LossTargets.t)");
    dist = distanceLoss(out.coords, target.coords, target.bonds, mask, target.t, distance.minT);
    terms.push(tf.mul(dist, distance.weight));
  }
  const perMolecule = tf.addN(terms);
  return {
    total: tf.mean(perMolecule) as tf.Scalar,
    coord: tf.mean(coord) as tf.Scalar,
    type: tf.mean(type) as tf.Scalar,
    bond: tf.mean(bond) as tf.Scalar,
    charge: tf.mean(charge) as tf.Scalar,
    distance: tf.mean(dist) as tf.Scalar,
  };
}
