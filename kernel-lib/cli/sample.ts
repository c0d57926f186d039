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
import { initBackend } from "../env";
import { Molecule } from "../chem/molecule";
import { writeMolblock } from "../chem/sdf";
import { datasetPreset } from "../data/dataset_preset";
import { DEFAULT_WORKER_MEMORY_BYTES, GIB } from "../flow/memory_plan";
import { LoadedModel } from "../model/model_io";
import { openModel } from "../model/open_model";
import { resolveSampleOptions, sample, SampleOptions, SampleResult } from "../flow/sample";
import { INFERENCE_BACKENDS, InferenceBackend } from "../parallel/network";
import { sampleParallel } from "../parallel/sample_parallel";
import { cacheLabel, parseCacheSpec } from "../cache/config";
import { TimeGridKind } from "../flow/time_grid";
import { checkWorkerCount } from "../util/ts_worker";
import { checkOutputFile } from "../util/output_folder";
import { modelContentHash } from "../model/model_hash";
import { ResumableOutput, RunIdentity, runPaths } from "./resumable_output";
import { sampleOnQueue } from "../distributed/producer";
import { checkRedisReachable, parseQueueUrl } from "../distributed/queue_url";
import { SOLVERS, SolverKind } from "../flow/integrate";

/**
 * Load the model a `--model` argument names ({@link openModel} with errors naming `--model`).
 * @example
 * const model = resolveModelArgument("random:small");
 */
export function resolveModelArgument(spec: string | undefined): LoadedModel {
  return openModel(spec, { argument: "--model" });
}

/** Parse a command-line integer option, naming it in the error. */
export function intOption(name: string, value: string, min: number): number {
  const n = Number(value);
  if (!(Number.isInteger(n) && n >= min)) throw new Error(`invalid ${name}: ${value}; must be an integer >= ${min}`);
  return n;
}

/**
 * A minimal stderr progress display: a redrawn bar on a terminal, a line every 10% otherwise; `status` (e.g. rates,
 * workers alive) is appended to each line.
 */
export function stderrProgress(label: string): (done: number, total: number, status?: string) => void {
  const tty = Boolean(process.stderr.isTTY);
  const start = Date.now();
  let lastDecile = -1;
  return (done, total, status) => {
    const frac = total > 0 ? done / total : 1;
    const secs = (Date.now() - start) / 1000;
    const eta = done > 0 ? (secs * (total - done)) / done : NaN;
    const text = `${label} ${done}/${total} (${(100 * frac).toFixed(0)}%), ${secs.toFixed(0)} s` + (done < total && Number.isFinite(eta) ? `, ~${eta.toFixed(0)} s left` : "") + (status ? `, ${status}` : "");
    if (tty) {
      const width = 30;
      const filled = Math.round(frac * width);
      process.stderr.write(`\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${text}` + (done >= total ? "\n" : ""));
    } else {
      const decile = Math.floor(frac * 10);
      if (decile !== lastDecile) {
        lastDecile = decile;
        process.stderr.write(text + "\n");
      }
    }
  };
}

/**
 * A molblock for a sampled molecule. An atom the model predicted as `<PAD>`/`<MASK>` (element 0) is written as the
 * V2000 any-atom `*` so the molecule is kept, not dropped (RDKit reads it as a dummy atom).
 */
export function sampledMolblock(mol: Molecule, name: string): string {
  const unknown: number[] = [];
  mol.elements.forEach((z, a) => { if (z === 0) unknown.push(a); });
  if (unknown.length === 0) return writeMolblock({ ...mol, name });
  const elements = Uint8Array.from(mol.elements, (z) => (z === 0 ? 6 : z));
  const lines = writeMolblock({ ...mol, elements, name }).split("\n");
  for (const a of unknown) {
    const line = lines[4 + a];
    lines[4 + a] = `${line.slice(0, 31)}*  ${line.slice(34)}`;
  }
  return lines.join("\n");
}

/**
 * The SDF text of one sampled batch as `molcache sample` writes it (molecule `i` named `molcache i`, with an `<index>`
 * property). Local and distributed runs both write this, so their files are byte-identical.
 */
export function batchSdfText(molecules: readonly Molecule[], indices: readonly number[]): string {
  return molecules.map((m, k) => `${sampledMolblock(m, `molcache ${indices[k]}`)}>  <index>\n${indices[k]}\n\n$$$$\n`).join("");
}

