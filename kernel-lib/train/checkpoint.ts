/**
 * Training checkpoints: parameters, EMA, AMSGrad state, step and the run's settings, in one tensor bundle written
 * to a fresh folder and swapped in by renames, so a kill at any moment leaves either the old or the new checkpoint
 * complete. The randomness of step s is derived from (seed, s), so the step count is the whole RNG state.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { readBundle, writeBundle } from "../util/bundle";
import { SemlaConfig } from "../model/config";
import { AmsGradState } from "./amsgrad";
import { LrSchedule, recordedSchedule } from "./lr_schedule";
import { DistanceLossSchedule } from "./distance_loss_schedule";

/** Everything needed to continue training exactly. */
export interface TrainingState {
  config: SemlaConfig;
  seed: number;
  step: number;
  /** Wall-clock seconds trained so far (over all resumed runs). */
  elapsedSeconds: number;
  params: Float32Array;
  ema: Float32Array;
  optimizer: AmsGradState;
  /** Settings that must not change on resume (workers, batch cost, data). */
  settings: Record<string, unknown>;
  /** Best evaluation so far, if any. */
  best?: Record<string, number>;
  /** The learning-rate schedule the run follows (absent in checkpoints written before schedules were recorded). */
  schedule?: LrSchedule;
  /** The auxiliary distance loss the run uses (absent: none, the reference objective). */
  distanceLoss?: DistanceLossSchedule;
}

const FOLDER = "checkpoint";

/** SHA-256 of a tensor's bytes, stored in the checkpoint and checked on load (an altered value must not resume). */
function checksum(data: Float32Array): string {
  return crypto.createHash("sha256").update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)).digest("hex");
}

const TENSORS = ["params", "ema", "adam_m", "adam_v", "adam_vmax"] as const;

/** Write `state` under `runDir/checkpoint` atomically (folder swap). */
export function saveTrainingState(runDir: string, state: TrainingState): void {
  const final = path.join(runDir, FOLDER);
  const fresh = path.join(runDir, `${FOLDER}.new`);
  const old = path.join(runDir, `${FOLDER}.old`);
  fs.rmSync(fresh, { recursive: true, force: true });
  const f32 = (data: Float32Array) => ({ dtype: "float32" as const, shape: [data.length], data });
  const arrays: Record<(typeof TENSORS)[number], Float32Array> = {
    params: state.params, ema: state.ema, adam_m: state.optimizer.m, adam_v: state.optimizer.v, adam_vmax: state.optimizer.vMax,
  };
  writeBundle(fresh, "state", {
    tensors: new Map(TENSORS.map((name) => [name, f32(arrays[name])])),
    meta: {
      format: "molcache-training-checkpoint/1", config: state.config, seed: state.seed, step: state.step,
      optimizerStep: state.optimizer.step, elapsedSeconds: state.elapsedSeconds, settings: state.settings, best: state.best ?? null,
      lrSchedule: state.schedule ?? null, distanceLoss: state.distanceLoss ?? null,
      sha256: Object.fromEntries(TENSORS.map((name) => [name, checksum(arrays[name])])),
    },
  });
  fs.rmSync(old, { recursive: true, force: true });
  if (fs.existsSync(final)) fs.renameSync(final, old);
  fs.renameSync(fresh, final);
  fs.rmSync(old, { recursive: true, force: true });
}

/**
 * Read the checkpoint of `runDir` (falling back to the previous one if a swap was interrupted), or undefined.
 * @throws if the checkpoint is incomplete or its arrays do not match their recorded SHA-256 checksums.
 */
export function loadTrainingState(runDir: string): TrainingState | undefined {
  const file = checkpointManifest(runDir);
  if (!file) return undefined;
  const bundle = readBundle(file);
  const meta = checkedMeta(bundle.meta, file);
  const sums = (meta.sha256 ?? {}) as Record<string, string>; // absent in checkpoints written before checksums
  const get = (name: string) => {
    const t = bundle.tensors.get(name);
    if (!t) throw new Error(`${file} lacks ${name}; the checkpoint is incomplete`);
    const data = t.data as Float32Array;
    if (sums[name] !== undefined && checksum(data) !== sums[name]) {
      throw new Error(
        `${path.join(path.dirname(file), "state.bin")} does not match the checksum of ${name} in state.json: the checkpoint was ` +
          "altered or damaged; restore it, or train in a new --run-dir",
      );
    }
    return data;
  };
  return {
    ...progressOf(meta), config: meta.config, seed: meta.seed, elapsedSeconds: meta.elapsedSeconds, settings: meta.settings,
    best: meta.best ?? undefined, params: get("params"), ema: get("ema"),
    optimizer: { step: meta.optimizerStep, m: get("adam_m"), v: get("adam_v"), vMax: get("adam_vmax") },
  };
}

/** What a checkpoint says about its run, read without its tensors. */
export type TrainingProgress = Pick<TrainingState, "step" | "schedule" | "distanceLoss">;

/**
 * The step, learning-rate schedule and distance loss of `runDir`'s checkpoint, from its small manifest only (the tensors, ~20 MB
 * for the default model, are read and checked by {@link loadTrainingState} when training starts), or undefined.
 */
export function readTrainingProgress(runDir: string): TrainingProgress | undefined {
  const file = checkpointManifest(runDir);
  if (!file) return undefined;
  let manifest: { meta?: unknown };
  try {
    manifest = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${file} is not JSON (${(err as Error).message}); the checkpoint is damaged: restore it, or train in a new --run-dir`);
  }
  return progressOf(checkedMeta(manifest.meta, file));
}

/** The step, schedule and distance loss recorded in a checkpoint's metadata (older checkpoints lack the last two). */
function progressOf(meta: Record<string, any>): TrainingProgress {
  return {
    step: meta.step, schedule: meta.lrSchedule ? recordedSchedule(meta.lrSchedule) : undefined, distanceLoss: meta.distanceLoss ?? undefined,
  };
}

/** The checkpoint manifest of `runDir` (falling back to the previous one if a swap was interrupted), if any. */
function checkpointManifest(runDir: string): string | undefined {
  return [FOLDER, `${FOLDER}.old`].map((f) => path.join(runDir, f, "state.json")).find((c) => fs.existsSync(c));
}

function checkedMeta(meta: unknown, file: string): Record<string, any> {
  const m = meta as Record<string, any> | undefined;
  if (m?.format !== "molcache-training-checkpoint/1") throw new Error(`${file} is not a molcache training checkpoint`);
  return m;
}
