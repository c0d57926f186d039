/**
 * `molcache train`: train a SemlaFlow model on QM9 (MiDi train split) with the reference objective, resuming from
 * the run folder's checkpoint if there is one, and exporting the best EMA model (by sampled validity and stability).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Command } from "commander";
import { loadQm9Split } from "../data/dataset";
import { QM9_COORD_STD } from "../data/featurize";
import { histogramToJson, statsSizeHistogram } from "../data/size_histogram";
import { CONFIG_PRESETS, resolveConfig, SemlaConfig } from "../model/config";
import { saveModel } from "../model/model_io";
import { DEFAULT_AMSGRAD } from "../train/amsgrad";
import { readTrainingProgress, TrainingProgress } from "../train/checkpoint";
import { formatLrDecays, parseLrDecays } from "../train/lr_schedule";
import { DistanceLossSchedule, formatDistanceLoss, parseDistanceLoss } from "../train/distance_loss_schedule";
import { sampleQuality } from "../train/evaluate_quality";
import { DEFAULT_TRAIN_OPTIONS, train } from "../train/trainer";
import { writeFileAtomic } from "../util/atomic_write";
import { integerOption, positiveArg, seedOption, workersOption } from "./options";

/** Our default QM9 model's architecture: between the tiny fixture and the small benchmark config. */
export const QM9_DEFAULT_CONFIG: SemlaConfig = resolveConfig({
  dModel: 128, dMessage: 64, nCoordSets: 16, nLayers: 4, nAttnHeads: 8, dMessageHidden: 64, dEdge: 32, sizeEmb: 32, maxAtoms: 32,
});

function parseConfig(value: string): SemlaConfig {
  if (value === "default") return QM9_DEFAULT_CONFIG;
  if (CONFIG_PRESETS[value]) return CONFIG_PRESETS[value];
  if (fs.existsSync(value)) return resolveConfig(JSON.parse(fs.readFileSync(value, "utf8")));
  throw new Error(`unknown config: ${value}; use default, ${Object.keys(CONFIG_PRESETS).join(", ")} or a JSON file`);
}

