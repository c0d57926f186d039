/**
 * The Semla building blocks (norms, coordinate norms, set mixing, feed-forward, messages, both attentions) as ONNX
 * subgraphs: the same maths as `kernel-lib/model/ops.ts` and `layers/*.ts`, laid out for ONNX Runtime's CPU kernels
 * (batched MatMul with broadcasting is fast there, so no 2-D flattening; attention is channels first so softmax and
 * the sums over neighbours j run on the last axis). Weights are baked into the graph as initializers.
 *
 * Shapes: B molecules, N atoms (both symbolic), S coordinate sets, D node features, E edge features. Coordinate sets
 * are components first inside the graphs, `[B, S, 3, N]` (the block interface's `[B, S, N, 3]` is transposed at the
 * graph's edges, {@link setsComponentsFirst}): per-atom and per-set factors then broadcast over runs of N atoms, where
 * over runs of 3 components ONNX Runtime's broadcasting kernels are about ten times slower.
 */
import { EPS_COORD, EPS_LAYERNORM } from "../model/ops";
import { GraphBuilder } from "./graph_builder";

/** A parameter's values and shape (PyTorch layout: Linear weights are `[out, in]`). */
export interface WeightValues {
  data: Float32Array;
  shape: readonly number[];
}

/** Looks a parameter up by its reference name (throws naming a missing one). */
export type WeightSource = (name: string) => WeightValues;

/** What every subgraph of one block graph shares: the builder, the weights and the per-molecule masks. */
export interface GraphContext {
  g: GraphBuilder;
  w: WeightSource;
  /** Mask shaped `[B, 1, 1, N]` (per atom, for components-first coordinate sets). */
  setMask: string;
  /** Real atoms per molecule shaped `[B, 1, 1, 1]`. */
  nAtoms4: string;
  /** The `[B, N]` mask input (its shape gives N at run time). */
  mask: string;
}

/** Build the mask-derived values of a {@link GraphContext} from a `[B, N]` mask input. */
export function graphContext(g: GraphBuilder, w: WeightSource, mask: string): GraphContext {
  return {
    g,
    w,
    setMask: g.reshape(mask, [0, 1, 1, -1]),
    nAtoms4: g.reshape(g.reduceSum(mask, [1], true), [0, 1, 1, 1]),
    mask,
  };
}

/** Coordinate sets `[B, S, N, 3]` → components first `[B, S, 3, N]`. */
export function setsComponentsFirst(g: GraphBuilder, c: string): string {
  // The Reshape (to the same shape) keeps ONNX Runtime's transpose optimizer from pushing the Transpose down
  // through the coordinate norm, which would run it on the slow layout again.
  return g.reshape(g.transpose(c, [0, 1, 3, 2]), [0, 0, 3, -1]);
}

/** Components-first coordinate sets `[B, S, 3, N]` → `[B, S, N, 3]` (the block interface). */
export function setsComponentsLast(g: GraphBuilder, c: string): string {
  return g.transpose(c, [0, 1, 3, 2]);
}

/** Coordinates `[B, N, 3]` as one components-first set `[B, 1, 3, N]`. */
export function coordsAsSet(g: GraphBuilder, coords: string): string {
  return g.unsqueeze(g.transpose(coords, [0, 2, 1]), [1]);
}

/** One components-first set `[B, 1, 3, N]` as coordinates `[B, N, 3]`. */
export function setAsCoords(g: GraphBuilder, c: string): string {
  return g.transpose(g.reshape(c, [0, 3, -1]), [0, 2, 1]);
}

/** Transpose a row-major `[rows, cols]` matrix. */
export function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

/** Rows `[from, from + count)` of a row-major `[rows, cols]` matrix. */
function rowSlice(data: Float32Array, cols: number, from: number, count: number): Float32Array {
  return data.slice(from * cols, (from + count) * cols);
}

/** Columns `[from, from + count)` of a row-major `[rows, cols]` matrix, as `[count, rows]` (i.e. transposed). */
function columnSliceT(data: Float32Array, rows: number, cols: number, from: number, count: number): Float32Array {
  const out = new Float32Array(count * rows);
  for (let r = 0; r < rows; r++) for (let c = 0; c < count; c++) out[c * rows + r] = data[r * cols + from + c];
  return out;
}

/** `x · Wᵀ (+ b)` for the Linear `prefix` (W `[out, in]`), over the last axis. */
export function linear(ctx: GraphContext, prefix: string, x: string, bias = true): string {
  const { g, w } = ctx;
  const weight = w(`${prefix}.weight`);
  const [out, inDim] = weight.shape;
  const y = g.matmul(x, g.constant(transpose2d(weight.data, out, inDim), [inDim, out], "linear"));
  return bias ? g.add(y, g.constant(w(`${prefix}.bias`).data, [out], "bias")) : y;
}

