/**
 * The two attentions of a Semla layer. Both use message channels as scores, softmax over neighbours j, and scale
 * each aggregate by `sqrt(Σ_j α²)` as the reference does.
 */
import * as tf from "@tensorflow/tfjs";
import { ParamStore } from "../params";
import { attentionWeights, coordNormLength, EPS_COORD, layerNorm, linear, mixSets, MoleculeContext } from "../ops";

/** Node attention (`node_attn`): H heads over `in_proj(LN(h))` → `[B, N, D]` update. */
export function nodeAttention(
  p: ParamStore,
  prefix: string,
  scores: tf.Tensor,
  h: tf.Tensor,
  ctx: MoleculeContext,
): tf.Tensor {
  const [b, n, d] = h.shape;
  const heads = scores.shape[3] as number;
  const alpha = attentionWeights(scores, ctx); // [B, N(i), N(j), H]
  const values = tf.reshape(linear(p, `${prefix}.in_proj`, layerNorm(p, `${prefix}.feat_norm`, h)), [b, 1, n, heads, d / heads]);
  // Σ_j α_ijh v_jh as a broadcast product: the batched-matmul kernel is the slow path on wasm.
  const summed = tf.sum(tf.mul(tf.reshape(alpha, [b, n, n, heads, 1]), values), 2); // [B, N, H, D/H]
  const scale = tf.sqrt(tf.sum(tf.square(alpha), 2)); // [B, N, H]
  const out = tf.reshape(tf.mul(summed, tf.expandDims(scale, 3)), [b, n, d]);
  return linear(p, `${prefix}.out_proj`, out);
}

/** Coordinate attention (`coord_attn`): per projected set p, a softmax-weighted mean of unit vectors r_i − r_j. */
export function coordAttention(
  p: ParamStore,
  prefix: string,
  scores: tf.Tensor,
  c: tf.Tensor,
  ctx: MoleculeContext,
): tf.Tensor {
  const [b, , n] = c.shape;
  const r = mixSets(coordNormLength(p, `${prefix}.coord_norm`, c, ctx), p.get(`${prefix}.coord_proj.weight`)); // [B, P, N, 3]
  const nSets = r.shape[1] as number;
  const diff = tf.sub(tf.reshape(r, [b, nSets, n, 1, 3]), tf.reshape(r, [b, nSets, 1, n, 3])); // [B, P, N, N, 3]
  const unit = tf.div(diff, tf.add(tf.sqrt(tf.sum(tf.square(diff), 4, true)), EPS_COORD));
  const beta = tf.transpose(attentionWeights(scores, ctx), [0, 3, 1, 2]); // [B, P, N(i), N(j)]
  const summed = tf.sum(tf.mul(tf.expandDims(beta, 4), unit), 3); // [B, P, N, 3]
  const scale = tf.sqrt(tf.sum(tf.square(beta), 3, true)); // [B, P, N, 1]
  return mixSets(tf.mul(summed, scale), p.get(`${prefix}.attn_proj.weight`));
}
