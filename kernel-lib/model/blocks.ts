/**
 * The generator as a list of explicit, named blocks: `embed`, `layers.0 … layers.L−1`, `finalFF`, `coordHead`,
 * `bondRefine`, `heads`. Each block maps a {@link BlockState} to the next, so a forward pass can stop after any
 * block and resume from a block's output (hooks and last-block caching attach here).
 */
import * as tf from "@tensorflow/tfjs";
import { SemlaConfig } from "./config";
import { ParamStore } from "./params";
import {
  centreSets, coordNormLength, coordNormNone, fullMask, layerNorm, linear, matMul, matmulLast, mixSets, mlp, mlpOfConcat,
  MoleculeContext, pairLinear, silu,
} from "./ops";
import { equivariantFeedForward } from "./layers/equivariant_ff";
import { layerMessageParts } from "./layers/messages";
import { coordAttentionChannelsFirst, nodeAttentionChannelsFirst } from "./layers/attention";

/** The network inputs (all float32). The categorical inputs are one-hot states; `cond*` are self-conditioning. */
export interface GeneratorInputs {
  /** Noisy coordinates `[B, N, 3]`, normalised units. */
  coords: tf.Tensor3D;
  /** Atom-type one-hots `[B, N, vocab]`. */
  atomics: tf.Tensor3D;
  /** Bond one-hots `[B, N, N, 5]`. */
  bonds: tf.Tensor4D;
  /** Atom mask `[B, N]`. */
  mask: tf.Tensor2D;
  /** Time `[B]` in [0, 1]. */
  t: tf.Tensor1D;
  /** Self-conditioning: previous predicted coordinates `[B, N, 3]` (zeros at the first step). */
  condCoords: tf.Tensor3D;
  /** Self-conditioning: previous atom-type probabilities `[B, N, vocab]`. */
  condAtomics: tf.Tensor3D;
  /** Self-conditioning: previous bond probabilities `[B, N, N, 5]`. */
  condBonds: tf.Tensor4D;
}

/** The network outputs: the predicted clean molecule. */
export interface GeneratorOutputs {
  /** Predicted coordinates `[B, N, 3]`, centred on real atoms, padding zero. */
  coords: tf.Tensor3D;
  /** Atom-type logits `[B, N, vocab]`. */
  typeLogits: tf.Tensor3D;
  /** Bond logits `[B, N, N, 5]`, symmetric in i, j. */
  bondLogits: tf.Tensor4D;
  /** Charge logits `[B, N, 7]`. */
  chargeLogits: tf.Tensor3D;
}

/** What flows between blocks. Each block reads the fields it needs and returns a new state. */
export interface BlockState {
  /** Coordinate sets `[B, S, N, 3]`. */
  coordSets?: tf.Tensor;
  /** Node features `[B, N, D]`. */
  nodeFeats?: tf.Tensor;
  /** Edge features `[B, N, N, E]` (embedded edges before layer 0; last-layer and refined edges after). */
  edgeFeats?: tf.Tensor;
  /** Predicted coordinates `[B, N, 3]` (after `coordHead`). */
  coords?: tf.Tensor;
  /** Final outputs (after `heads`). */
  outputs?: GeneratorOutputs;
}

/**
 * Receives intermediate tensors inside blocks, by the fixture's names without `inter.` (`layer0.messages`,
 * `layer0.ff.coord_update`, `layer0.ff.node_update`, `layer0.node_attn_update`, `layer0.coord_attn_update`,
 * `dynamics.node_feats_normed`, `dynamics.edge_feats_normed`). The tensors belong to the forward's tidy scope:
 * clone and `tf.keep` what you keep. For debugging and parity tests; costs nothing when absent.
 */
export type IntermediateRecorder = (name: string, tensor: tf.Tensor) => void;

/** Everything a block may read besides the state. */
export interface ForwardContext extends MoleculeContext {
  inputs: GeneratorInputs;
  config: SemlaConfig;
  /** Optional debug seam: see {@link IntermediateRecorder}. */
  record?: IntermediateRecorder;
}

/** A named block of the generator. */
export interface Block {
  readonly name: string;
  run(p: ParamStore, state: BlockState, ctx: ForwardContext): BlockState;
}

