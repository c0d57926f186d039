/**
 * Small tensor operations shared by the Semla blocks. Every matrix product is a 2-D `matMul` (rank-3 and
 * broadcasting products are ~15× slower on the wasm backend), so inputs are flattened to [rows, features] first.
 * All functions are synchronous and meant to run inside the caller's `tf.tidy`.
 */
import * as tf from "@tensorflow/tfjs";
import { ParamStore } from "./params";

/** Coordinate-norm and attention epsilon of the reference. */
export const EPS_COORD = 1e-6;
/** LayerNorm epsilon of the reference. */
export const EPS_LAYERNORM = 1e-5;
/** Stands for −∞ in attention biases (exp underflows to exactly 0 in float32). */
const NEG_INF = -1e9;

/** Swap the last two axes (rank 2 or 3). */
function transposeLast(t: tf.Tensor): tf.Tensor {
  return tf.transpose(t, t.rank === 2 ? [1, 0] : [0, 2, 1]);
}

/**
 * `a · b` for rank-2 (or batched rank-3) tensors, with the usual gradients `dy · bᵀ` and `aᵀ · dy` computed from
 * explicit transposes. The wasm backend runs products with `transposeA`/`transposeB` (which tfjs's own matMul
 * gradient uses) in a naive loop, ~10× slower than the XNNPACK path of a plain product; a transpose costs far less.
 * @example
 * matMul(tf.ones([2, 3]), tf.ones([3, 4])); // [2, 4] of 3s
 */
export const matMul: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b, save] = args as [tf.Tensor3D, tf.Tensor3D, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a, b) as tf.Tensor,
    gradFunc: (dy: tf.Tensor, [savedA, savedB]: tf.Tensor[]) => [
      tf.matMul(dy as tf.Tensor3D, transposeLast(savedB) as tf.Tensor3D),
      tf.matMul(transposeLast(savedA) as tf.Tensor3D, dy as tf.Tensor3D),
    ],
  };
});

/**
 * `x · Wᵀ` over the last axis, with W stored `[out, in]` as in PyTorch.
 * W is transposed explicitly rather than through `transposeB`, for the same reason as {@link matMul}. The transpose is
 * part of the graph, so gradients reach the variable.
 */
export function matmulLast(x: tf.Tensor, w: tf.Tensor): tf.Tensor {
  const shape = x.shape;
  const inDim = shape[shape.length - 1];
  const y = matMul(tf.reshape(x, [-1, inDim]), tf.transpose(w as tf.Tensor2D));
  return tf.reshape(y, [...shape.slice(0, -1), w.shape[0]]);
}

/** A PyTorch `Linear` named `prefix` (`prefix.weight`, optional `prefix.bias`) over the last axis. */
export function linear(p: ParamStore, prefix: string, x: tf.Tensor, bias = true): tf.Tensor {
  const y = matmulLast(x, p.get(`${prefix}.weight`));
  return bias ? tf.add(y, p.get(`${prefix}.bias`)) : y;
}

/**
 * A `Linear` named `prefix` applied to the last-axis concat of `pieces`, without building the concat: each piece
 * gets its column slice of the weight (concatenating along the last axis is slow on wasm).
 * @example
 * linearOfConcat(p, "edge_in_proj.0", [bonds, condBonds]); // = linear(p, "edge_in_proj.0", concat([bonds, condBonds], -1))
 */
export function linearOfConcat(p: ParamStore, prefix: string, pieces: readonly tf.Tensor[]): tf.Tensor {
  const w = p.get(`${prefix}.weight`);
  const [out, inDim] = w.shape as [number, number];
  let offset = 0;
  let y: tf.Tensor | undefined;
  for (const piece of pieces) {
    const width = piece.shape[piece.rank - 1] as number;
    const term = matmulLast(piece, tf.slice(w, [0, offset], [out, width]));
    y = y ? tf.add(y, term) : term;
    offset += width;
  }
  if (offset !== inDim) throw new Error(`${prefix}: weight has ${inDim} inputs, the pieces give ${offset}`);
  return tf.add(y!, p.get(`${prefix}.bias`));
}

/**
 * {@link mlp} on the last-axis concat of `pieces` (see {@link linearOfConcat}).
 * @example
 * mlpOfConcat(p, "dynamics.final_ff_block.invariant_mlp.node_ff", [hNormed, setLengths]);
 */
export function mlpOfConcat(p: ParamStore, prefix: string, pieces: readonly tf.Tensor[]): tf.Tensor {
  return linear(p, `${prefix}.2`, silu(linearOfConcat(p, `${prefix}.0`, pieces)));
}

/** The reference two-layer MLP `prefix.0` → SiLU → `prefix.2`. */
export function mlp(p: ParamStore, prefix: string, x: tf.Tensor): tf.Tensor {
  return linear(p, `${prefix}.2`, silu(linear(p, `${prefix}.0`, x)));
}