/** The reference two-layer MLP `prefix.0` → SiLU → `prefix.2`. */
export function mlp(ctx: GraphContext, prefix: string, x: string): string {
  return linear(ctx, `${prefix}.2`, ctx.g.silu(linear(ctx, `${prefix}.0`, x)));
}

/** LayerNorm `prefix` over the last axis (biased variance, eps 1e-5), as `torch.nn.LayerNorm`. */
export function layerNorm(ctx: GraphContext, prefix: string, x: string): string {
  const { g, w } = ctx;
  const scale = w(`${prefix}.weight`);
  return g.layerNorm(x, g.constant(scale.data, scale.shape, "ln_w"), g.constant(w(`${prefix}.bias`).data, scale.shape, "ln_b"), EPS_LAYERNORM);
}

/** `x·x`. */
function square(g: GraphBuilder, x: string): string {
  return g.mul(x, x);
}

/** Euclidean length over `axis` with the same tiny constant under the root as `vectorLength` in ops.ts. */
export function vectorLength(g: GraphBuilder, x: string, axis: number, keepDims: boolean): string {
  return g.sqrt(g.add(g.reduceSum(square(g, x), [axis], keepDims), g.scalar(1e-12)));
}

/** Centre coordinate sets `[B, S, 3, N]` on the mean of real atoms and zero the padding. */
export function centreSets(ctx: GraphContext, c: string): string {
  const { g, setMask, nAtoms4 } = ctx;
  const mean = g.div(g.reduceSum(g.mul(c, setMask), [3], true), nAtoms4);
  return g.mul(g.sub(c, mean), setMask);
}

function setWeights(ctx: GraphContext, prefix: string): string {
  const sw = ctx.w(`${prefix}.set_weights`);
  return ctx.g.constant(sw.data, sw.shape, "set_w");
}

/** The "none" coordinate norm: centre, mask, times the per-set weight. */
export function coordNormNone(ctx: GraphContext, prefix: string, c: string): string {
  return ctx.g.mul(centreSets(ctx, c), setWeights(ctx, prefix));
}

/** The "length" coordinate norm: centre, divide by the mean atom length per set, times the set weight. */
export function coordNormLength(ctx: GraphContext, prefix: string, c: string): string {
  const { g, nAtoms4, setMask } = ctx;
  const centred = centreSets(ctx, c);
  // Pads are masked out of the mean length (their length is √1e-12, not 0), as in ops.ts: padding invariance.
  const meanLength = g.div(g.reduceSum(g.mul(vectorLength(g, centred, 2, true), setMask), [3], true), nAtoms4);
  return g.div(g.mul(centred, setWeights(ctx, prefix)), g.add(meanLength, g.scalar(EPS_COORD)));
}

/** Mix sets `[B, K, 3, N]` with a weight `[P, K]` → `[B, P, 3, N]` (one broadcast MatMul over `[B, K, 3N]`). */
export function mixSets(ctx: GraphContext, c: string, weight: WeightValues): string {
  const { g } = ctx;
  const mixed = g.matmul(g.constant(weight.data, weight.shape, "mix"), g.reshape(c, [0, 0, -1]));
  return g.reshape(mixed, [0, 0, 3, -1]);
}

/** The two updates of a Semla feed-forward block `prefix` (added residually in layers). */
export function equivariantFeedForward(ctx: GraphContext, prefix: string, c: string, h: string): { coordUpdate: string; nodeUpdate: string } {
  const { g, w } = ctx;
  const hn = layerNorm(ctx, `${prefix}.node_norm`, h);
  const cn = coordNormLength(ctx, `${prefix}.coord_norm`, c);
  const setLengths = g.transpose(vectorLength(g, cn, 2, false), [0, 2, 1]); // [B, N, S]
  const nodeUpdate = mlp(ctx, `${prefix}.invariant_mlp.node_ff`, g.concat([hn, setLengths], -1));
  // Σ_p q_p with q_p = Σ_s W[p,s] Ĉ_s is one mix with the column sums of W ([1, S]).
  const proj = w(`${prefix}.equivariant_mlp.coord_proj.weight`);
  const [p, s] = proj.shape;
  const colSums = new Float32Array(s);
  for (let i = 0; i < p; i++) for (let j = 0; j < s; j++) colSums[j] += proj.data[i * s + j];
  const summed = mixSets(ctx, cn, { data: colSums, shape: [1, s] }); // [B, 1, 3, N]
  // ΔC_s = Σ_p A[s,p] g_p σ = (g · Aᵀ)_s σ: gate the one vector per atom by S scalars instead of P vectors.
  const gate = mlp(ctx, `${prefix}.equivariant_mlp.node_proj`, hn); // [B, N, P]
  const attn = w(`${prefix}.equivariant_mlp.attn_proj.weight`); // [S, P]
  const perSet = g.matmul(gate, g.constant(transpose2d(attn.data, attn.shape[0], attn.shape[1]), [attn.shape[1], attn.shape[0]], "gate_proj"));
  const coordUpdate = g.mul(g.unsqueeze(g.transpose(perSet, [0, 2, 1]), [2]), summed); // [B, S, 3, N]
  return { coordUpdate, nodeUpdate };
}

