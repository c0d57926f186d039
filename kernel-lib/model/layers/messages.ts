/**
 * Pairwise messages of a Semla layer (`message_ff`): an MLP over `[a_i, a_j, ⟨C_i, C_j⟩ per set, LN(edges)]`.
 * The message channels feed both attentions (H node heads, S coordinate heads) and, in the last layer, the
 * edge stream (E channels).
 */
import * as tf from "@tensorflow/tfjs";
import { ParamStore } from "../params";
import { coordNormNone, layerNorm, linear, matmulLast, MoleculeContext, pairLinear, silu } from "../ops";

/** Per-set dot products of centred coordinates: `[B, S, N, 3]` → `[B, N, N, S]`. */
export function setDotProducts(c: tf.Tensor): tf.Tensor {
  const [b, s, n] = c.shape;
  return tf.transpose(setGramMatrices(c), [0, 2, 3, 1]).reshape([b, n, n, s]);
}

/** Per-set Gram matrices `[B, S, N, 3]` → `[B, S, N, N]`, one outer product per component (inner size 3 is too
 * small for a batched product, and a [B, S, N, N, 3] intermediate is slow to reduce). */
function setGramMatrices(c: tf.Tensor): tf.Tensor {
  const [b, s, n] = c.shape;
  let gram: tf.Tensor | undefined;
  for (const x of tf.unstack(tf.transpose(c, [3, 0, 1, 2]))) {
    const term = tf.mul(tf.reshape(x, [b, s, n, 1]), tf.reshape(x, [b, s, 1, n]));
    gram = gram ? tf.add(gram, term) : term;
  }
  return gram!;
}

/** The messages of a layer, already split by consumer. */
export interface MessageParts {
  /** Node-attention scores, channels first `[B, H, N(i), N(j)]`. */
  nodeScores: tf.Tensor;
  /** Coordinate-attention scores, channels first `[B, S, N(i), N(j)]`. */
  coordScores: tf.Tensor;
  /** Edge output `[B, N, N, E]` (last layer only), else null. */
  edges: tf.Tensor | null;
}

/**
 * Messages `[B, N, N, H + S (+ E)]` of the layer block `prefix` (`….message_ff`), split into node scores,
 * coordinate scores and edges by slicing the output layer's weight (not the `[B, N, N, ·]` output: slicing a big
 * tensor's last axis is slow on wasm), with the scores laid out channels first for the attentions.
 * @param heads H; `sets` S. The output width must be H + S, or H + S + E in the last layer.
 */
export function layerMessageParts(
  p: ParamStore,
  prefix: string,
  c: tf.Tensor,
  h: tf.Tensor,
  edges: tf.Tensor | null,
  ctx: MoleculeContext,
  heads: number,
  sets: number,
): MessageParts {
  const hidden = silu(messageHidden(p, prefix, c, h, edges, ctx));
  const [b, n] = ctx.mask.shape;
  const w = p.get(`${prefix}.message_mlp.2.weight`);
  const bias = p.get(`${prefix}.message_mlp.2.bias`);
  const width = w.shape[0] as number;
  const hiddenWidth = w.shape[1] as number;
  const part = (from: number, size: number): tf.Tensor =>
    tf.add(matmulLast(hidden, tf.slice(w, [from, 0], [size, hiddenWidth])), tf.slice(bias, [from], [size]));
  const channelsFirst = (t: tf.Tensor, size: number): tf.Tensor => tf.transpose(tf.reshape(t, [b, n, n, size]), [0, 3, 1, 2]);
  return {
    nodeScores: channelsFirst(part(0, heads), heads),
    coordScores: channelsFirst(part(heads, sets), sets),
    edges: width > heads + sets ? part(heads + sets, width - heads - sets) : null,
  };
}

/** The message MLP's first layer (before the SiLU), `[B, N, N, hidden]`. */
function messageHidden(
  p: ParamStore,
  prefix: string,
  c: tf.Tensor,
  h: tf.Tensor,
  edges: tf.Tensor | null,
  ctx: MoleculeContext,
): tf.Tensor {
  const a = linear(p, `${prefix}.node_proj`, layerNorm(p, `${prefix}.node_norm`, h));
  const dots = setDotProducts(coordNormNone(p, `${prefix}.coord_norm`, c, ctx));
  const rest = edges ? [dots, layerNorm(p, `${prefix}.edge_norm`, edges)] : dots;
  return pairLinear(p.get(`${prefix}.message_mlp.0.weight`), p.get(`${prefix}.message_mlp.0.bias`), a, rest);
}
