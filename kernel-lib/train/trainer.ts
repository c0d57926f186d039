/**
 * The trainer: data-parallel gradient workers (one per core by default, each with its own backend and model replica),
 * AMSGrad with warm-up and clipping and an EMA on the main thread, atomic checkpoints that resume exactly, a CSV log,
 * periodic evaluation of the EMA model, and export of the best EMA model as a model folder.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { planBatches } from "../data/batching";
import { Qm9Split } from "../data/dataset";
import { resolveConfig, SemlaConfig } from "../model/config";
import { initParams } from "../model/init";
import { SemlaGenerator } from "../model/generator";
import { initBackend } from "../env";
import { writeFileAtomic } from "../util/atomic_write";
import { lockFolder } from "../util/folder_lock";
import { Rng } from "../util/rng";
import { checkWorkerCount, defaultWorkerCount } from "../util/ts_worker";
import { openWorkerChannels, WorkerChannel } from "../util/worker_channel";
import { amsGradStep, AmsGradOptions, DEFAULT_AMSGRAD, emaDecayAt, emaUpdate, initAmsGrad } from "./amsgrad";
import { loadTrainingState, saveTrainingState, TrainingState } from "./checkpoint";
import { describeSchedule, formatLrDecays, LrSchedule, schedulesAgree } from "./lr_schedule";
import { DEFAULT_GRADIENT_OPTIONS, GradientOptions, GradientResult, LossValues } from "./gradients";
import { DistanceLossSchedule, distanceLossAt, distanceLossesAgree, formatDistanceLoss } from "./distance_loss_schedule";
import { DistanceLossOptions } from "../flow/distance_loss";
import type { GradientRequest, GradientWorkerInit } from "./gradient_worker";

/** Options of {@link train}. */
export interface TrainOptions {
  /** Architecture (when resuming, it must equal the checkpoint's). */
  config: SemlaConfig;
  /** Folder for the checkpoint and `train_log.csv`. */
  runDir: string;
  /** Training data (featurised). */
  data: Qm9Split;
  /** Stop after this many optimiser steps in total (default Infinity). */
  maxSteps: number;
  /** Stop after this many wall-clock seconds in this run (default Infinity). */
  maxSeconds: number;
  /** Atoms per batch (default 1152 = 64 × 18). */
  batchCost: number;
  /** Gradient workers (default: one per core). */
  workers: number;
  seed: number;
  optimizer: AmsGradOptions;
  gradient: GradientOptions;
  /**
   * molcache's auxiliary distance loss and the step it starts at (default undefined: the reference objective).
   * Recorded in the checkpoint; a resume may only change it from a step not yet taken.
   */
  distanceLoss: DistanceLossSchedule | undefined;
  /** EMA decay (default 0.999, the reference), warmed up over the first steps (see emaDecayAt). */
  emaDecay: number;
  /** Seconds between checkpoints (default 300). */
  checkpointEverySeconds: number;
  /** Also checkpoint every this many steps (default Infinity: by time only). */
  checkpointEverySteps: number;
  /** Seconds between evaluations (default 900; 0 = never). */
  evaluateEverySeconds: number;
  /** Scores the EMA model (e.g. validity and stability of a few hundred samples); higher `score` is better. */
  evaluate: ((model: SemlaGenerator, step: number) => Promise<Record<string, number>>) | undefined;
  /** Called with the EMA generator whenever an evaluation improves on the best score (export it). */
  onBest: ((model: SemlaGenerator, metrics: Record<string, number>, state: TrainingState) => void) | undefined;
  /** Progress after each step. */
  onStep: ((info: StepInfo) => void) | undefined;
}

/** Defaults of {@link TrainOptions} (everything but config, runDir and data). */
export const DEFAULT_TRAIN_OPTIONS = {
  maxSteps: Infinity, maxSeconds: Infinity, batchCost: 1152, workers: defaultWorkerCount(),
  seed: 0, optimizer: DEFAULT_AMSGRAD, gradient: DEFAULT_GRADIENT_OPTIONS, distanceLoss: undefined, emaDecay: 0.999, checkpointEverySeconds: 300, checkpointEverySteps: Infinity,
  evaluateEverySeconds: 900, evaluate: undefined, onBest: undefined, onStep: undefined,
};