/**
 * The first layer of a pairwise MLP over `[a_i, a_j, rest]` (W `[hidden, 2M + R]`) without the N² concat of the
 * node parts: `W_i·a_i + b` at `[B, N, 1, ·]` plus `W_j·a_j` at `[B, 1, N, ·]` plus `W_r·rest`.
 */
export function pairLinear(ctx: GraphContext, prefix: string, a: string, rest: string, m: number): string {
  const { g, w } = ctx;
  const weight = w(`${prefix}.weight`);
  const [hidden, inDim] = weight.shape;
  const part = (from: number, count: number) => g.constant(columnSliceT(weight.data, hidden, inDim, from, count), [count, hidden], "pair_w");
  const hi = g.unsqueeze(g.add(g.matmul(a, part(0, m)), g.constant(w(`${prefix}.bias`).data, [hidden], "bias")), [2]);
  const hj = g.unsqueeze(g.matmul(a, part(m, m)), [1]);
  return g.add(g.add(hi, hj), g.matmul(rest, part(2 * m, inDim - 2 * m)));
}

/** The int64 shape `[...before, N, N, ...after]`, N read from the mask at run time (B and N are symbolic). */
function pairShape(ctx: GraphContext, before: readonly number[], after: readonly number[]): string {
  const { g } = ctx;
  const n = g.gather(g.op("Shape", [ctx.mask]), g.ints([1]));
  return g.concat([g.ints(before), n, n, ...(after.length ? [g.ints(after)] : [])], 0);
}

/**
 * The message MLP's first layer channels first, `[B, hidden, N, N]`: `W_d·dots` as one product over the sets axis
 * of the channels-first dot products (`[B, S, N·N]`, no transpose), plus `W_i·a_i + b` at `[B, hidden, N, 1]` and
 * `W_j·a_j` at `[B, hidden, 1, N]` (the node parts are projected on N rows, not N² rows), plus (first layer) the
 * normed edges `[B, N·N, E]` through a transposed product.
 */
function pairLinearChannelsFirst(ctx: GraphContext, prefix: string, a: string, dots: string, edges: string | null, m: number, sets: number): string {
  const { g, w } = ctx;
  const weight = w(`${prefix}.weight`);
  const [hidden, inDim] = weight.shape;
  // Column block `[from, from + count)` of W `[hidden, in]`, kept `[hidden, count]` (left operand, channels first).
  const block = (from: number, count: number) =>
    g.constant(transpose2d(columnSliceT(weight.data, hidden, inDim, from, count), count, hidden), [hidden, count], "pair_w");
  const nodePart = (from: number, bias: boolean) => {
    const y = g.matmul(a, g.constant(columnSliceT(weight.data, hidden, inDim, from, m), [m, hidden], "pair_w")); // [B, N, hidden]
    return g.transpose(bias ? g.add(y, g.constant(w(`${prefix}.bias`).data, [hidden], "bias")) : y, [0, 2, 1]); // [B, hidden, N]
  };
  let pairs = g.matmul(block(2 * m, sets), dots); // [B, hidden, N·N]
  if (edges) pairs = g.add(pairs, g.matmul(block(2 * m + sets, inDim - 2 * m - sets), g.transpose(edges, [0, 2, 1])));
  const nodes = g.add(g.unsqueeze(nodePart(0, true), [3]), g.unsqueeze(nodePart(m, false), [2])); // [B, hidden, N, N]
  return g.add(g.reshapeTo(pairs, pairShape(ctx, [0, -1], [])), nodes);
}

/**
 * Messages of a layer, split by consumer: scores channels first `[B, H, N, N]` / `[B, S, N, N]` (the whole message
 * MLP runs channels first, so no pair-sized transposes), edges channels last (last layer only). The score biases are
 * left out: each is constant along j, and the softmax over j that reads the scores is invariant to it.
 */
