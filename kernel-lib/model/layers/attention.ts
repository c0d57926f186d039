/**
 * The two attentions of a Semla layer. Both use message channels as scores, softmax over neighbours j, and scale
 * each aggregate by `sqrt(Σ_j α²)` as the reference does.
 *
 * Internally the scores are channels first (`[B, C, N(i), N(j)]`): the softmax and the sums over j then run on the
 * last axis, and the sums over j become small batched products, which on wasm beat broadcast-multiply-and-sum
 * over 5-D tensors by 2–4×.
 */
import * as tf from "@tensorflow/tfjs";
import { ParamStore } from "../params";
import {
  attentionWeightsChannelsFirst, coordNormLength, EPS_COORD, layerNorm, linear, matMul, mixSets, MoleculeContext,
} from "../ops";

/** Node attention (`node_attn`): H heads over `in_proj(LN(h))` → `[B, N, D]` update; `scores` are `[B, H, N(i), N(j)]`. */
export function nodeAttentionChannelsFirst(
  p: ParamStore,
  prefix: string,
  scores: tf.Tensor,
  h: tf.Tensor,
  ctx: MoleculeContext,
): tf.Tensor {
  const [b, n, d] = h.shape;
  const heads = scores.shape[1] as number;
  const dh = d / heads;
  const alpha = attentionWeightsChannelsFirst(scores, ctx); // [B, H, N(i), N(j)]
  const values = tf.reshape(linear(p, `${prefix}.in_proj`, layerNorm(p, `${prefix}.feat_norm`, h)), [b, n, heads, dh]);
  const valuesFirst = tf.reshape(tf.transpose(values, [0, 2, 1, 3]), [b * heads, n, dh]);
  // Σ_j α_ijh v_jh: one product per (molecule, head), inner size N.
  const summed = tf.reshape(matMul(tf.reshape(alpha, [b * heads, n, n]), valuesFirst), [b, heads, n, dh]);
  const scale = tf.sqrt(tf.sum(tf.square(alpha), 3, true)); // [B, H, N, 1]
  const out = tf.reshape(tf.transpose(tf.mul(summed, scale), [0, 2, 1, 3]), [b, n, d]);
  return linear(p, `${prefix}.out_proj`, out);
}

/**
 * Coordinate attention (`coord_attn`): per projected set p, a softmax-weighted mean of unit vectors r_i − r_j;
 * `scores` are `[B, S, N(i), N(j)]`.
 */
export function coordAttentionChannelsFirst(
  p: ParamStore,
  prefix: string,
  scores: tf.Tensor,
  c: tf.Tensor,
  ctx: MoleculeContext,
): tf.Tensor {
  const [b, , n] = c.shape;
  const r = mixSets(coordNormLength(p, `${prefix}.coord_norm`, c, ctx), p.get(`${prefix}.coord_proj.weight`)); // [B, P, N, 3]
  const nSets = r.shape[1] as number;
  // Distances from the three components separately ([B, P, N, N] each) instead of one [B, P, N, N, 3] tensor.
  const components = tf.unstack(tf.transpose(r, [3, 0, 1, 2])); // 3 × [B, P, N]
  // Only distances are needed (the aggregate below uses r itself). Not tf.squaredDifference: its gradient does not
  // reduce broadcast inputs (tfjs 4.22), which breaks training.
  const dist2 = tf.addN(components.map((x) => tf.square(tf.sub(tf.reshape(x, [b, nSets, n, 1]), tf.reshape(x, [b, nSets, 1, n])))));
  // The tiny constant keeps the gradient finite at zero distance (i = j, padding); see vectorLength.
  const dist = tf.sqrt(tf.add(dist2, 1e-12));
  const beta = attentionWeightsChannelsFirst(scores, ctx); // [B, P, N(i), N(j)]
  const w = tf.div(beta, tf.add(dist, EPS_COORD));
  // Σ_j w_ij (r_i − r_j) = r_i Σ_j w_ij − Σ_j w_ij r_j, the second term one batched product.
  const weighted = tf.reshape(matMul(tf.reshape(w, [b * nSets, n, n]), tf.reshape(r, [b * nSets, n, 3])), [b, nSets, n, 3]);
  const summed = tf.sub(tf.mul(r, tf.sum(w, 3, true)), weighted); // [B, P, N, 3]
  const scale = tf.sqrt(tf.sum(tf.square(beta), 3, true)); // [B, P, N, 1]
  return mixSets(tf.mul(summed, scale), p.get(`${prefix}.attn_proj.weight`));
}