/** What decides a `molcache sample` run's molecules (recorded in the run manifest, compared on --resume). */
export function sampleRunIdentity(
  model: LoadedModel,
  o: { n: number; steps: number; grid: string; cache: string; seed: number; batchCost: number; backend: string; dataset?: string; memory?: number },
): RunIdentity {
  return {
    modelHash: modelContentHash(model),
    options: {
      n: o.n, steps: o.steps, grid: o.grid, cache: JSON.stringify(parseCacheSpec(o.cache)), seed: o.seed, batchCost: o.batchCost, backend: o.backend,
      dataset: o.dataset ?? "", memory: o.memory ?? DEFAULT_WORKER_MEMORY_BYTES,
    },
  };
}

/** Options of {@link runSampleCommand} (the parsed command line). */
export interface SampleCommandOptions {
  model?: string;
  n: string;
  steps: string;
  grid: string;
  cache: string;
  seed: string;
  batchCost: string;
  out: string;
  /** Worker threads ("0" = sample on this thread, the default). */
  workers?: string;
  /** Inference backend: tfjs (default) or onnx (compiled, runs on the worker pool). */
  backend?: string;
  /** Dataset preset for sizes and buckets (qm9, geom-drugs; default: the model's). */
  dataset?: string;
  /** Memory budget per worker in GiB (default 6). */
  memory?: string;
  /** Coordinate solver: euler (default) or heun. */
  solver?: string;
  quiet?: boolean;
  /** Continue the interrupted run of `out` (its run manifest). */
  resume?: boolean;
  /** Overwrite an existing `out` (and discard an interrupted run of it). */
  force?: boolean;
  /** Run the batches on `molcache worker` processes through this Redis queue (`redis://host:port`). */
  queue?: string;
  /** With --queue: jobs in the queue at once. */
  window?: string;
  /** With --queue: attempts per batch before the run fails. */
  attempts?: string;
}

/** Calls per batch for the summary: one number, or min–max (mean) when the batches differ (adaptive schedules). */
function callsLine(result: SampleResult): string {
  const calls = result.stepsComputed.map((s) => s.length);
  const min = Math.min(...calls);
  const max = Math.max(...calls);
  return min === max ? String(result.effectiveSteps) : `${min}–${max} (mean ${result.effectiveSteps.toFixed(1)})`;
}

