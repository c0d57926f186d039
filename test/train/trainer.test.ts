import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../helpers/paths";
import { testTempDir } from "../helpers/temp_dir";

const CLI = path.join(REPO_ROOT, "kernel-lib", "cli", "main.ts");

function trainArgs(runDir: string, steps: number, extra: string[] = []): string[] {
  return ["--import", "tsx", CLI, "train", "--config", "tiny", "--run-dir", runDir, "--export", path.join(runDir, "export"),
    "--steps", String(steps), "--limit", "256", "--workers", "1", "--batch-cost", "384", "--eval-every", "10000", "--eval-n", "2", "--eval-steps", "4", ...extra];
}

function losses(runDir: string): Map<number, string> {
  const rows = fs.readFileSync(path.join(runDir, "train_log.csv"), "utf8").trim().split("\n").slice(1);
  // Step → the loss columns (total, coord, type, bond, charge), compared as printed.
  return new Map(rows.map((r) => { const c = r.split(","); return [Number(c[0]), c.slice(5, 10).join(",")] as const; }));
}

const runs = testTempDir("molcache-train-");
function tempDir(): string {
  return fs.mkdtempSync(path.join(runs, "run-"));
}

describe("trainer", () => {
  it("lowers the loss of the tiny config on a 256-molecule subset", () => {
    const dir = tempDir();
    const r = spawnSync(process.execPath, trainArgs(dir, 60, ["--lr", "1e-3", "--warmup", "10"]), { encoding: "utf8", cwd: REPO_ROOT });
    assert.equal(r.status, 0, r.stderr.slice(-2000));
    const total = [...losses(dir).values()].map((v) => Number(v.split(",")[0]));
    assert.equal(total.length, 60);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const first = mean(total.slice(0, 10));
    const last = mean(total.slice(-10));
    assert.ok(last < 0.6 * first, `loss fell from ${first.toFixed(3)} to ${last.toFixed(3)}`);
  });

  it("a killed run resumes from its last checkpoint with identical subsequent losses", async () => {
    const reference = tempDir();
    const ref = spawnSync(process.execPath, trainArgs(reference, 12), { encoding: "utf8", cwd: REPO_ROOT });
    assert.equal(ref.status, 0, ref.stderr.slice(-2000));

    const killed = tempDir();
    // Checkpoint every 3 steps; SIGKILL once step 5 is logged (well before the run's 12 steps could finish).
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, trainArgs(killed, 12, ["--checkpoint-every-steps", "3"]), { cwd: REPO_ROOT, stdio: "ignore" });
      const timer = setInterval(() => {
        const log = path.join(killed, "train_log.csv");
        if (fs.existsSync(log) && losses(killed).has(5)) {
          child.kill("SIGKILL");
          clearInterval(timer);
        }
      }, 50);
      child.on("exit", (code, signal) => {
        clearInterval(timer);
        if (signal === "SIGKILL") resolve();
        else reject(new Error(`training ended by itself (code ${code}) before it could be killed`));
      });
    });
    const resumed = spawnSync(process.execPath, trainArgs(killed, 12), { encoding: "utf8", cwd: REPO_ROOT });
    assert.equal(resumed.status, 0, resumed.stderr.slice(-2000));
    const a = losses(reference);
    const b = losses(killed);
    assert.deepEqual([...b.keys()], Array.from({ length: 12 }, (_, i) => i + 1), "the log has each step once (rows after the checkpoint were redone)");
    for (let step = 1; step <= 12; step++) assert.equal(b.get(step), a.get(step), `step ${step}`);
  });

  it("refuses to resume with different settings", () => {
    const dir = tempDir();
    assert.equal(spawnSync(process.execPath, trainArgs(dir, 1), { encoding: "utf8", cwd: REPO_ROOT }).status, 0);
    const r = spawnSync(process.execPath, trainArgs(dir, 2).map((a) => (a === "384" ? "512" : a)), { encoding: "utf8", cwd: REPO_ROOT });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /cannot resume .*batchCost was 384, now 512/);
  });

  it("keeps a run's recorded learning-rate decay on resume and refuses one that rewrites steps taken", () => {
    const dir = tempDir();
    const decay = ["--warmup", "1", "--lr-decay", "cosine:start=2,end=10"];
    assert.equal(spawnSync(process.execPath, trainArgs(dir, 3, decay), { encoding: "utf8", cwd: REPO_ROOT }).status, 0);
    const earlier = spawnSync(process.execPath, trainArgs(dir, 4, ["--warmup", "1", "--lr-decay", "cosine:start=3,end=10"]), { encoding: "utf8", cwd: REPO_ROOT });
    assert.notEqual(earlier.status, 0);
    assert.match(earlier.stderr, /the learning-rate schedule .* differs from the run's .* on steps already taken \(1–3\)/);
    // No --lr-decay: the recorded cosine continues (the log's learning rate keeps falling).
    const resumed = spawnSync(process.execPath, trainArgs(dir, 5, ["--warmup", "1"]), { encoding: "utf8", cwd: REPO_ROOT });
    assert.equal(resumed.status, 0, resumed.stderr.slice(-2000));
    const lr = fs.readFileSync(path.join(dir, "train_log.csv"), "utf8").trim().split("\n").slice(1).map((r) => Number(r.split(",")[3]));
    assert.equal(lr.length, 5);
    assert.ok(lr[4] < lr[3] && lr[3] < lr[2], `learning rates ${lr.join(", ")}`);
    // The refusal names the form that keeps the past; a warm restart after the steps taken is accepted.
    assert.match(earlier.stderr, /e\.g\. --lr-decay "cosine:start=2,end=10,final=0\.1\+cosine:start=4,/);
    const restart = ["--warmup", "1", "--lr-decay", "cosine:start=2,end=10+cosine:start=6,end=10,from=0.9"];
    const restarted = spawnSync(process.execPath, trainArgs(dir, 6, restart), { encoding: "utf8", cwd: REPO_ROOT });
    assert.equal(restarted.status, 0, restarted.stderr.slice(-2000));
    const lr6 = fs.readFileSync(path.join(dir, "train_log.csv"), "utf8").trim().split("\n").slice(1).map((r) => Number(r.split(",")[3]));
    assert.ok(lr6[5] > lr6[4], `the restart raises the learning rate: ${lr6.join(", ")}`);
  });

  it("switches the distance loss on from a step not yet taken, records and keeps it, refuses a change of the past", () => {
    const dir = tempDir();
    const log = path.join(dir, "train_log.csv");
    const rows = () => fs.readFileSync(log, "utf8").trim().split("\n").map((r) => r.split(","));
    assert.equal(spawnSync(process.execPath, trainArgs(dir, 2), { encoding: "utf8", cwd: REPO_ROOT }).status, 0);
    // A log written before the distance column: the resumed run adds it (empty on the old rows).
    fs.writeFileSync(log, rows().map((r) => r.slice(0, 12).join(",")).join("\n") + "\n");
    const on = spawnSync(process.execPath, trainArgs(dir, 4, ["--distance-loss", "weight=10,start=3,tmin=0"]), { encoding: "utf8", cwd: REPO_ROOT });
    assert.equal(on.status, 0, on.stderr.slice(-2000));
    const meta = JSON.parse(fs.readFileSync(path.join(dir, "checkpoint", "state.json"), "utf8")).meta;
    assert.deepEqual(meta.distanceLoss, { weight: 10, startStep: 3, minT: 0 });
    // Without --distance-loss the recorded one continues.
    assert.equal(spawnSync(process.execPath, trainArgs(dir, 5), { encoding: "utf8", cwd: REPO_ROOT }).status, 0);
    const [header, ...body] = rows();
    assert.equal(header.at(-1), "distance");
    assert.deepEqual(body.map((r) => r[0]), ["1", "2", "3", "4", "5"]);
    assert.deepEqual(body.slice(0, 2).map((r) => r.at(-1)), ["", ""]);
    for (const r of body.slice(2)) assert.ok(Number(r.at(-1)) > 0, `step ${r[0]} distance ${r.at(-1)}`);
    for (const spec of ["weight=10,start=2,tmin=0", "none"]) {
      const past = spawnSync(process.execPath, trainArgs(dir, 6, ["--distance-loss", spec]), { encoding: "utf8", cwd: REPO_ROOT });
      assert.notEqual(past.status, 0);
      assert.match(past.stderr, /the distance loss \(.*\) differs from the run's \(weight=10,start=3,tmin=0\) on steps already taken \(1–5\); keep --distance-loss/);
    }
  });
});
