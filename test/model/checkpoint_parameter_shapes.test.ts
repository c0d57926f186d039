/** expectedParameterShapes reproduces the reference state-dict names, shapes and order for both fixture models. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { sharedPath } from "../helpers/paths";
import { expectedParameterShapes, countParameters } from "../../kernel-lib/model/parameter_shapes";
import { GEOM_DRUGS_CONFIG, TINY_CONFIG, SMALL_CONFIG, resolveConfig } from "../../kernel-lib/model/config";

function readList(file: string, key: "tensors" | "keys"): [string, number[]][] {
  const json = JSON.parse(fs.readFileSync(sharedPath("fixtures", "semla", file), "utf8"));
  return json[key].map((t: { name: string; shape: number[] }) => [t.name, t.shape]);
}

describe("expectedParameterShapes", () => {
  it("matches the tiny fixture weights.json exactly (names, shapes, order; 215,075 parameters)", () => {
    const ref = readList("weights.json", "tensors");
    assert.deepEqual([...expectedParameterShapes(TINY_CONFIG)], ref);
    assert.equal(countParameters(TINY_CONFIG), 215075);
  });

  it("matches the default-architecture state dict exactly (23,301,407 parameters)", () => {
    const ref = readList("default_arch_state_dict_shapes.json", "keys");
    assert.deepEqual([...expectedParameterShapes(GEOM_DRUGS_CONFIG)], ref);
    assert.equal(countParameters(GEOM_DRUGS_CONFIG), 23301407);
  });

  it("follows the config: layer count, message widths and heads change the names and shapes", () => {
    const cfg = resolveConfig({ nLayers: 5, nAttnHeads: 8 }, TINY_CONFIG);
    const shapes = expectedParameterShapes(cfg);
    assert.ok(shapes.has("dynamics.layers.4.node_attn.out_proj.bias"));
    assert.ok(!shapes.has("dynamics.layers.5.node_attn.out_proj.bias"));
    // last layer emits H + S + E messages; middle layers H + S through d_message_hidden
    assert.deepEqual(shapes.get("dynamics.layers.4.message_ff.message_mlp.2.weight"), [8 + 8 + 16, 8 + 8 + 16]);
    assert.deepEqual(shapes.get("dynamics.layers.2.message_ff.message_mlp.2.weight"), [8 + 8, 24]);
    assert.ok(!shapes.has("dynamics.layers.1.edge_feat_norm.weight"));
    const small = expectedParameterShapes(SMALL_CONFIG);
    assert.deepEqual(small.get("size_emb.weight"), [64, 64]);
  });
});