/** Run `molcache sample` (exported for tests). Validates everything before sampling; returns the sample result. */
export async function runSampleCommand(opts: SampleCommandOptions): Promise<SampleResult> {
  const n = intOption("--n", opts.n, 1);
  const steps = intOption("--steps", opts.steps, 2);
  const seed = intOption("--seed", opts.seed, 0);
  const batchCost = intOption("--batch-cost", opts.batchCost, 1);
  if (opts.grid !== "log" && opts.grid !== "linear") throw new Error(`invalid --grid: ${opts.grid}; use log or linear`);
  const out = path.resolve(opts.out);
  if (!fs.existsSync(path.dirname(out))) throw new Error(`cannot write ${out}: folder ${path.dirname(out)} does not exist`);
  checkOutputFile(out, "--out", "mols.sdf");
  parseCacheSpec(opts.cache); // a bad spec fails before the model loads
  if (opts.dataset !== undefined) datasetPreset(opts.dataset);
  const memory = opts.memory === undefined ? undefined : Number(opts.memory) * GIB;
  if (memory !== undefined && !(memory > 0)) throw new Error(`invalid --memory: ${opts.memory}; give GiB per worker > 0, e.g. 6`);
  if (opts.solver !== undefined && !SOLVERS.includes(opts.solver as SolverKind)) throw new Error(`invalid --solver: ${opts.solver}; use ${SOLVERS.join(", ")}`);
  // The backend first: variables made before it would live on the default backend.
  await initBackend();
  const model = resolveModelArgument(opts.model);
  let output: ResumableOutput | undefined;
  try {
    const progress = opts.quiet ? undefined : stderrProgress("sampling");
    const workers = checkWorkerCount("--workers", opts.workers ?? "0", 0);
    const backend = (opts.backend ?? "tfjs") as InferenceBackend;
    if (!INFERENCE_BACKENDS.includes(backend)) throw new Error(`invalid --backend: ${backend}; use ${INFERENCE_BACKENDS.join(" or ")}`);
    const window = intOption("--window", opts.window ?? "64", 1);
    const attempts = intOption("--attempts", opts.attempts ?? "3", 1);
    // An unreachable queue fails before the output is touched.
    if (opts.queue) await checkRedisReachable(opts.queue, parseQueueUrl(opts.queue));
    // Every sampling option is checked before the output is touched (nothing to resume from a refused run).
    const sampling: Partial<SampleOptions> = {
      n, steps, seed, batchCost, grid: opts.grid as TimeGridKind, cache: opts.cache, solver: (opts.solver ?? "euler") as SolverKind, dataset: opts.dataset, memory,
    };
    resolveSampleOptions(model, sampling);
    if (opts.queue && sampling.solver !== "euler") throw new Error(`--queue runs the Euler solver only; drop --solver ${sampling.solver} or sample without --queue`);
    output = ResumableOutput.open(out, sampleRunIdentity(model, { n, steps, grid: opts.grid, cache: opts.cache, seed, batchCost, backend, dataset: opts.dataset, memory }), { resume: opts.resume, force: opts.force });
    const out0 = output;
    if (out0.complete) {
      out0.finish();
      if (!opts.quiet) console.log(`${out} is already complete (${out0.moleculesDone} molecules); nothing to resume`);
      return { molecules: [], cache: parseCacheSpec(opts.cache), wallSeconds: 0, networkCalls: 0, effectiveSteps: 0, stepsComputed: [], moleculesPerSecond: 0, peakTensorBytes: 0, batches: 0 };
    }
    const already = out0.moleculesDone;
    // The pool (worker threads, or the compiled backend) gives the same molecules as sample() for the same seed.
    const run = workers > 0 || backend === "onnx" ? (m: LoadedModel, o: Partial<SampleOptions>) => sampleParallel(m, { ...o, workers, backend }) : sample;
    let result: SampleResult;
    try {
      if (opts.queue) {
        const q = await sampleOnQueue(model, out0, {
          queue: opts.queue, identity: sampleRunIdentity(model, { n, steps, grid: opts.grid, cache: opts.cache, seed, batchCost, backend, dataset: opts.dataset, memory }),
          sample: { ...sampling, steps, seed, grid: opts.grid as TimeGridKind, cache: opts.cache }, backend,
          window, attempts,
          onProgress: progress && ((done, total, status) => progress(already + done, total, status)),
        });
        result = { molecules: [], cache: parseCacheSpec(opts.cache), wallSeconds: q.wallSeconds, networkCalls: NaN, effectiveSteps: NaN, stepsComputed: [],
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
    .option("--model <dir>", "model folder, or random:<tiny|small|qm9|geom-drugs>[:seed] (default: the trained default model)")
    .option("--n <count>", "number of molecules", "100")
    .option("--steps <K>", "solver steps", "100")
    .option("--grid <kind>", "time grid: log (reference default) or linear", "log")
    .option("--cache <spec>", "none, reuse:D=2, taylor:m=2,D=3, ab:j=2,D=3 (+ start=, end=, axis=time, level=lastBlock; " +
      "or nfe=26 instead of D, schedule=calibrated|adaptive with nfe= and profile=)", "none")
    .option("--solver <kind>", "coordinate solver: euler, heun (2 network calls per step) or dpm2m (DPM-Solver++(2M))", "euler")
    .option("--seed <int>", "random seed (same seed, same molecules)", "0")
    .option("--batch-cost <atoms>", "atoms per batch (a batch of bucket size N holds floor(cost/N) molecules)", "1152")
    .requiredOption("--out <file.sdf>", "output SDF file (written as <out>.partial, renamed when done)")
    .option("--workers <n>", "worker threads, each with its own backend and model copy (0 = this thread)", "0")
    .option("--backend <name>", "inference backend: tfjs, or onnx (compiled with onnxruntime-node)", "tfjs")
    .option("--dataset <name>", "size histogram and buckets of qm9 or geom-drugs (default: the model's dataset)")
    .option("--memory <GiB>", "memory budget per worker: batches are cut to fit their estimated peak", "6")
    .option("--quiet", "no progress bar or summary")
    .option("--resume", "continue the interrupted run of --out (its <out>.run.json manifest): same options, same bytes")
    .option("--force", "overwrite an existing --out (and discard an interrupted run of it)")
    .option("--queue <redis-url>", "run the batches on `molcache worker` processes through Redis, e.g. redis://127.0.0.1:6379")
    .option("--window <jobs>", "with --queue: batches queued at once", "64")
    .option("--attempts <n>", "with --queue: attempts per batch before the run fails", "3")
    .action(async (opts: SampleCommandOptions) => {
      await runSampleCommand(opts);
    });
}
