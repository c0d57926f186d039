/**
 * Training never loses or silently corrupts work (issue 18): the default export is never replaced by a run that did
 * not produce it, a resume with other settings or an altered checkpoint is refused, a folder whose checkpoint was
 * deleted is not restarted over its log, and two runs cannot share a run folder.
 */
import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadQm9Split, Qm9Split } from "../../kernel-lib/data/dataset";
import { CONFIG_PRESETS, resolveConfig } from "../../kernel-lib/model/config";
import { initParams } from "../../kernel-lib/model/init";
import { initAmsGrad } from "../../kernel-lib/train/amsgrad";
import { loadTrainingState, readTrainingProgress, saveTrainingState } from "../../kernel-lib/train/checkpoint";
import { parseLrDecays } from "../../kernel-lib/train/lr_schedule";
import { train } from "../../kernel-lib/train/trainer";
import { LOCK_FILE, lockFolder } from "../../kernel-lib/util/folder_lock";
import { Rng } from "../../kernel-lib/util/rng";
import { runMolcache } from "../helpers/molcache";
import { REPO_ROOT } from "../helpers/paths";
import { testTempDir } from "../helpers/temp_dir";

const TINY = resolveConfig(CONFIG_PRESETS.tiny as unknown as Record<string, unknown>);
const LOG = "step,epoch,elapsed_s,lr,grad_norm,loss,coord,type,bond,charge,mol_per_s,eval\n1,0.1,1,1e-4,1,9,1,1,1,1,5,\n2,0.2,2,1e-4,1,8,1,1,1,1,5,\n3,0.3,3,1e-4,1,7,1,1,1,1,5,\n";

const tmp = testTempDir("molcache-run-safety-");
let data: Qm9Split;
before(async () => {
  data = await loadQm9Split("train", { limit: 50 });
});

/** A run folder as a 3-step run of the tiny config on 50 molecules (1 worker, 384 atoms a batch) leaves it. */
function runFolder(name: string): string {
  const dir = path.join(tmp, name);
  const params = initParams(TINY, new Rng(0));
  const flat = params.flatten();
  params.dispose();
  saveTrainingState(dir, {
    config: TINY, seed: 0, step: 3, elapsedSeconds: 3, params: flat, ema: flat.slice(), optimizer: initAmsGrad(flat.length),
    settings: { batchCost: 384, workers: 1, molecules: 50, split: "train" },
  });
  fs.writeFileSync(path.join(dir, "train_log.csv"), LOG);
  return dir;
}

/** train() on that folder with its own settings, changed by `extra`; it must fail before any step. */
function resume(dir: string, extra: Record<string, unknown> = {}): Promise<unknown> {
  return train({ config: TINY, runDir: dir, data, seed: 0, workers: 1, batchCost: 384, maxSteps: 5, ...extra });
}

const sha = (file: string) => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
const treeHashes = (dir: string) => Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, sha(path.join(dir, f))]));

function assertOneLine(r: { status: number | null; stderr: string }, message: RegExp): void {
  assert.notEqual(r.status, 0, r.stderr);
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], message);
}

