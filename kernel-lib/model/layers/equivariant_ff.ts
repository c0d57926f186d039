/**
 * The Semla feed-forward block (`node_ff` inside layers, `final_ff_block` after them): an invariant MLP on node
 * features plus set lengths, and an equivariant update of the coordinate sets gated by node features.
 */
import * as tf from "@tensorflow/tfjs";
import { ParamStore } from "../params";
import { coordNormLength, layerNorm, MoleculeContext, mixSets, mlp, mlpOfConcat, vectorLength } from "../ops";

/** The two updates of a feed-forward block (added residually in layers, used as-is by the final block). */
export interface FeedForwardUpdate {
  /** `[B, S, N, 3]` */
  coordUpdate: tf.Tensor;
  /** `[B, N, D]` */
  nodeUpdate: tf.Tensor;
}

/**
 * Apply the feed-forward block named `prefix` to coordinate sets `c` `[B, S, N, 3]` and node features `h` `[B, N, D]`.
 */
export function equivariantFeedForward(
  p: ParamStore,
  prefix: string,
  c: tf.Tensor,
  h: tf.Tensor,
  ctx: MoleculeContext,
): FeedForwardUpdate {
  const hn = layerNorm(p, `${prefix}.node_norm`, h);
  const cn = coordNormLength(p, `${prefix}.coord_norm`, c, ctx);
  // Invariant path: node features plus the length of each atom's vector in every set.
  const setLengths = tf.transpose(vectorLength(cn, 3), [0, 2, 1]); // [B, N, S]
  const nodeUpdate = mlpOfConcat(p, `${prefix}.invariant_mlp.node_ff`, [hn, setLengths]);
  // Equivariant path: project sets to P directions, sum them to one vector per atom, gate it per p by the node
  // features, and project back to S sets. Scalars times vectors keeps it E(3)-equivariant.
  const gate = mlp(p, `${prefix}.equivariant_mlp.node_proj`, hn); // [B, N, P]
  const projected = mixSets(cn, p.get(`${prefix}.equivariant_mlp.coord_proj.weight`)); // [B, P, N, 3]
  const summed = tf.sum(projected, 1, true); // [B, 1, N, 3]
  const gated = tf.mul(summed, tf.expandDims(tf.transpose(gate, [0, 2, 1]), 3)); // [B, P, N, 3]
  const coordUpdate = mixSets(gated, p.get(`${prefix}.equivariant_mlp.attn_proj.weight`)); // [B, S, N, 3]
  return { coordUpdate, nodeUpdate };
}
