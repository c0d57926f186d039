/**
 * `molcache bench cache`: the speed of predictive feature caching. On one model, with the same seed (so the same
 * molecule sizes and batches) and K steps on the log grid, sample with no cache (base) and with TaylorSeer m = 1, 2
 * and Adams–Bashforth j = 2, 3 at D = 2, 3, 4. Reports molecules/s, speedup over base, the ideal speedup
 * (K / effective steps), speedup ÷ ideal, effective steps and the cache's extra memory; a table on stdout and a CSV
 * (atomic write). Warm-up excluded: short untimed runs first.
 *
 * Wall-clock speedup is the measure the paper uses; on a machine shared with other work it swings by ±50 %, so the
 * table also gives this process's CPU time (the wasm backend is single-threaded, so on an idle machine CPU time and
 * wall time agree) and the mean wall time of network steps vs forecast steps.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Command } from "commander";
import { initBackend } from "../env";
import { cacheLabel, parseCacheSpec } from "../cache/config";
import { sample } from "../flow/sample";
import { registerHook, removeHook } from "../hooks/registry";
import { DEFAULT_MODEL_DIR, LoadedModel } from "../model/model_io";
import { writeFileAtomic } from "../util/atomic_write";
import { meanStd } from "../util/mean_std";
import type { BenchDefinition } from "./bench";
import { formatTable, median, toCsv } from "./bench_format";
import { batchCostOption, countOption, modelOption, repeatsOption, seedOption, stepsOption } from "./options";
import { resolveModelArgument } from "./model_argument";

/** The configurations of the benchmark table (base first). */
export const DEFAULT_CACHE_BENCH_SPECS: readonly string[] = [
  "none",
  ...[2, 3, 4].flatMap((d) => [`taylor:m=1,D=${d}`, `taylor:m=2,D=${d}`, `ab:j=2,D=${d}`, `ab:j=3,D=${d}`]),
];

/** One row of the benchmark. */
export interface CacheBenchRow {
  label: string;
  spec: string;
  moleculesPerSecond: number;
  wallSeconds: number;
  effectiveSteps: number;
  speedup: number;
  idealSpeedup: number;
  /** speedup ÷ ideal (1 = a skipped step costs nothing). */
  efficiency: number;
  /** CPU seconds of this process for the run (median over repeats): robust to other load on a shared machine. */
  cpuSeconds: number;
  /** Base CPU seconds ÷ this row's, and that ÷ ideal. */
  cpuSpeedup: number;
  cpuEfficiency: number;
  peakTensorBytes: number;
  extraBytes: number;
  /** Mean wall time of a step that ran the network (ms; first step of each batch excluded). */
  computedStepMs: number;
  /** Mean wall time of a step that forecast instead (ms): the per-step overhead caching cannot remove. */
  forecastStepMs: number;
}

/** Options of {@link benchCache}. */
export interface CacheBenchOptions {
  n: number;
  steps: number;
  seed: number;
  batchCost: number;
  repeats: number;
  specs: readonly string[];
  /** Called with each finished row (after all runs: rows need the base's median). */
  onRow?: (row: CacheBenchRow) => void;
}

/**
 * Run the benchmark on `model`. Every configuration runs `repeats` times (median wall time); runs are interleaved
 * (base, A, B, …, base, A, B, …) so slow drifts of a shared machine hit all rows alike.
 * @example
 * const rows = await benchCache(model, { n: 32, steps: 100, seed: 0, batchCost: 1152, repeats: 1, specs: DEFAULT_CACHE_BENCH_SPECS });
 */
export async function benchCache(model: LoadedModel, o: CacheBenchOptions): Promise<CacheBenchRow[]> {
  await initBackend();
  const specs = o.specs.map((s) => ({ spec: s, config: parseCacheSpec(s) }));
  if (specs[0]?.config.kind !== "none") throw new Error("the first configuration must be the base (none)");
  // Warm-up: kernels, V8's optimising tier-up of the wasm code (the first seconds run on baseline code), the
  // allocator: the same batches for a quarter of the steps, once uncached and once cached.
  const warmSteps = Math.max(4, Math.round(o.steps / 4));
  for (const cache of ["none", "taylor:m=1,D=2"]) {
    await sample(model, { n: o.n, steps: warmSteps, seed: o.seed, batchCost: o.batchCost, grid: "log", cache });
  }
  const walls: number[][] = specs.map(() => []);
  const cpus: number[][] = specs.map(() => []);
  const stepMs: { computed: number[]; forecast: number[] }[] = specs.map(() => ({ computed: [], forecast: [] }));
  const results: Awaited<ReturnType<typeof sample>>[] = [];
  for (let r = 0; r < o.repeats; r++) {
    for (let i = 0; i < specs.length; i++) {
      let last = 0;
      // Per-step wall times, seen by a step hook.
      registerHook(model, "bench.stepTimes", {
        afterStep: (ev) => {
          const now = performance.now();
          if (ev.step > 0) (ev.computed ? stepMs[i].computed : stepMs[i].forecast).push(now - last);
          last = now;
        },
      });
      const cpu0 = process.cpuUsage();
      const res = await sample(model, { n: o.n, steps: o.steps, seed: o.seed, batchCost: o.batchCost, grid: "log", cache: specs[i].config }).finally(() => removeHook(model, "bench.stepTimes"));
      const cpu = process.cpuUsage(cpu0);
      walls[i].push(res.wallSeconds);
      cpus[i].push((cpu.user + cpu.system) / 1e6);
      results[i] = res;
      process.stderr.write(`  ${cacheLabel(specs[i].config).padEnd(16)} ${res.wallSeconds.toFixed(2)} s (repeat ${r + 1}/${o.repeats})\n`);
    }
  }
  const baseWall = median(walls[0]);
  const baseCpu = median(cpus[0]);
  const basePeak = results[0].peakTensorBytes;
  return specs.map((s, i) => {
    const wall = median(walls[i]);
    const cpuSeconds = median(cpus[i]);
    const res = results[i];
    const speedup = baseWall / wall;
    const ideal = o.steps / res.effectiveSteps;
    const row: CacheBenchRow = {
      label: cacheLabel(s.config), spec: s.spec, moleculesPerSecond: res.molecules.length / wall, wallSeconds: wall,
      effectiveSteps: res.effectiveSteps, speedup, idealSpeedup: ideal, efficiency: speedup / ideal,
      cpuSeconds, cpuSpeedup: baseCpu / cpuSeconds, cpuEfficiency: baseCpu / cpuSeconds / ideal,
      peakTensorBytes: res.peakTensorBytes, extraBytes: res.peakTensorBytes - basePeak,
      computedStepMs: meanStd(stepMs[i].computed).mean, forecastStepMs: meanStd(stepMs[i].forecast).mean,
    };
    o.onRow?.(row);
    return row;
  });
}