/**
 * Euclidean length over `axis`. A tiny constant under the root keeps the gradient finite for zero vectors (padding,
 * i = j pairs), where PyTorch's norm has a zero subgradient but d√x/dx is infinite; it moves values by ≤ 1e−6.
 */
export function vectorLength(x: tf.Tensor, axis: number, keepDims = false): tf.Tensor {
  return tf.sqrt(tf.add(tf.sum(tf.square(x), axis, keepDims), 1e-12));
}

/** SiLU (x · sigmoid(x)). */
export function silu(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.sigmoid(x));
}

/** LayerNorm over the last axis with the biased variance, as `torch.nn.LayerNorm`. */
export function layerNorm(p: ParamStore, prefix: string, x: tf.Tensor): tf.Tensor {
  const axis = x.rank - 1;
  const mean = tf.mean(x, axis, true);
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), axis, true);
  const normed = tf.mul(centred, tf.rsqrt(tf.add(variance, EPS_LAYERNORM)));
  return tf.add(tf.mul(normed, p.get(`${prefix}.weight`)), p.get(`${prefix}.bias`));
}

/** Per-molecule quantities every block needs; built once per forward. */
export interface MoleculeContext {
  /** Atom mask `[B, N]` (1 real, 0 padding). */
  mask: tf.Tensor2D;
  /** Mask shaped for coordinate sets `[B, 1, N, 1]`. */
  setMask: tf.Tensor4D;
  /** Number of real atoms per molecule `[B]` (float). */
  nAtoms: tf.Tensor1D;
  /** Attention bias `[B, N, N, 1]`: 0 for allowed pairs, −∞ otherwise; rows with no allowed pair are all 0. */
  attnBias: tf.Tensor4D;
  /**
   * Masks and biases already broadcast to a full shape, by shape (filled lazily by {@link fullMask} and
   * {@link fullBias}): the wasm backend's broadcasting kernels are ~7× slower than same-shape ones. The tensors
   * are `tf.keep`-ed; whoever built the context disposes them (the generator's forward does).
   */
  expanded?: Map<string, tf.Tensor>;
}

/** Build the {@link MoleculeContext} from an atom mask `[B, N]`. */
export function moleculeContext(mask: tf.Tensor2D): MoleculeContext {
  const [b, n] = mask.shape;
  const pair = tf.mul(tf.reshape(mask, [b, n, 1]), tf.reshape(mask, [b, 1, n]));
  const allowed = tf.mul(pair, tf.sub(1, tf.eye(n).reshape([1, n, n])));
  const rowHasAllowed = tf.cast(tf.greater(tf.sum(allowed, 2, true), 0), "float32");
  // Disallowed entries get −∞, except in rows with no allowed entry (padding, 1-atom molecules): those stay 0.
  const bias = tf.mul(tf.mul(tf.sub(1, allowed), rowHasAllowed), NEG_INF);
  return {
    mask,
    setMask: tf.reshape(mask, [b, 1, n, 1]) as tf.Tensor4D,
    nAtoms: tf.sum(mask, 1) as tf.Tensor1D,
    attnBias: tf.reshape(bias, [b, n, n, 1]) as tf.Tensor4D,
  };
}

function expandedCached(ctx: MoleculeContext, key: string, make: () => tf.Tensor): tf.Tensor {
  // Without a cache (a context not built by the generator's forward) the tensor is simply made each time.
  if (!ctx.expanded) return make();
  let t = ctx.expanded.get(key);
  if (!t) {
    // Kept: it outlives the block scope that made it. Its owner (the forward) disposes ctx.expanded at the end.
    t = tf.keep(tf.tidy(make));
    ctx.expanded.set(key, t);
  }
  return t;
}

/**
 * The atom mask broadcast to coordinate sets `[B, sets, N, 3]` (cached per forward).
 * @example
 * tf.mul(coordSets, fullMask(ctx, coordSets.shape[1]));
 */
export function fullMask(ctx: MoleculeContext, sets: number): tf.Tensor {
  const [b, n] = ctx.mask.shape;
  return expandedCached(ctx, `mask:${sets}`, () => tf.add(tf.zeros([b, sets, n, 3]), tf.reshape(ctx.mask, [b, 1, n, 1])));
}

/**
 * The attention bias in channels-first layout `[B, channels, N(i), N(j)]` (cached per forward).
 * @example
 * tf.softmax(tf.add(scores, fullBias(ctx, scores.shape[1])));
 */