export function layerMessages(
  ctx: GraphContext,
  prefix: string,
  c: string,
  h: string,
  edges: string | null,
  heads: number,
  sets: number,
): { nodeScores: string; coordScores: string; edges: string | null } {
  const { g, w } = ctx;
  const a = linear(ctx, `${prefix}.node_proj`, layerNorm(ctx, `${prefix}.node_norm`, h));
  const x = coordNormNone(ctx, `${prefix}.coord_norm`, c); // [B, S, 3, N]
  const dots = g.reshape(g.matmul(g.transpose(x, [0, 1, 3, 2]), x), [0, 0, -1]); // [B, S, N·N]
  const edgesNormed = edges ? g.reshape(layerNorm(ctx, `${prefix}.edge_norm`, edges), [0, -1, w(`${prefix}.edge_norm.weight`).shape[0]]) : null;
  const m = w(`${prefix}.node_proj.weight`).shape[0];
  const hidden = g.reshape(g.silu(pairLinearChannelsFirst(ctx, `${prefix}.message_mlp.0`, a, dots, edgesNormed, m, sets)), [0, 0, -1]); // [B, hidden, N·N]
  const out = w(`${prefix}.message_mlp.2.weight`);
  const [width, hiddenWidth] = out.shape;
  const rows = (from: number, count: number) => g.constant(rowSlice(out.data, hiddenWidth, from, count), [count, hiddenWidth], "msg_w");
  const scores = g.reshapeTo(g.matmul(rows(0, heads + sets), hidden), pairShape(ctx, [0, -1], [])); // [B, H + S, N, N]
  const [nodeScores, coordScores] = g.splitSizes(scores, 1, [heads, sets]);
  if (width <= heads + sets) return { nodeScores, coordScores, edges: null };
  // Edges channels last: [B, N·N, hidden] · W_eᵀ (+ b), the transpose folded into the product by ONNX Runtime.
  const e = width - heads - sets;
  const edgeOut = g.add(
    g.matmul(g.transpose(hidden, [0, 2, 1]), g.constant(transpose2d(rowSlice(out.data, hiddenWidth, heads + sets, e), e, hiddenWidth), [hiddenWidth, e], "msg_w")),
    g.constant(w(`${prefix}.message_mlp.2.bias`).data.slice(heads + sets), [e], "msg_b"),
  );
  return { nodeScores, coordScores, edges: g.reshapeTo(edgeOut, pairShape(ctx, [0], [-1])) };
}

/** Node attention `prefix` with channels-first scores `[B, H, N, N]` and bias `[B, 1, N, N]` → `[B, N, D]`. */
export function nodeAttention(ctx: GraphContext, prefix: string, scores: string, bias: string, h: string, heads: number, d: number): string {
  const { g } = ctx;
  const alpha = g.softmax(g.add(scores, bias), -1);
  const values = g.transpose(g.reshape(linear(ctx, `${prefix}.in_proj`, layerNorm(ctx, `${prefix}.feat_norm`, h)), [0, 0, heads, d / heads]), [0, 2, 1, 3]);
  const scale = g.sqrt(g.reduceSumSquare(alpha, [3], true));
  const out = g.reshape(g.transpose(g.mul(g.matmul(alpha, values), scale), [0, 2, 1, 3]), [0, 0, -1]);
  return linear(ctx, `${prefix}.out_proj`, out);
}

/** Coordinate attention `prefix` with channels-first scores `[B, S, N, N]` → `[B, S, 3, N]`. */
export function coordAttention(ctx: GraphContext, prefix: string, scores: string, bias: string, c: string): string {
  const { g, w } = ctx;
  const r = mixSets(ctx, coordNormLength(ctx, `${prefix}.coord_norm`, c), w(`${prefix}.coord_proj.weight`)); // [B, P, 3, N]
  // Distances per component ([B, P, N, N] each), as the TF.js backbone does: exact differences, no Gram trick.
  let dist2: string | undefined;
  for (const x of g.split(r, 2, 3)) {
    const d = g.sub(g.transpose(x, [0, 1, 3, 2]), x); // x_i − x_j
    dist2 = dist2 ? g.add(dist2, square(g, d)) : square(g, d);
  }
  const dist = g.sqrt(g.add(dist2!, g.scalar(1e-12)));
  const beta = g.softmax(g.add(scores, bias), -1);
  const weights = g.div(beta, g.add(dist, g.scalar(EPS_COORD)));
  // Per-atom sums over j come out `[B, P, N, 1]`: as `[B, P, 1, N]` they scale components-first vectors.
  const perAtom = (x: string) => g.transpose(x, [0, 1, 3, 2]);
  const summed = g.sub(g.mul(r, perAtom(g.reduceSum(weights, [3], true))), g.matmul(r, g.transpose(weights, [0, 1, 3, 2])));
  const scale = perAtom(g.sqrt(g.reduceSumSquare(beta, [3], true)));
  return mixSets(ctx, g.mul(summed, scale), w(`${prefix}.attn_proj.weight`));
}
