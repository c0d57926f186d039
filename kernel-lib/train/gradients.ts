/**
 * One gradient computation of the reference objective on a padded batch: build the noisy example, optionally
 * self-condition (with probability ½, a no-gradient pass with zero conditioning whose predictions become the
 * conditioning inputs), run the generator and take gradients of the loss. Gradients come back as one flat
 * Float32Array in parameter order, so workers can exchange and average them cheaply. Optionally molcache's
 * auxiliary distance loss (flow/distance_loss.ts) is added to the objective.
 */
import * as tf from "@tensorflow/tfjs";
import { Batch } from "../data/batching";
import { DEFAULT_INTERPOLANT, makeTrainingExample } from "../flow/interpolant";
import { flowMatchingLoss, LossWeights, QM9_LOSS_WEIGHTS } from "../flow/loss";
import { DistanceLossOptions } from "../flow/distance_loss";
import { batchInputs, conditionOn } from "../model/batch_inputs";
import { SemlaGenerator } from "../model/generator";
import { Rng } from "../util/rng";

/** Loss values of one batch (unweighted parts and the weighted total). */
export interface LossValues {
  total: number;
  coord: number;
  type: number;
  bond: number;
  charge: number;
  /** The distance loss (unweighted; 0 when off). */
  distance: number;
}

/** Gradients (flat, parameter order) and the losses of one batch. */
export interface GradientResult {
  grads: Float32Array;
  losses: LossValues;
  molecules: number;
}

/** Options for {@link computeGradients}. */
export interface GradientOptions {
  coordNoise: number;
  selfConditionProbability: number;
  lossWeights: LossWeights;
  /** molcache's auxiliary distance loss (absent: the reference objective). */
  distance?: DistanceLossOptions;
}

/** Reference defaults. */
export const DEFAULT_GRADIENT_OPTIONS: Readonly<GradientOptions> = {
  coordNoise: 0.2, selfConditionProbability: 0.5, lossWeights: QM9_LOSS_WEIGHTS,
};

/**
 * Compute loss gradients for `batch` with randomness from `rng`.
 * @example
 * const { grads, losses } = computeGradients(model, collate(mols), new Rng(step));
 */
export function computeGradients(model: SemlaGenerator, batch: Batch, rng: Rng, options: GradientOptions = DEFAULT_GRADIENT_OPTIONS): GradientResult {
  const { vocabSize, nEdgeTypes } = model.config;
  const { B, N } = batch;
  const ex = makeTrainingExample(batch, rng, { ...DEFAULT_INTERPOLANT, vocabSize, bondClasses: nEdgeTypes, coordNoise: options.coordNoise });
  const selfCondition = rng.uniform() < options.selfConditionProbability;
  const variables = model.params.variables();
  const result = tf.tidy(() => {
    const inputs = batchInputs({ ...ex, mask: batch.mask }, B, N, vocabSize, nEdgeTypes);
    const mask = inputs.mask;
    if (selfCondition) {
      // No gradient flows through the conditioning pass (it runs outside variableGrads).
      conditionOn(inputs, model.forward(inputs));
    }
    const targets = {
      coords: tf.tensor3d(batch.coords, [B, N, 3]),
      atomTypes: tf.tensor2d(batch.atomTypes, [B, N], "int32"),
      bonds: tf.tensor3d(batch.bonds, [B, N, N], "int32"),
      charges: tf.tensor2d(batch.charges, [B, N], "int32"),
      mask,
      t: inputs.t,
    };
    let parts: ReturnType<typeof flowMatchingLoss> | undefined;
    const { grads } = tf.variableGrads(() => {
      parts = flowMatchingLoss(model.forward(inputs), targets, options.lossWeights, options.distance);
      // Keep the parts for reporting: variableGrads disposes everything else made inside this function.
      for (const t of Object.values(parts)) tf.keep(t);
      return parts.total;
    }, variables);
    // Unused parameters (layer 0's edge_feat_norm, kept for checkpoint compatibility) get no gradient: use zeros.
    const flat = tf.concat(variables.map((v) => (grads[v.name] ? tf.reshape(grads[v.name], [-1]) : tf.zeros([v.size]))));
    const p = parts!;
    const losses = tf.stack([p.total, p.coord, p.type, p.bond, p.charge, p.distance]);
    for (const t of Object.values(p)) t.dispose();
    return { flat, losses };
  });
  // Copy: a backend may hand out a view of its own memory, and these bytes get transferred to another thread.
  const grads = (result.flat.dataSync() as Float32Array).slice();
  const l = result.losses.dataSync();
  result.flat.dispose();
  result.losses.dispose();
  return { grads, losses: { total: l[0], coord: l[1], type: l[2], bond: l[3], charge: l[4], distance: l[5] }, molecules: B };
}
