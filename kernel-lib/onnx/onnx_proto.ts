/**
 * ONNX `ModelProto` encoding from plain objects (the subset molcache emits: one graph, float32/int64 initializers
 * as raw data, tensor inputs and outputs with fixed or symbolic dimensions, attributes of type float, int, string,
 * ints and floats). Field numbers follow onnx/onnx.proto (IR version 8, opset 17).
 */
import { ProtoWriter } from "./protobuf";

/** ONNX element types used here (TensorProto.DataType). */
export const ONNX_FLOAT = 1;
/** int64 element type. */
export const ONNX_INT64 = 7;

/** The ONNX opset molcache's graphs are written against (LayerNormalization needs 17). */
export const OPSET_VERSION = 17;
/** IR version matching opset 17. */
export const IR_VERSION = 8;

/** A dimension: a fixed size or a symbolic name (`"B"`, `"N"`) shared by all tensors that use it. */
export type Dim = number | string;

/** A graph input or output. */
export interface ValueInfo {
  name: string;
  elemType: number;
  dims: readonly Dim[];
}

/** A constant tensor stored in the model (weights, shape vectors, axes). */
export interface Initializer {
  name: string;
  elemType: number;
  dims: readonly number[];
  /** float32 values, or int64 values given as numbers (small integers: shapes, axes, indices). */
  data: Float32Array | readonly number[];
}

/** An attribute value: number kinds are told apart by `type`. */
export type Attribute =
  | { type: "float"; value: number }
  | { type: "int"; value: number }
  | { type: "string"; value: string }
  | { type: "ints"; value: readonly number[] }
  | { type: "floats"; value: readonly number[] };

/** One operator node. */
export interface NodeSpec {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name: string;
  attributes?: Readonly<Record<string, Attribute>>;
}

/** A whole single-graph model. */
export interface GraphSpec {
  name: string;
  nodes: readonly NodeSpec[];
  initializers: readonly Initializer[];
  inputs: readonly ValueInfo[];
  outputs: readonly ValueInfo[];
}

// AttributeProto.AttributeType
const ATTR_TYPE = { float: 1, int: 2, string: 3, floats: 6, ints: 7 } as const;

function writeTensor(w: ProtoWriter, t: Initializer): void {
  for (const d of t.dims) w.varint(1, d); // dims
  w.varint(2, t.elemType); // data_type
  w.string(8, t.name); // name
  let raw: Uint8Array;
  if (t.elemType === ONNX_FLOAT) {
    const f = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data);
    raw = new Uint8Array(f.buffer, f.byteOffset, f.byteLength);
  } else if (t.elemType === ONNX_INT64) {
    const v = BigInt64Array.from(Array.from(t.data as ArrayLike<number>, (x) => BigInt(x)));
    raw = new Uint8Array(v.buffer);
  } else throw new Error(`initializer ${t.name}: unsupported element type ${t.elemType}`);
  const expected = t.dims.reduce((a, b) => a * b, 1);
  if (t.data.length !== expected) throw new Error(`initializer ${t.name}: ${t.data.length} values for dims [${t.dims}]`);
  w.bytes(9, raw); // raw_data (little-endian, as ONNX requires)
}

function writeValueInfo(w: ProtoWriter, v: ValueInfo): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.varint(1, v.elemType);
      tensor.message(2, (shape) => {
        for (const d of v.dims) {
          shape.message(1, (dim) => (typeof d === "number" ? dim.varint(1, d) : dim.string(2, d)));
        }
      });
    }),
  );
}

function writeAttribute(w: ProtoWriter, name: string, a: Attribute): void {
  w.string(1, name);
  switch (a.type) {
    case "float":
      w.float(2, a.value);
      break;
    case "int":
      w.varint(3, a.value);
      break;
    case "string":
      w.string(4, a.value);
      break;
    case "floats":
      for (const x of a.value) w.float(7, x);
      break;
    case "ints":
      for (const x of a.value) w.varint(8, x);
      break;
  }
  w.varint(20, ATTR_TYPE[a.type]);
}

function writeNode(w: ProtoWriter, n: NodeSpec): void {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name);
  w.string(4, n.opType);
  for (const [name, a] of Object.entries(n.attributes ?? {})) w.message(5, (aw) => writeAttribute(aw, name, a));
}

/**
 * Encode `graph` as an ONNX ModelProto (opset {@link OPSET_VERSION}), ready for `onnxruntime`.
 * @example
 * const bytes = encodeModel({ name: "id", nodes: [{ opType: "Identity", inputs: ["x"], outputs: ["y"], name: "n0" }],
 *   initializers: [], inputs: [{ name: "x", elemType: ONNX_FLOAT, dims: ["N"] }], outputs: [{ name: "y", elemType: ONNX_FLOAT, dims: ["N"] }] });
 */
export function encodeModel(graph: GraphSpec, producer = "molcache"): Uint8Array {
  const w = new ProtoWriter();
  w.varint(1, IR_VERSION); // ir_version
  w.string(2, producer); // producer_name
  w.string(3, "0.1.0"); // producer_version
  w.message(7, (g) => {
    for (const n of graph.nodes) g.message(1, (nw) => writeNode(nw, n));
    g.string(2, graph.name);
    for (const t of graph.initializers) g.message(5, (tw) => writeTensor(tw, t));
    for (const v of graph.inputs) g.message(11, (vw) => writeValueInfo(vw, v));
    for (const v of graph.outputs) g.message(12, (vw) => writeValueInfo(vw, v));
  });
  w.message(8, (o) => o.string(1, "").varint(2, OPSET_VERSION)); // opset_import: default domain
  return w.finish();
}
