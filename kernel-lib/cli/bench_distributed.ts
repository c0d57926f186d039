/**
 * `molcache bench distributed`: distributed sampling through BullMQ + Redis on this machine. Starts a private Redis
 * server, then for 1 and 2 (`--processes`) `molcache worker` processes (one sampling thread each): one untimed warm-up
 * run, then one timed run of `--n` molecules. Reports molecules/s and the ratio to one process, and the queue's cost:
 * per job, the time a sampling thread spends outside batch computation (idle between jobs, hand-offs), against the
 * batch's compute time. Checks that every run's file is byte-identical. Says where the CPU went during each timed
 * run (the producer, Redis, the worker processes outside their sampling threads, other programs on the machine, the
 * hypervisor's steal), and times the same run on 1 and 2 local sampling threads (`molcache sample --workers k`, no
 * queue): the ratio this machine allows at best. Table on stdout; `--out` also writes it as CSV (atomic).
 */
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Command, Option } from "commander";
import { initBackend } from "../env";
import { LocalRedis } from "../distributed/local_redis";
import { sampleOnQueue } from "../distributed/producer";
import { SampleJobResult } from "../distributed/sample_job";
import { LiveWorkers } from "../distributed/heartbeat";
import { parseQueueUrl } from "../distributed/queue_url";
import { SamplingPool } from "../parallel/sampling_pool";
import { Molecule } from "../chem/molecule";
import { machineCpuTimes, processCpuSeconds } from "../util/cpu_times";
import { exitWithParentEnv } from "../util/parent_watchdog";
import { writeFileAtomic } from "../util/atomic_write";
import type { BenchDefinition } from "./bench";
import { formatTable, toCsv } from "./bench_format";
import { ResumableOutput } from "../flow/resumable_output";
import { batchSdfText } from "../chem/sampled_sdf";
import { sampleRunIdentity } from "./sample_identity";
import { batchCostOption, countOption, integerArg, listArg, listOption, modelOption, seedOption, stepsOption } from "./options";
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
  /** Local sampling thread counts to time as the ceiling (default 1 and 2; empty: none). */
  threads: number[];
}

/** Where the CPU went during a timed run, seconds (all cores together). */
export interface CpuAccount {
  /** The producer (this process); for local rows, this process outside its sampling threads. */
  producer: number;
  /** The Redis server. */
  redis: number;
  /** The worker processes outside their sampling threads' batches (queue client, result encoding, V8 GC). */
  workersOther: number;
  /** Every other program on the machine (busy time not ours). */
  others: number;
  /** Time the hypervisor gave to other guests (steal). */
  steal: number;
}

/** One timed run. */
export interface DistributedRun {
  /** `queue`: worker processes on the queue; `local`: sampling threads of one process, no queue (the ceiling). */
  kind: "queue" | "local";
  /** Worker processes (queue) or sampling threads (local). */
  processes: number;
  molecules: number;
  batches: number;
  wallSeconds: number;
  moleculesPerSecond: number;
  /** Mean compute seconds of a batch (on its sampling thread). */
  batchSeconds: number;
  /** Mean on-CPU seconds of a batch's sampling thread: the work, without waits for a CPU (NaN if unknown). */
  batchCpuSeconds: number;
  /** Mean seconds per job a sampling thread spent outside batch computation (waiting for jobs, hand-offs). */
  overheadSeconds: number;
  /** Of which: idle between jobs, and handing batches to the thread and back. */
  gapSeconds: number;
  insideSeconds: number;
  /** The longest idle time of a thread between two jobs. */
  maxGapSeconds: number;
  /** Σ batch compute / (processes × wall): how busy the workers were. */
  efficiency: number;
  /** Seconds the sampling threads waited, runnable, for a CPU (other processes' load), all jobs together. */
  cpuWaitSeconds: number;
  /** Where the CPU went. */
  cpu: CpuAccount;
  /** The output file's bytes (compared between runs; empty for local rows). */
  bytes: Buffer;
}

