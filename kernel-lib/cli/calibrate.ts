/**
 * `molcache calibrate`: record a cache calibration profile on a few molecules (no caching, every step computed),
 * plan the calibrated schedule for an NFE target, and write the profile JSON (by default `cache_profile.json` in the
 * model folder, where `schedule=calibrated` and `schedule=adaptive,nfe=…` look for it).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Command } from "commander";
import { initBackend } from "../env";
import { calibrate, DEFAULT_PROFILE_OPTIONS } from "../cache/calibrate";
import { CACHE_PROFILE_FILE } from "../cache/profile";
import { writeFileAtomic } from "../util/atomic_write";
import { countOption, gridOption, integerOption, modelOption, seedOption, stepsOption } from "./options";
import { resolveModelArgument } from "./model_argument";
import { stderrProgress } from "./progress";
import { DEFAULT_MODEL_DIR } from "../model/model_io";

/** The parsed command line of `molcache calibrate`. */
export interface CalibrateCommandOptions {
  model?: string;
  cache: string;
  nfe: number;
  out?: string;
  n: number;
  steps: number;
  grid: "log" | "linear";
  seed: number;
  quiet?: boolean;
}

/**
 * Run `molcache calibrate` with the parsed command line (exported for tests). Flags are checked before the model loads.
 * @returns the profile file written.
 */
export async function runCalibrateCommand(opts: CalibrateCommandOptions): Promise<string> {
  const { nfe, n, steps, seed } = opts;
  if (nfe > steps) throw new Error(`invalid --nfe: ${nfe}; a ${steps}-step run has at most ${steps} network calls`);
  const modelDir = opts.model === undefined || opts.model === "default" ? DEFAULT_MODEL_DIR : opts.model;
  // The shipped default model is never written by a default command; a random model has no folder.
  if (opts.out === undefined && (modelDir === DEFAULT_MODEL_DIR || modelDir.startsWith("random"))) {
    throw new Error(`--out is required for ${modelDir === DEFAULT_MODEL_DIR ? "the default model (its folder ships with molcache)" : `model ${modelDir} (it has no folder)`}; e.g. --out profile.json, then --cache "…,profile=profile.json"`);
  }
  const out = path.resolve(opts.out ?? path.join(modelDir, CACHE_PROFILE_FILE));
  if (!fs.existsSync(path.dirname(out))) throw new Error(`cannot write ${out}: folder ${path.dirname(out)} does not exist`);
  await initBackend();
  const model = resolveModelArgument(opts.model);
  try {
    const start = Date.now();
    const cal = calibrate(model, {
      cache: opts.cache, nfe, n, steps, seed, grid: opts.grid,
      onProgress: opts.quiet ? undefined : stderrProgress("calibrating (steps)"),
    });
    writeFileAtomic(out, JSON.stringify(cal.profile, null, 1));
    if (!opts.quiet) {
      const ratio = cal.cost.uniform === null ? "no uniform interval gives this NFE" : `uniform at the same NFE: ${cal.cost.uniform.toFixed(3)}`;
      console.log([
        `wrote ${out} (${n} molecules, ${steps} steps, ${opts.grid} grid, seed ${seed}) in ${((Date.now() - start) / 1000).toFixed(1)} s`,
        `  calibrated ${nfe} network calls: steps ${cal.computedSteps.join(" ")}`,
        `  summed real forecast error on the recorded trajectory: calibrated ${cal.error.calibrated.toFixed(3)}, ${cal.error.uniform === null ? "no uniform interval gives this NFE" : `uniform at the same NFE: ${cal.error.uniform.toFixed(3)}`}`,
        `  (planning cost: calibrated ${cal.cost.calibrated.toFixed(3)}, ${ratio})`,
        `  adaptive threshold for nfe=${nfe}: ${cal.adaptive.threshold.toPrecision(4)} (${cal.adaptive.calls} calls on the recorded signal)`,
        `  use: --cache "${cal.profile.calibrated!.cache},profile=${out}" (or schedule=adaptive,nfe=${nfe},profile=…)`,
      ].join("\n"));
    }
    return out;
  } finally {
    model.generator.dispose();
  }
}

/**
 * Register the `calibrate` subcommand on `program`.
 * @example
 * registerCalibrateCommand(new Command()); // then: molcache calibrate --cache taylor:m=2 --nfe 26 --out schedule.json
 */
export function registerCalibrateCommand(program: Command): void {
  program
    .command("calibrate")
    .description("record a cache calibration profile and plan a calibrated schedule for an NFE target")
    .addOption(modelOption({ description: "model folder, or random:<preset>[:seed] (default: the trained default model)" }))
    .requiredOption("--cache <spec>", "the forecaster to calibrate, without schedule keys, e.g. taylor:m=2 or ab:j=2,axis=time")
    .addOption(integerOption("--nfe <n>", "network calls per batch to plan for", { min: 2 }).makeOptionMandatory())
    .option("--out <file.json>", `profile file (default: ${CACHE_PROFILE_FILE} in the model folder; required for the default and random models)`)
    .addOption(countOption({ description: "molecules recorded", default: DEFAULT_PROFILE_OPTIONS.n }))
    .addOption(stepsOption({ default: DEFAULT_PROFILE_OPTIONS.steps }))
    .addOption(gridOption({ default: DEFAULT_PROFILE_OPTIONS.grid }))
    .addOption(seedOption({ description: "seed of the recorded molecules", default: DEFAULT_PROFILE_OPTIONS.seed }))
    .option("--quiet", "no progress or summary")
    .action(async (opts: CalibrateCommandOptions) => {
      await runCalibrateCommand(opts);
    });
}
