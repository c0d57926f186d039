/**
 * Unbounded or nonsensical flags fail at once with one line and a non-zero exit (issue 18): solver steps past the
 * cap, fractional or excessive worker counts, an output path that is a folder (before any sampling), and a model
 * whose weights are NaN (it would sample `nan` atoms and exit 0).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { createRandomModel, saveModel } from "../../kernel-lib/model/model_io";
import { CONFIG_PRESETS } from "../../kernel-lib/model/config";
import { MAX_WORKERS_PER_CORE, defaultWorkerCount } from "../../kernel-lib/util/ts_worker";
import { runEvaluateCommand } from "../../kernel-lib/cli/evaluate";
import { runMolcache } from "../helpers/molcache";
import { REPO_ROOT } from "../helpers/paths";
import { testTempDir } from "../helpers/temp_dir";

const tmp = testTempDir("molcache-flags-");

describe("flag limits", () => {
  it("refuses each bad flag with one line and a non-zero exit, writing nothing", async () => {
    const max = MAX_WORKERS_PER_CORE * defaultWorkerCount();
    const out = path.join(tmp, "m.sdf");
    const folder = path.join(tmp, "a-folder");
    fs.mkdirSync(folder);
    const nanModel = path.join(tmp, "nan-model");
    const model = createRandomModel(CONFIG_PRESETS.tiny, { seed: 0, name: "nan" });
    saveModel(model, nanModel);
    model.generator.dispose();
    const weights = fs.readFileSync(path.join(nanModel, "weights.bin"));
    weights.writeFloatLE(NaN, 64);
    fs.writeFileSync(path.join(nanModel, "weights.bin"), weights);
    const sdf = path.join(REPO_ROOT, "test", "fixtures", "sdf_writers", "rdkit_named.sdf");
    const sample = ["sample", "--model", "random:tiny", "--n", "100000", "--quiet"];
    const cases: [string[], RegExp][] = [
      [[...sample, "--steps", "1e9", "--out", out], /^molcache: invalid steps: 1000000000; at most 10000 solver steps/],
      [[...sample, "--workers", "99", "--out", out], new RegExp(`^molcache: invalid --workers: 99; must be an integer >= 0 and at most ${max} \\(4 per core`)],
      [[...sample, "--out", folder], /^molcache: cannot write .*a-folder: it is a folder; give a file name, e\.g\. --out .*a-folder\/mols\.sdf$/],
      [["sample", "--model", nanModel, "--n", "2", "--steps", "3", "--out", out], /^molcache: the model at .*nan-model has 1 NaN or infinite weights \(first in .*\); it is damaged/],
      [["evaluate", sdf, "--workers", "99"], new RegExp(`^molcache: invalid --workers: 99; must be an integer >= 1 and at most ${max}`)],
      [[...sample, "--cache", "taylor:m=9,D=2", "--out", out], /^molcache: invalid --cache: taylor:m=9,D=2; invalid order: 9/],
      ...["--steps", "--batch-cost", "--limit"].map((flag): [string[], RegExp] => [["train", flag, "2.5", "--run-dir", path.join(tmp, "run"), "--export", path.join(tmp, "exp")], new RegExp(`^molcache: invalid ${flag}: 2\\.5; must be an integer >= 1$`)]),
      [["train", "--workers", "1.5", "--run-dir", path.join(tmp, "run"), "--export", path.join(tmp, "exp")], new RegExp(`^molcache: invalid --workers: 1\\.5; must be an integer >= 1 and at most ${max}`)],
    ];
    for (const [args, message] of cases) {
      // --n 100000 samples for far longer than the timeout: a refusal after sampling would time out.
      const r = runMolcache(args, { timeoutMs: 60_000 });
      assert.notEqual(r.status, 0, `${args.join(" ")} should fail: ${r.stderr}`);
      const lines = r.stderr.trim().split("\n");
      assert.equal(lines.length, 1, `one line for ${args.join(" ")}: ${r.stderr}`);
      assert.match(lines[0], message);
    }
    // evaluate's checks (the same one-line path through the CLI's error handler), in this process.
    await assert.rejects(runEvaluateCommand(sdf, { out: folder }), /^Error: cannot write .*a-folder: it is a folder; give a file name, e\.g\. --out .*a-folder\/metrics\.csv$/);
    assert.deepEqual(fs.readdirSync(tmp).sort(), ["a-folder", "nan-model"], "nothing written");
    assert.deepEqual(fs.readdirSync(folder), []);
  });
});
