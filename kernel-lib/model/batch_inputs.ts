/**
 * Generator inputs from a padded batch's arrays: coordinates, atom and bond classes as one-hots (zero on padding),
 * the mask, the time, and zero self-conditioning; and the self-conditioning of a second pass by a first pass's
 * predictions. The training objective and the bond-precision analysis build their network inputs this way.
 */
import * as tf from "@tensorflow/tfjs";
import { GeneratorInputs, GeneratorOutputs } from "./blocks";

/** The arrays of {@link batchInputs}: row-major, `[B, N, 3]`, `[B, N]`, `[B, N, N]`, `[B, N]`, `[B]`. */
export interface BatchArrays {
  coords: Float32Array;
  atomClasses: Int32Array;
  bondClasses: Int32Array;
  mask: Float32Array;
  t: Float32Array;
}

/**
 * Tensors for the generator (the caller disposes them, e.g. inside a tidy).
 * @example
 * const inputs = batchInputs({ coords, atomClasses, bondClasses, mask, t }, B, N, model.config.vocabSize, model.config.nEdgeTypes);
 */
export function batchInputs(a: BatchArrays, B: number, N: number, vocabSize: number, nEdgeTypes: number): GeneratorInputs {
  return tf.tidy(() => {
    const mask = tf.tensor2d(a.mask, [B, N]);
    const pairMask = tf.mul(tf.reshape(mask, [B, N, 1, 1]), tf.reshape(mask, [B, 1, N, 1]));
    return {
      coords: tf.tensor3d(a.coords, [B, N, 3]),
      atomics: tf.mul(tf.oneHot(tf.tensor2d(a.atomClasses, [B, N], "int32"), vocabSize), tf.expandDims(mask, 2)) as tf.Tensor3D,
      bonds: tf.mul(tf.oneHot(tf.tensor3d(a.bondClasses, [B, N, N], "int32"), nEdgeTypes), pairMask) as tf.Tensor4D,
      mask,
      t: tf.tensor1d(a.t),
      condCoords: tf.zeros([B, N, 3]) as tf.Tensor3D,
      condAtomics: tf.zeros([B, N, vocabSize]) as tf.Tensor3D,
      condBonds: tf.zeros([B, N, N, nEdgeTypes]) as tf.Tensor4D,
    };
  });
}

/**
 * Condition `inputs` on a first pass's predictions: its coordinates and softmaxed type and bond probabilities become
 * the conditioning inputs (in place; call inside the caller's tidy).
 * @example
 * conditionOn(inputs, model.forward(inputs)); const out = model.forward(inputs);
 */
export function conditionOn(inputs: GeneratorInputs, first: GeneratorOutputs): void {
  inputs.condCoords = first.coords;
  inputs.condAtomics = tf.softmax(first.typeLogits) as tf.Tensor3D;
  inputs.condBonds = tf.softmax(first.bondLogits) as tf.Tensor4D;
}
