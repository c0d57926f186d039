/**
 * The hand-written protobuf writer and ONNX encoding: wire format of varints (including negative int64), floats,
 * strings and nested messages (read back field by field); a model built with GraphBuilder loads in ONNX Runtime,
 * has symbolic dimensions and computes known values; bad graphs are rejected with the block's name.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ProtoWriter } from "../../kernel-lib/onnx/protobuf";
import { readProtoFields } from "../helpers/protobuf_reader";
import { encodeModel, IR_VERSION, ONNX_FLOAT, OPSET_VERSION } from "../../kernel-lib/onnx/onnx_proto";
import { GraphBuilder } from "../../kernel-lib/onnx/graph_builder";
import { availableProviders, OrtSession } from "../../kernel-lib/onnx/ort_session";

describe("protobuf writer", () => {
  it("writes varints, negative int64, floats, strings and nested messages in the protobuf wire format", () => {
    const w = new ProtoWriter().varint(1, 150).varint(2, -1).float(3, 1.5).string(4, "héllo").message(5, (m) => m.varint(1, 2 ** 40));
    const bytes = w.finish();
    // 150 is the protobuf documentation's example: 08 96 01.
    assert.deepEqual(Array.from(bytes.subarray(0, 3)), [0x08, 0x96, 0x01]);
    const fields = readProtoFields(bytes);
    assert.deepEqual(fields.map((f) => [f.field, f.wireType]), [[1, 0], [2, 0], [3, 5], [4, 2], [5, 2]]);
    assert.equal(fields[1].value, 2n ** 64n - 1n, "-1 is the 64-bit two's complement");
    assert.equal(fields[2].value, 1.5);
    assert.equal(new TextDecoder().decode(fields[3].value as Uint8Array), "héllo");
    assert.deepEqual(readProtoFields(fields[4].value as Uint8Array)[0].value, 2n ** 40n);
    assert.throws(() => new ProtoWriter().varint(1, 0.5), /not an integer/);
    assert.throws(() => new ProtoWriter().varint(1, 2 ** 60), /beyond 2\^53/);
  });

  it("encodes a ModelProto with IR version, opset, graph name and symbolic dimensions", () => {
    const bytes = encodeModel({
      name: "id", nodes: [{ opType: "Identity", inputs: ["x"], outputs: ["y"], name: "n" }], initializers: [],
      inputs: [{ name: "x", elemType: ONNX_FLOAT, dims: ["B", 3] }], outputs: [{ name: "y", elemType: ONNX_FLOAT, dims: ["B", 3] }],
    });
    const top = readProtoFields(bytes);
    assert.equal(top.find((f) => f.field === 1)!.value, BigInt(IR_VERSION));
    const opset = readProtoFields(top.find((f) => f.field === 8)!.value as Uint8Array);
    assert.equal(opset.find((f) => f.field === 2)!.value, BigInt(OPSET_VERSION));
    const graph = readProtoFields(top.find((f) => f.field === 7)!.value as Uint8Array);
    assert.equal(new TextDecoder().decode(graph.find((f) => f.field === 2)!.value as Uint8Array), "id");
    assert.equal(graph.filter((f) => f.field === 11).length, 1);
  });
});

describe("GraphBuilder + ONNX Runtime", () => {
  it("a built graph runs for any batch shape and gives the expected values", () => {
    const g = new GraphBuilder("test");
    const x = g.input("x", ["B", "N", 2]);
    const w = g.constant(new Float32Array([1, 2, 3, 4]), [2, 2]); // x · W
    const y = g.matmul(x, w);
    g.output(g.softmax(y, -1), "p", ["B", "N", 2]);
    g.output(g.reduceSum(g.reshape(y, [0, -1]), [1], false), "s", ["B"]);
    g.output(g.layerNorm(x, g.constant(new Float32Array([1, 1]), [2]), g.constant(new Float32Array([0, 0]), [2]), 1e-5), "ln", ["B", "N", 2]);
    const session = new OrtSession(g.encode(), "test");
    try {
      for (const [b, n] of [[1, 1], [2, 3]]) {
        const data = Float32Array.from({ length: b * n * 2 }, (_, i) => i * 0.5);
        const out = session.run({ x: { data, dims: [b, n, 2] } });
        assert.deepEqual(out.p.dims, [b, n, 2]);
        let total = 0;
        for (let r = 0; r < b * n; r++) {
          const [u, v] = [data[2 * r], data[2 * r + 1]];
          const [y0, y1] = [u * 1 + v * 3, u * 2 + v * 4];
          total += y0 + y1;
          const p1 = 1 / (1 + Math.exp(y0 - y1));
          assert.ok(Math.abs((out.p.data as Float32Array)[2 * r + 1] - p1) < 1e-6);
          // LayerNorm of two values: ±1 (times sqrt(var / (var + eps))).
          const ln = (out.ln.data as Float32Array)[2 * r];
          if (u !== v) assert.ok(Math.abs(Math.abs(ln) - 1) < 1e-3, `layer norm ${ln}`);
        }
        const sums = out.s.data as Float32Array;
        assert.ok(Math.abs(sums.reduce((a, c) => a + c, 0) - total) < 1e-3);
      }
    } finally {
      session.dispose();
    }
    assert.throws(() => session.run({}), /was disposed/);
  });

  it("errors name the graph: an invalid graph, a missing input, a wrong shape", () => {
    const bad = new GraphBuilder("broken");
    const x = bad.input("x", ["N"]);
    bad.output(bad.op("NoSuchOp", [x]), "y", ["N"]);
    assert.throws(() => new OrtSession(bad.encode(), "layers.9"), /ONNX Runtime rejected the graph layers\.9/);
    const g = new GraphBuilder("ok");
    const a = g.input("a", ["N", 2]);
    g.output(g.matmul(a, g.constant(new Float32Array(4), [2, 2])), "b", ["N", 2]);
    if (!availableProviders().includes("cuda")) {
      // The CUDA provider is selectable; without its libraries (installed with ONNXRUNTIME_NODE_INSTALL=skip) it fails clearly.
      assert.throws(() => new OrtSession(g.encode(), "embed", { provider: "cuda" }), /cannot start the CUDA provider for embed: .*use provider "cpu"/);
    }
    const s = new OrtSession(g.encode(), "embed");
    try {
      assert.throws(() => s.run({}), /embed: missing input a/);
      assert.throws(() => s.run({ a: { data: new Float32Array(3), dims: [1, 3] } }), /failed in embed \(inputs a \[1,3\]\)/);
    } finally {
      s.dispose();
    }
  });
});
