/**
 * `molcache bench system`: the data of Figure 3. Molecules/second of base and cached sampling for every combination
 * of {TF.js wasm, ONNX Runtime} × {1 worker, all cores} × {no cache, Taylor m=2 D=3, AB j=2 D=3}, with peak memory.
 * Every configuration runs in a fresh child process (clean peak RSS, no state carried between configurations):
 * start the pool, one short untimed warm-up run, then one timed run, grown (more molecules, whole batches for every
 * worker) until it lasts at least `--min-seconds` (default 5 s) so that per-run fixed costs do not decide the ratios;
 * `--repeats r` runs the whole matrix r times, interleaved, and reports medians. Every ratio is given twice: from
 * throughput (molecules per wall second) and from CPU (the busiest worker's on-CPU seconds per molecule, the run's
 * length on cores nobody else uses): speedup of caching over the same backend and workers (and ÷ ideal
 * K / effective steps), of the workers over 1 worker, acceleration over TF.js × 1 worker × no cache, and the
 * throughput against the PyTorch reference (800 ms per step of 64 × 18 atoms, small config) when the run matches it.
 * Table on stdout, CSV (atomic).
 */
import { spawn } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import { Command, Option } from "commander";
import { cacheLabel, parseCacheSpec } from "../cache/config";
import { initBackend } from "../env";
import { INFERENCE_BACKENDS, InferenceBackend } from "../parallel/network";
import { defaultWorkerCount } from "../util/ts_worker";
import { SamplingPool } from "../parallel/sampling_pool";
import { writeFileAtomic } from "../util/atomic_write";
import type { BenchDefinition } from "./bench";
import { formatTable, median, toCsv } from "./bench_format";
import { choiceArg, countOption, integerArg, integerOption, listOption, modelOption, repeatsOption, seedOption, stepsOption } from "./options";
import { resolveModelArgument } from "./model_argument";

/** PyTorch reference on the 2-core machine: ms per solver step of one batch of 64 molecules × 18 atoms (small config). */
export const PYTORCH_SMALL_MS_PER_STEP = 800;
/** Molecule-steps per second of that reference (64 × 1000 / 800). */
export const PYTORCH_SMALL_MOLECULE_STEPS_PER_S = (64 * 1000) / PYTORCH_SMALL_MS_PER_STEP;

/** The caches of the Figure-3 matrix (base first). */
export const SYSTEM_BENCH_CACHES: readonly string[] = ["none", "taylor:m=2,D=3", "ab:j=2,D=3"];

/** One configuration of the matrix. */
export interface SystemConfig {
  backend: InferenceBackend;
  workers: number;
  cache: string;
}

/** Settings shared by every configuration. */
export interface SystemBenchSettings {
  /** `--model` argument (folder, `random:<preset>[:seed]`). */
  model: string;
  /** Molecules of the first timed run (more when it is shorter than `minSeconds`). */
  n: number;
  /** Atoms per molecule (every molecule the same size, as the reference timing). */
  atoms: number;
  /** Molecules per batch. */
  batch: number;
  steps: number;
  seed: number;
  /** ONNX Runtime threads per session. */
  onnxThreads: number;
  /** Shortest timed run, seconds: a shorter one is repeated with more molecules (0: time the first run as it is). */
  minSeconds: number;
}

/** One measured configuration (one repeat). */
export interface SystemRun extends SystemConfig {
  /** Molecules of the timed run. */
  molecules: number;
  wallSeconds: number;
  /** CPU seconds of the whole child process over the timed run (all threads). */
  cpuSeconds: number;
  /** On-CPU seconds of the busiest worker thread: the run's length on otherwise idle cores. */
  busiestWorkerCpuSeconds: number;
  /** Seconds the workers waited, runnable, for a CPU taken by other processes (all workers together). */
  waitSeconds: number;
  moleculesPerSecond: number;
  effectiveSteps: number;
  networkCalls: number;
  /** Peak resident set size of the child process (its whole life: pool, warm-up, run), bytes. */
  peakRssBytes: number;
  /** Seconds to start the pool (workers, backends, model copies, compilation). */
  startupSeconds: number;
}

