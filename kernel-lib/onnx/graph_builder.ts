/**
 * A small builder for ONNX graphs: values are names (strings), each helper appends one standard operator (opset
 * 17) and returns the name of its output. Constants become initializers; int64 vectors (shapes, axes) are shared
 * by content. {@link GraphBuilder.build} gives a {@link GraphSpec} for {@link encodeModel}.
 */
import { Attribute, Dim, encodeModel, GraphSpec, Initializer, NodeSpec, ONNX_FLOAT, ONNX_INT64, ValueInfo } from "./onnx_proto";


/** Builds one graph. Names are unique within the graph. */
export class GraphBuilder {
  private readonly nodes: NodeSpec[] = [];
  private readonly initializers: Initializer[] = [];
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly intConstants = new Map<string, string>();
  private readonly floatScalars = new Map<number, string>();
  private counter = 0;

  /** @param name the graph name (shows in ONNX Runtime errors). */
  constructor(readonly name: string) {}

  private fresh(hint: string): string {
    return `${hint}_${this.counter++}`;
  }

  /** Declare a graph input (float32 unless `elemType` says otherwise) and return its name. */
  input(name: string, dims: readonly Dim[], elemType = ONNX_FLOAT): string {
    this.inputs.push({ name, elemType, dims });
    return name;
  }

  /** Declare `value` as a graph output called `name` (an Identity node renames it). */
  output(value: string, name: string, dims: readonly Dim[], elemType = ONNX_FLOAT): void {
    this.nodes.push({ opType: "Identity", inputs: [value], outputs: [name], name: this.fresh("out") });
    this.outputs.push({ name, elemType, dims });
  }

  /** A float32 constant (weights). */
  constant(data: Float32Array, dims: readonly number[], hint = "w"): string {
    const name = this.fresh(hint);
    this.initializers.push({ name, elemType: ONNX_FLOAT, dims: [...dims], data });
    return name;
  }

  /** A float32 scalar constant (shared by value). */
  scalar(value: number): string {
    let name = this.floatScalars.get(value);
    if (!name) {
      name = this.constant(Float32Array.of(value), [], "c");
      this.floatScalars.set(value, name);
    }
    return name;
  }

  /** An int64 vector constant (shapes, axes; shared by content). */
  ints(values: readonly number[]): string {
    const key = values.join(",");
    let name = this.intConstants.get(key);
    if (!name) {
      name = this.fresh("i");
      this.initializers.push({ name, elemType: ONNX_INT64, dims: [values.length], data: [...values] });
      this.intConstants.set(key, name);
    }
    return name;
  }

  /** Append a node with one output and return the output's name. */
  op(opType: string, inputs: readonly string[], attributes?: Record<string, Attribute>): string {
    const out = this.fresh(opType.toLowerCase());
    this.nodes.push({ opType, inputs, outputs: [out], name: `${out}_node`, attributes });
    return out;
  }

  /** Append a node with `count` outputs. */
  opMulti(opType: string, inputs: readonly string[], count: number, attributes?: Record<string, Attribute>): string[] {
    const outs = Array.from({ length: count }, () => this.fresh(opType.toLowerCase()));
    this.nodes.push({ opType, inputs, outputs: outs, name: `${outs[0]}_node`, attributes });
    return outs;
  }

  /** `a + b` (numpy broadcasting). */
  add(a: string, b: string): string {
    return this.op("Add", [a, b]);
  }
  /** `a − b` (numpy broadcasting). */
  sub(a: string, b: string): string {
    return this.op("Sub", [a, b]);
  }
  /** `a · b` elementwise (numpy broadcasting). */
  mul(a: string, b: string): string {
    return this.op("Mul", [a, b]);
  }
  /** `a / b` elementwise (numpy broadcasting). */
  div(a: string, b: string): string {
    return this.op("Div", [a, b]);
  }
  /** Matrix product over the last two axes, batch axes broadcast (numpy `matmul`). */
  matmul(a: string, b: string): string {
    return this.op("MatMul", [a, b]);
  }
  /** Elementwise square root. */
  sqrt(x: string): string {
    return this.op("Sqrt", [x]);
  }
  /** SiLU, x · sigmoid(x). */
  silu(x: string): string {
    return this.mul(x, this.op("Sigmoid", [x]));
  }
  /** Permute axes. */
  transpose(x: string, perm: readonly number[]): string {
    return this.op("Transpose", [x], { perm: { type: "ints", value: perm } });
  }
  /** Reshape; `0` copies the input's dimension, `-1` is inferred. */
  reshape(x: string, shape: readonly number[]): string {
    return this.op("Reshape", [x, this.ints(shape)]);
  }
  /** Reshape to a shape computed in the graph (an int64 vector value, e.g. from `Shape`; `0` and `-1` as above). */
  reshapeTo(x: string, shape: string): string {
    return this.op("Reshape", [x, shape]);
  }
  /** Insert size-1 axes at `axes`. */
  unsqueeze(x: string, axes: readonly number[]): string {
    return this.op("Unsqueeze", [x, this.ints(axes)]);
  }
  /** Sum over `axes`. */
  reduceSum(x: string, axes: readonly number[], keepDims: boolean): string {
    return this.op("ReduceSum", [x, this.ints(axes)], { keepdims: { type: "int", value: keepDims ? 1 : 0 } });
  }
  /** Sum of squares over `axes` (opset 17: axes is an attribute). */
  reduceSumSquare(x: string, axes: readonly number[], keepDims: boolean): string {
    return this.op("ReduceSumSquare", [x], { axes: { type: "ints", value: axes }, keepdims: { type: "int", value: keepDims ? 1 : 0 } });
  }
  /** Softmax over one axis. */
  softmax(x: string, axis: number): string {
    return this.op("Softmax", [x], { axis: { type: "int", value: axis } });
  }
  /** LayerNormalization over the last axis (opset 17; biased variance, as torch.nn.LayerNorm). */
  layerNorm(x: string, scale: string, bias: string, epsilon: number): string {
    return this.op("LayerNormalization", [x, scale, bias], {
      axis: { type: "int", value: -1 },
      epsilon: { type: "float", value: epsilon },
    });
  }
  /** Concatenate along `axis`. */
  concat(xs: readonly string[], axis: number): string {
    return this.op("Concat", xs, { axis: { type: "int", value: axis } });
  }
  /** Split into `count` equal parts along `axis`. */
  split(x: string, axis: number, count: number): string[] {
    return this.opMulti("Split", [x], count, { axis: { type: "int", value: axis } });
  }
  /** Split into parts of the given sizes along `axis`. */
  splitSizes(x: string, axis: number, sizes: readonly number[]): string[] {
    return this.opMulti("Split", [x, this.ints(sizes)], sizes.length, { axis: { type: "int", value: axis } });
  }
  /** Rows of `data` along `axis` at int64 `indices`. */
  gather(data: string, indices: string, axis = 0): string {
    return this.op("Gather", [data, indices], { axis: { type: "int", value: axis } });
  }
  /** Convert to element type `to` (e.g. {@link ONNX_INT64}). */
  cast(x: string, to: number): string {
    return this.op("Cast", [x], { to: { type: "int", value: to } });
  }

  /** The graph so far. */
  build(): GraphSpec {
    return { name: this.name, nodes: this.nodes, initializers: this.initializers, inputs: this.inputs, outputs: this.outputs };
  }

  /** The graph encoded as an ONNX model. */
  encode(): Uint8Array {
    return encodeModel(this.build());
  }

  /** Number of nodes (for logs and tests). */
  nodeCount(): number {
    return this.nodes.length;
  }
}
