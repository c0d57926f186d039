/**
 * Pairwise messages of a Semla layer (`message_ff`): an MLP over `[a_i, a_j, ⟨C_i, C_j⟩ per set, LN(edges)]`.
 * The message channels feed both attentions (H node heads, S coordinate heads) and, in the last layer, the
 * edge stream (E channels).
 */
import * as tf from "@tensorflow/tfjs";
import { ParamStore } from "../params";
import { coordNormNone, layerNorm, linear, MoleculeContext, pairLinear, silu } from "../ops";

/** Per-set dot products of centred coordinates: `[B, S, N, 3]` → `[B, N, N, S]`. */
export function setDotProducts(c: tf.Tensor): tf.Tensor {
  const [b, s, n] = c.shape;
  const ci = tf.reshape(c, [b, s, n, 1, 3]);
  const cj = tf.reshape(c, [b, s, 1, n, 3]);
  return tf.transpose(tf.sum(tf.mul(ci, cj), 4), [0, 2, 3, 1]);
}

/**
 * Compute messages `[B, N, N, H + S (+ E)]` for the layer block `prefix` (`….message_ff`).
 * @param edges embedded edge features `[B, N, N, E]` (first layer only), else null.
 */
export function layerMessages(
  p: ParamStore,
  prefix: string,
  c: tf.Tensor,
  h: tf.Tensor,
  edges: tf.Tensor | null,
  ctx: MoleculeContext,
): tf.Tensor {
  const a = linear(p, `${prefix}.node_proj`, layerNorm(p, `${prefix}.node_norm`, h));
  const dots = setDotProducts(coordNormNone(p, `${prefix}.coord_norm`, c, ctx));
  const rest = edges ? tf.concat([dots, layerNorm(p, `${prefix}.edge_norm`, edges)], 3) : dots;
  const hidden = pairLinear(p.get(`${prefix}.message_mlp.0.weight`), p.get(`${prefix}.message_mlp.0.bias`), a, rest);
  return linear(p, `${prefix}.message_mlp.2`, silu(hidden));
}