/**
 * Mean per-job overhead from the jobs' timings, as the sampling threads see it: `gap`, a thread's idle time between
 * consecutive batches (waiting for the next job from Redis when it was not fetched in time), and `inside`, the time
 * between handing a batch to the thread and getting its result, outside the computation (message passing).
 */
export function queueOverheadSeconds(results: readonly SampleJobResult[]): { gap: number; inside: number; total: number; maxGap: number } {
  const byWorker = new Map<string, SampleJobResult[]>();
  for (const r of results) byWorker.set(r.worker, [...(byWorker.get(r.worker) ?? []), r]);
  let gapSum = 0;
  let insideSum = 0;
  let maxGap = 0;
  let count = 0;
  for (const jobs of byWorker.values()) {
    jobs.sort((a, b) => a.startedAt - b.startedAt);
    jobs.forEach((j, i) => {
      const inside = (j.endedAt - j.startedAt) / 1000 - j.computeSeconds;
      const gap = i > 0 ? (j.startedAt - jobs[i - 1].endedAt) / 1000 : 0;
      gapSum += gap;
      maxGap = Math.max(maxGap, gap);
      insideSum += inside;
      count++;
    });
  }
  return { gap: gapSum / count, inside: insideSum / count, total: (gapSum + insideSum) / count, maxGap };
}

function startWorker(url: string, model: string): { child: ChildProcess; ready: Promise<void>; exit: Promise<void> } {
  const main = path.join(__dirname, "main.ts");
  const child = spawn(process.execPath, ["--import", "tsx", main, "worker", "--queue", url, "--model", model, "--workers", "1"], {
    stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, ...exitWithParentEnv() }, // no orphan workers if the bench is killed
  });
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

/**
 * Start accounting CPU time; the returned function, called after the run with the CPU seconds its sampling threads
 * spent in batches, says where the CPU went. `samplingHere`: the sampling threads are this process's (local rows).
 */
function cpuMeter(redisPid: number | undefined, workerPids: readonly number[], samplingHere: boolean): (samplingCpu: number) => CpuAccount {
  const p0 = process.cpuUsage();
  const redis0 = redisPid === undefined ? NaN : processCpuSeconds(redisPid);
  const workers0 = workerPids.map(processCpuSeconds);
  const m0 = machineCpuTimes();
  return (samplingCpu) => {
    const p = process.cpuUsage(p0);
    const self = (p.user + p.system) / 1e6;
    const redis = redisPid === undefined ? 0 : processCpuSeconds(redisPid) - redis0;
    const workers = workerPids.reduce((a, pid, i) => a + processCpuSeconds(pid) - workers0[i], 0);
    const m1 = machineCpuTimes();
    return {
      producer: samplingHere ? self - samplingCpu : self, redis, workersOther: samplingHere ? 0 : workers - samplingCpu,
      others: Math.max(0, m1.busy - m0.busy - self - redis - workers), steal: m1.steal - m0.steal,
    };
  };
}