/** The `bench cache` subcommand. */
export const CACHE_BENCH: BenchDefinition = {
  description: "caching speed: base vs Taylor m=1,2 and AB j=2,3 at D=2,3,4 (molecules/s, speedup / ideal, memory)",
  configure(cmd: Command) {
    cmd
      .addOption(modelOption({ description: "model folder or random:<preset>[:seed] (default: the trained default if present, else random:small)" }))
      .addOption(countOption({ description: "molecules per configuration", default: 32 }))
      .addOption(stepsOption({ description: "solver steps (log grid)", default: 100 }))
      .addOption(seedOption({ description: "seed (same sizes and batches for every configuration)" }))
      .addOption(batchCostOption())
      .addOption(repeatsOption({ description: "runs per configuration, interleaved (median reported)" }))
      .option("--caches <list>", "semicolon-separated cache specs, base first", DEFAULT_CACHE_BENCH_SPECS.join(";"))
      .option("--out <file.csv>", "CSV output (atomic write)", path.join("out", "bench", "bench_cache.csv"))
      .action(async (opts: { model?: string; n: number; steps: number; seed: number; batchCost: number; repeats: number; caches: string; out: string }) => {
        const { n, steps, seed, batchCost, repeats } = opts;
        const specs = String(opts.caches).split(";").map((s) => s.trim()).filter(Boolean);
        specs.forEach((s) => parseCacheSpec(s)); // validate before any work
        const modelArg = opts.model ?? (fs.existsSync(path.join(DEFAULT_MODEL_DIR, "config.json")) ? undefined : "random:small");
        console.log((await initBackend()).summary);
        const model = resolveModelArgument(modelArg);
        try {
          console.log(`model ${model.name} (${model.generator.parameterCount().toLocaleString("en-US")} parameters), n ${n}, K ${steps} (log grid), seed ${seed}, repeats ${repeats}`);
          const rows = await benchCache(model, { n, steps, seed, batchCost, repeats, specs });
          const header = ["config", "mol/s", "wall s", "eff. steps", "speedup", "ideal", "speedup/ideal", "CPU s", "CPU speedup/ideal", "extra memory MB", "ms/net step", "ms/skipped step"];
          console.log(formatTable([header, ...rows.map((r) => [
            r.label, r.moleculesPerSecond.toFixed(2), r.wallSeconds.toFixed(2), String(r.effectiveSteps), r.speedup.toFixed(2),
            r.idealSpeedup.toFixed(2), r.efficiency.toFixed(2), r.cpuSeconds.toFixed(2), r.cpuEfficiency.toFixed(2),
            (r.extraBytes / 1e6).toFixed(2), r.computedStepMs.toFixed(1),
            Number.isNaN(r.forecastStepMs) ? "-" : r.forecastStepMs.toFixed(2),
          ])]));
          const file = path.resolve(String(opts.out));
          writeFileAtomic(file, toCsv([
            ["config", "spec", "model", "n", "steps", "molecules_per_s", "wall_s", "effective_steps", "speedup", "ideal_speedup", "speedup_over_ideal",
              "cpu_s", "cpu_speedup", "cpu_speedup_over_ideal", "peak_tensor_bytes", "extra_bytes", "computed_step_ms", "forecast_step_ms"],
            ...rows.map((r) => [r.label, r.spec, model.name, n, steps, r.moleculesPerSecond.toFixed(4), r.wallSeconds.toFixed(4), r.effectiveSteps,
              r.speedup.toFixed(4), r.idealSpeedup.toFixed(4), r.efficiency.toFixed(4), r.cpuSeconds.toFixed(4), r.cpuSpeedup.toFixed(4),
              r.cpuEfficiency.toFixed(4), r.peakTensorBytes, r.extraBytes,
              r.computedStepMs.toFixed(3), Number.isNaN(r.forecastStepMs) ? "" : r.forecastStepMs.toFixed(3)]),
          ]));
          console.log(`wrote ${file}`);
        } finally {
          model.generator.dispose();
        }
      });
  },
};