/** A row of the table (medians over repeats). */
export interface SystemRow extends SystemRun {
  label: string;
  repeats: number;
  /** Speedup over the same backend and workers without cache (throughput). */
  cacheSpeedup: number;
  /** The same from the busiest worker's on-CPU seconds per molecule. */
  cacheSpeedupCpu: number;
  /** K / effective steps. */
  idealSpeedup: number;
  /** cacheSpeedup ÷ ideal. */
  cacheEfficiency: number;
  /** The cache speedup from the busiest worker's on-CPU time (the work saved, apart from other processes' load) ÷ ideal. */
  cacheEfficiencyCpu: number;
  /** Speedup over TF.js, 1 worker, no cache (throughput). */
  acceleration: number;
  /** The same from the busiest worker's on-CPU seconds per molecule. */
  accelerationCpu: number;
  /** Throughput speedup over the same backend and cache with 1 worker (NaN without a 1-worker row). */
  workerSpeedup: number;
  /** The same from the busiest worker's on-CPU time: the speedup on cores nobody else uses. */
  workerSpeedupCpu: number;
  /** n × K / wall. */
  moleculeStepsPerSecond: number;
  /** moleculeStepsPerSecond ÷ the PyTorch reference's (only for the small config at 18 atoms; else NaN). */
  vsPytorch: number;
}

/** The matrix in table order: per backend, per worker count, per cache. */
export function systemMatrix(backends: readonly InferenceBackend[], workerCounts: readonly number[], caches: readonly string[]): SystemConfig[] {
  return backends.flatMap((backend) => workerCounts.flatMap((workers) => caches.map((cache) => ({ backend, workers, cache }))));
}

const RESULT_PREFIX = "SYSTEM_BENCH_RESULT ";

/** A timed run that was too short, for {@link grownMolecules}. */
export interface ShortRun {
  /** Molecules of the run. */
  n: number;
  /** Its wall time, seconds. */
  wallSeconds: number;
  /** The shortest run wanted, seconds. */
  minSeconds: number;
  /** Molecules per batch. */
  batch: number;
  workers: number;
}

/**
 * Molecules for the next timed run when one of `n` molecules took `wallSeconds` < `minSeconds`: enough for
 * `minSeconds` with 20% to spare, in whole rounds of one batch per worker (so every worker gets the same work).
 * @example
 * grownMolecules({ n: 32, wallSeconds: 0.7, minSeconds: 5, batch: 16, workers: 2 }); // 288
 */
export function grownMolecules(run: ShortRun): number {
  const { n, wallSeconds, minSeconds, batch, workers } = run;
  const round = batch * Math.max(1, workers);
  const wanted = (n * 1.2 * minSeconds) / Math.max(wallSeconds, 1e-3);
  return Math.max(n + round, Math.ceil(wanted / round) * round);
}

/**
 * Run one configuration in this process (the child's work): start, warm up, time one run; while it is shorter than
 * `minSeconds`, time a larger one (the earlier runs were further warm-up).
 */
export async function runSystemConfig(settings: SystemBenchSettings, config: SystemConfig): Promise<SystemRun> {
  await initBackend();
  const model = resolveModelArgument(settings.model);
  let n = settings.n;
  const batchCost = settings.batch * settings.atoms;
  const t0 = performance.now();
  const pool = await SamplingPool.start(model, { workers: config.workers, backend: config.backend, onnx: { intraOpThreads: settings.onnxThreads } });
  const startupSeconds = (performance.now() - t0) / 1000;
  try {
    // Warm-up: same shapes and cache, a few steps with computed and forecast ones (JIT, TF.js kernels of the
    // forecaster, allocators, ONNX Runtime shape planning), on another seed.
    const sizesOf = (count: number) => new Array<number>(count).fill(settings.atoms);
    await pool.sample({ sizes: sizesOf(n), steps: Math.min(settings.steps, 8), seed: settings.seed + 1, batchCost, buckets: [settings.atoms], cache: config.cache });
    const timed = async () => {
      const cpu0 = process.cpuUsage();
      const result = await pool.sample({ sizes: sizesOf(n), steps: settings.steps, seed: settings.seed, batchCost, buckets: [settings.atoms], cache: config.cache });
      return { result, cpu: process.cpuUsage(cpu0) };
    };
    let { result: r, cpu } = await timed();
    for (let tries = 0; r.wallSeconds < settings.minSeconds && tries < 4; tries++) {
      n = grownMolecules({ n, wallSeconds: r.wallSeconds, minSeconds: settings.minSeconds, batch: settings.batch, workers: config.workers });
      ({ result: r, cpu } = await timed());
    }
    return {
      ...config, molecules: n, wallSeconds: r.wallSeconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, moleculesPerSecond: r.moleculesPerSecond,
      busiestWorkerCpuSeconds: Math.max(...r.workerCpuSeconds), waitSeconds: r.workerWaitSeconds.reduce((a, b) => a + b, 0),
      effectiveSteps: r.effectiveSteps, networkCalls: r.networkCalls,
      peakRssBytes: Math.max(r.peakRssBytes, process.resourceUsage().maxRSS * 1024), startupSeconds,
    };
  } finally {
    await pool.close();
    model.generator.dispose();
  }
}