/** Register `train`. */
export function registerTrainCommand(program: Command): void {
  program
    .command("train")
    .description("train (or resume) a SemlaFlow model on QM9 and export the best EMA model")
    .option("--run-dir <dir>", "checkpoint and log folder", "data/models/default-training")
    .option("--export <dir>", "model folder the best EMA model is written to", "data/models/default")
    .option("--config <name|file>", "architecture: default, tiny, small, qm9, geom-drugs or a JSON file", "default")
    .option("--hours <h>", "stop after this many hours", positiveArg("--hours"))
    .addOption(integerOption("--steps <n>", "stop after this many optimiser steps in total", { min: 1 }))
    .addOption(workersOption({ description: "gradient worker threads", min: 1, default: DEFAULT_TRAIN_OPTIONS.workers }))
    .addOption(integerOption("--batch-cost <atoms>", "atoms per batch", { min: 1, default: 1152 }))
    .addOption(integerOption("--limit <n>", "use only the first n training molecules", { min: 1 }))
    .option("--lr <lr>", "peak learning rate", positiveArg("--lr"), 5e-4)
    .addOption(integerOption("--warmup <steps>", "linear warm-up steps", { min: 0, default: 500 }))
    .option("--lr-decay <spec>", "late decay: none, or segments joined by +, each cosine:start=S,end=E[,final=0.1][,from=1] or step:start=S[,final=0.1] (S, E: optimiser steps; a later cosine with from<1 is a warm restart); default: the run's recorded one when resuming, else none", parseLrDecays)
    .option("--distance-loss <spec>", "auxiliary loss on distances up to two bonds apart, for molecules at t ≥ tmin (not in the reference; sharpens bond geometry, lowers strain): none or weight=W,start=S[,tmin=0.75]; default: the run's recorded one when resuming, else none", (v: string) => ({ schedule: parseDistanceLoss(v) }))
    .option("--eval-every <minutes>", "minutes between quality evaluations", positiveArg("--eval-every"), 30)
    .addOption(integerOption("--eval-n <n>", "molecules sampled per evaluation (500: a standard error of ~0.015, so the best is not chosen on noise)", { min: 1, default: 500 }))
    .option("--force", "let this run replace a model in --export that it did not produce")
    .addOption(integerOption("--eval-steps <n>", "solver steps per evaluation", { min: 2, default: 100 }))
    .option("--checkpoint-every <minutes>", "minutes between checkpoints", positiveArg("--checkpoint-every"), 5)
    .addOption(integerOption("--checkpoint-every-steps <n>", "also checkpoint every n steps", { min: 1 }))
    .addOption(seedOption({ description: "seed" }))
    .action(async (opts) => {
      const config = parseConfig(opts.config);
      const data = await loadQm9Split("train", { limit: opts.limit ?? Infinity, sharedMemory: true });
      const tty = process.stderr.isTTY;
      // A resumed run keeps its recorded decay unless another is asked for (then the trainer checks it agrees with the past).
      const progress = readTrainingProgress(opts.runDir);
      const lrDecays = opts.lrDecay ?? progress?.schedule?.decays ?? [];
      const distanceLoss: DistanceLossSchedule | undefined = opts.distanceLoss ? opts.distanceLoss.schedule : progress?.distanceLoss;
      const exportDir = path.resolve(opts.export);
      if (!opts.force) checkExportTarget(exportDir, opts.runDir, config, progress);
      const final = await train({
        config, runDir: opts.runDir, data, seed: opts.seed, workers: opts.workers, batchCost: opts.batchCost,
        maxSteps: opts.steps ?? Infinity, maxSeconds: opts.hours ? opts.hours * 3600 : Infinity,
        optimizer: { ...DEFAULT_AMSGRAD, lr: opts.lr, warmupSteps: opts.warmup, decays: lrDecays }, distanceLoss,
        checkpointEverySeconds: opts.checkpointEvery * 60, checkpointEverySteps: opts.checkpointEverySteps ?? Infinity,
        evaluateEverySeconds: opts.evalEvery * 60,
        evaluate: (model) => sampleQuality(model, { n: opts.evalN, steps: opts.evalSteps }),
        onBest: (generator, metrics, state) => {
          saveModel({
            generator, coordStd: QM9_COORD_STD, sizeHistogram: histogramToJson(statsSizeHistogram("train")),
            name: "molcache-qm9-default",
            meta: {
              dataset: "QM9 (MiDi train split, H C N O, DFT geometries)", trainedBy: "molcache train",
              step: state.step, trainingHours: state.elapsedSeconds / 3600,
              quality: metrics, optimizer: { lr: opts.lr, warmupSteps: opts.warmup, decay: formatLrDecays(lrDecays), batchCost: opts.batchCost },
              distanceLoss: formatDistanceLoss(distanceLoss),
            },
          }, exportDir);
          fs.copyFileSync(path.join(opts.runDir, "train_log.csv"), path.join(exportDir, "train_log.csv"));
          console.error(`\nmolcache train: new best at step ${state.step}: ${JSON.stringify(metrics)} → ${exportDir}`);
        },
        onStep: (i) => {
          const line = `step ${i.step} | epoch ${i.epoch.toFixed(2)} | loss ${i.losses.total.toFixed(3)} (coord ${i.losses.coord.toFixed(3)} type ${i.losses.type.toFixed(3)} bond ${i.losses.bond.toFixed(3)} charge ${i.losses.charge.toFixed(3)}${distanceLoss ? ` distance ${i.losses.distance.toFixed(4)}` : ""}) | ${i.moleculesPerSecond.toFixed(1)} mol/s | ${(i.elapsedSeconds / 3600).toFixed(2)} h`;
          if (tty) process.stderr.write(`\r${line}  `);
          else if (i.step % 25 === 0) process.stderr.write(line + "\n");
        },
      });
      writeFileAtomic(path.join(opts.runDir, "last_run.json"), JSON.stringify({ step: final.step, hours: final.elapsedSeconds / 3600, best: final.best ?? null }, null, 1));
      console.error(`\nmolcache train: stopped at step ${final.step} (${(final.elapsedSeconds / 3600).toFixed(2)} h); checkpoint in ${opts.runDir}`);
    });
}

/**
 * A run may only export over a model it produced itself: same architecture, and no later step than the run's
 * checkpoint (a new run's first evaluation would otherwise replace, say, the shipped default model).
 */
function checkExportTarget(exportDir: string, runDir: string, config: SemlaConfig, state: TrainingProgress | undefined): void {
  const file = path.join(exportDir, "config.json");
  if (!fs.existsSync(file)) return;
  const existing = JSON.parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown>; meta?: { step?: number } };
  const refuse = (why: string) => {
    throw new Error(`refusing to export to ${exportDir}: ${why}; pass --export <new folder>, or --force to replace it`);
  };
  if (!state) refuse(`it holds a model that the new run in ${runDir} did not produce`);
  if (JSON.stringify(resolveConfig(existing.config ?? {})) !== JSON.stringify(resolveConfig(config as unknown as Record<string, unknown>))) {
    refuse("it holds a model of another architecture");
  }
  if ((existing.meta?.step ?? 0) > state!.step) refuse(`it holds a model from step ${existing.meta?.step}, later than this run's checkpoint (step ${state!.step})`);
}