function need<T>(value: T | undefined, block: string, field: string): T {
  if (value === undefined) throw new Error(`block ${block} needs ${field} in its input state; run the blocks before it`);
  return value;
}

const embed: Block = {
  name: "embed",
  run(p, _state, ctx) {
    const { inputs, config } = ctx;
    const b = inputs.mask.shape[0];
    // A one-hot matmul instead of tf.gather: gather's gradient (UnsortedSegmentSum) has no wasm kernel.
    const sizeOneHot = tf.oneHot(tf.cast(ctx.nAtoms, "int32"), config.maxAtoms);
    const sizeEmb = tf.reshape(matMul(sizeOneHot, p.get("size_emb.weight")), [b, 1, config.sizeEmb]);
    // Node input [t, atom state, size embedding, cond atom probs]: the per-molecule parts (t, size) go through
    // their weight slices at [B, 1, ·] and broadcast, instead of tiling and concatenating them per atom.
    const w = p.get("feat_proj.0.weight");
    const hidden = w.shape[0] as number;
    const v = config.vocabSize;
    const cols = (from: number, width: number) => tf.slice(w, [0, from], [hidden, width]);
    const perMolecule = tf.add(
      tf.add(matmulLast(tf.reshape(inputs.t, [b, 1, 1]), cols(0, 1)), matmulLast(sizeEmb, cols(1 + v, config.sizeEmb))),
      p.get("feat_proj.0.bias"),
    ); // [B, 1, hidden]
    const perAtom = tf.add(matmulLast(inputs.atomics, cols(1, v)), matmulLast(inputs.condAtomics, cols(1 + v + config.sizeEmb, v)));
    const nodeFeats = linear(p, "feat_proj.2", silu(tf.add(perAtom, perMolecule)));
    const edgeFeats = mlpOfConcat(p, "edge_in_proj", [inputs.bonds, inputs.condBonds]);
    const stacked = tf.stack([inputs.coords, inputs.condCoords], 1); // [B, 2, N, 3]
    const coordSets = tf.mul(mixSets(stacked, p.get("dynamics.coord_proj.weight")), fullMask(ctx, config.nCoordSets));
    return { coordSets, nodeFeats, edgeFeats };
  },
};

function semlaLayer(index: number, nLayers: number): Block {
  const name = `layers.${index}`;
  const prefix = `dynamics.layers.${index}`;
  const first = index === 0;
  const last = index === nLayers - 1;
  return {
    name,
    run(p, state, ctx) {
      let c = need(state.coordSets, name, "coordSets");
      let h = need(state.nodeFeats, name, "nodeFeats");
      const ff = equivariantFeedForward(p, `${prefix}.node_ff`, c, h, ctx);
      c = tf.add(c, ff.coordUpdate);
      h = tf.add(h, ff.nodeUpdate);
      const edgesIn = first ? need(state.edgeFeats, name, "edgeFeats") : null;
      const { nAttnHeads: heads, nCoordSets: sets } = ctx.config;
      const msg = layerMessageParts(p, `${prefix}.message_ff`, c, h, edgesIn, ctx, heads, sets);
      const nodeUpdate = nodeAttentionChannelsFirst(p, `${prefix}.node_attn`, msg.nodeScores, h, ctx);
      const coordUpdate = coordAttentionChannelsFirst(p, `${prefix}.coord_attn`, msg.coordScores, c, ctx);
      const out: BlockState = { coordSets: tf.add(c, coordUpdate), nodeFeats: tf.add(h, nodeUpdate) };
      // Only the last layer emits edges; middle layers carry no edge stream.
      if (last) out.edgeFeats = msg.edges!;
      if (ctx.record) {
        const tag = `layer${index}`;
        const channelsLast = (t: tf.Tensor) => tf.transpose(t, [0, 2, 3, 1]);
        const parts = [channelsLast(msg.nodeScores), channelsLast(msg.coordScores), ...(msg.edges ? [msg.edges] : [])];
        ctx.record(`${tag}.ff.coord_update`, ff.coordUpdate);
        ctx.record(`${tag}.ff.node_update`, ff.nodeUpdate);
        ctx.record(`${tag}.messages`, tf.concat(parts, 3));
        ctx.record(`${tag}.node_attn_update`, nodeUpdate);
        ctx.record(`${tag}.coord_attn_update`, coordUpdate);
      }
      return out;
    },
  };
}

