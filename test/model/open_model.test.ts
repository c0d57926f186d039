/** openModel(spec): "default", a folder, random:<preset>[:seed]; errors name the spec the way the caller calls it. */
import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { initBackend } from "../../kernel-lib/env";
import { TINY_CONFIG } from "../../kernel-lib/model/config";
import { createRandomModel, DEFAULT_MODEL_DIR, saveModel } from "../../kernel-lib/model/model_io";
import { openModel } from "../../kernel-lib/model/open_model";
import { testTempDir } from "../helpers/temp_dir";

const tmp = testTempDir("molcache-open-model-");
before(async () => {
  await initBackend();
});

describe("openModel", () => {
  it("random:<preset>[:seed]: the preset's architecture, seeded (seed 0 by default)", () => {
    const a = openModel("random:tiny");
    const b = openModel("random:tiny:0");
    const c = openModel("random:tiny:3");
    try {
      assert.equal(a.name, "random:tiny");
      assert.deepEqual(a.generator.config, b.generator.config);
      const first = (m: typeof a) => Array.from(m.generator.params.get(m.generator.params.names()[0]).dataSync());
      assert.deepEqual(first(a), first(b));
      assert.notDeepEqual(first(a), first(c));
    } finally {
      for (const m of [a, b, c]) m.dispose();
    }
  });

  it("a folder, and \"default\" / nothing for data/models/default", (t) => {
    const saved = createRandomModel(TINY_CONFIG, { seed: 4, name: "saved" });
    saveModel(saved, path.join(tmp, "m"));
    saved.dispose();
    const fromFolder = openModel(path.join(tmp, "m"));
    assert.equal(fromFolder.name, "saved");
    fromFolder.dispose();
    if (fs.existsSync(path.join(DEFAULT_MODEL_DIR, "config.json"))) {
      const d = openModel("default");
      const u = openModel();
      assert.equal(d.name, u.name);
      d.dispose();
      u.dispose();
    } else {
      t.diagnostic(`${DEFAULT_MODEL_DIR} is missing: checking its error instead`);
      assert.throws(() => openModel("default"), /the trained default model does not exist yet/);
    }
  });

  it("errors name the spec as the caller does", () => {
    assert.throws(() => openModel("random:huge"), /unknown preset in model random:huge; use random:<tiny\|small\|qm9\|geom-drugs>\[:seed\]/);
    assert.throws(() => openModel("random:huge", { argument: "--model" }), /unknown preset in --model random:huge/);
    assert.throws(() => openModel("randomly"), /invalid model randomly; use random:<preset>\[:seed\]/);
    assert.throws(() => openModel(path.join(tmp, "missing")), /no model at/);
  });
});
