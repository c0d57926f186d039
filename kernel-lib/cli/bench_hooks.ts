/**
 * `molcache bench hooks`: (1) the cost of recording — sample n molecules over K steps with no recorder (base) and
 * with a recorder keeping every block's output and the sampler's state and prediction (the default recorder),
 * interleaved and repeated; reports wall and CPU time ratios, the recorded bytes against the estimate and the
 * budget, and checks the molecules are identical. (2) the linear-predictability error on a real run, per step on
 * the step and time axes, summarised over early / middle / late thirds of the steps. Tables on stdout, CSVs written
 * atomically.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Command } from "commander";
import { initBackend } from "../env";
import { resolveSampleOptions, sample, SampleOptions } from "../flow/sample";
import { DEFAULT_MODEL_DIR, LoadedModel } from "../model/model_io";
import { sampleAndRecord } from "../hooks/record_sample";
import { DEFAULT_RECORDER_OPTIONS, FeatureRecorder } from "../hooks/recorder";
import { hookRegistry } from "../hooks/registry";
import type { Hook } from "../hooks/types";
import { PredictabilityResult, recordingPredictability } from "../analysis/predictability";
import { FeatureTransform } from "../analysis/trajectory";
import { writeFileAtomic } from "../util/atomic_write";
import type { BenchDefinition } from "./bench";
import { meanStd } from "../util/mean_std";
import { formatTable, median, toCsv } from "./bench_format";
import { batchCostOption, choiceOption, countOption, modelOption, repeatsOption, seedOption, stepsOption } from "./options";
import { resolveModelArgument } from "./model_argument";

/** Options of {@link benchRecordingOverhead} and {@link benchPredictability}. */
export interface HooksBenchOptions {
  n: number;
  steps: number;
  seed: number;
  batchCost: number;
  repeats: number;
}

/** What recording every block costs. */
export interface RecordingOverhead {
  baseWallS: number[];
  recordWallS: number[];
  baseCpuS: number[];
  recordCpuS: number[];
  /** Seconds spent inside the recorder's hook methods, per recorded run (contention-robust cost). */
  hookS: number[];
  /** Median recorded ÷ median base wall time (1.3 = 30% slower). */
  wallRatio: number;
  cpuRatio: number;
  recordedBytes: number;
  estimatedBytes: number;
  budgetBytes: number;
  /** Same molecules with and without the recorder. */
  identical: boolean;
  series: number;
}

function sameMolecules(a: Awaited<ReturnType<typeof sample>>, b: Awaited<ReturnType<typeof sample>>): boolean {
  return a.molecules.length === b.molecules.length && a.molecules.every((m, i) => {
    const o = b.molecules[i];
    return m.elements.join() === o.elements.join() && m.positions.join() === o.positions.join() && m.bondI.join() === o.bondI.join() && m.bondOrder.join() === o.bondOrder.join();
  });
}

/**
 * Time sampling with and without the default recorder (every block, every kind), interleaved.
 * @example
 * const r = await benchRecordingOverhead(createRandomModel(SMALL_CONFIG), { n: 16, steps: 100, seed: 0, batchCost: 1152, repeats: 2 });
 * r.wallRatio; // e.g. 1.12
 */
export async function benchRecordingOverhead(model: LoadedModel, o: HooksBenchOptions): Promise<RecordingOverhead> {
  await initBackend();
  const opts: Partial<SampleOptions> = { n: o.n, steps: o.steps, seed: o.seed, batchCost: o.batchCost, grid: "log" };
  // Warm-up: kernels and the wasm tier-up, with and without recording.
  await sample(model, { ...opts, steps: 6 });
  await sampleAndRecord(model, { ...opts, steps: 6 });
  const out: RecordingOverhead = {
    baseWallS: [], recordWallS: [], baseCpuS: [], recordCpuS: [], hookS: [], wallRatio: NaN, cpuRatio: NaN,
    recordedBytes: 0, estimatedBytes: 0, budgetBytes: DEFAULT_RECORDER_OPTIONS.budgetBytes, identical: true, series: 0,
  };
  for (let r = 0; r < o.repeats; r++) {
    let cpu0 = process.cpuUsage();
    const base = await sample(model, opts);
    let cpu = process.cpuUsage(cpu0);
    out.baseWallS.push(base.wallSeconds);
    out.baseCpuS.push((cpu.user + cpu.system) / 1e6);
    cpu0 = process.cpuUsage();
    const rec = await timedRecordedSample(model, opts);
    cpu = process.cpuUsage(cpu0);
    out.recordWallS.push(rec.result.wallSeconds);
    out.recordCpuS.push((cpu.user + cpu.system) / 1e6);
    out.hookS.push(rec.hookS);
    out.recordedBytes = rec.recording.bytes;
    out.estimatedBytes = rec.estimatedBytes;
    out.series = rec.recording.series().length;
    out.identical &&= sameMolecules(base, rec.result);
    process.stderr.write(`  repeat ${r + 1}/${o.repeats}: base ${base.wallSeconds.toFixed(2)} s, recording ${rec.result.wallSeconds.toFixed(2)} s ` +
      `(${rec.hookS.toFixed(2)} s in the recorder, ${(rec.recording.bytes / 2 ** 20).toFixed(0)} MiB)\n`);
  }
  out.wallRatio = median(out.recordWallS) / median(out.baseWallS);
  out.cpuRatio = median(out.recordCpuS) / median(out.baseCpuS);
  return out;
}

