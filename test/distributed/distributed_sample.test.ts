/**
 * Distributed sampling on BullMQ with a real Redis server and real worker processes: the SDF is byte-identical to a
 * local run's for 1, 2 and 3 worker processes and through every fault — a worker with the wrong model (refused, its
 * job put back), a poisoned batch (the run fails naming it, keeps the finished batches, and resumes), a worker killed
 * with SIGKILL mid-batch (BullMQ's stalled-job recovery), the producer killed at 5 random moments and resumed, and
 * Redis killed and restarted (AOF) mid-run.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { initBackend } from "../../kernel-lib/env";
import { runSampleCommand, SampleCommandOptions } from "../../kernel-lib/cli/sample";
import { runPaths } from "../../kernel-lib/flow/resumable_output";
import { Rng } from "../../kernel-lib/util/rng";
import { CliProcess, errorLines, startCli, waitUntil } from "../helpers/cli_process";
import { freePort, TestRedis } from "../helpers/redis_server";
import { testTempDir } from "../helpers/temp_dir";

const tmp = testTempDir("molcache-dist-");
let redis: TestRedis;
let reference: Buffer;
/** A worker left running by the first test for the second. */
let survivor: CliProcess | undefined;
const started: CliProcess[] = [];
const t0 = Date.now();
const mark = (what: string) => process.env.MOLCACHE_TEST_TRACE && console.error(`[${((Date.now() - t0) / 1000).toFixed(1)} s] ${what}`);

const RUN = { model: "random:tiny:5", n: 90, steps: 3, grid: "log" as const, cache: "none", seed: 4, batchCost: 60, quiet: true };
const SAMPLE_ARGS = ["sample", "--model", RUN.model, "--n", String(RUN.n), "--steps", String(RUN.steps), "--seed", String(RUN.seed), "--batch-cost", String(RUN.batchCost), "--quiet"];

function worker(model: string = RUN.model, env: Record<string, string> = {}): CliProcess {
  const p = startCli(["worker", "--queue", redis.url, "--model", model, "--lock-seconds", "2"], env);
  started.push(p);
  return p;
}

async function ready(p: CliProcess): Promise<void> {
  assert.ok(await waitUntil(() => /ready:/.test(p.output().stderr) || p.child.exitCode !== null, 120_000), "worker never became ready");
  assert.match(p.output().stderr, /ready: 1 thread\(s\)/, p.output().stderr);
}

function batchesDone(out: string): number {
  try {
    return JSON.parse(fs.readFileSync(runPaths(out).manifest, "utf8")).batchesDone as number;
  } catch {
    return -1;
  }
}

function queueRun(out: string, extra: Partial<SampleCommandOptions> = {}) {
  return runSampleCommand({ ...RUN, out, queue: redis.url, ...extra });
}

before(async () => {
  await initBackend();
  redis = await TestRedis.start();
  const local = path.join(tmp, "local.sdf");
  await runSampleCommand({ ...RUN, out: local });
  reference = fs.readFileSync(local);
  mark("reference done");
});

after(async () => {
  for (const p of started) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
  await Promise.all(started.map((p) => p.exit));
  await redis?.stop();
});

