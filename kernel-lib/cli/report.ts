/**
 * `molcache report` (what `npm start` runs): sample with the base sampler and the paper's cache configurations on
 * the default model, score, and write `out/<run>/` with SDF files, metrics.csv, summary.csv, table1.md, PNG/SVG
 * figures and one self-contained report.html; print the summary table.
 */
import * as fs from "node:fs";
import { Command } from "commander";
import { initBackend } from "../env";
import { CACHE_PRESETS } from "../report/configurations";
import { removePartialFolders } from "../report/run_folder";
import { DEFAULT_REPORT_OPTIONS, resolveReportOptions, runReport } from "../report/run_report";
import { INFERENCE_BACKENDS, InferenceBackend } from "../parallel/network";
import { TimeGridKind } from "../flow/time_grid";
import { backendOption, batchCostOption, countOption, gridOption, integerOption, modelOption, seedOption, stepsOption, workersOption } from "./options";
import { resolveModelArgument } from "./model_argument";

/** The parsed command line of `molcache report`. */
export interface ReportCommandOptions {
  model?: string;
  n: number;
  steps: number;
  caches: string;
  seed: number;
  replicates: number;
  out?: string;
  run?: string;
  grid: TimeGridKind;
  batchCost: number;
  workers?: number;
  backend: InferenceBackend;
  energy: boolean;
  posebusters: boolean;
  novelty: boolean;
  trajectories: boolean;
  trajectoryMolecules: number;
  images: boolean;
  profile?: string;
  quiet?: boolean;
}

/**
 * Run `molcache report` with the parsed command line (exported for tests). Everything is validated before the model
 * loads and sampling starts.
 * @returns the report folder.
 */
export async function runReportCommand(opts: ReportCommandOptions): Promise<string> {
  const options = {
    n: opts.n,
    steps: opts.steps,
    seed: opts.seed,
    replicates: opts.replicates,
    batchCost: opts.batchCost,
    workers: opts.workers,
    backend: opts.backend,
    caches: opts.caches,
    out: opts.out,
    run: opts.run,
    grid: opts.grid,
    energy: opts.energy,
    posebusters: opts.posebusters,
    novelty: opts.novelty,
    trajectories: opts.trajectories,
    trajectoryMolecules: opts.trajectoryMolecules,
    images: opts.images,
    profile: opts.profile,
    progress: opts.quiet ? ("silent" as const) : ("auto" as const),
    log: opts.quiet ? () => undefined : DEFAULT_REPORT_OPTIONS.log,
  };
  // Bad flags, an unknown cache or an unusable folder fail here, before the model loads.
  const resolved = resolveReportOptions(options);
  if (fs.existsSync(resolved.target) && !fs.statSync(resolved.target).isDirectory()) {
    throw new Error(`output folder ${resolved.target} is a file; choose another --out`);
  }
  await initBackend();
  const model = resolveModelArgument(opts.model);
  // Ctrl-C: one line, the temporary folder removed, exit 130 (the pool's own handler, registered later, never runs).
  const onSigint = () => {
    const removed = removePartialFolders(resolved.target);
    const what = removed.length ? `removed the unfinished report folder ${removed.join(", ")}` : "nothing was written";
    process.stderr.write(`${process.stderr.isTTY ? "\n" : ""}molcache report: interrupted (Ctrl-C); ${what}\n`);
    process.exit(130);
  };
  process.on("SIGINT", onSigint);
  try {
    const result = await runReport(model, options);
    if (!opts.quiet) {
      console.log(result.tableMarkdown);
      console.log(`report written to ${result.dir} (open report.html) in ${result.seconds.total.toFixed(0)} s: ` +
        `sampling ${result.seconds.sampling.toFixed(0)} s, trajectories ${result.seconds.trajectories.toFixed(0)} s, scoring ${result.seconds.evaluation.toFixed(0)} s, figures ${result.seconds.figures.toFixed(0)} s`);
    }
    return result.dir;
  } finally {
    process.removeListener("SIGINT", onSigint);
    model.generator.dispose();
  }
}

/**
 * Register the `report` subcommand on `program`.
 * @example
 * registerReportCommand(new Command()); // then: molcache report --n 32 --caches default --run demo
 */
export function registerReportCommand(program: Command): void {
  program
    .command("report")
    .description("sample with Base and cache configurations, score, and write SDF, metrics, figures and report.html to out/<run>/")
    .addOption(modelOption())
    .addOption(countOption({ description: "molecules per configuration and seed", default: DEFAULT_REPORT_OPTIONS.n }))
    .addOption(stepsOption({ description: "solver steps of Base and every cache", default: DEFAULT_REPORT_OPTIONS.steps }))
    .option("--caches <list>",
      `configurations: base, base@<steps>, heun@<steps>, matched, reuse:D=2, taylor:m=2,D=3, ab:j=2,D=3 (+ nfe=, schedule=calibrated|adaptive), ` +
      `matched-nfe[@26+18] (the matched-NFE study), or a preset (${Object.keys(CACHE_PRESETS).join(", ")})`,
      DEFAULT_REPORT_OPTIONS.caches)
    .addOption(seedOption({ description: "first seed", default: DEFAULT_REPORT_OPTIONS.seed }))
    .addOption(integerOption("--replicates <r>", "seeds per configuration (tables show mean ± std)", { min: 1, default: DEFAULT_REPORT_OPTIONS.replicates }))
    .option("--out <dir>", "report folder (default out/<run>); must not exist or be empty")
    .option("--run <name>", "run name for the default folder (default: a timestamp)")
    .addOption(gridOption({ default: DEFAULT_REPORT_OPTIONS.grid }))
    .addOption(batchCostOption({ description: "atoms per sampling batch", default: DEFAULT_REPORT_OPTIONS.batchCost }))
    .addOption(workersOption({ description: "worker threads for sampling and scoring (default: every core; 0 samples on this thread)", min: 0 }))
    .addOption(backendOption({
      description: `sampling backend: ${INFERENCE_BACKENDS.join(" or ")} (onnx, the default, is ~4x faster per core; same backend, same molecules)`, default: DEFAULT_REPORT_OPTIONS.backend,
    }))
    .option("--no-energy", "skip MMFF94 energy, strain and opt-RMSD")
    .option("--no-posebusters", "skip the PoseBusters-style checks")
    .option("--no-novelty", "skip novelty (saves building the training-set keys)")
    .option("--no-trajectories", "skip the recorded trajectories (Figures 1, 2a, 2b, similarity heatmap)")
    .addOption(integerOption("--trajectory-molecules <k>", "molecules recorded per trajectory run", { min: 1, default: DEFAULT_REPORT_OPTIONS.trajectoryMolecules }))
    .option("--no-images", "skip PNG/SVG export (report.html is still written)")
    .option("--profile <file>", "cache calibration profile for calibrated/adaptive schedules (default: the model folder's, else recorded into the report)")
    .option("--quiet", "no progress, no table")
    .action(async (opts: ReportCommandOptions) => {
      await runReportCommand(opts);
    });
}
