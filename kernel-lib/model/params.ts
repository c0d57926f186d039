/**
 * The generator's parameters: named `tf.Variable`s whose names match the reference PyTorch state dict exactly
 * (`dynamics.layers.0.node_ff.node_norm.weight`, …), so checkpoints load by name and gradients flow for training.
 */
import * as tf from "@tensorflow/tfjs";
import { Bundle, BundleTensor } from "../util/bundle";

/** Distinguishes the variables of different stores: tfjs variable names are global to the engine. */
let nextStoreId = 0;

/** Named trainable parameters. Owns its variables: call {@link ParamStore.dispose} when done. */
export class ParamStore {
  private readonly vars = new Map<string, tf.Variable>();
  private readonly id = nextStoreId++;

  /** The parameter called `name` (throws naming the missing key). */
  get(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (!v) throw new Error(`missing parameter ${name}; the weights do not match this model config`);
    return v;
  }

  has(name: string): boolean {
    return this.vars.has(name);
  }

  names(): string[] {
    return [...this.vars.keys()];
  }

  /** All variables, in name order of insertion (for optimisers). */
  variables(): tf.Variable[] {
    return [...this.vars.values()];
  }

  /** Total number of scalar parameters. */
  count(): number {
    let n = 0;
    for (const v of this.vars.values()) n += v.size;
    return n;
  }

  /** Create (or replace) a parameter from values. */
  set(name: string, shape: number[], values: Float32Array): void {
    const old = this.vars.get(name);
    const initial = tf.tensor(values, shape, "float32");
    const v = tf.variable(initial, true, `p${this.id}/${name}`);
    initial.dispose();
    if (old) old.dispose();
    this.vars.set(name, v);
  }

  /**
   * Fill parameters from a bundle, checking every expected name and shape.
   * @param expected the names and shapes the config needs (see `expectedParameterShapes`).
   */
  loadBundle(bundle: Bundle, expected: Map<string, number[]>): void {
    const problems: string[] = [];
    for (const [name, shape] of expected) {
      const t = bundle.tensors.get(name);
      if (!t) problems.push(`missing ${name}`);
      else if (t.shape.join(",") !== shape.join(",")) problems.push(`${name} has shape [${t.shape}], config needs [${shape}]`);
    }
    for (const name of bundle.tensors.keys()) if (!expected.has(name)) problems.push(`unexpected ${name}`);
    if (problems.length) {
      const head = problems.slice(0, 5).join("; ");
      throw new Error(`weights do not fit the config (${problems.length} problems): ${head}${problems.length > 5 ? "; …" : ""}`);
    }
    for (const [name, shape] of expected) this.set(name, shape, Float32Array.from(bundle.tensors.get(name)!.data));
  }

  /** Copy every parameter into a bundle (JS memory, for saving). */
  toBundle(meta: Record<string, unknown> = {}): Bundle {
    const tensors = new Map<string, BundleTensor>();
    for (const [name, v] of this.vars) {
      tensors.set(name, { dtype: "float32", shape: v.shape.slice(), data: v.dataSync() as Float32Array });
    }
    return { tensors, meta };
  }

  /** All parameters concatenated into one Float32Array, in insertion order (for optimisers and workers). */
  flatten(): Float32Array {
    const out = new Float32Array(this.count());
    let offset = 0;
    for (const v of this.vars.values()) {
      out.set(v.dataSync() as Float32Array, offset);
      offset += v.size;
    }
    return out;
  }

  /** Assign every parameter from a flat array laid out as {@link ParamStore.flatten} does. */
  assignFlat(flat: Float32Array): void {
    if (flat.length !== this.count()) throw new Error(`flat parameters have ${flat.length} values, the model has ${this.count()}`);
    let offset = 0;
    for (const v of this.vars.values()) {
      const values = flat.subarray(offset, offset + v.size);
      tf.tidy(() => v.assign(tf.tensor(values, v.shape, "float32")));
      offset += v.size;
    }
  }

  /** Release every variable (idempotent). */
  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}