describe("training run safety", () => {
  it("the issue's command (no --export) refuses to replace the default model it did not produce", () => {
    // The command exactly as reported, run where data/models/default is a copy of the shipped model.
    const cwd = path.join(tmp, "project");
    const copy = path.join(cwd, "data", "models", "default");
    const shipped = path.join(REPO_ROOT, "data", "models", "default");
    fs.mkdirSync(copy, { recursive: true });
    for (const f of fs.readdirSync(shipped)) fs.copyFileSync(path.join(shipped, f), path.join(copy, f));
    const before = treeHashes(copy);
    const shippedBefore = treeHashes(shipped);
    const runDir = path.join(tmp, "r1");
    const r = runMolcache(["train", "--run-dir", runDir, "--config", "tiny", "--limit", "50", "--steps", "3", "--eval-every", "0.001", "--eval-n", "2"], { cwd });
    assertOneLine(r, new RegExp(`^molcache: refusing to export to ${copy}: it holds a model that the new run in .*r1 did not produce; pass --export <new folder>, or --force to replace it$`));
    assert.deepEqual(treeHashes(copy), before, "the model folder is unchanged");
    assert.deepEqual(treeHashes(shipped), shippedBefore, "the shipped model is unchanged");
    assert.equal(fs.existsSync(path.join(runDir, "train_log.csv")), false, "no training happened");
  });

  it("refuses to resume with another --config or --seed", async () => {
    const dir = runFolder("settings");
    await assert.rejects(resume(dir, { config: resolveConfig({ ...TINY, nLayers: TINY.nLayers + 1 } as unknown as Record<string, unknown>) }),
      /^Error: cannot resume .*settings: its architecture is .*; use the same settings or a new run folder$/);
    await assert.rejects(resume(dir, { seed: 1 }), /cannot resume .*settings: seed was 0, now 1; use the same settings/);
    assert.equal(fs.readFileSync(path.join(dir, "train_log.csv"), "utf8"), LOG);
  });

  it("refuses a checkpoint whose state.bin values were altered (checksums), in one line from the CLI", async () => {
    const dir = runFolder("altered");
    assert.equal(loadTrainingState(dir)!.step, 3, "an untouched checkpoint loads");
    const bin = path.join(dir, "checkpoint", "state.bin");
    const bytes = fs.readFileSync(bin);
    bytes.writeFloatLE(bytes.readFloatLE(400) + 0.5, 400); // one parameter changed
    fs.writeFileSync(bin, bytes);
    assert.throws(() => loadTrainingState(dir), /state\.bin does not match the checksum of params in state\.json: the checkpoint was altered or damaged/);
    const r = runMolcache(["train", "--run-dir", dir, "--config", "tiny", "--limit", "50", "--workers", "1", "--batch-cost", "384", "--steps", "5", "--export", path.join(tmp, "altered-export")]);
    assertOneLine(r, /^molcache: .*state\.bin does not match the checksum of params in state\.json: the checkpoint was altered or damaged; restore it, or train in a new --run-dir$/);
    assert.equal(fs.readFileSync(path.join(dir, "train_log.csv"), "utf8"), LOG);
  });

  it("reads a checkpoint's step, schedule and distance loss from its manifest alone, and refuses a foreign manifest", () => {
    const dir = runFolder("progress");
    const schedule = { lr: 5e-4, warmupSteps: 2, warmupStart: 0.1, decays: parseLrDecays("cosine:start=2,end=9,final=0.1") };
    const distanceLoss = { weight: 10, startStep: 2, minT: 0.75 };
    saveTrainingState(dir, { ...loadTrainingState(dir)!, schedule, distanceLoss });
    const full = loadTrainingState(dir)!;
    assert.deepEqual(full.schedule, schedule);
    assert.deepEqual(full.distanceLoss, distanceLoss);
    fs.rmSync(path.join(dir, "checkpoint", "state.bin")); // the tensors are not needed
    assert.deepEqual(readTrainingProgress(dir), { step: full.step, schedule: full.schedule, distanceLoss });
    assert.equal(readTrainingProgress(path.join(tmp, "no-such-run")), undefined);
    const manifest = path.join(dir, "checkpoint", "state.json");
    fs.writeFileSync(manifest, JSON.stringify({ meta: { format: "something-else/1" } }));
    assert.throws(() => readTrainingProgress(dir), /state\.json is not a molcache training checkpoint/);
    fs.writeFileSync(manifest, "{ truncated");
    assert.throws(() => readTrainingProgress(dir), /state\.json is not JSON .*the checkpoint is damaged: restore it, or train in a new --run-dir/);
  });

  it("loads checkpoints written before checksums were recorded", () => {
    const dir = runFolder("legacy");
    const manifest = path.join(dir, "checkpoint", "state.json");
    const json = JSON.parse(fs.readFileSync(manifest, "utf8"));
    delete json.meta.sha256;
    fs.writeFileSync(manifest, JSON.stringify(json));
    assert.equal(loadTrainingState(dir)!.step, 3);
  });

  it("refuses a run folder whose checkpoint (state.json, or the whole folder) was deleted, keeping the log", async () => {
    const noJson = runFolder("no-state-json");
    fs.rmSync(path.join(noJson, "checkpoint", "state.json"));
    await assert.rejects(resume(noJson), /cannot start .*no-state-json: train_log\.csv records 3 steps but no checkpoint \(.*state\.json is missing\); restore the checkpoint to resume, or train in a new --run-dir/);
    assert.equal(fs.readFileSync(path.join(noJson, "train_log.csv"), "utf8"), LOG);
    const noFolder = runFolder("no-checkpoint");
    fs.rmSync(path.join(noFolder, "checkpoint"), { recursive: true });
    await assert.rejects(resume(noFolder), /train_log\.csv records 3 steps but no checkpoint/);
    assert.equal(fs.readFileSync(path.join(noFolder, "train_log.csv"), "utf8"), LOG);
  });

  it("a missing state.bin is a clear error, not a raw ENOENT", async () => {
    const dir = runFolder("no-state-bin");
    fs.rmSync(path.join(dir, "checkpoint", "state.bin"));
    await assert.rejects(resume(dir), /state\.bin is missing \(state\.json needs it\); the bundle is incomplete: restore the file/);
  });

  it("locks the run folder: a second run there is refused while the first holds it; a dead holder's lock is taken over", async () => {
    const dir = runFolder("locked");
    const lock = lockFolder(dir, "train");
    try {
      await assert.rejects(resume(dir), new RegExp(`is in use by another molcache train \\(pid ${process.pid}, since .*\\); wait for it to finish or stop it`));
      const r = runMolcache(["train", "--run-dir", dir, "--config", "tiny", "--limit", "50", "--workers", "1", "--batch-cost", "384", "--steps", "5", "--export", path.join(tmp, "locked-export")]);
      assertOneLine(r, new RegExp(`^molcache: .*locked is in use by another molcache train \\(pid ${process.pid}, since `));
    } finally {
      lock.release();
    }
    assert.equal(fs.existsSync(path.join(dir, LOCK_FILE)), false, "released");
    // A lock left by a process that has exited (as after SIGKILL) does not block.
    const dead = spawnSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" });
    fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: Number(dead.stdout.trim()), host: os.hostname(), what: "train", since: "then" }));
    lockFolder(dir, "train").release();
    assert.equal(fs.readFileSync(path.join(dir, "train_log.csv"), "utf8"), LOG);
  });
});