/** What one step reports. */
export interface StepInfo {
  step: number;
  epoch: number;
  losses: LossValues;
  lr: number;
  gradNorm: number;
  moleculesPerSecond: number;
  elapsedSeconds: number;
}

/** The header of logs written before the distance column (their rows get an empty one on resume). */
const LOG_HEADER_BEFORE_DISTANCE = "step,epoch,elapsed_s,lr,grad_norm,loss,coord,type,bond,charge,mol_per_s,eval\n";
const LOG_HEADER = LOG_HEADER_BEFORE_DISTANCE.replace("\n", ",distance\n");

/**
 * Start or resume training in `runDir`; resolves with the final state when a limit is reached or on SIGINT.
 * The run folder is locked for the run (a second run there is refused), and a folder whose log shows steps but whose
 * checkpoint is gone is refused rather than restarted from step 0 (which would overwrite the log).
 */
export async function train(options: Partial<TrainOptions> & Pick<TrainOptions, "config" | "runDir" | "data">): Promise<TrainingState> {
  const o: TrainOptions = { ...DEFAULT_TRAIN_OPTIONS, ...options };
  checkWorkerCount("workers", o.workers, 1);
  const lock = lockFolder(o.runDir, "train");
  try {
    return await trainInFolder(o);
  } finally {
    lock.release();
  }
}