const finalFF: Block = {
  name: "finalFF",
  run(p, state, ctx) {
    const c = need(state.coordSets, "finalFF", "coordSets");
    const h = need(state.nodeFeats, "finalFF", "nodeFeats");
    // Not residual: the block's outputs replace the features.
    const ff = equivariantFeedForward(p, "dynamics.final_ff_block", c, h, ctx);
    return { ...state, coordSets: ff.coordUpdate, nodeFeats: ff.nodeUpdate };
  },
};

const coordHead: Block = {
  name: "coordHead",
  run(p, state, ctx) {
    const c = coordNormLength(p, "dynamics.coord_norm", need(state.coordSets, "coordHead", "coordSets"), ctx);
    const [b, , n] = c.shape;
    const coords = tf.reshape(mixSets(c, p.get("dynamics.coord_head.weight")), [b, n, 3]);
    return { ...state, coords };
  },
};

const bondRefine: Block = {
  name: "bondRefine",
  run(p, state, ctx) {
    const prefix = "dynamics.refine_layer";
    const y = need(state.coords, "bondRefine", "coords");
    const h = need(state.nodeFeats, "bondRefine", "nodeFeats");
    const edges = need(state.edgeFeats, "bondRefine", "edgeFeats");
    const [b, n] = ctx.mask.shape;
    const z = tf.reshape(coordNormNone(p, `${prefix}.coord_norm`, tf.reshape(y, [b, 1, n, 3]), ctx), [b, n, 3]);
    const zi = tf.reshape(z, [b, n, 1, 3]);
    const zj = tf.reshape(z, [b, 1, n, 3]);
    const dist2 = tf.sum(tf.square(tf.sub(zi, zj)), 3, true);
    const dots = tf.sum(tf.mul(zi, zj), 3, true);
    const a = linear(p, `${prefix}.node_proj`, layerNorm(p, `${prefix}.node_norm`, h));
    // [dist², dot] is a cheap 2-wide concat; the edge piece gets its own product (see pairLinear).
    const rest = [tf.concat([dist2, dots], 3), layerNorm(p, `${prefix}.edge_norm`, edges)];
    const hidden = pairLinear(p.get(`${prefix}.message_mlp.0.weight`), p.get(`${prefix}.message_mlp.0.bias`), a, rest);
    // Not residual: the refined edges replace the last layer's.
    return { ...state, edgeFeats: linear(p, `${prefix}.message_mlp.2`, silu(hidden)) };
  },
};

const heads: Block = {
  name: "heads",
  run(p, state, ctx) {
    const y = need(state.coords, "heads", "coords");
    const h = layerNorm(p, "dynamics.feat_norm", need(state.nodeFeats, "heads", "nodeFeats"));
    const e = layerNorm(p, "dynamics.bond_norm", need(state.edgeFeats, "heads", "edgeFeats"));
    ctx.record?.("dynamics.node_feats_normed", h);
    ctx.record?.("dynamics.edge_feats_normed", e);
    const [b, n] = ctx.mask.shape;
    const coords = tf.reshape(centreSets(tf.reshape(y, [b, 1, n, 3]), ctx), [b, n, 3]) as tf.Tensor3D;
    const symmetric = tf.add(e, tf.transpose(e, [0, 2, 1, 3]));
    const outputs: GeneratorOutputs = {
      coords,
      typeLogits: mlp(p, "atom_classifier_head", h) as tf.Tensor3D,
      bondLogits: mlp(p, "edge_out_proj", symmetric) as tf.Tensor4D,
      chargeLogits: mlp(p, "charge_classifier_head", h) as tf.Tensor3D,
    };
    return { ...state, outputs };
  },
};

/** The blocks of a generator with `config`, in execution order. */
export function buildBlocks(config: SemlaConfig): Block[] {
  const layers = Array.from({ length: config.nLayers }, (_, i) => semlaLayer(i, config.nLayers));
  return [embed, ...layers, finalFF, coordHead, bondRefine, heads];
}
