/**
 * `molcache bench distributed`: distributed sampling through BullMQ + Redis on this machine. Starts a private Redis
 * server, then for 1 and 2 (`--processes`) `molcache worker` processes (one sampling thread each): one untimed warm-up
 * run, then one timed run of `--n` molecules. Reports molecules/s and the ratio to one process, and the queue's cost:
 * per job, the time a sampling thread spends outside batch computation (idle between jobs, hand-offs), against the
 * batch's compute time. Checks that every run's
 * file is byte-identical. Table on stdout; `--out` also writes it as CSV (atomic).
 */
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Command } from "commander";
import { initBackend } from "../env";
import { LocalRedis } from "../distributed/local_redis";
import { sampleOnQueue } from "../distributed/producer";
import { SampleJobResult } from "../distributed/sample_job";
import { LiveWorkers } from "../distributed/heartbeat";
import { parseQueueUrl } from "../distributed/queue_url";
import { writeFileAtomic } from "../util/atomic_write";
import type { BenchDefinition } from "./bench";
import { formatTable, toCsv } from "./bench_format";
import { ResumableOutput } from "../flow/resumable_output";
import { sampleRunIdentity } from "./sample_identity";
import { batchCostOption, countOption, integerArg, listOption, modelOption, seedOption, stepsOption } from "./options";
import { resolveModelArgument } from "./model_argument";

/** Settings of the distributed benchmark. */
export interface DistributedBenchSettings {
  model: string;
  n: number;
  steps: number;
  batchCost: number;
  seed: number;
  /** Worker process counts to time (default 1 and 2). */
  processes: number[];
}

/** One timed run. */
export interface DistributedRun {
  processes: number;
  molecules: number;
  batches: number;
  wallSeconds: number;
  moleculesPerSecond: number;
  /** Mean compute seconds of a batch (on its sampling thread). */
  batchSeconds: number;
  /** Mean seconds per job a sampling thread spent outside batch computation (waiting for jobs, hand-offs). */
  overheadSeconds: number;
  /** Of which: idle between jobs, and handing batches to the thread and back. */
  gapSeconds: number;
  insideSeconds: number;
  /** Σ batch compute / (processes × wall): how busy the workers were. */
  efficiency: number;
  /** Seconds the sampling threads waited, runnable, for a CPU (other processes' load), all jobs together. */
  cpuWaitSeconds: number;
  /** The output file's bytes (compared between runs). */
  bytes: Buffer;
}

/**
 * Mean per-job overhead from the jobs' timings, as the sampling threads see it: `gap`, a thread's idle time between
 * consecutive batches (waiting for the next job from Redis when it was not fetched in time), and `inside`, the time
 * between handing a batch to the thread and getting its result, outside the computation (message passing).
 */
export function queueOverheadSeconds(results: readonly SampleJobResult[]): { gap: number; inside: number; total: number } {
  const byWorker = new Map<string, SampleJobResult[]>();
  for (const r of results) byWorker.set(r.worker, [...(byWorker.get(r.worker) ?? []), r]);
  let gapSum = 0;
  let insideSum = 0;
  let count = 0;
  for (const jobs of byWorker.values()) {
    jobs.sort((a, b) => a.startedAt - b.startedAt);
    jobs.forEach((j, i) => {
      const inside = (j.endedAt - j.startedAt) / 1000 - j.computeSeconds;
      const gap = i > 0 ? (j.startedAt - jobs[i - 1].endedAt) / 1000 : 0;
      gapSum += gap;
      insideSum += inside;
      count++;
    });
  }
  return { gap: gapSum / count, inside: insideSum / count, total: (gapSum + insideSum) / count };
}

function startWorker(url: string, model: string): { child: ChildProcess; ready: Promise<void>; exit: Promise<void> } {
  const main = path.join(__dirname, "main.ts");
  const child = spawn(process.execPath, ["--import", "tsx", main, "worker", "--queue", url, "--model", model, "--workers", "1"], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  const exit = new Promise<void>((r) => child.on("exit", () => r()));
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr!.on("data", (d) => {
      err += d;
      if (/ready:/.test(err)) resolve();
    });
    child.on("exit", (code) => reject(new Error(`molcache worker exited with code ${code} before it was ready: ${err.trim()}`)));
  });
  return { child, ready, exit };
}

