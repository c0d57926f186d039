/** Generator configs: presets (the reference GEOM-Drugs default, the tiny fixture) and validation errors. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { sharedPath } from "../helpers/paths";
import {
  CONFIG_PRESETS, GEOM_DRUGS_CONFIG, resolveConfig, SMALL_CONFIG, TINY_CONFIG, configFromHyperparameters,
} from "../../kernel-lib/model/config";
import { countParameters } from "../../kernel-lib/model/parameter_shapes";

describe("generator configs", () => {
  it("the tiny preset matches the fixture's config.json and parameter count", () => {
    const ref = JSON.parse(fs.readFileSync(sharedPath("fixtures", "semla", "config.json"), "utf8"));
    assert.deepEqual(configFromHyperparameters(ref.model), TINY_CONFIG);
    assert.equal(countParameters(TINY_CONFIG), ref.n_params);
  });

  it("the GEOM-Drugs preset is the reference default (23,301,407 parameters)", () => {
    assert.deepEqual(
      [GEOM_DRUGS_CONFIG.dModel, GEOM_DRUGS_CONFIG.nLayers, GEOM_DRUGS_CONFIG.dMessage, GEOM_DRUGS_CONFIG.dEdge,
        GEOM_DRUGS_CONFIG.nCoordSets, GEOM_DRUGS_CONFIG.nAttnHeads, GEOM_DRUGS_CONFIG.dMessageHidden,
        GEOM_DRUGS_CONFIG.sizeEmb, GEOM_DRUGS_CONFIG.maxAtoms],
      [384, 12, 128, 128, 64, 32, 128, 64, 256],
    );
    assert.equal(countParameters(GEOM_DRUGS_CONFIG), 23301407);
    assert.deepEqual(
      [SMALL_CONFIG.dModel, SMALL_CONFIG.nLayers, SMALL_CONFIG.dMessage, SMALL_CONFIG.dEdge, SMALL_CONFIG.nCoordSets,
        SMALL_CONFIG.nAttnHeads, SMALL_CONFIG.dMessageHidden],
      [128, 6, 64, 32, 16, 8, 64],
    );
    for (const [name, cfg] of Object.entries(CONFIG_PRESETS)) assert.deepEqual(resolveConfig({ ...cfg }), cfg, name);
  });

  it("resolveConfig merges a partial config onto a base", () => {
    assert.equal(resolveConfig({ nLayers: 4 }).nLayers, 4);
    assert.equal(resolveConfig({}, SMALL_CONFIG).dModel, 128);
  });

  it("rejects unknown keys, heads not dividing dModel, fewer than 2 layers and bad sizes, naming the field", () => {
    assert.throws(() => resolveConfig({ dModle: 64 } as Record<string, unknown>), /unknown config option: dModle; known: dModel/);
    assert.throws(() => resolveConfig({ nAttnHeads: 5 }), /invalid nAttnHeads: 5 does not divide dModel 64/);
    assert.throws(() => resolveConfig({ nLayers: 1 }), /invalid nLayers: 1; SemlaFlow needs at least 2 layers/);
    assert.throws(() => resolveConfig({ dEdge: 0 }), /invalid dEdge: 0; must be a positive integer/);
    assert.throws(() => resolveConfig({ dMessage: 2.5 }), /invalid dMessage: 2.5/);
    assert.throws(() => resolveConfig({ selfCond: "yes" } as Record<string, unknown>), /invalid selfCond/);
    assert.throws(() => configFromHyperparameters({ d_model: 64 }), /lack .*n_layers.*is this a SemlaFlow checkpoint/);
  });
});
