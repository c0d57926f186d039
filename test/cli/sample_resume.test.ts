/**
 * Resumable `molcache sample`: SIGKILL at random moments (seeded, 5 kills) and `--resume` give a file byte-identical to
 * an uninterrupted run; a second run on a live run's output is refused with one line; the stale lock of a killed run
 * is taken over; an existing output, a manifest of other options or another model are refused with one clear line.
 */
import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { initBackend } from "../../kernel-lib/env";
import { runSampleCommand } from "../../kernel-lib/cli/sample";
import { runPaths } from "../../kernel-lib/flow/resumable_output";
import { Rng } from "../../kernel-lib/util/rng";
import { errorLines, runCli, startCli, waitUntil } from "../helpers/cli_process";
import { testTempDir } from "../helpers/temp_dir";

const tmp = testTempDir("molcache-resume-");
before(async () => {
  await initBackend();
});

const RUN = { model: "random:tiny:5", n: 240, steps: 12, grid: "log" as const, cache: "none", seed: 4, batchCost: 60, quiet: true };
const ARGS = ["sample", "--model", RUN.model, "--n", String(RUN.n), "--steps", String(RUN.steps), "--seed", String(RUN.seed), "--batch-cost", String(RUN.batchCost), "--quiet"];

function batchesDone(out: string): number {
  try {
    return JSON.parse(fs.readFileSync(runPaths(out).manifest, "utf8")).batchesDone as number;
  } catch {
    return -1;
  }
}

describe("molcache sample --resume", () => {
  it("kill -9 at 5 random moments, resume each time: byte-identical to an uninterrupted run", async () => {
    const reference = path.join(tmp, "reference.sdf");
    await runSampleCommand({ ...RUN, out: reference });
    const out = path.join(tmp, "killed.sdf");
    const rng = new Rng(Number(process.env.MOLCACHE_KILL_SEED ?? 13));
    const moments: string[] = [];
    let target = 0;
    for (let trial = 0; trial < 5; trial++) {
      const p = startCli([...ARGS, "--out", out, ...(trial === 0 ? [] : ["--resume"])]);
      // A kill after a random number of further batches, plus a random fraction of a batch (so it also lands mid-write).
      target += trial === 0 ? 0 : 1 + rng.int(4);
      const reached = await waitUntil(() => batchesDone(out) >= target, 60_000);
      assert.ok(reached, `the run never reached batch ${target}: ${p.output().stderr}`);
      const jitter = rng.int(120);
      await new Promise((r) => setTimeout(r, jitter));
      if (trial === 2) {
        // While it lives, a second run on the same output is refused with one line (the first is paused meanwhile, so
        // on a fast machine it cannot finish before the second one starts).
        p.child.kill("SIGSTOP");
        const second = await runCli([...ARGS, "--out", out, "--resume"]);
        assert.equal(second.code, 1);
        assert.deepEqual(errorLines(second.stderr).length, 1, second.stderr);
        assert.match(second.stderr, /molcache: .*killed\.sdf is in use by another molcache sample \(pid \d+, since .*\); wait for it to finish or stop it/);
      }
      p.child.kill("SIGKILL");
      const r = await p.exit;
      moments.push(`after ${batchesDone(out)} batches (+${jitter} ms)`);
      assert.equal(r.signal, "SIGKILL", `trial ${trial}: the run ended before the kill (${r.stderr})`);
      assert.ok(fs.existsSync(runPaths(out).lock), "a killed run leaves its lock behind (stale, taken over on resume)");
      assert.ok(!fs.existsSync(out));
    }
    const last = await runCli([...ARGS, "--out", out, "--resume"]);
    assert.equal(last.code, 0, last.stderr);
    assert.ok(fs.readFileSync(out).equals(fs.readFileSync(reference)), `resumed file differs from the reference (kills ${moments.join(", ")})`);
    for (const f of Object.values(runPaths(out))) assert.ok(!fs.existsSync(f), `${f} left behind`);
  });

  it("refuses an existing output, a manifest of other options or another model, and resuming nothing", async () => {
    const out = path.join(tmp, "refuse.sdf");
    await runSampleCommand({ ...RUN, n: 6, out });
    await assert.rejects(() => runSampleCommand({ ...RUN, n: 6, out }), /refuse\.sdf exists; pass --force to overwrite it/);
    await assert.rejects(() => runSampleCommand({ ...RUN, n: 6, out, resume: true }), /refuse\.sdf is complete \(no run manifest .*\); nothing to resume/);
    await runSampleCommand({ ...RUN, n: 6, out, force: true });
    // An interrupted run: a manifest and a partial file (a failing onBatch is not needed: cut a finished run's files).
    const interrupted = path.join(tmp, "interrupted.sdf");
    const manifest = { format: "molcache-run/1", modelHash: "0", options: {}, batchesDone: 0, moleculesDone: 0, bytes: 0, cursor: null, updated: "" };
    fs.writeFileSync(runPaths(interrupted).partial, "");
    fs.writeFileSync(runPaths(interrupted).manifest, JSON.stringify(manifest));
    await assert.rejects(() => runSampleCommand({ ...RUN, out: interrupted }), /interrupted\.sdf has an interrupted run .*; continue it with --resume or start over with --force/);
    await assert.rejects(() => runSampleCommand({ ...RUN, out: interrupted, resume: true }), /cannot resume: .* was written with another model \(content hash 0, this model [0-9a-f]{16}\)/);
    await assert.rejects(() => runSampleCommand({ ...RUN, out: path.join(tmp, "none.sdf"), resume: true }), /nothing to resume for .*none\.sdf: no run manifest/);
    // Same model, other options: the differing option is named.
    const other = path.join(tmp, "other.sdf");
    const p = startCli([...ARGS, "--out", other]);
    assert.ok(await waitUntil(() => batchesDone(other) >= 1, 60_000), p.output().stderr);
    p.child.kill("SIGKILL");
    await p.exit;
    await assert.rejects(() => runSampleCommand({ ...RUN, steps: 13, out: other, resume: true }), /cannot resume: .* was written with steps 12, this run has 13; rerun with the same options, or start over with --force/);
    await assert.rejects(() => runSampleCommand({ ...RUN, solver: "heun", out: other, resume: true }), /cannot resume: .* was written with solver unset \(the default\), this run has "heun"/);
    // A live lock holder (this process) is refused; the file set is untouched.
    fs.writeFileSync(runPaths(other).lock, JSON.stringify({ pid: process.pid, host: os.hostname(), started: "now" }));
    await assert.rejects(() => runSampleCommand({ ...RUN, out: other, resume: true }), /is in use by another molcache sample \(pid \d+/);
    fs.rmSync(runPaths(other).lock);
    await runSampleCommand({ ...RUN, out: other, resume: true });
    const fresh = path.join(tmp, "fresh.sdf");
    await runSampleCommand({ ...RUN, out: fresh });
    assert.ok(fs.readFileSync(other).equals(fs.readFileSync(fresh)));
  });
});