/** Run one configuration in a fresh child process (`molcache bench system --child …`) and parse its result. */
export function runSystemConfigInChild(settings: SystemBenchSettings, config: SystemConfig): Promise<SystemRun> {
  const main = path.join(__dirname, "main.ts");
  const args = ["--import", "tsx", main, "bench", "system", "--child", JSON.stringify({ settings, config })];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      const line = out.split("\n").find((l) => l.startsWith(RESULT_PREFIX));
      if (code === 0 && line) resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as SystemRun);
      else reject(new Error(`benchmark child for ${describe(config)} failed (${signal ?? `exit ${code}`}): ${err.trim().split("\n").slice(-3).join(" | ")}`));
    });
  });
}

function describe(c: SystemConfig): string {
  return `${c.backend} × ${c.workers} worker${c.workers === 1 ? "" : "s"} × ${cacheLabel(parseCacheSpec(c.cache))}`;
}

/**
 * Run the matrix `repeats` times (interleaved) in child processes and build the rows.
 * @example
 * const rows = await benchSystem(settings, systemMatrix(["tfjs", "onnx"], [1, 2], SYSTEM_BENCH_CACHES), 1);
 */
export async function benchSystem(
  settings: SystemBenchSettings,
  matrix: readonly SystemConfig[],
  repeats: number,
  onRun?: (run: SystemRun, repeat: number) => void,
): Promise<SystemRow[]> {
  const runs: SystemRun[][] = matrix.map(() => []);
  for (let r = 0; r < repeats; r++) {
    for (let i = 0; i < matrix.length; i++) {
      const run = await runSystemConfigInChild(settings, matrix[i]);
      runs[i].push(run);
      onRun?.(run, r);
    }
  }
  return buildRows(settings, matrix, runs);
}

/** Medians per configuration and the derived speedups. */
export function buildRows(settings: SystemBenchSettings, matrix: readonly SystemConfig[], runs: readonly SystemRun[][]): SystemRow[] {
  type Key = "wallSeconds" | "cpuSeconds" | "peakRssBytes" | "startupSeconds" | "busiestWorkerCpuSeconds" | "waitSeconds" | "molecules";
  const med = (i: number, key: Key) => median(runs[i].map((r) => r[key]));
  // Configurations time different numbers of molecules (each grown to the minimum duration): compare per molecule.
  const throughput = (i: number) => median(runs[i].map((r) => r.molecules / r.wallSeconds));
  const cpuPerMolecule = (i: number) => median(runs[i].map((r) => r.busiestWorkerCpuSeconds / r.molecules));
  const find = (backend: string, workers: number, cache: string) => matrix.findIndex((c) => c.backend === backend && c.workers === workers && c.cache === cache);
  const byWall = (i: number, ref: number) => (ref >= 0 ? throughput(i) / throughput(ref) : NaN);
  const byCpu = (i: number, ref: number) => (ref >= 0 ? cpuPerMolecule(ref) / cpuPerMolecule(i) : NaN);
  const baseline = find("tfjs", 1, "none");
  const matchesReference = settings.atoms === 18 && settings.model.startsWith("random:small");
  return matrix.map((c, i) => {
    const base = find(c.backend, c.workers, "none");
    const single = find(c.backend, 1, c.cache);
    const effective = runs[i][0].effectiveSteps;
    const ideal = settings.steps / effective;
    const cacheSpeedup = byWall(i, base);
    const cacheSpeedupCpu = byCpu(i, base);
    const moleculeSteps = throughput(i) * settings.steps;
    return {
      ...c, label: describe(c), repeats: runs[i].length, molecules: med(i, "molecules"), wallSeconds: med(i, "wallSeconds"), cpuSeconds: med(i, "cpuSeconds"),
      moleculesPerSecond: throughput(i), effectiveSteps: effective, networkCalls: runs[i][0].networkCalls,
      busiestWorkerCpuSeconds: med(i, "busiestWorkerCpuSeconds"), waitSeconds: med(i, "waitSeconds"),
      workerSpeedup: byWall(i, single), workerSpeedupCpu: byCpu(i, single),
      peakRssBytes: med(i, "peakRssBytes"), startupSeconds: med(i, "startupSeconds"),
      cacheSpeedup, cacheSpeedupCpu, idealSpeedup: ideal, cacheEfficiency: cacheSpeedup / ideal, cacheEfficiencyCpu: cacheSpeedupCpu / ideal,
      acceleration: byWall(i, baseline), accelerationCpu: byCpu(i, baseline),
      moleculeStepsPerSecond: moleculeSteps, vsPytorch: matchesReference ? moleculeSteps / PYTORCH_SMALL_MOLECULE_STEPS_PER_S : NaN,
    };
  });
}