/** Run the benchmark: one row per worker process count, then one per local thread count. */
export async function benchDistributed(s: DistributedBenchSettings, log: (line: string) => void = () => undefined): Promise<DistributedRun[]> {
  await initBackend();
  const model = resolveModelArgument(s.model);
  // AOF fsync'ed every second (Redis's default with AOF), not on every write (results are ~100 KB per job), and in
  // memory (/dev/shm) where there is one: on a shared disk a slow fsync stalls Redis for up to 2 s, which measures the
  // disk, not the queue.
  const redis = await LocalRedis.start("everysec", fs.existsSync("/dev/shm") ? "/dev/shm" : os.tmpdir());
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "molcache-bench-distributed-"));
  const rows: DistributedRun[] = [];
  const sampleOptions = (n: number, seed: number) => ({ n, steps: s.steps, grid: "log" as const, cache: "none", seed, batchCost: s.batchCost });
  try {
    for (const k of s.processes) {
      const workers = Array.from({ length: k }, () => startWorker(redis.url, s.model));
      try {
        await Promise.all(workers.map((w) => w.ready));
        const live = new LiveWorkers(parseQueueUrl(redis.url));
        while ((await live.count()) < k) await new Promise((r) => setTimeout(r, 100));
        live.close();
        const once = async (n: number, seed: number, out: string, onJobResult?: (r: SampleJobResult) => void) => {
          const identity = sampleRunIdentity(model, { ...sampleOptions(n, seed), backend: "tfjs" });
          const output = ResumableOutput.open(out, identity, { force: true });
          try {
            const r = await sampleOnQueue(model, output, { queue: redis.url, identity, backend: "tfjs", onJobResult, sample: sampleOptions(n, seed) });
            output.finish();
            return r;
          } finally {
            output.close();
          }
        };
        await once(Math.max(8, 4 * k), s.seed + 1, path.join(tmp, `warmup-${k}.sdf`));
        const results: SampleJobResult[] = [];
        const out = path.join(tmp, `run-${k}.sdf`);
        const meter = cpuMeter(redis.pid, workers.map((w) => w.child.pid!), false);
        const r = await once(s.n, s.seed, out, (j) => results.push(j));
        const cpu = meter(results.reduce((a, j) => a + (Number.isFinite(j.cpuSeconds) ? j.cpuSeconds : 0), 0));
        const compute = results.reduce((a, j) => a + j.computeSeconds, 0);
        const overhead = queueOverheadSeconds(results);
        rows.push({
          kind: "queue", processes: k, molecules: r.molecules, batches: r.batches, wallSeconds: r.wallSeconds, moleculesPerSecond: r.molecules / r.wallSeconds,
          batchSeconds: compute / results.length, batchCpuSeconds: results.reduce((a, j) => a + j.cpuSeconds, 0) / results.length, overheadSeconds: overhead.total, gapSeconds: overhead.gap, insideSeconds: overhead.inside, maxGapSeconds: overhead.maxGap,
          efficiency: compute / (k * r.wallSeconds), cpuWaitSeconds: results.reduce((a, j) => a + (Number.isFinite(j.waitSeconds) ? j.waitSeconds : 0), 0),
          cpu, bytes: fs.readFileSync(out),
        });
        log(`bench distributed: ${k} worker process(es): ${r.molecules} molecules in ${r.wallSeconds.toFixed(1)} s${r.requeued ? `, ${r.requeued} batch(es) queued again` : ""}`);
      } finally {
        for (const w of workers) w.child.kill("SIGTERM");
        await Promise.all(workers.map((w) => w.exit));
      }
    }
    // The ceiling: the same run on sampling threads of this process (`molcache sample --workers k`), no queue.
    for (const t of s.threads) {
      const pool = await SamplingPool.start(model, { workers: t, backend: "tfjs" });
      try {
        // Each batch is formatted as SDF on this thread, as `molcache sample` does.
        let sdfBytes = 0;
        const onBatch = (mols: Molecule[], indices: readonly number[]) => void (sdfBytes += batchSdfText(mols, indices).length);
        await pool.sample({ ...sampleOptions(Math.max(8, 4 * t), s.seed + 1), keepMolecules: false, onBatch });
        const meter = cpuMeter(undefined, [], true);
        const r = await pool.sample({ ...sampleOptions(s.n, s.seed), keepMolecules: false, onBatch });
        const sampling = r.workerCpuSeconds.reduce((a, x) => a + x, 0);
        const wait = r.workerWaitSeconds.reduce((a, x) => a + (Number.isFinite(x) ? x : 0), 0);
        rows.push({
          kind: "local", processes: t, molecules: s.n, batches: r.batches, wallSeconds: r.wallSeconds, moleculesPerSecond: r.moleculesPerSecond,
          batchSeconds: (sampling + wait) / r.batches, batchCpuSeconds: sampling / r.batches, overheadSeconds: NaN, gapSeconds: NaN, insideSeconds: NaN, maxGapSeconds: NaN,
          efficiency: (sampling + wait) / (t * r.wallSeconds), cpuWaitSeconds: wait, cpu: meter(sampling), bytes: Buffer.alloc(0),
        });
        log(`bench distributed: ${t} local sampling thread(s): ${s.n} molecules (${(sdfBytes / 1e6).toFixed(1)} MB of SDF) in ${r.wallSeconds.toFixed(1)} s`);
      } finally {
        await pool.close();
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
      .addOption(new Option("--threads <list>", "local sampling thread counts to time as the ceiling (no queue); 'none' to skip")
        .argParser((v) => (v === "none" ? [] : listArg(integerArg("--threads", 1))(v))).default([1, 2], "1,2"))
      .option("--out <file>", "also write the table as CSV")
      .action(async (opts: DistributedBenchSettings & { out?: string }) => {
        if (!opts.processes.length) throw new Error("invalid --processes: none; give at least one worker process count, e.g. 1,2");
        const rows = await benchDistributed({
          model: opts.model, n: opts.n, steps: opts.steps, batchCost: opts.batchCost, seed: opts.seed, processes: opts.processes, threads: opts.threads,
        }, (l) => console.error(l));
        const queueRows = rows.filter((r) => r.kind === "queue");
        const base = queueRows[0];
        const baseOf = (r: DistributedRun) => rows.find((x) => x.kind === r.kind)!;
        const ms = (x: number) => (Number.isNaN(x) ? "-" : (1000 * x).toFixed(1));
        const header = ["run", "processes/threads", "molecules", "batches", "wall s", "molecules/s", "vs first", "batch compute s", "batch CPU s", "queue overhead ms/job", "(idle between jobs", "hand-off)", "longest idle ms", "overhead %", "worker busy", "CPU wait s",
          "CPU s: producer", "Redis", "workers' other", "other programs", "steal", "same bytes"];
        const table = [header, ...rows.map((r) => [r.kind, String(r.processes), String(r.molecules), String(r.batches), r.wallSeconds.toFixed(1),
          r.moleculesPerSecond.toFixed(2), (r.moleculesPerSecond / baseOf(r).moleculesPerSecond).toFixed(2) + "×", r.batchSeconds.toFixed(3), r.batchCpuSeconds.toFixed(3),
          ms(r.overheadSeconds), ms(r.gapSeconds), ms(r.insideSeconds), ms(r.maxGapSeconds), Number.isNaN(r.overheadSeconds) ? "-" : (100 * r.overheadSeconds / r.batchSeconds).toFixed(2), (100 * r.efficiency).toFixed(1) + "%",
          r.cpuWaitSeconds.toFixed(1), r.cpu.producer.toFixed(1), r.cpu.redis.toFixed(1), r.cpu.workersOther.toFixed(1), r.cpu.others.toFixed(1), r.cpu.steal.toFixed(1),
          r.kind === "local" ? "-" : r.bytes.equals(base.bytes) ? "yes" : "NO"])];
        console.log(formatTable(table));
        const queue2 = queueRows.find((r) => r.processes === 2);
        const local1 = rows.find((r) => r.kind === "local" && r.processes === 1);
        const local2 = rows.find((r) => r.kind === "local" && r.processes === 2);
        if (queue2 && local1 && local2) {
          const q = queue2.moleculesPerSecond / base.moleculesPerSecond;
          const c = local2.moleculesPerSecond / local1.moleculesPerSecond;
          console.log(`scaling: 2 worker processes ${q.toFixed(2)}× one; 2 local threads ${c.toFixed(2)}× one (the ceiling here): the queue reaches ${(100 * q / c).toFixed(1)}% of it`);
        }
        console.log(`load average ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
        if (opts.out) writeFileAtomic(opts.out, toCsv(table));
        if (queueRows.some((r) => !r.bytes.equals(base.bytes))) throw new Error("the runs wrote different files; distributed sampling must not depend on the number of workers");
      });
  },
};