async function trainInFolder(o: TrainOptions): Promise<TrainingState> {
  await initBackend();
  const settings = { batchCost: o.batchCost, workers: o.workers, molecules: o.data.molecules.length, split: o.data.split };
  let state = loadTrainingState(o.runDir);
  if (!state) checkFreshRunFolder(o.runDir);
  const schedule: LrSchedule = { lr: o.optimizer.lr, warmupSteps: o.optimizer.warmupSteps, warmupStart: o.optimizer.warmupStart, decays: o.optimizer.decays };
  if (state) {
    checkResumable(o, state, settings, schedule);
    state.schedule = schedule;
    state.distanceLoss = o.distanceLoss;
  } else {
    const config = resolveConfig(o.config as unknown as Record<string, unknown>);
    const params = initParams(config, new Rng(o.seed));
    const flat = params.flatten();
    params.dispose();
    state = { config, seed: o.seed, step: 0, elapsedSeconds: 0, params: flat, ema: flat.slice(), optimizer: initAmsGrad(flat.length), settings, schedule, distanceLoss: o.distanceLoss };
    // A checkpoint from the start: a run killed before its first timed checkpoint then resumes (from step 0), and a
    // folder with a log but no checkpoint can only mean a deleted checkpoint (refused above).
    saveTrainingState(o.runDir, state);
  }
  const logFile = path.join(o.runDir, "train_log.csv");
  truncateLog(logFile, state.step);

  const pool = await startGradientWorkers(o.workers, { seed: state.seed, config: state.config, packed: o.data.packed, gradientOptions: o.gradient });
  const sizes = o.data.sizes;
  const plans = new Map<number, number[][]>();
  const planFor = (epoch: number) => {
    if (!plans.has(epoch)) {
      plans.clear();
      plans.set(epoch, planBatches(sizes, { budget: o.batchCost, rng: Rng.derive(state!.seed, 0x7e57, epoch) }));
    }
    return plans.get(epoch)!;
  };
  const batchesPerEpoch = planFor(0).length;
  let stop = false;
  const onSigint = () => (stop = true);
  process.once("SIGINT", onSigint);
  const runStart = performance.now();
  const elapsedBefore = state.elapsedSeconds;
  let lastCheckpoint = performance.now();
  let lastEval = performance.now();
  try {
    while (!stop && state.step < o.maxSteps && (performance.now() - runStart) / 1000 < o.maxSeconds) {
      const stepStart = performance.now();
      const epoch = Math.floor(state.step / batchesPerEpoch);
      const batch = planFor(epoch)[state.step % batchesPerEpoch];
      const replies = await requestGradients(pool, state.step, state.params, batch, distanceLossAt(state.step + 1, state.distanceLoss));
      const total = replies.reduce((a, r) => a + r.molecules, 0);
      const grads = new Float32Array(state.params.length);
      const losses: LossValues = { total: 0, coord: 0, type: 0, bond: 0, charge: 0, distance: 0 };
      for (const r of replies) {
        const w = r.molecules / total;
        for (let i = 0; i < grads.length; i++) grads[i] += w * r.grads[i];
        for (const k of Object.keys(losses) as (keyof LossValues)[]) losses[k] += w * r.losses[k];
      }
      if (!Number.isFinite(losses.total)) throw new Error(`loss became ${losses.total} at step ${state.step}; lower the learning rate or check the data`);
      const { gradNorm, lr } = amsGradStep(state.params, grads, state.optimizer, o.optimizer);
      emaUpdate(state.ema, state.params, emaDecayAt(state.optimizer.step, o.emaDecay));
      state.step += 1;
      const now = performance.now();
      state.elapsedSeconds = elapsedBefore + (now - runStart) / 1000;
      const info: StepInfo = {
        step: state.step, epoch: state.step / batchesPerEpoch, losses, lr, gradNorm,
        moleculesPerSecond: total / ((now - stepStart) / 1000), elapsedSeconds: state.elapsedSeconds,
      };
      o.onStep?.(info);
      let evalText = "";
      // The last step of a run that reached its limit is always evaluated, so its EMA gets the chance to be exported.
      const lastOfRun = state.step >= o.maxSteps || (now - runStart) / 1000 >= o.maxSeconds;
      if (o.evaluate && o.evaluateEverySeconds > 0 && ((now - lastEval) / 1000 >= o.evaluateEverySeconds || lastOfRun)) {
        const metrics = await evaluateEma(o, state);
        evalText = JSON.stringify(metrics).replace(/,/g, ";").replace(/"/g, "");
        lastEval = performance.now();
      }
      fs.appendFileSync(logFile, [state.step, info.epoch.toFixed(4), state.elapsedSeconds.toFixed(1), lr.toExponential(3),
        gradNorm.toFixed(4), losses.total.toFixed(5), losses.coord.toFixed(5), losses.type.toFixed(5), losses.bond.toFixed(5),
        losses.charge.toFixed(5), info.moleculesPerSecond.toFixed(1), evalText, losses.distance.toFixed(5)].join(",") + "\n");
      if ((performance.now() - lastCheckpoint) / 1000 >= o.checkpointEverySeconds || state.step % o.checkpointEverySteps === 0) {
        saveTrainingState(o.runDir, state);
        lastCheckpoint = performance.now();
      }
    }
    saveTrainingState(o.runDir, state);
  } finally {
    process.removeListener("SIGINT", onSigint);
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return state;
}

/**
 * Refuse to resume a checkpoint with settings that would make the continued run differ from an uninterrupted one:
 * the data and batching, the architecture, the seed, or a learning-rate schedule or distance loss that rewrites steps
 * already taken.
 */
function checkResumable(o: TrainOptions, state: TrainingState, settings: Record<string, unknown>, schedule: LrSchedule): void {
  const refuse = (what: string) => {
    throw new Error(`cannot resume ${o.runDir}: ${what}; use the same settings or a new run folder`);
  };
  for (const [k, v] of Object.entries(settings)) if (state.settings[k] !== v) refuse(`${k} was ${state.settings[k]}, now ${v}`);
  const config = resolveConfig(o.config as unknown as Record<string, unknown>);
  if (JSON.stringify(config) !== JSON.stringify(resolveConfig(state.config as unknown as Record<string, unknown>))) {
    refuse(`its architecture is ${JSON.stringify(state.config)}, the requested one ${JSON.stringify(config)}`);
  }
  if (o.seed !== state.seed) refuse(`seed was ${state.seed}, now ${o.seed}`);
  if (!distanceLossesAgree(state.distanceLoss, o.distanceLoss, state.step)) {
    refuse(`the distance loss (${formatDistanceLoss(o.distanceLoss)}) differs from the run's (${formatDistanceLoss(state.distanceLoss)}) on steps already taken (1–${state.step}); keep --distance-loss "${formatDistanceLoss(state.distanceLoss)}", or change it from a step not yet taken (start=${state.step + 1} or later)`);
  }
  if (state.schedule && !schedulesAgree(state.schedule, schedule, state.step)) {
    refuse(`the learning-rate schedule (${describeSchedule(schedule)}) differs from the run's (${describeSchedule(state.schedule)}) on steps already taken (1–${state.step}); keep the recorded segments and add one that starts after step ${state.step}, e.g. --lr-decay "${formatLrDecays(state.schedule.decays)}${state.schedule.decays.length ? "+" : ""}cosine:start=${state.step + 1},end=${state.step + 5000},from=0.4,final=0.05"`);
  }
}

/** A run without a checkpoint starts at step 0: refuse when the folder shows an earlier run (its log or checkpoint folder). */
function checkFreshRunFolder(runDir: string): void {
  const logFile = path.join(runDir, "train_log.csv");
  const steps = fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").split("\n").filter((l) => /^\d/.test(l)).length : 0;
  const folder = path.join(runDir, "checkpoint");
  if (steps > 0 || fs.existsSync(folder)) {
    const what = steps > 0 ? `train_log.csv records ${steps} steps` : "it has a checkpoint folder";
    throw new Error(
      `cannot start ${runDir}: ${what} but no checkpoint (${path.join(folder, "state.json")} is missing); restore the ` +
        "checkpoint to resume, or train in a new --run-dir (nothing was changed)",
    );
  }
}

/**
 * Keep the log's rows up to `step` (a run killed after its last checkpoint logged steps that will be redone), or
 * start a new log. Rewritten atomically.
 */
function truncateLog(logFile: string, step: number): void {
  if (!fs.existsSync(logFile)) {
    writeFileAtomic(logFile, LOG_HEADER);
    return;
  }
  const lines = fs.readFileSync(logFile, "utf8").split("\n").filter((l) => l.length > 0);
  const kept = lines.filter((l, i) => i === 0 || Number(l.split(",")[0]) <= step);
  // A log from before the distance column: add the column, empty on its rows.
  const upgrade = kept[0] === LOG_HEADER_BEFORE_DISTANCE.trimEnd();
  const rows = upgrade ? [LOG_HEADER.trimEnd(), ...kept.slice(1).map((l) => `${l},`)] : kept;
  if (upgrade || kept.length !== lines.length) writeFileAtomic(logFile, rows.join("\n") + "\n");
}

/** Evaluate the EMA weights; on a better `score`, record it and call `onBest`. */
async function evaluateEma(o: TrainOptions, state: TrainingState): Promise<Record<string, number>> {
  const params = initParams(state.config, new Rng(0));
  params.assignFlat(state.ema);
  const model = new SemlaGenerator(state.config, params);
  try {
    const metrics = await o.evaluate!(model, state.step);
    const score = metrics.score ?? 0;
    // A best measured with another sample count or step count is not comparable (150 samples scatter by ±0.03).
    const comparable = state.best && state.best.samples === metrics.samples && state.best.steps === metrics.steps;
    if (!comparable || score > (state.best!.score ?? -Infinity)) {
      state.best = { ...metrics, step: state.step };
      o.onBest?.(model, metrics, state);
    }
    return metrics;
  } finally {
    model.dispose();
  }
}

/** A gradient worker thread (see gradient_worker.ts). */
export type GradientPoolWorker = WorkerChannel<GradientRequest, GradientResult>;

/**
 * Start `count` gradient workers and wait until each has its backend and data ready.
 * @param init what every worker gets.
 * @example
 * const pool = await startGradientWorkers(2, { seed: 0, config, packed: data.packed, gradientOptions: DEFAULT_GRADIENT_OPTIONS });
 */
export function startGradientWorkers(count: number, init: GradientWorkerInit): Promise<GradientPoolWorker[]> {
  const file = path.join(__dirname, "gradient_worker.ts");
  return openWorkerChannels<GradientRequest, GradientResult>(count, file, (id) => ({ label: `gradient worker ${id}`, workerData: init }));
}

/**
 * The gradients of one step's batch: molecule k goes to share k mod workers, share w to worker w (empty shares are
 * skipped). A worker's error names it, the step and the share's molecules.
 * @param batch indices of the batch's molecules in the training data.
 * @param distance the step's distance loss (absent: the reference objective).
 */
export function requestGradients(
  pool: readonly GradientPoolWorker[], step: number, params: Float32Array, batch: readonly number[], distance?: DistanceLossOptions,
): Promise<GradientResult[]> {
  const shares = pool.map((_, w) => batch.filter((_, k) => k % pool.length === w)).filter((s) => s.length > 0);
  return Promise.all(shares.map((indices, share) =>
    pool[share].request({ step, share, params, indices, distance }, { what: `step ${step} (molecules ${indices.join(", ")})` })));
}