/** The table as text rows (header first). */
export function systemTable(rows: readonly SystemRow[]): string[][] {
  const fmt = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : "-");
  const times = (x: number) => (Number.isFinite(x) ? `${fmt(x)}x` : "-");
  // Each ratio by wall (throughput) and, in the "(cpu)" column after it, by the busiest worker's CPU per molecule.
  return [
    ["backend", "workers", "cache", "mols", "mol/s", "wall s", "cpu s", "busiest cpu s", "wait s", "vs 1 worker", "(cpu)", "eff. steps", "cache speedup", "(cpu)", "ideal", "÷ ideal", "(cpu)", "vs TF.js×1", "(cpu)", "vs PyTorch", "peak RSS MB"],
    ...rows.map((r) => [
      r.backend, String(r.workers), cacheLabel(parseCacheSpec(r.cache)), String(r.molecules), fmt(r.moleculesPerSecond), fmt(r.wallSeconds), fmt(r.cpuSeconds, 1),
      fmt(r.busiestWorkerCpuSeconds), fmt(r.waitSeconds, 1), fmt(r.workerSpeedup), fmt(r.workerSpeedupCpu),
      String(r.effectiveSteps), fmt(r.cacheSpeedup), fmt(r.cacheSpeedupCpu), fmt(r.idealSpeedup), fmt(r.cacheEfficiency), fmt(r.cacheEfficiencyCpu),
      times(r.acceleration), times(r.accelerationCpu), times(r.vsPytorch), fmt(r.peakRssBytes / 1e6, 0),
    ]),
  ];
}

/** The rows as CSV text. */
export function systemCsv(settings: SystemBenchSettings, rows: readonly SystemRow[], loadAverage: readonly number[]): string {
  return toCsv([
    ["backend", "workers", "cache", "label", "model", "n", "atoms", "batch", "steps", "onnx_threads", "repeats", "molecules_per_s", "wall_s", "cpu_s",
      "busiest_worker_cpu_s", "runqueue_wait_s", "worker_speedup_wall", "worker_speedup_cpu",
      "effective_steps", "cache_speedup", "ideal_speedup", "cache_speedup_over_ideal", "cache_speedup_over_ideal_cpu", "acceleration_vs_tfjs_1_worker", "molecule_steps_per_s",
      "vs_pytorch", "peak_rss_bytes", "startup_s", "load_average_1m_at_start", "cache_speedup_cpu", "acceleration_vs_tfjs_1_worker_cpu", "min_seconds"],
    ...rows.map((r) => [
      r.backend, r.workers, r.cache, r.label, settings.model, r.molecules, settings.atoms, settings.batch, settings.steps, settings.onnxThreads, r.repeats,
      r.moleculesPerSecond.toFixed(4), r.wallSeconds.toFixed(4), r.cpuSeconds.toFixed(3), r.busiestWorkerCpuSeconds.toFixed(3),
      r.waitSeconds.toFixed(3), r.workerSpeedup.toFixed(4), r.workerSpeedupCpu.toFixed(4), r.effectiveSteps, r.cacheSpeedup.toFixed(4),
      r.idealSpeedup.toFixed(4), r.cacheEfficiency.toFixed(4), r.cacheEfficiencyCpu.toFixed(4), r.acceleration.toFixed(4), r.moleculeStepsPerSecond.toFixed(3),
      Number.isFinite(r.vsPytorch) ? r.vsPytorch.toFixed(4) : "", Math.round(r.peakRssBytes), r.startupSeconds.toFixed(3), loadAverage[0].toFixed(2),
      r.cacheSpeedupCpu.toFixed(4), r.accelerationCpu.toFixed(4), settings.minSeconds,
    ]),
  ]);
}

/** Parse `--min-seconds`: seconds in [0, 600]. */
function minSeconds(value: string): number {
  const s = Number(value);
  if (!(value.trim() !== "" && s >= 0 && s <= 600)) throw new Error(`invalid --min-seconds: ${value}; use seconds in [0, 600]`);
  return s;
}