describe("molcache sample --queue / molcache worker", () => {
  it("fails with one line before touching the output when the queue is wrong or unreachable", async () => {
    const out = path.join(tmp, "unreachable.sdf");
    const port = await freePort();
    await assert.rejects(() => runSampleCommand({ ...RUN, out, queue: `redis://127.0.0.1:${port}` }), new RegExp(`cannot reach Redis at redis://127.0.0.1:${port}: .*; start it \\(redis-server --port ${port} --appendonly yes\\) or fix --queue`));
    await assert.rejects(() => runSampleCommand({ ...RUN, out, queue: "http://x" }), /invalid --queue http:\/\/x; use redis:\/\/host:port/);
    for (const f of [out, ...Object.values(runPaths(out))]) assert.ok(!fs.existsSync(f), `${f} was created`);
  });

  it("refuses a wrong-model worker, fails on a poisoned batch keeping the rest, resumes to the local bytes with 3, 2 and 1 workers", async () => {
    // A worker with another model takes a job, puts it back and stops with one line.
    const wrong = worker("random:tiny:6");
    const out = path.join(tmp, "faults.sdf");
    const run = queueRun(out, { attempts: 2 });
    const w = await wrong.exit;
    mark("wrong-model worker exited");
    assert.equal(w.code, 1, w.stderr);
    assert.equal(errorLines(w.stderr).length, 1, w.stderr);
    assert.match(w.stderr, /molcache: job [0-9a-f]{12}-\d+ is for a model with content hash [0-9a-f]{16}, this worker has random:tiny:6 \(hash [0-9a-f]{16}\); start the worker with the run's --model/);
    // A worker that fails on batch 3: the run fails after 2 attempts, naming the batch, with batches 0-2 kept.
    const poisoned = worker(RUN.model, { MOLCACHE_TEST_FAULT: "throw:3" });
    await assert.rejects(run, /batch 3 \(job [0-9a-f]{12}-3\) failed 2 time\(s\), the last with: .*injected failure on batch 3; \d+ finished molecules are kept in .*faults\.sdf\.partial; continue with the same command and --resume/);
    mark("poisoned run failed");
    assert.equal(batchesDone(out), 3);
    poisoned.child.kill("SIGTERM");
    assert.equal((await poisoned.exit).code, 0);
    // Three good workers; resume: the failed batch gets new attempts and the file is the local run's.
    const good = [worker(), worker(), worker()];
    await Promise.all(good.map(ready));
    mark("3 good workers ready");
    await queueRun(out, { resume: true });
    assert.ok(fs.readFileSync(out).equals(reference), "resumed distributed file differs from the local one");
    // 3, 2 and 1 worker processes: the same bytes.
    for (let k = 3; k >= 1; k--) {
      const o = path.join(tmp, `workers${k}.sdf`);
      await queueRun(o, { window: 4 });
      assert.ok(fs.readFileSync(o).equals(reference), `${k} workers: differs from the local file`);
      mark(`${k} workers run done`);
      if (k > 1) {
        good[k - 1].child.kill("SIGTERM");
        await good[k - 1].exit;
      }
    }
    // Heun through the queue: the local Heun run's bytes (the solver travels with the job).
    const localHeun = path.join(tmp, "local_heun.sdf");
    await runSampleCommand({ ...RUN, solver: "heun", out: localHeun });
    const queuedHeun = path.join(tmp, "queue_heun.sdf");
    await queueRun(queuedHeun, { solver: "heun" });
    assert.ok(fs.readFileSync(queuedHeun).equals(fs.readFileSync(localHeun)), "Heun on the queue differs from the local Heun run");
    assert.ok(!fs.readFileSync(localHeun).equals(reference), "Heun gives other molecules than Euler");
    survivor = good[0];
  });

  it("survives kill -9 of a worker mid-batch, kill -9 of the producer at 5 random moments and a Redis restart", async () => {
    const out = path.join(tmp, "chaos.sdf");
    const rng = new Rng(Number(process.env.MOLCACHE_KILL_SEED ?? 21));
    const inspect = redis.client();
    let w = survivor ?? worker();
    await ready(w);
    let target = 0;
    const log: string[] = [];
    const trials = Number(process.env.MOLCACHE_KILL_TRIALS ?? 5);
    for (let trial = 0; trial < trials; trial++) {
      const p = startCli([...SAMPLE_ARGS, "--queue", redis.url, "--window", "6", "--out", out, ...(trial === 0 ? [] : ["--resume"])]);
      started.push(p);
      target += 1 + rng.int(3);
      assert.ok(await waitUntil(() => batchesDone(out) >= target, 120_000), `trial ${trial}: never reached batch ${target}\n${p.output().stderr}`);
      if (trial === 1) {
        // Kill the worker while it holds a job; a new worker gets it after the lock expires (stalled-job check).
        let active = 0;
        for (let i = 0; i < 200 && (active = await inspect.llen("bull:molcache-sample:active")) === 0; i++) await new Promise((r) => setTimeout(r, 10));
        w.child.kill("SIGKILL");
        await w.exit;
        mark("worker killed");
        log.push(`worker killed with ${active} active job(s)`);
        w = worker();
        target = batchesDone(out) + 2;
        assert.ok(await waitUntil(() => batchesDone(out) >= target, 120_000), "no progress after the worker was killed");
      }
      if (trial === 2) {
        await redis.restart(); // SIGKILL, then the same port and AOF
        log.push("redis restarted");
        mark("redis restarted");
        target = batchesDone(out) + 2;
        assert.ok(await waitUntil(() => batchesDone(out) >= target, 120_000), `no progress after Redis restarted\n${p.output().stderr}`);
      }
      const jitter = rng.int(100);
      await new Promise((r) => setTimeout(r, jitter));
      p.child.kill("SIGKILL");
      const r = await p.exit;
      assert.equal(r.signal, "SIGKILL", `trial ${trial}: the producer ended before the kill: ${r.stderr}`);
      mark(`producer trial ${trial} killed`);
      log.push(`producer killed after ${batchesDone(out)} batches (+${jitter} ms)`);
    }
    const last = startCli([...SAMPLE_ARGS, "--queue", redis.url, "--out", out, "--resume"]);
    started.push(last);
    const r = await last.exit;
    assert.equal(r.code, 0, r.stderr);
    assert.ok(fs.readFileSync(out).equals(reference), `distributed file differs after: ${log.join("; ")}`);
    // Every run of this file has finished: none of their jobs is left in Redis (the producer removes what it wrote,
    // also jobs older than the window a killed producer had).
    const jobs = (await inspect.keys("bull:molcache-sample:*")).filter((k) => /^bull:molcache-sample:[0-9a-f]{12}-\d+$/.test(k));
    assert.deepEqual(jobs, [], "finished runs left jobs in Redis");
    inspect.disconnect();
    w.child.kill("SIGTERM");
    await w.exit;
  });
});
