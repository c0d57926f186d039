/**
 * One ONNX graph per generator block (`embed`, `layers.0 … layers.L−1`, `finalFF`, `coordHead`, `bondRefine`,
 * `heads`), with the same names, inputs and outputs as the TF.js blocks in `kernel-lib/model/blocks.ts`, so hooks and
 * caching keep working between compiled blocks. B and N are symbolic: one graph serves every batch shape.
 *
 * Value names: `input.<field>` (a {@link GeneratorInputs} field), `ctx.attnBias` (`[B, 1, N, N]`: 0 for allowed
 * pairs, −1e9 otherwise, rows with no allowed pair all 0), `<field>` for a {@link BlockState} field read, and
 * `state.<field>` / `output.<field>` for what a block writes.
 */
import { SemlaConfig } from "../model/config";
import { GraphBuilder } from "./graph_builder";
import { ONNX_INT64 } from "./onnx_proto";
import {
  centreSets, coordAttention, coordNormLength, coordNormNone, equivariantFeedForward, graphContext, layerMessages,
  coordsAsSet, layerNorm, linear, mixSets, mlp, nodeAttention, pairLinear, setAsCoords, setsComponentsFirst, setsComponentsLast, WeightSource,
} from "./semla_graph_ops";

/** A block's graph and how its outputs combine with the incoming state. */
export interface BlockGraph {
  name: string;
  /** True when fields the block does not write pass through from its input state (as `{...state}` in TF.js). */
  passthrough: boolean;
  model: Uint8Array;
  /** Operator count (for logs). */
  nodes: number;
}

const B = "B";
const N = "N";

function inputs(g: GraphBuilder, config: SemlaConfig, names: readonly string[]): Record<string, string> {
  const v = config.vocabSize, e = config.nEdgeTypes;
  const dims: Record<string, (string | number)[]> = {
    "input.coords": [B, N, 3], "input.atomics": [B, N, v], "input.bonds": [B, N, N, e], "input.mask": [B, N], "input.t": [B],
    "input.condCoords": [B, N, 3], "input.condAtomics": [B, N, v], "input.condBonds": [B, N, N, e],
    "ctx.attnBias": [B, 1, N, N],
    coordSets: [B, config.nCoordSets, N, 3], nodeFeats: [B, N, config.dModel], edgeFeats: [B, N, N, config.dEdge], coords: [B, N, 3],
  };
  return Object.fromEntries(names.map((n) => [n, g.input(n, dims[n])]));
}

function finish(g: GraphBuilder, name: string, passthrough: boolean): BlockGraph {
  return { name, passthrough, model: g.encode(), nodes: g.nodeCount() };
}