/** The `bench system` subcommand. */
export const SYSTEM_BENCH: BenchDefinition = {
  description: "Figure 3: mol/s for {TF.js, ONNX} x {1 worker, all cores} x {none, Taylor m=2 D=3, AB j=2 D=3}, with peak memory",
  configure(cmd: Command) {
    cmd
      .addOption(modelOption({ description: "model folder or random:<preset>[:seed]", default: "random:small" }))
      .addOption(countOption({ description: "molecules of the first timed run (grown until a run lasts --min-seconds)", default: 32 }))
      .option("--min-seconds <s>", "shortest timed run per configuration, seconds (0 = time the first run as it is)", minSeconds, 5)
      .addOption(integerOption("--atoms <n>", "atoms per molecule (all the same, as the PyTorch reference timing)", { min: 1, default: 18 }))
      .addOption(integerOption("--batch <n>", "molecules per batch", { min: 1, default: 16 }))
      .addOption(stepsOption({ description: "solver steps (log grid)", default: 50 }))
      .addOption(seedOption({ description: "seed" }))
      .addOption(repeatsOption({ description: "runs of the whole matrix, interleaved (medians reported)" }))
      .addOption(listOption("--workers <list>", "worker counts, comma-separated (default: 1 and every core)", integerArg("--workers", 1)))
      .addOption(listOption("--backends <list>", "backends, comma-separated", choiceArg("--backends", INFERENCE_BACKENDS), INFERENCE_BACKENDS))
      .option("--caches <list>", "cache specs, semicolon-separated, base first", SYSTEM_BENCH_CACHES.join(";"))
      .addOption(integerOption("--onnx-threads <n>", "ONNX Runtime threads per session (0 = its choice)", { min: 0, default: 1 }))
      .option("--out <file.csv>", "CSV output (atomic write)", path.join("out", "bench", "bench_system.csv"))
      .addOption(new Option("--child <json>", "internal: run one configuration and print its result").hideHelp())
      .action(async (opts: { model: string; n: number; minSeconds: number; atoms: number; batch: number; steps: number; seed: number; repeats: number;
        workers?: number[]; backends: InferenceBackend[]; caches: string; onnxThreads: number; out: string; child?: string }) => {
        if (opts.child) {
          const { settings, config } = JSON.parse(opts.child) as { settings: SystemBenchSettings; config: SystemConfig };
          const run = await runSystemConfig(settings, config);
          process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(run)}\n`);
          return;
        }
        const settings: SystemBenchSettings = {
          model: opts.model, n: opts.n, atoms: opts.atoms, batch: opts.batch, steps: opts.steps, seed: opts.seed, onnxThreads: opts.onnxThreads, minSeconds: opts.minSeconds,
        };
        const repeats = opts.repeats;
        const workers = opts.workers ?? [...new Set([1, defaultWorkerCount()])];
        const backends = opts.backends;
        const caches = String(opts.caches).split(";").map((s) => s.trim()).filter(Boolean);
        caches.forEach((s) => parseCacheSpec(s));
        if (parseCacheSpec(caches[0]).kind !== "none") throw new Error(`invalid --caches: the first entry must be the base "none", got ${caches[0]}`);
        // Validate the model argument here, once, before any child starts.
        resolveModelArgument(settings.model).generator.dispose();
        const load = os.loadavg();
        const matrix = systemMatrix(backends, workers, caches);
        console.log(`bench system: ${settings.model}, ${settings.n} molecules × ${settings.atoms} atoms in batches of ${settings.batch}, K ${settings.steps} (log grid), timed runs of at least ${settings.minSeconds} s, ` +
          `${matrix.length} configurations × ${repeats} repeat(s), ${defaultWorkerCount()} cores, load average ${load.map((l) => l.toFixed(2)).join(" ")}`);
        const rows = await benchSystem(settings, matrix, repeats, (run, r) =>
          process.stderr.write(`  ${describe(run).padEnd(40)} ${run.molecules} molecules in ${run.wallSeconds.toFixed(2)} s, ${(run.peakRssBytes / 1e6).toFixed(0)} MB (repeat ${r + 1}/${repeats}, load ${os.loadavg()[0].toFixed(2)})\n`));
        console.log(formatTable(systemTable(rows)));
        if (!(settings.atoms === 18 && settings.model.startsWith("random:small"))) {
          console.log(`(vs PyTorch needs the small config at 18 atoms: the reference is ${PYTORCH_SMALL_MS_PER_STEP} ms per step of 64 × 18)`);
        } else {
          console.log(`vs PyTorch: molecule-steps/s ÷ ${PYTORCH_SMALL_MOLECULE_STEPS_PER_S} (its ${PYTORCH_SMALL_MS_PER_STEP} ms per step of 64 × 18 atoms)`);
        }
        console.log(`load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
        const file = path.resolve(String(opts.out));
        writeFileAtomic(file, systemCsv(settings, rows, load));
        console.log(`wrote ${file}`);
      });
  },
};