/** `sampleAndRecord` with the default recorder, timing the recorder's hook methods. */
async function timedRecordedSample(model: LoadedModel, opts: Partial<SampleOptions>) {
  const recorder = new FeatureRecorder(model);
  const resolved = resolveSampleOptions(model, opts);
  const estimatedBytes = recorder.checkBudget(resolved.drawnSizes, resolved.steps);
  recorder.register();
  const hook = hookRegistry(model).get(recorder.options.name) as Hook & Record<string, unknown>;
  let hookMs = 0;
  for (const key of ["beforeStep", "afterBlock", "afterStep"] as const) {
    const f = hook[key] as ((x: unknown) => void) | undefined;
    if (!f) continue;
    hook[key] = ((x: unknown) => {
      const t0 = performance.now();
      try {
        f(x);
      } finally {
        hookMs += performance.now() - t0;
      }
    }) as never;
  }
  try {
    const result = await sample(model, opts);
    return { result, recording: recorder.recording, estimatedBytes, hookS: hookMs / 1000 };
  } finally {
    recorder.remove();
  }
}

/** One quantity whose predictability is measured. */
export interface PredictabilityQuantity {
  label: string;
  block: string;
  field: string;
  transform: FeatureTransform;
}

/** One quantity on one axis, with its early / middle / late means. */
export interface PredictabilityRow {
  quantity: string;
  axis: "step" | "time";
  result: PredictabilityResult;
  /** Mean error over the first, middle and last third of the steps k ≥ 2. */
  thirds: [number, number, number];
  /** The step of the largest mean error. */
  worstStep: number;
}

function thirds(res: PredictabilityResult): [number, number, number] {
  const n = res.steps.length;
  const avg = (from: number, to: number) => {
    return meanStd(res.mean.slice(from, to).filter((v) => Number.isFinite(v))).mean;
  };
  return [avg(0, Math.floor(n / 3)), avg(Math.floor(n / 3), Math.floor((2 * n) / 3)), avg(Math.floor((2 * n) / 3), n)];
}

/**
 * Record one uncached run and compute the linear-predictability error of the predicted and state coordinates, the
 * atom-type probabilities and the last layer's node features, on both axes.
 * @example
 * const rows = await benchPredictability(model, { n: 16, steps: 100, seed: 0, batchCost: 1152, repeats: 1 });
 */
export async function benchPredictability(model: LoadedModel, o: HooksBenchOptions): Promise<PredictabilityRow[]> {
  await initBackend();
  const last = `layers.${model.generator.config.nLayers - 1}`;
  const quantities: PredictabilityQuantity[] = [
    { label: "predicted coordinates", block: "sampler", field: "prediction.coords", transform: "none" },
    { label: "state coordinates x_t", block: "sampler", field: "state.coords", transform: "none" },
    { label: "atom-type probabilities", block: "sampler", field: "prediction.typeLogits", transform: "softmax" },
    { label: `${last} node features`, block: last, field: "nodeFeats", transform: "none" },
  ];
  const { recording } = await sampleAndRecord(
    model,
    { n: o.n, steps: o.steps, seed: o.seed, batchCost: o.batchCost, grid: "log" },
    { blocks: [last, "sampler"], keep: ["nodeFeats", "state", "prediction"] },
  );
  const rows: PredictabilityRow[] = [];
  for (const q of quantities) {
    for (const axis of ["step", "time"] as const) {
      const result = recordingPredictability(recording, { block: q.block, field: q.field, transform: q.transform, axis });
      let worst = 0;
      result.mean.forEach((v, i) => { if (v > result.mean[worst]) worst = i; });
      rows.push({ quantity: q.label, axis, result, thirds: thirds(result), worstStep: result.steps[worst] });
    }
  }
  return rows;
}

