/**
 * What a recorder can keep, and how each recorded quantity ("series": a block and a field) is laid out per atom.
 * Which fields a block produces, and their widths, are found by running the model once on a 2-atom molecule
 * (cached per model), so the recorder and its memory estimate follow the model rather than a hard-coded list.
 */
import * as tf from "@tensorflow/tfjs";
import type { BlockState, GeneratorInputs } from "../model/blocks";
import type { SemlaGenerator } from "../model/generator";
import { hookRegistry } from "./registry";

/** The pseudo-block under which the sampler's state and prediction are recorded. */
export const SAMPLER_BLOCK = "sampler";

/**
 * What to keep: block outputs (`nodeFeats`, `coordSets`, `edgeFeats`, `coords`, `outputs` = the heads' coordinates
 * and logits) and, per step, the sampler's `state` (coordinates, atom and bond classes fed to the network) and
 * `prediction` (the network's or the forecast's output).
 */
export type RecordKind = "nodeFeats" | "coordSets" | "edgeFeats" | "coords" | "outputs" | "state" | "prediction";

/** Every {@link RecordKind}, in a fixed order. */
export const RECORD_KINDS: readonly RecordKind[] = ["nodeFeats", "coordSets", "edgeFeats", "coords", "outputs", "state", "prediction"];

/**
 * How one recorded value is stored per molecule and step (padding removed, `a` = recorded atoms):
 * `node` → `[a, width]`; `sets` → `[a, width]` with width = S × 3 (per atom, set-major); `edge` → `[a, a, width]`.
 */
export type SeriesLayout = "node" | "sets" | "edge";

/** One recorded quantity. */
export interface SeriesSpec {
  /** A model block name, or `"sampler"`. */
  block: string;
  /** `nodeFeats`, `coordSets`, `edgeFeats`, `coords`, `outputs.typeLogits`, `state.coords`, `prediction.bondLogits`, … */
  field: string;
  kind: RecordKind;
  layout: SeriesLayout;
  /** Values per atom (`node`, `sets`) or per atom pair (`edge`). */
  width: number;
}

/** `block/field`, the key of a series. */
export function seriesKey(block: string, field: string): string {
  return `${block}/${field}`;
}

/** Floats one molecule's value of a series takes at one step, for `atoms` recorded atoms. */
export function seriesFloats(spec: Pick<SeriesSpec, "layout" | "width">, atoms: number): number {
  return spec.layout === "edge" ? atoms * atoms * spec.width : atoms * spec.width;
}

const OUTPUT_FIELDS = ["coords", "typeLogits", "bondLogits", "chargeLogits"] as const;
const STATE_KEYS = ["nodeFeats", "coordSets", "edgeFeats", "coords"] as const;
const layouts = new WeakMap<SemlaGenerator, Map<string, SeriesSpec[]>>();

function layoutOfField(field: string): SeriesLayout {
  if (field === "coordSets") return "sets";
  return field === "edgeFeats" || field.endsWith("bondLogits") || field.endsWith("bondClasses") ? "edge" : "node";
}

function widthOf(layout: SeriesLayout, shape: readonly number[]): number {
  // node [B, N, w]; sets [B, S, N, 3]; edge [B, N, N, w]
  return layout === "sets" ? shape[1] * shape[3] : shape[shape.length - 1];
}

/** The series a block output produces: fields it changed (passed-through tensors are the previous block's). */
export function producedSeries(block: string, input: BlockState, output: BlockState): SeriesSpec[] {
  const out: SeriesSpec[] = [];
  for (const key of STATE_KEYS) {
    const t = output[key];
    if (t && t !== input[key]) out.push({ block, field: key, kind: key, layout: layoutOfField(key), width: widthOf(layoutOfField(key), t.shape) });
  }
  if (output.outputs && output.outputs !== input.outputs) {
    for (const f of OUTPUT_FIELDS) {
      const field = `outputs.${f}`;
      out.push({ block, field, kind: "outputs", layout: layoutOfField(field), width: widthOf(layoutOfField(field), output.outputs[f].shape) });
    }
  }
  return out;
}