function embedGraph(config: SemlaConfig, w: WeightSource): BlockGraph {
  const g = new GraphBuilder("embed");
  const x = inputs(g, config, ["input.coords", "input.atomics", "input.bonds", "input.mask", "input.t", "input.condCoords", "input.condAtomics", "input.condBonds"]);
  const ctx = graphContext(g, w, x["input.mask"]);
  const v = config.vocabSize;
  // Size embedding: row n_b of size_emb.weight (a gather: exactly the TF.js one-hot product's values).
  const sizeTable = w("size_emb.weight");
  const nAtoms = g.cast(g.reduceSum(x["input.mask"], [1], false), ONNX_INT64);
  const sizeEmb = g.gather(g.constant(sizeTable.data, sizeTable.shape, "size_emb"), nAtoms); // [B, sizeEmb]
  // Node input [t, atom state, size embedding, cond atom probs]; per-molecule parts at [B, 1, ·] broadcast over atoms.
  const w0 = w("feat_proj.0.weight");
  const [hidden, inDim] = w0.shape;
  const cols = (from: number, count: number) => {
    const out = new Float32Array(count * hidden);
    for (let r = 0; r < hidden; r++) for (let c = 0; c < count; c++) out[c * hidden + r] = w0.data[r * inDim + from + c];
    return g.constant(out, [count, hidden], "feat_w");
  };
  const perMolecule = g.unsqueeze(
    g.add(g.add(g.matmul(g.unsqueeze(x["input.t"], [1]), cols(0, 1)), g.matmul(sizeEmb, cols(1 + v, config.sizeEmb))), g.constant(w("feat_proj.0.bias").data, [hidden], "bias")),
    [1],
  );
  const atomWeights = (() => {
    const a = new Float32Array(2 * v * hidden);
    for (let r = 0; r < hidden; r++) for (let c = 0; c < v; c++) {
      a[c * hidden + r] = w0.data[r * inDim + 1 + c];
      a[(v + c) * hidden + r] = w0.data[r * inDim + 1 + v + config.sizeEmb + c];
    }
    return g.constant(a, [2 * v, hidden], "feat_w");
  })();
  const perAtom = g.matmul(g.concat([x["input.atomics"], x["input.condAtomics"]], -1), atomWeights);
  const nodeFeats = linear(ctx, "feat_proj.2", g.silu(g.add(perAtom, perMolecule)));
  const edgeFeats = mlp(ctx, "edge_in_proj", g.concat([x["input.bonds"], x["input.condBonds"]], -1));
  const stacked = g.concat([coordsAsSet(g, x["input.coords"]), coordsAsSet(g, x["input.condCoords"])], 1); // [B, 2, 3, N]
  const coordSets = g.mul(mixSets(ctx, stacked, w("dynamics.coord_proj.weight")), ctx.setMask);
  g.output(setsComponentsLast(g, coordSets), "state.coordSets", [B, config.nCoordSets, N, 3]);
  g.output(nodeFeats, "state.nodeFeats", [B, N, config.dModel]);
  g.output(edgeFeats, "state.edgeFeats", [B, N, N, config.dEdge]);
  return finish(g, "embed", false);
}

function layerGraph(config: SemlaConfig, w: WeightSource, index: number): BlockGraph {
  const name = `layers.${index}`;
  const prefix = `dynamics.layers.${index}`;
  const first = index === 0;
  const last = index === config.nLayers - 1;
  const g = new GraphBuilder(name);
  const x = inputs(g, config, ["coordSets", "nodeFeats", ...(first ? ["edgeFeats"] : []), "input.mask", "ctx.attnBias"]);
  const ctx = graphContext(g, w, x["input.mask"]);
  const sets = setsComponentsFirst(g, x.coordSets);
  const ff = equivariantFeedForward(ctx, `${prefix}.node_ff`, sets, x.nodeFeats);
  const c = g.add(sets, ff.coordUpdate);
  const h = g.add(x.nodeFeats, ff.nodeUpdate);
  const msg = layerMessages(ctx, `${prefix}.message_ff`, c, h, first ? x.edgeFeats : null, config.nAttnHeads, config.nCoordSets);
  const nodeUpdate = nodeAttention(ctx, `${prefix}.node_attn`, msg.nodeScores, x["ctx.attnBias"], h, config.nAttnHeads, config.dModel);
  const coordUpdate = coordAttention(ctx, `${prefix}.coord_attn`, msg.coordScores, x["ctx.attnBias"], c);
  g.output(setsComponentsLast(g, g.add(c, coordUpdate)), "state.coordSets", [B, config.nCoordSets, N, 3]);
  g.output(g.add(h, nodeUpdate), "state.nodeFeats", [B, N, config.dModel]);
  if (last) {
    if (!msg.edges) throw new Error(`${name}: the last layer's message MLP has no edge outputs; the weights do not fit the config`);
    g.output(msg.edges, "state.edgeFeats", [B, N, N, config.dEdge]);
  }
  // Middle layers carry no edge stream: the state is replaced, not merged.
  return finish(g, name, false);
}

function finalFFGraph(config: SemlaConfig, w: WeightSource): BlockGraph {
  const g = new GraphBuilder("finalFF");
  const x = inputs(g, config, ["coordSets", "nodeFeats", "input.mask"]);
  const ff = equivariantFeedForward(graphContext(g, w, x["input.mask"]), "dynamics.final_ff_block", setsComponentsFirst(g, x.coordSets), x.nodeFeats);
  g.output(setsComponentsLast(g, ff.coordUpdate), "state.coordSets", [B, config.nCoordSets, N, 3]);
  g.output(ff.nodeUpdate, "state.nodeFeats", [B, N, config.dModel]);
  return finish(g, "finalFF", true);
}

