/**
 * Calibration: the recorded profile (shape, determinism), the plan it gives (exact NFE, not worse than uniform under
 * its own error model), `molcache calibrate` (file written, one-line errors before work), and a sample() run that
 * uses the profile from the model folder or by path and reports the schedule it used per batch.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { initBackend } from "../../kernel-lib/env";
import { calibrate, recordCacheProfile } from "../../kernel-lib/cache/calibrate";
import { readCacheProfile, resolveCacheProfile } from "../../kernel-lib/cache/profile";
import { parseCacheSpec } from "../../kernel-lib/cache/config";
import { runCalibrateCommand } from "../../kernel-lib/cli/calibrate";
import { buildProgram } from "../../kernel-lib/cli/main";
import { sample } from "../../kernel-lib/flow/sample";
import { createRandomModel, LoadedModel, saveModel } from "../../kernel-lib/model/model_io";
import { TINY_CONFIG } from "../../kernel-lib/model/config";
import { testTempDir } from "../helpers/temp_dir";

const tmp = testTempDir("molcache-calibrate-");
let model: LoadedModel;
before(async () => {
  await initBackend();
  model = createRandomModel(TINY_CONFIG, { seed: 2, name: "tiny-2" });
});
after(() => {
  model.generator.dispose();
});

const STEPS = 10;

describe("calibrate", () => {
  it("records one error and gate value per step, deterministically", () => {
    const a = recordCacheProfile(model, { n: 3, steps: STEPS, seed: 4 });
    const b = recordCacheProfile(model, { n: 3, steps: STEPS, seed: 4 });
    assert.deepEqual(a, b);
    assert.equal(a.error.step.length, STEPS);
    assert.equal(a.gate.length, STEPS);
    assert.deepEqual([a.error.step[0], a.error.step[1], a.gate[0]], [null, null, null]);
    assert.ok(a.error.step.slice(2).every((e) => e !== null && e > 0));
    assert.ok(a.error.time.slice(2).every((e, i) => e !== a.error.step[i + 2]), "the time axis differs on the log grid");
    assert.ok(a.gate.slice(1).every((g) => g !== null && g > 0));
    assert.notDeepEqual(recordCacheProfile(model, { n: 3, steps: STEPS, seed: 5 }).error.step, a.error.step);
    const table = a.forecastCost!["taylor:m=2"];
    assert.deepEqual(table.map((row) => row.length), Array.from({ length: STEPS }, (_, c) => STEPS - 1 - c));
    assert.ok(table.slice(0, -1).every((row) => row[0] === 0) && table[0][STEPS - 2] > table[0][1], "longer intervals cost more");
  });

  it("plans exactly nfe calls and, under its error model, never more error than uniform", () => {
    const cal = calibrate(model, { cache: "taylor:m=2", nfe: 4, n: 3, steps: STEPS });
    assert.equal(cal.computedSteps.length, 4);
    assert.deepEqual([cal.computedSteps[0], cal.computedSteps[3]], [0, STEPS - 1]);
    assert.ok(cal.cost.uniform === null || cal.cost.calibrated <= cal.cost.uniform + 1e-12);
    assert.ok(cal.error.calibrated > 0 && (cal.error.uniform === null || cal.error.uniform > 0));
    assert.ok(cal.adaptive.threshold > 0 && cal.adaptive.calls >= 4);
    assert.equal(cal.profile.calibrated!.cache, "taylor:m=2,schedule=calibrated,nfe=4");
    assert.throws(() => calibrate(model, { cache: "taylor:m=2,D=3", nfe: 4, steps: STEPS }), /give the forecaster only \(e.g. taylor:m=2/);
    assert.throws(() => calibrate(model, { cache: "taylor:m=2", nfe: 11, steps: STEPS }), /invalid nfe: 11; a 10-step run has at most 10 network calls/);
  });

  it("molcache calibrate writes the profile; a model folder's profile is found by sample(), which reports the schedule used", async () => {
    const dir = path.join(tmp, "model");
    saveModel(model, dir);
    const out = await runCalibrateCommand({ model: dir, cache: "ab:j=2,axis=time", nfe: 4, n: 3, steps: STEPS, grid: "log", seed: 0, quiet: true });
    assert.equal(out, path.join(dir, "cache_profile.json"));
    assert.equal(readCacheProfile(out).steps, STEPS);
    const { loadModel } = await import("../../kernel-lib/model/model_io");
    const loaded = loadModel(dir);
    try {
      const res = await sample(loaded, { n: 4, steps: STEPS, cache: "ab:j=2,schedule=calibrated,nfe=4,axis=time", seed: 1 });
      assert.equal(res.effectiveSteps, 4);
      assert.ok(res.stepsComputed.every((s) => s.length === 4 && s[0] === 0 && s[3] === STEPS - 1));
      const adaptive = await sample(loaded, { n: 4, steps: STEPS, cache: `taylor:m=2,schedule=adaptive,nfe=4,profile=${out}`, seed: 1 });
      assert.equal(adaptive.stepsComputed.length, adaptive.batches);
      assert.ok(adaptive.stepsComputed.every((s) => s[0] === 0 && s[s.length - 1] === STEPS - 1));
      // A forecaster the profile has no table for: one line naming the fix.
      await assert.rejects(() => sample(loaded, { n: 2, steps: STEPS, cache: "taylor:m=2,schedule=calibrated,nfe=4", seed: 1 }),
        /has no forecast-error table for taylor:m=2 \(it has: ab:j=2,axis=time\); record one with `molcache calibrate --cache taylor:m=2/);
      // Wrong step count: one line naming the fix.
      await assert.rejects(() => sample(loaded, { n: 2, steps: 12, cache: "taylor:m=2,schedule=calibrated,nfe=4" }),
        /was recorded at 10 steps on the log grid, the run has 12 on the log grid; record one for this run with `molcache calibrate --steps 12 --grid log`/);
    } finally {
      loaded.generator.dispose();
    }
    assert.throws(() => resolveCacheProfile(parseCacheSpec("taylor:m=2,schedule=calibrated,nfe=4"), tmp, STEPS, "log"),
      /schedule=calibrated needs a calibration profile: none at .*cache_profile.json; record one with `molcache calibrate/);
    const cli = (...args: string[]) => buildProgram().parseAsync(["node", "molcache", "calibrate", "--model", dir, "--cache", "taylor:m=2", "--quiet", ...args]);
    await assert.rejects(() => cli("--nfe", "1"), /^Error: invalid --nfe: 1; must be an integer >= 2$/);
    await assert.rejects(() => cli("--nfe", "4", "--grid", "cosine"), /^Error: invalid --grid: cosine; use log or linear$/);
    await assert.rejects(() => runCalibrateCommand({ model: dir, cache: "taylor:m=2", nfe: 4, n: 3, steps: 10, grid: "log", seed: 0, out: path.join(tmp, "no", "p.json"), quiet: true }),
      /folder .* does not exist/);
    await assert.rejects(() => runCalibrateCommand({ cache: "taylor:m=2", nfe: 4, n: 3, steps: 10, grid: "log", seed: 0, quiet: true }),
      /--out is required for the default model \(its folder ships with molcache\)/);
  });
});