export function fullBias(ctx: MoleculeContext, channels: number): tf.Tensor {
  const [b, n] = ctx.mask.shape;
  // Adding to zeros broadcasts ~10× faster than tf.tile on wasm.
  return expandedCached(ctx, `bias:${channels}`, () => tf.add(tf.zeros([b, channels, n, n]), tf.reshape(ctx.attnBias, [b, 1, n, n])));
}

/** Centre coordinate sets `[B, S, N, 3]` on the mean of real atoms and zero the padding. */
export function centreSets(c: tf.Tensor, ctx: MoleculeContext): tf.Tensor {
  const b = ctx.mask.shape[0];
  const mask = fullMask(ctx, c.shape[1] as number);
  const masked = tf.mul(c, mask);
  const mean = tf.div(tf.sum(masked, 2, true), tf.reshape(ctx.nAtoms, [b, 1, 1, 1]));
  return tf.mul(tf.sub(c, mean), mask);
}

/** The reference "none" coordinate norm: centre, mask, times the per-set weight `[1, S, 1, 1]`. */
export function coordNormNone(p: ParamStore, prefix: string, c: tf.Tensor, ctx: MoleculeContext): tf.Tensor {
  return tf.mul(centreSets(c, ctx), p.get(`${prefix}.set_weights`));
}

/** The reference "length" coordinate norm: centre, divide by the mean atom length per set, times the set weight. */
export function coordNormLength(p: ParamStore, prefix: string, c: tf.Tensor, ctx: MoleculeContext): tf.Tensor {
  const b = ctx.mask.shape[0];
  const centred = centreSets(c, ctx);
  // Padded atoms are zero after centring, but their length is √1e-12 (vectorLength's constant), not 0: mask them so a
  // molecule's mean length (and so its outputs) does not depend on how much its batch pads it, as the reference does.
  const lengths = tf.mul(vectorLength(centred, 3, true), ctx.setMask);
  const meanLength = tf.div(tf.sum(lengths, 2, true), tf.reshape(ctx.nAtoms, [b, 1, 1, 1]));
  return tf.div(tf.mul(centred, p.get(`${prefix}.set_weights`)), tf.add(meanLength, EPS_COORD));
}

/** Mix coordinate sets `[B, S, N, 3]` with a weight `[P, S]` → `[B, P, N, 3]` (a 2-D matmul over the set axis). */
export function mixSets(c: tf.Tensor, w: tf.Tensor): tf.Tensor {
  const [b, , n] = c.shape;
  const moved = tf.transpose(c, [0, 2, 3, 1]); // [B, N, 3, S]
  const mixed = matmulLast(moved, w); // [B, N, 3, P]
  return tf.transpose(mixed, [0, 3, 1, 2]).reshape([b, w.shape[0] as number, n, 3]);
}

/**
 * Softmax over the last axis (the neighbour j) of channels-first scores `[B, C, N(i), N(j)]` plus the attention
 * bias, in the layout the wasm kernels reduce fastest (last axis, fused softmax kernel).
 */
export function attentionWeightsChannelsFirst(scores: tf.Tensor, ctx: MoleculeContext): tf.Tensor {
  return tf.softmax(tf.add(scores, fullBias(ctx, scores.shape[1] as number)));
}

/** Pairwise first-layer input of an MLP over `[a_i, a_j, rest]` without building the N² concat:
 * `W_i·a_i + W_j·a_j (+ W_r·rest) + b`, where W is `[hidden, 2·M + R]`. Returns `[B, N, N, hidden]`.
 * `rest` may be a list of `[B, N, N, ·]` pieces (the concat's parts, in order): each gets its slice of W, which
 * avoids concatenating N² tensors along their last axis (slow on wasm). */
export function pairLinear(
  w: tf.Tensor,
  bias: tf.Tensor,
  a: tf.Tensor,
  rest: tf.Tensor | readonly tf.Tensor[] | null,
): tf.Tensor {
  const [b, n, m] = a.shape;
  const hidden = w.shape[0];
  const wi = tf.slice(w, [0, 0], [hidden, m]);
  const wj = tf.slice(w, [0, m], [hidden, m]);
  // The bias joins the per-atom term (N values) rather than the N² sum.
  const hi = tf.reshape(tf.add(matmulLast(a, wi), bias), [b, n, 1, hidden]);
  const hj = tf.reshape(matmulLast(a, wj), [b, 1, n, hidden]);
  let out = tf.add(hi, hj);
  const pieces = rest === null ? [] : Array.isArray(rest) ? rest : [rest as tf.Tensor];
  let offset = 2 * m;
  for (const piece of pieces) {
    const width = piece.shape[piece.rank - 1] as number;
    out = tf.add(out, matmulLast(piece, tf.slice(w, [0, offset], [hidden, width])));
    offset += width;
  }
  if (offset !== w.shape[1]) throw new Error(`pairLinear: weight has ${w.shape[1]} inputs, pieces give ${offset}`);
  return out;
}
