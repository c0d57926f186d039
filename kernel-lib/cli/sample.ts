/**
 * `molcache sample --model <dir> --n 100 --steps 100 --cache taylor:m=2,D=3 --seed 0 --out mols.sdf`: generate
 * molecules and stream them to an SDF file as batches finish. The file is written as `<out>.partial` and renamed at
 * the end, so an interrupted run keeps what it finished and never leaves a half-written final file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Command } from "commander";
import { initBackend } from "../env";
import { Molecule } from "../chem/molecule";
import { writeMolblock } from "../chem/sdf";
import { CONFIG_PRESETS } from "../model/config";
import { createRandomModel, DEFAULT_MODEL_DIR, LoadedModel, loadModel } from "../model/model_io";
import { sample, SampleOptions, SampleResult } from "../flow/sample";
import { INFERENCE_BACKENDS, InferenceBackend } from "../parallel/network";
import { sampleParallel } from "../parallel/sample_parallel";
import { cacheLabel, parseCacheSpec } from "../cache/config";
import { TimeGridKind } from "../flow/time_grid";
import { SOLVERS, SolverKind } from "../flow/integrate";

/**
 * Load the model a `--model` argument names: a model folder, `random:<preset>` or `random:<preset>:<seed>` for a
 * random-init model (presets tiny, small, qm9, geom-drugs), or nothing for the trained default
 * (`data/models/default`).
 * @example
 * const model = resolveModelArgument("random:small");
 */
export function resolveModelArgument(spec: string | undefined): LoadedModel {
  if (spec === undefined || spec === "" || spec === "default") {
    if (!fs.existsSync(path.join(DEFAULT_MODEL_DIR, "config.json"))) {
      throw new Error(
        `the trained default model does not exist yet (${DEFAULT_MODEL_DIR}); pass --model <dir> (a folder from ` +
          "`molcache import` or training) or --model random:small for a random-init model",
      );
    }
    return loadModel(DEFAULT_MODEL_DIR);
  }
  const m = /^random:([\w-]+)(?::(\d+))?$/.exec(spec);
  if (m) {
    const config = CONFIG_PRESETS[m[1]];
    if (!config) throw new Error(`unknown preset in --model ${spec}; use random:<${Object.keys(CONFIG_PRESETS).join("|")}>[:seed]`);
    return createRandomModel(config, { seed: m[2] === undefined ? 0 : Number(m[2]), name: spec });
  }
  if (spec.startsWith("random")) throw new Error(`invalid --model ${spec}; use random:<preset>[:seed], e.g. random:small`);
  return loadModel(spec);
}

/** Parse a command-line integer option, naming it in the error. */
export function intOption(name: string, value: string, min: number): number {
  const n = Number(value);
  if (!(Number.isInteger(n) && n >= min)) throw new Error(`invalid ${name}: ${value}; must be an integer >= ${min}`);
  return n;
}

/** A minimal stderr progress display: a redrawn bar on a terminal, a line every 10% otherwise. */
function stderrProgress(label: string): (done: number, total: number) => void {
  const tty = Boolean(process.stderr.isTTY);
  const start = Date.now();
  let lastDecile = -1;
  return (done, total) => {
    const frac = total > 0 ? done / total : 1;
    const secs = (Date.now() - start) / 1000;
    const eta = done > 0 ? (secs * (total - done)) / done : NaN;
    const text = `${label} ${done}/${total} (${(100 * frac).toFixed(0)}%), ${secs.toFixed(0)} s` + (done < total && Number.isFinite(eta) ? `, ~${eta.toFixed(0)} s left` : "");
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
  /** Coordinate solver: euler (default) or heun. */
  solver?: string;
  quiet?: boolean;
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
  parseCacheSpec(opts.cache); // a bad spec fails before the model loads
  if (opts.solver !== undefined && !SOLVERS.includes(opts.solver as SolverKind)) throw new Error(`invalid --solver: ${opts.solver}; use ${SOLVERS.join(", ")}`);
  // The backend first: variables made before it would live on the default backend.
  await initBackend();
  const model = resolveModelArgument(opts.model);
  const partial = `${out}.partial`;
  let fd: number | undefined;
  try {
    const progress = opts.quiet ? undefined : stderrProgress("sampling");
    let started = false;
    const workers = intOption("--workers", opts.workers ?? "0", 0);
    const backend = (opts.backend ?? "tfjs") as InferenceBackend;
    if (!INFERENCE_BACKENDS.includes(backend)) throw new Error(`invalid --backend: ${backend}; use ${INFERENCE_BACKENDS.join(" or ")}`);
    // The pool (worker threads, or the compiled backend) gives the same molecules as sample() for the same seed.
    const run = workers > 0 || backend === "onnx" ? (m: LoadedModel, o: Partial<SampleOptions>) => sampleParallel(m, { ...o, workers, backend }) : sample;
    const result = await run(model, {
      n, steps, seed, batchCost, grid: opts.grid as TimeGridKind, cache: opts.cache, solver: (opts.solver ?? "euler") as SolverKind,
      onProgress: progress,
      onBatch: (mols, indices) => {
        if (!started) {
          fd = fs.openSync(partial, "w");
          started = true;
        }
        const text = mols.map((m, k) => `${sampledMolblock(m, `molcache ${indices[k]}`)}>  <index>\n${indices[k]}\n\n$$$$\n`).join("");
        fs.writeSync(fd!, text);
      },
    });
    if (fd !== undefined) {
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      fd = undefined;
    }
    fs.renameSync(partial, out);
    const lines = [
      `wrote ${result.molecules.length} molecules to ${out}`,
      `  model ${model.name} (${model.generator.parameterCount().toLocaleString("en-US")} parameters), ${steps} steps (${opts.grid} grid), ` +
        `cache ${cacheLabel(result.cache)}: ${callsLine(result)} network calls per batch, ${result.batches} batches`,
      `  ${result.wallSeconds.toFixed(1)} s, ${result.moleculesPerSecond.toFixed(2)} molecules/s, peak tensor memory ${(result.peakTensorBytes / 1e6).toFixed(1)} MB`,
    ];
    if (!opts.quiet) for (const l of lines) console.log(l);
    return result;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
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
    .option("--quiet", "no progress bar or summary")
    .action(async (opts: SampleCommandOptions) => {
      await runSampleCommand(opts);
    });
}
