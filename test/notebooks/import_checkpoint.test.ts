/** notebooks/06_import_checkpoint.ipynb runs headless on the tiny Lightning checkpoint shipped in data/checkpoints/. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT, sharedPath } from "../helpers/paths";
import { runNotebook } from "./notebook_case";
import { testTempDir } from "../helpers/temp_dir";

const outDir = path.join(testTempDir("molcache-nb-import-"), "tiny");

describe("06_import_checkpoint notebook", () => {
  it("imports the checkpoint (EMA weights), samples with it and shows a molecule", (t) => {
    // The notebook's default checkpoint ships with the repository: a copy of the shared fixture, byte for byte.
    const shipped = fs.readFileSync(path.join(REPO_ROOT, "data", "checkpoints", "tiny_semla_lightning.ckpt"));
    assert.ok(shipped.equals(fs.readFileSync(sharedPath("fixtures", "semla", "tiny_semla_lightning.ckpt"))));
    const run = runNotebook("06_import_checkpoint", { MOLCACHE_NB_IMPORT_DIR: outDir, MOLCACHE_NB_N: "2", MOLCACHE_NB_STEPS: "6" }, (m) => t.diagnostic(m));
    assert.match(run.text, /imported data\/checkpoints\/tiny_semla_lightning\.ckpt ->/);
    assert.match(run.text, /EMA weights \(ema_gen\.module\.\*, 149 tensors\)/);
    assert.match(run.text, /parameters\s+215,075/);
    assert.match(run.text, /2 molecules in .* s with 3 network calls per batch/);
    assert.ok(fs.existsSync(path.join(outDir, "config.json")) && fs.existsSync(path.join(outDir, "weights.bin")));
    assert.equal(run.figures.length, 1);
    assert.equal(run.figures[0].data[0].type, "scatter3d");
  });
});
