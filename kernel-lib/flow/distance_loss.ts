/**
 * An auxiliary training loss on the predicted structure's short-range distances (not in the reference SemlaFlow,
 * which trains coordinates by mean squared error alone): the squared error of every distance between atoms at most
 * two bonds apart (bond lengths and the 1–3 distances that fix bond angles), for molecules drawn at t ≥ `minT`.
 *
 * Why: the coordinate MSE is dominated by the large uncertainty of the prediction at small t; it gives bond
 * geometry little signal, and a small model trained by it alone places bonded atoms ~0.05 Å off even when shown
 * the clean molecule — errors the MMFF94 strain of generated molecules is made of. Distances are invariant to
 * rotations, translations and atom order, so the loss keeps the model's equivariance; near the data end (large t)
 * the prediction is one molecule, not an average of many, so its distances can be asked to be right. The same kind
 * of pairwise-distance loss at low noise is used by FrameDiff (Yim et al. 2023) for protein backbones.
 */
import * as tf from "@tensorflow/tfjs";

/** The distance loss's settings. */
export interface DistanceLossOptions {
  /** Weight in the total loss (the coordinate MSE has weight 1; distances are in normalised units). */
  weight: number;
  /** Only molecules drawn at t ≥ minT contribute (default 0.75). */
  minT: number;
}

/** The default time threshold of {@link DistanceLossOptions}. */
export const DEFAULT_DISTANCE_MIN_T = 0.75;

/**
 * Pairs of real atoms at most two bonds apart, `[B, N, N]` float 0/1, diagonal 0.
 * @param bonds bond classes `[B, N, N]` (int32, 0 = none). @param mask real atoms `[B, N]`.
 */
export function pairsWithinTwoBonds(bonds: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const [b, n] = mask.shape;
    const pairMask = tf.mul(tf.reshape(mask, [b, n, 1]), tf.reshape(mask, [b, 1, n]));
    const bonded = tf.mul(tf.cast(tf.greater(bonds, 0), "float32"), pairMask);
    const twoHops = tf.matMul(bonded, bonded);
    const near = tf.cast(tf.greater(tf.add(bonded, twoHops), 0), "float32");
    return tf.mul(tf.mul(near, tf.sub(1, tf.reshape(tf.eye(n), [1, n, n]))), pairMask) as tf.Tensor3D;
  });
}

/** Distances between all atom pairs, `[B, N, N]` (the small constant keeps the gradient finite at zero distance). */
function pairDistances(coords: tf.Tensor3D): tf.Tensor3D {
  const diff = tf.sub(tf.expandDims(coords, 2), tf.expandDims(coords, 1));
  return tf.sqrt(tf.add(tf.sum(tf.square(diff), -1), 1e-8)) as tf.Tensor3D;
}

/**
 * Per molecule `[B]`: the mean squared distance error over pairs within two bonds, 0 for molecules with t < minT
 * (unweighted; the caller applies the weight). Call inside a tidy or gradient scope.
 * @example
 * const perMolecule = distanceLoss(out.coords, target.coords, target.bonds, target.mask, t, 0.75);
 */
export function distanceLoss(
  predicted: tf.Tensor3D, target: tf.Tensor3D, bonds: tf.Tensor3D, mask: tf.Tensor2D, t: tf.Tensor1D, minT: number,
): tf.Tensor1D {
  const b = mask.shape[0];
  const near = pairsWithinTwoBonds(bonds, mask);
  const err = tf.mul(tf.square(tf.sub(pairDistances(predicted), pairDistances(target))), near);
  const perMolecule = tf.div(tf.sum(tf.reshape(err, [b, -1]), 1), tf.add(tf.sum(tf.reshape(near, [b, -1]), 1), 1e-3));
  return tf.mul(perMolecule, tf.cast(tf.greaterEqual(t, minT), "float32")) as tf.Tensor1D;
}