/** Run the benchmark: one row per worker process count. */
export async function benchDistributed(s: DistributedBenchSettings, log: (line: string) => void = () => undefined): Promise<DistributedRun[]> {
  await initBackend();
  const model = resolveModelArgument(s.model);
  // AOF fsync'ed every second (Redis's default with AOF), not on every write (results are ~100 KB per job), and in
  // memory (/dev/shm) where there is one: on a shared disk a slow fsync stalls Redis for up to 2 s, which measures the
  // disk, not the queue.
  const redis = await LocalRedis.start("everysec", fs.existsSync("/dev/shm") ? "/dev/shm" : os.tmpdir());
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "molcache-bench-distributed-"));
  const rows: DistributedRun[] = [];
  try {
    for (const k of s.processes) {
      const workers = Array.from({ length: k }, () => startWorker(redis.url, s.model));
      try {
        await Promise.all(workers.map((w) => w.ready));
        const live = new LiveWorkers(parseQueueUrl(redis.url));
        while ((await live.count()) < k) await new Promise((r) => setTimeout(r, 100));
        live.close();
        const once = async (n: number, seed: number, out: string, onJobResult?: (r: SampleJobResult) => void) => {
          const o = { n, steps: s.steps, grid: "log", cache: "none", seed, batchCost: s.batchCost, backend: "tfjs" };
          const identity = sampleRunIdentity(model, o);
          const output = ResumableOutput.open(out, identity, { force: true });
          try {
            const r = await sampleOnQueue(model, output, {
              queue: redis.url, identity, backend: "tfjs", onJobResult,
              sample: { n, steps: s.steps, grid: "log", cache: "none", seed, batchCost: s.batchCost },
            });
            output.finish();
            return r;
          } finally {
            output.close();
          }
        };
        await once(Math.max(8, 4 * k), s.seed + 1, path.join(tmp, `warmup-${k}.sdf`));
        const results: SampleJobResult[] = [];
        const out = path.join(tmp, `run-${k}.sdf`);
        const r = await once(s.n, s.seed, out, (j) => results.push(j));
        const compute = results.reduce((a, j) => a + j.computeSeconds, 0);
        const overhead = queueOverheadSeconds(results);
        rows.push({
          processes: k, molecules: r.molecules, batches: r.batches, wallSeconds: r.wallSeconds, moleculesPerSecond: r.molecules / r.wallSeconds,
          batchSeconds: compute / results.length, overheadSeconds: overhead.total, gapSeconds: overhead.gap, insideSeconds: overhead.inside, efficiency: compute / (k * r.wallSeconds),
          cpuWaitSeconds: results.reduce((a, j) => a + (Number.isFinite(j.waitSeconds) ? j.waitSeconds : 0), 0), bytes: fs.readFileSync(out),
        });
        log(`bench distributed: ${k} worker process(es): ${r.molecules} molecules in ${r.wallSeconds.toFixed(1)} s`);
      } finally {
        for (const w of workers) w.child.kill("SIGTERM");
        await Promise.all(workers.map((w) => w.exit));
      }
    }
  } finally {
    await redis.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
    model.generator.dispose();
  }
  return rows;
}

/** The `bench distributed` definition. */
export const DISTRIBUTED_BENCH: BenchDefinition = {
  description: "distributed sampling (BullMQ + Redis): molecules/s of 1 vs 2 worker processes, queue overhead per job",
  configure(cmd: Command) {
    cmd
      .addOption(modelOption({ description: "model folder or random:<preset>[:seed]", default: "random:small" }))
      .addOption(countOption({ description: "molecules per timed run (choose so that each run takes >= 20 s)", default: 768 }))
      .addOption(stepsOption({ default: 10 }))
      .addOption(batchCostOption({ description: "atoms per batch (smaller: more batches, a shorter tail)", default: 576 }))
      .addOption(seedOption({ description: "seed" }))
      .addOption(listOption("--processes <list>", "worker process counts to time", integerArg("--processes", 1), [1, 2]))
      .option("--out <file>", "also write the table as CSV")
      .action(async (opts: DistributedBenchSettings & { out?: string }) => {
        const rows = await benchDistributed({
          model: opts.model, n: opts.n, steps: opts.steps, batchCost: opts.batchCost, seed: opts.seed, processes: opts.processes,
        }, (l) => console.error(l));
        const base = rows[0];
        const header = ["processes", "molecules", "batches", "wall s", "molecules/s", `vs ${base.processes}`, "batch compute s", "queue overhead ms/job", "(idle between jobs", "hand-off)", "overhead %", "worker busy", "CPU wait s", "same bytes"];
        const table = [header, ...rows.map((r) => [String(r.processes), String(r.molecules), String(r.batches), r.wallSeconds.toFixed(1),
          r.moleculesPerSecond.toFixed(2), (r.moleculesPerSecond / base.moleculesPerSecond).toFixed(2) + "×", r.batchSeconds.toFixed(3),
          (1000 * r.overheadSeconds).toFixed(1), (1000 * r.gapSeconds).toFixed(1), (1000 * r.insideSeconds).toFixed(1), (100 * r.overheadSeconds / r.batchSeconds).toFixed(2), (100 * r.efficiency).toFixed(1) + "%",
          r.cpuWaitSeconds.toFixed(1), r.bytes.equals(base.bytes) ? "yes" : "NO"])];
        console.log(formatTable(table));
        console.log(`load average ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
        if (opts.out) writeFileAtomic(opts.out, toCsv(table));
        if (rows.some((r) => !r.bytes.equals(base.bytes))) throw new Error("the runs wrote different files; distributed sampling must not depend on the number of workers");
      });
  },
};