/** The sampler's series for a model with `vocab` atom classes, `edgeTypes` bond classes and `charges` charge classes. */
export function samplerSeries(vocab: number, edgeTypes: number, charges: number): SeriesSpec[] {
  const s = (kind: RecordKind, field: string, width: number): SeriesSpec => ({ block: SAMPLER_BLOCK, field, kind, layout: layoutOfField(field), width });
  return [
    s("state", "state.coords", 3), s("state", "state.atomClasses", 1), s("state", "state.bondClasses", 1),
    s("prediction", "prediction.coords", 3), s("prediction", "prediction.typeLogits", vocab),
    s("prediction", "prediction.bondLogits", edgeTypes), s("prediction", "prediction.chargeLogits", charges),
  ];
}

/**
 * Every series a model can record, by block (model blocks in order, then `"sampler"`). Found once per model by a
 * forward on one 2-atom molecule with the model's hooks silenced; leaks no tensors.
 * @example
 * blockSeries(model).get("layers.0")!.map((s) => s.field); // ["coordSets", "nodeFeats"]
 */
export function blockSeries(model: SemlaGenerator): Map<string, SeriesSpec[]> {
  const cached = layouts.get(model);
  if (cached) return cached;
  const c = model.config;
  const result = new Map<string, SeriesSpec[]>();
  const B = 1;
  const N = 2;
  tf.tidy(() => {
    const inputs: GeneratorInputs = {
      coords: tf.tensor3d([[[0, 0, 0], [1, 0, 0]]]),
      atomics: tf.zeros([B, N, c.vocabSize]) as tf.Tensor3D,
      bonds: tf.zeros([B, N, N, c.nEdgeTypes]) as tf.Tensor4D,
      mask: tf.ones([B, N]) as tf.Tensor2D,
      t: tf.zeros([B]) as tf.Tensor1D,
      condCoords: tf.zeros([B, N, 3]) as tf.Tensor3D,
      condAtomics: tf.zeros([B, N, c.vocabSize]) as tf.Tensor3D,
      condBonds: tf.zeros([B, N, N, c.nEdgeTypes]) as tf.Tensor4D,
    };
    hookRegistry(model).withoutHooks(() => {
      model.forwardBlocks(inputs, { observers: [(block, input, output) => result.set(block, producedSeries(block, input, output))] });
    });
  });
  result.set(SAMPLER_BLOCK, samplerSeries(c.vocabSize, c.nEdgeTypes, c.nChargeTypes));
  layouts.set(model, result);
  return result;
}

/**
 * Copy the real, chosen atoms of batch row `b` out of a padded row-major array, into `out` (length
 * `seriesFloats(spec, atoms.length)`).
 * @param data node `[B, N, w]`, sets `[B, S, N, 3]` or edge `[B, N, N, w]` values.
 */
export function extractRow(
  spec: Pick<SeriesSpec, "layout" | "width">,
  data: ArrayLike<number>,
  N: number,
  b: number,
  atoms: ArrayLike<number>,
  out: Float32Array,
): Float32Array {
  const w = spec.width;
  const a = atoms.length;
  if (spec.layout === "node") {
    for (let i = 0; i < a; i++) {
      const src = (b * N + atoms[i]) * w;
      for (let f = 0; f < w; f++) out[i * w + f] = data[src + f];
    }
  } else if (spec.layout === "sets") {
    const S = w / 3;
    for (let i = 0; i < a; i++) {
      for (let s = 0; s < S; s++) {
        const src = ((b * S + s) * N + atoms[i]) * 3;
        const dst = i * w + s * 3;
        out[dst] = data[src];
        out[dst + 1] = data[src + 1];
        out[dst + 2] = data[src + 2];
      }
    }
  } else {
    for (let i = 0; i < a; i++) {
      for (let j = 0; j < a; j++) {
        const src = ((b * N + atoms[i]) * N + atoms[j]) * w;
        const dst = (i * a + j) * w;
        for (let f = 0; f < w; f++) out[dst + f] = data[src + f];
      }
    }
  }
  return out;
}