function coordHeadGraph(config: SemlaConfig, w: WeightSource): BlockGraph {
  const g = new GraphBuilder("coordHead");
  const x = inputs(g, config, ["coordSets", "input.mask"]);
  const ctx = graphContext(g, w, x["input.mask"]);
  const mixed = mixSets(ctx, coordNormLength(ctx, "dynamics.coord_norm", setsComponentsFirst(g, x.coordSets)), w("dynamics.coord_head.weight"));
  g.output(setAsCoords(g, mixed), "state.coords", [B, N, 3]);
  return finish(g, "coordHead", true);
}

function bondRefineGraph(config: SemlaConfig, w: WeightSource): BlockGraph {
  const prefix = "dynamics.refine_layer";
  const g = new GraphBuilder("bondRefine");
  const x = inputs(g, config, ["coords", "nodeFeats", "edgeFeats", "input.mask"]);
  const ctx = graphContext(g, w, x["input.mask"]);
  const z = setAsCoords(g, coordNormNone(ctx, `${prefix}.coord_norm`, coordsAsSet(g, x.coords)));
  const zi = g.unsqueeze(z, [2]);
  const zj = g.unsqueeze(z, [1]);
  const diff = g.sub(zi, zj);
  const dist2 = g.reduceSum(g.mul(diff, diff), [3], true);
  const dots = g.reduceSum(g.mul(zi, zj), [3], true);
  const a = linear(ctx, `${prefix}.node_proj`, layerNorm(ctx, `${prefix}.node_norm`, x.nodeFeats));
  const rest = g.concat([dist2, dots, layerNorm(ctx, `${prefix}.edge_norm`, x.edgeFeats)], -1);
  const m = w(`${prefix}.node_proj.weight`).shape[0];
  const hidden = pairLinear(ctx, `${prefix}.message_mlp.0`, a, rest, m);
  g.output(linear(ctx, `${prefix}.message_mlp.2`, g.silu(hidden)), "state.edgeFeats", [B, N, N, config.dEdge]);
  return finish(g, "bondRefine", true);
}

function headsGraph(config: SemlaConfig, w: WeightSource): BlockGraph {
  const g = new GraphBuilder("heads");
  const x = inputs(g, config, ["coords", "nodeFeats", "edgeFeats", "input.mask"]);
  const ctx = graphContext(g, w, x["input.mask"]);
  const h = layerNorm(ctx, "dynamics.feat_norm", x.nodeFeats);
  const e = layerNorm(ctx, "dynamics.bond_norm", x.edgeFeats);
  const coords = setAsCoords(g, centreSets(ctx, coordsAsSet(g, x.coords)));
  const symmetric = g.add(e, g.transpose(e, [0, 2, 1, 3]));
  g.output(coords, "output.coords", [B, N, 3]);
  g.output(mlp(ctx, "atom_classifier_head", h), "output.typeLogits", [B, N, config.vocabSize]);
  g.output(mlp(ctx, "edge_out_proj", symmetric), "output.bondLogits", [B, N, N, config.nEdgeTypes]);
  g.output(mlp(ctx, "charge_classifier_head", h), "output.chargeLogits", [B, N, config.nChargeTypes]);
  return finish(g, "heads", true);
}

/**
 * Build every block's ONNX graph for `config` from `weights`, in execution order.
 * @example
 * const graphs = buildBlockGraphs(model.config, (name) => ({ data: p.get(name).dataSync() as Float32Array, shape: p.get(name).shape }));
 */
export function buildBlockGraphs(config: SemlaConfig, weights: WeightSource): BlockGraph[] {
  const layers = Array.from({ length: config.nLayers }, (_, i) => layerGraph(config, weights, i));
  return [embedGraph(config, weights), ...layers, finalFFGraph(config, weights), coordHeadGraph(config, weights), bondRefineGraph(config, weights), headsGraph(config, weights)];
}
