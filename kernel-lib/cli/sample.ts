/**
 * `molcache sample --model <dir> --n 100 --steps 100 --cache taylor:m=2,D=3 --seed 0 --out mols.sdf`: generate
 * molecules and stream them to an SDF file as batches finish. The file is written as `<out>.partial` and renamed at
 * the end, so an interrupted run keeps what it finished and never leaves a half-written final file; a run manifest
 * beside it lets `--resume` continue a killed run to the same bytes (see resumable_output.ts). With `--queue` the
 * batches run on `molcache worker` processes (see distributed/producer.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Command } from "commander";
import { backendOption, batchCostOption, cacheSpecArg, choiceOption, countOption, gridOption, integerOption, modelOption, positiveArg, seedOption, stepsOption, workersOption } from "./options";
import { resolveModelArgument } from "./model_argument";
import { stderrProgress } from "./progress";
import { initBackend } from "../env";
import { batchSdfText } from "../chem/sampled_sdf";
import { datasetPreset } from "../data/dataset_preset";
import { GIB } from "../flow/memory_plan";
import { LoadedModel } from "../model/model_io";
import { resolveSampleOptions, sample, SampleOptions, SampleResult } from "../flow/sample";
import { InferenceBackend } from "../parallel/network";
import { sampleParallel } from "../parallel/sample_parallel";
import { cacheLabel, parseCacheSpec } from "../cache/config";
import { TimeGridKind } from "../flow/time_grid";
import { checkOutputFile } from "../util/output_folder";
import { ResumableOutput, runPaths } from "../flow/resumable_output";
import { sampleRunIdentity } from "./sample_identity";
import { sampleOnQueue } from "../distributed/producer";
import { checkRedisReachable, parseQueueUrl } from "../distributed/queue_url";
import { SOLVERS, SolverKind } from "../flow/integrate";

/** Options of {@link runSampleCommand} (the parsed command line). */
export interface SampleCommandOptions {
  model?: string;
  n: number;
  steps: number;
  grid: TimeGridKind;
  cache: string;
  seed: number;
  batchCost: number;
  out: string;
  /** Worker threads (0 = sample on this thread, the default). */
  workers?: number;
  /** Inference backend: tfjs (default) or onnx (compiled, runs on the worker pool). */
  backend?: InferenceBackend;
  /** Dataset preset for sizes and buckets (qm9, geom-drugs; default: the model's). */
  dataset?: string;
  /** Memory budget per worker in GiB (default 6). */
  memory?: number;
  /** Coordinate solver: euler (default), heun or dpm2m. */
  solver?: SolverKind;
  quiet?: boolean;
  /** Continue the interrupted run of `out` (its run manifest). */
  resume?: boolean;
  /** Overwrite an existing `out` (and discard an interrupted run of it). */
  force?: boolean;
  /** Run the batches on `molcache worker` processes through this Redis queue (`redis://host:port`). */
  queue?: string;
  /** With --queue: jobs in the queue at once (default 64). */
  window?: number;
  /** With --queue: attempts per batch before the run fails (default 3). */
  attempts?: number;
}

/** Calls per batch for the summary: one number, or min–max (mean) when the batches differ (adaptive schedules). */
function callsLine(result: SampleResult): string {
  const calls = result.stepsComputed.map((s) => s.length);
  const min = Math.min(...calls);
  const max = Math.max(...calls);
  return min === max ? String(result.effectiveSteps) : `${min}–${max} (mean ${result.effectiveSteps.toFixed(1)})`;
}

/**
 * Run `molcache sample` with the parsed command line (numbers already checked by the options' parsers; exported for
 * tests). Validates everything else before sampling; returns the sample result.
 */