/** The `bench hooks` subcommand. */
export const HOOKS_BENCH: BenchDefinition = {
  description: "recording overhead (every block of the model, n molecules, K steps) and the linear-predictability error of a real run",
  configure(cmd: Command) {
    cmd
      .option("--overhead-model <dir>", "model of the overhead measurement (folder or random:<preset>[:seed])", "random:small")
      .addOption(modelOption({ description: "model of the predictability run (default: the trained default if present, else random:small)" }))
      .addOption(countOption({ description: "molecules", default: 16 }))
      .addOption(stepsOption({ description: "solver steps (log grid)", default: 100, min: 3 }))
      .addOption(seedOption({ description: "seed" }))
      .addOption(batchCostOption())
      .addOption(repeatsOption({ description: "overhead runs (interleaved base / recorded; medians)", default: 2 }))
      .addOption(choiceOption("--part <which>", "overhead, predictability or both", ["overhead", "predictability", "both"], "both"))
      .option("--out <dir>", "folder of the CSVs (atomic writes)", path.join("out", "bench"))
      .action(async (opts: HooksBenchOptions & { overheadModel: string; model?: string; part: "overhead" | "predictability" | "both"; out: string }) => {
        const o: HooksBenchOptions = { n: opts.n, steps: opts.steps, seed: opts.seed, batchCost: opts.batchCost, repeats: opts.repeats };
        const part = opts.part;
        const outDir = path.resolve(String(opts.out));
        console.log((await initBackend()).summary);
        if (part !== "predictability") {
          const model = resolveModelArgument(String(opts.overheadModel));
          try {
            console.log(`recording overhead: model ${model.name} (${model.generator.parameterCount().toLocaleString("en-US")} parameters), n ${o.n}, K ${o.steps}, seed ${o.seed}, repeats ${o.repeats}`);
            const r = await benchRecordingOverhead(model, o);
            const mib = (b: number) => (b / 2 ** 20).toFixed(1);
            console.log(formatTable([
              ["", "base", "recording", "ratio"],
              ["wall s (median)", median(r.baseWallS).toFixed(2), median(r.recordWallS).toFixed(2), r.wallRatio.toFixed(3)],
              ["CPU s (median)", median(r.baseCpuS).toFixed(2), median(r.recordCpuS).toFixed(2), r.cpuRatio.toFixed(3)],
              ["in recorder hooks s", "", median(r.hookS).toFixed(2), (1 + median(r.hookS.map((h, i) => h / (r.recordWallS[i] - h)))).toFixed(3)],
            ]));
            console.log(`recorded ${r.series} series, ${mib(r.recordedBytes)} MiB (estimate ${mib(r.estimatedBytes)} MiB, budget ${mib(r.budgetBytes)} MiB); molecules identical: ${r.identical}`);
            writeFileAtomic(path.join(outDir, "bench_hooks_overhead.csv"), toCsv([
              ["model", "n", "steps", "repeat", "base_wall_s", "record_wall_s", "base_cpu_s", "record_cpu_s", "hook_s", "recorded_bytes", "estimated_bytes", "budget_bytes", "identical"],
              ...r.baseWallS.map((_, i) => [model.name, o.n, o.steps, i, r.baseWallS[i].toFixed(4), r.recordWallS[i].toFixed(4), r.baseCpuS[i].toFixed(4),
                r.recordCpuS[i].toFixed(4), r.hookS[i].toFixed(4), r.recordedBytes, r.estimatedBytes, r.budgetBytes, String(r.identical)]),
            ]));
          } finally {
            model.generator.dispose();
          }
        }
        if (part !== "overhead") {
          const modelArg = opts.model ?? (fs.existsSync(path.join(DEFAULT_MODEL_DIR, "config.json")) ? undefined : "random:small");
          const model = resolveModelArgument(modelArg);
          try {
            console.log(`linear predictability: model ${model.name}, n ${o.n}, K ${o.steps} (log grid), seed ${o.seed}, uncached`);
            const rows = await benchPredictability(model, o);
            console.log(formatTable([
              ["quantity", "axis", "early third", "middle third", "late third", "worst step", "largest early?"],
              ...rows.map((r) => [r.quantity, r.axis, ...r.thirds.map((v) => v.toExponential(3)), String(r.worstStep),
                r.thirds[0] >= Math.max(r.thirds[1], r.thirds[2]) ? "yes" : "no"]),
            ]));
            writeFileAtomic(path.join(outDir, "bench_hooks_predictability.csv"), toCsv([
              ["model", "quantity", "axis", "step", "t", "mean", "std", "lower", "upper", "count"],
              ...rows.flatMap((r) => r.result.steps.map((s, i) => [model.name, r.quantity, r.axis, s, r.result.t[i].toFixed(6),
                r.result.mean[i].toExponential(6), r.result.std[i].toExponential(6), r.result.lower[i].toExponential(6), r.result.upper[i].toExponential(6), r.result.count[i]])),
            ]));
          } finally {
            model.generator.dispose();
          }
        }
        console.log(`wrote CSVs under ${outDir}`);
      });
  },
};
