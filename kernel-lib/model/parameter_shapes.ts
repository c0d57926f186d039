/**
 * The generator's parameter names and shapes for a config, in the reference state-dict order
 * (rssrwn/semla-flow `SemlaGenerator`, the order `state_dict()` lists them). Checkpoint import checks against it,
 * and the model loads its weights by these names.
 */
import { SemlaConfig } from "./config";

/** One entry list builder: keeps insertion order, refuses duplicates (a bug here would silently drop a tensor). */
class ShapeList {
  readonly map = new Map<string, number[]>();

  add(name: string, shape: number[]): void {
    if (this.map.has(name)) throw new Error(`internal error: parameter ${name} listed twice`);
    this.map.set(name, shape);
  }

  /** `nn.Linear(inF, outF)`: weight `[out, in]`, then bias `[out]` unless `bias` is false. */
  linear(prefix: string, inF: number, outF: number, bias = true): void {
    this.add(`${prefix}.weight`, [outF, inF]);
    if (bias) this.add(`${prefix}.bias`, [outF]);
  }

  /** `nn.Sequential(Linear(in, hidden), SiLU, Linear(hidden, out))`: entries `.0.*` and `.2.*`. */
  mlp(prefix: string, inF: number, hidden: number, outF: number): void {
    this.linear(`${prefix}.0`, inF, hidden);
    this.linear(`${prefix}.2`, hidden, outF);
  }

  /** `nn.LayerNorm(width)`: weight and bias `[width]`. */
  layerNorm(prefix: string, width: number): void {
    this.add(`${prefix}.weight`, [width]);
    this.add(`${prefix}.bias`, [width]);
  }

  /** A coordinate norm: one weight per coordinate set, stored `[1, S, 1, 1]`. */
  coordNorm(prefix: string, nSets: number): void {
    this.add(`${prefix}.set_weights`, [1, nSets, 1, 1]);
  }
}

/**
 * The feed-forward block (a layer's `node_ff`, and `final_ff_block` with `projWidth = S`): node LayerNorm, coordinate
 * norm, invariant MLP on `[h, |C_s|]` (hidden 4·D), and the equivariant projection of width `projWidth`.
 */
function feedForward(out: ShapeList, prefix: string, c: SemlaConfig, projWidth: number): void {
  const d = c.dModel;
  const s = c.nCoordSets;
  out.layerNorm(`${prefix}.node_norm`, d);
  out.coordNorm(`${prefix}.coord_norm`, s);
  out.mlp(`${prefix}.invariant_mlp.node_ff`, d + s, 4 * d, d);
  out.mlp(`${prefix}.equivariant_mlp.node_proj`, d, projWidth, projWidth);
  out.linear(`${prefix}.equivariant_mlp.coord_proj`, s, projWidth, false);
  out.linear(`${prefix}.equivariant_mlp.attn_proj`, projWidth, s, false);
}

/** One Semla layer `dynamics.layers.<i>`; the first layer reads embedded edges, the last one emits edges. */
function semlaLayer(out: ShapeList, i: number, c: SemlaConfig): void {
  const p = `dynamics.layers.${i}`;
  const first = i === 0;
  const last = i === c.nLayers - 1;
  const { dModel: d, dMessage: m, nCoordSets: s, dEdge: e, nAttnHeads: h } = c;
  if (first) out.layerNorm(`${p}.edge_feat_norm`, e); // stored by the reference but never used in its forward
  feedForward(out, `${p}.node_ff`, c, m);

  out.coordNorm(`${p}.message_ff.coord_norm`, s);
  out.layerNorm(`${p}.message_ff.node_norm`, d);
  if (first) out.layerNorm(`${p}.message_ff.edge_norm`, e);
  out.linear(`${p}.message_ff.node_proj`, d, m);
  const msgIn = 2 * m + s + (first ? e : 0);
  const msgOut = h + s + (last ? e : 0);
  // The first and last layers use the output width as hidden width; middle layers use d_message_hidden.
  const msgHidden = first || last ? msgOut : c.dMessageHidden;
  out.mlp(`${p}.message_ff.message_mlp`, msgIn, msgHidden, msgOut);

  out.coordNorm(`${p}.coord_attn.coord_norm`, s);
  out.linear(`${p}.coord_attn.coord_proj`, s, s, false);
  out.linear(`${p}.coord_attn.attn_proj`, s, s, false);

  out.layerNorm(`${p}.node_attn.feat_norm`, d);
  out.linear(`${p}.node_attn.in_proj`, d, d);
  out.linear(`${p}.node_attn.out_proj`, d, d);
}

/**
 * Every parameter of the SemlaFlow generator for `config`: name → shape, in the reference state-dict order.
 *
 * Reproduces the fixture's tiny model (215,075 parameters) and the default GEOM-Drugs architecture
 * (23,301,407 parameters) name for name. Assumes a validated config (see `resolveConfig`).
 *
 * @example
 * const shapes = expectedParameterShapes(TINY_CONFIG);
 * shapes.get("size_emb.weight"); // [32, 8]
 */
export function expectedParameterShapes(config: SemlaConfig): Map<string, number[]> {
  const c = config;
  const { dModel: d, dMessage: m, nCoordSets: s, dEdge: e, vocabSize: v } = c;
  const out = new ShapeList();
  const cond = c.selfCond ? 2 : 1;

  // Edge input: bond one-hot (+ self-conditioning bond probabilities).
  out.mlp("edge_in_proj", cond * c.nEdgeTypes, e, e);
  out.mlp("edge_out_proj", e, e, c.nEdgeTypes);
  out.add("size_emb.weight", [c.maxAtoms, c.sizeEmb]);
  // Node input: time (1), atom one-hot (V), size embedding, (+ self-conditioning atom probabilities, V).
  out.mlp("feat_proj", 1 + v + c.sizeEmb + (c.selfCond ? v : 0), d, d);

  for (let i = 0; i < c.nLayers; i++) semlaLayer(out, i, c);

  feedForward(out, "dynamics.final_ff_block", c, s);
  out.coordNorm("dynamics.coord_norm", s);
  out.layerNorm("dynamics.feat_norm", d);
  out.linear("dynamics.coord_proj", cond, s, false);
  out.linear("dynamics.coord_head", s, 1, false);
  out.layerNorm("dynamics.bond_norm", e);

  // Bond refinement: pair input [a_i, a_j, |z_i - z_j|², <z_i, z_j>, LN(edges)], hidden width d_message.
  out.coordNorm("dynamics.refine_layer.coord_norm", 1);
  out.layerNorm("dynamics.refine_layer.node_norm", d);
  out.layerNorm("dynamics.refine_layer.edge_norm", e);
  out.linear("dynamics.refine_layer.node_proj", d, m);
  out.mlp("dynamics.refine_layer.message_mlp", 2 * m + 2 + e, m, e);

  out.mlp("atom_classifier_head", d, d, v);
  out.mlp("charge_classifier_head", d, d, c.nChargeTypes);
  return out.map;
}

/**
 * The total number of scalar parameters for `config` (the sum over {@link expectedParameterShapes}).
 * @example
 * countParameters(GEOM_DRUGS_CONFIG); // 23301407
 */
export function countParameters(config: SemlaConfig): number {
  let n = 0;
  for (const shape of expectedParameterShapes(config).values()) n += shape.reduce((a, b) => a * b, 1);
  return n;
}