export async function runSampleCommand(opts: SampleCommandOptions): Promise<SampleResult> {
  const { n, steps, seed, batchCost } = opts;
  const out = path.resolve(opts.out);
  if (!fs.existsSync(path.dirname(out))) throw new Error(`cannot write ${out}: folder ${path.dirname(out)} does not exist`);
  checkOutputFile(out, "--out", "mols.sdf");
  const cache = parseCacheSpec(opts.cache); // a bad spec fails before the model loads
  if (opts.dataset !== undefined) datasetPreset(opts.dataset);
  const memory = opts.memory === undefined ? undefined : opts.memory * GIB;
  // The backend first: variables made before it would live on the default backend.
  await initBackend();
  const model = resolveModelArgument(opts.model);
  let output: ResumableOutput | undefined;
  try {
    const progress = opts.quiet ? undefined : stderrProgress("sampling");
    const workers = opts.workers ?? 0;
    const backend = opts.backend ?? "tfjs";
    const window = opts.window ?? 64;
    const attempts = opts.attempts ?? 3;
    // An unreachable queue fails before the output is touched.
    if (opts.queue) await checkRedisReachable(opts.queue, parseQueueUrl(opts.queue));
    // Every sampling option is checked before the output is touched (nothing to resume from a refused run).
    const sampling: Partial<SampleOptions> = {
      n, steps, seed, batchCost, grid: opts.grid, cache: opts.cache, solver: opts.solver ?? "euler", dataset: opts.dataset, memory,
    };
    resolveSampleOptions(model, sampling);
    const identity = sampleRunIdentity(model, { n, steps, grid: opts.grid, cache: opts.cache, seed, batchCost, backend, dataset: opts.dataset, memory, solver: sampling.solver });
    output = ResumableOutput.open(out, identity, { resume: opts.resume, force: opts.force });
    const out0 = output;
    if (out0.complete) {
      out0.finish();
      if (!opts.quiet) console.log(`${out} is already complete (${out0.moleculesDone} molecules); nothing to resume`);
      return { molecules: [], cache, wallSeconds: 0, networkCalls: 0, effectiveSteps: 0, stepsComputed: [], moleculesPerSecond: 0, peakTensorBytes: 0, batches: 0 };
    }
    const already = out0.moleculesDone;
    // The pool (worker threads, or the compiled backend) gives the same molecules as sample() for the same seed.
    const run = workers > 0 || backend === "onnx" ? (m: LoadedModel, o: Partial<SampleOptions>) => sampleParallel(m, { ...o, workers, backend }) : sample;
    let result: SampleResult;
    try {
      if (opts.queue) {
        const q = await sampleOnQueue(model, out0, {
          queue: opts.queue, identity,
          sample: { ...sampling, steps, seed, grid: opts.grid, cache: opts.cache }, backend,
          window, attempts,
          onProgress: progress && ((done, total, status) => progress(already + done, total, status)),
        });
        result = { molecules: [], cache, wallSeconds: q.wallSeconds, networkCalls: NaN, effectiveSteps: NaN, stepsComputed: [],
          moleculesPerSecond: q.molecules / q.wallSeconds, peakTensorBytes: NaN, batches: q.batches };
      } else result = await run(model, {
        ...sampling, start: out0.start, keepMolecules: false,
        onProgress: progress && ((done, total) => progress(already + done, total)),
        onBatch: (mols, indices, planned) => out0.append(batchSdfText(mols, indices), planned.next, mols.length),
      });
    } catch (err) {
      const kept = out0.moleculesDone > 0 ? `${out0.moleculesDone} finished molecules are kept in ${runPaths(out).partial}; ` : "";
      throw new Error(`${(err as Error).message}; ${kept}continue with the same command and --resume`);
    }
    out0.finish();
    const lines = [
      `wrote ${n} molecules to ${out}` + (already > 0 ? ` (${already} from before the resume)` : ""),
      `  model ${model.name} (${model.generator.parameterCount().toLocaleString("en-US")} parameters), ${steps} steps (${opts.grid} grid), ` +
        `cache ${cacheLabel(result.cache)}: ${callsLine(result)} network calls per batch, ${result.batches} batches`,
      `  ${result.wallSeconds.toFixed(1)} s, ${result.moleculesPerSecond.toFixed(2)} molecules/s, peak tensor memory ${(result.peakTensorBytes / 1e6).toFixed(1)} MB`,
    ];
    if (opts.queue) {
      lines[1] = `  model ${model.name}, ${steps} steps (${opts.grid} grid), cache ${cacheLabel(result.cache)}, ${result.batches} batches on the workers of ${opts.queue}`;
      lines[2] = `  ${result.wallSeconds.toFixed(1)} s, ${result.moleculesPerSecond.toFixed(2)} molecules/s`;
    }
    if (!opts.quiet) for (const l of lines) console.log(l);
    return result;
  } finally {
    output?.close();
    model.generator.dispose();
  }
}

/**
 * Register the `sample` subcommand on `program`.
 * @example
 * registerSampleCommand(new Command()); // then: molcache sample --n 100 --cache taylor:m=2,D=3 --out mols.sdf
 */
export function registerSampleCommand(program: Command): void {
  program
    .command("sample")
    .description("generate molecules (optionally with predictive feature caching) and write them as SDF")
    .addOption(modelOption())
    .addOption(countOption({ default: 100 }))
    .addOption(stepsOption({ default: 100 }))
    .addOption(gridOption({ description: "time grid: log (reference default) or linear" }))
    .option("--cache <spec>", "none, reuse:D=2, taylor:m=2,D=3, ab:j=2,D=3 (+ start=, end=, axis=time, level=lastBlock, jumps=computed; " +
      "or nfe=26 instead of D, schedule=calibrated|adaptive with nfe= and profile=)", cacheSpecArg("--cache"), "none")
    .addOption(choiceOption("--solver <kind>", "coordinate solver: euler, heun (2 network calls per step) or dpm2m (DPM-Solver++(2M))", SOLVERS, "euler"))
    .addOption(seedOption())
    .addOption(batchCostOption({ description: "atoms per batch (a batch of bucket size N holds floor(cost/N) molecules)" }))
    .requiredOption("--out <file.sdf>", "output SDF file (written as <out>.partial, renamed when done)")
    .addOption(workersOption({ description: "worker threads, each with its own backend and model copy (0 = this thread)", min: 0, default: 0 }))
    .addOption(backendOption({ default: "tfjs" }))
    .option("--dataset <name>", "size histogram and buckets of qm9 or geom-drugs (default: the model's dataset)")
    .option("--memory <GiB>", "memory budget per worker: batches are cut to fit their estimated peak", positiveArg("--memory", "GiB per worker, e.g. 6"), 6)
    .option("--quiet", "no progress bar or summary")
    .option("--resume", "continue the interrupted run of --out (its <out>.run.json manifest): same options, same bytes")
    .option("--force", "overwrite an existing --out (and discard an interrupted run of it)")
    .option("--queue <redis-url>", "run the batches on `molcache worker` processes through Redis, e.g. redis://127.0.0.1:6379")
    .addOption(integerOption("--window <jobs>", "with --queue: batches queued at once", { min: 1, default: 64 }))
    .addOption(integerOption("--attempts <n>", "with --queue: attempts per batch before the run fails", { min: 1, default: 3 }))
    .action(async (opts: SampleCommandOptions) => {
      await runSampleCommand(opts);
    });
}
