/**
 * `calibrate(model, options)`: record a cache calibration profile (see `profile.ts`) on a few molecules sampled
 * without caching, and plan the calibrated schedule and the adaptive threshold for an NFE target from it.
 * Deterministic: the molecule sizes and priors come from the seed, and every step computes.
 * The calibrated schedule's cost is the real forecast error of the forecaster on the recorded trajectory
 * (`forecast_error.ts`); an earlier error model (a sum of second differences of the output) chose schedules that
 * lowered it yet sampled worse than uniform.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { predictabilityErrors } from "../analysis/predictability";
import { resolveSampleOptions } from "../flow/sample";
import { integrate } from "../flow/integrate";
import { registerHook, removeHook } from "../hooks/registry";
import { drawPrior } from "../flow/prior";
import { timeGrid, TimeGridKind } from "../flow/time_grid";
import type { LoadedModel } from "../model/model_io";
import { Rng } from "../util/rng";
import { rejectUnknownOptions } from "../util/options";
import { relativeChange, simulateGate, tuneThreshold } from "./adaptive_gate";
import { GATE_BLOCK, CachedBackbone } from "./cached_backbone";
import { calibratedSchedule, scheduleCost } from "./calibrated_schedule";
import { ForecastAxis, parseCacheSpec, ResolvedCacheConfig, ResolvedCachingConfig } from "./config";
import { forecasterKey, intervalCostTable, predictionInfluence, scheduleForecastError, TrajectoryGrams } from "./forecast_error";
import { CACHE_PROFILE_FILE, CacheProfile, checkProfileFits, filledSeries, forecastCostTable, needsProfile, readCacheProfile } from "./profile";
import { writeFileAtomic } from "../util/atomic_write";
import { computedSteps, computeSchedule } from "./schedule";

/** Options of {@link recordCacheProfile}. */
export interface ProfileOptions {
  /** Molecules recorded, in one batch (default 16). */
  n: number;
  /** Solver steps K (default 100). */
  steps: number;
  /** Time grid (default "log"). */
  grid: TimeGridKind;
  /** Seed of the sizes, priors and draws (default 0). */
  seed: number;
  /** Forecasters (specs without schedule keys) whose interval cost tables the profile holds (default `taylor:m=2`). */
  forecasters: readonly string[];
  /** Called with (work done, total): the sampled steps, then the cost-table rows of each forecaster. */
  onProgress: ((done: number, total: number) => void) | undefined;
}

/** Defaults of {@link ProfileOptions}. */
export const DEFAULT_PROFILE_OPTIONS: Readonly<ProfileOptions> = { n: 16, steps: 100, grid: "log", seed: 0, forecasters: ["taylor:m=2"], onProgress: undefined };

/** The output parts forecast together; the profile error sums their relative errors, so coordinates count as much as bond logits. */
const PARTS = ["coords", "typeLogits", "bondLogits", "chargeLogits"] as const;

/**
 * Sample `n` molecules without caching and measure the interval cost table of each forecaster (real forecast error,
 * see `forecast_error.ts`), per step the linear-predictability error of the output (sum over coordinates and the
 * three logit sets of the relative error, mean over molecules; real atoms and pairs only) on the step and time axes,
 * and the adaptive gate's signal (relative change of layer 0's node features).
 * @example
 * const profile = recordCacheProfile(loadModel(), { n: 16 }); profile.forecastCost!["taylor:m=2"].length; // 100
 */
export function recordCacheProfile(model: LoadedModel, options: Partial<ProfileOptions> = {}): CacheProfile {
  return recordCalibration(model, options).profile;
}

/** The profile and what it was measured from: the trajectory's Gram matrices and the step positions per axis. */
interface Recorded {
  profile: CacheProfile;
  grams: TrajectoryGrams;
  x: Record<ForecastAxis, ArrayLike<number>>;
  /** Weight of each step's forecast error (see `predictionInfluence`). */
  influence: Float64Array;
}

function recordCalibration(model: LoadedModel, options: Partial<ProfileOptions>): Recorded {
  rejectUnknownOptions(options, DEFAULT_PROFILE_OPTIONS, "calibrate");
  const o: ProfileOptions = { ...DEFAULT_PROFILE_OPTIONS, ...options };
  const forecasters = o.forecasters.map((spec) => calibratedConfig(spec, 2));
  const resolved = resolveSampleOptions(model, { n: o.n, steps: o.steps, grid: o.grid, seed: o.seed });
  const config = model.generator.config;
  const grid = timeGrid(o.steps, o.grid);
  const rng = Rng.derive(o.seed, 0);
  const prior = drawPrior(resolved.drawnSizes, rng, { vocabSize: config.vocabSize, bondClasses: config.nEdgeTypes });
  const { B, N } = prior;
  const sizes = resolved.drawnSizes;
  // rows[part][molecule][step]: the molecule's real entries of that part.
  const rows = PARTS.map(() => sizes.map(() => [] as Float32Array[]));
  const widths = { coords: 3, typeLogits: config.vocabSize, bondLogits: config.nEdgeTypes, chargeLogits: config.nChargeTypes };
  const gate: (number | null)[] = [];
  let previous: Float32Array | undefined;
  // One hook sees the gate block's node features and every step's prediction (the hook registry is the one way
  // to observe a run; it is removed again whatever happens).
  const hookName = "molcache.calibrate";
  registerHook(model, hookName, {
    blocks: [GATE_BLOCK],
    afterBlock: ({ output }) => {
      if (!output.nodeFeats) return;
      const feats = (output.nodeFeats.dataSync() as Float32Array).slice();
      gate.push(previous ? relativeChange(previous, feats, prior.mask, feats.length / (B * N)) : null);
      previous = feats;
    },
    afterStep: (e) => {
      PARTS.forEach((part, p) => {
        const data = e.prediction[part];
        const w = widths[part];
        for (let b = 0; b < B; b++) {
          const n = sizes[b];
          const pairs = part === "bondLogits";
          const out = new Float32Array(pairs ? n * n * w : n * w);
          let at = 0;
          for (let i = 0; i < n; i++) {
            if (pairs) for (let j = 0; j < n; j++) for (let c = 0; c < w; c++) out[at++] = data[((b * N + i) * N + j) * w + c];
            else for (let c = 0; c < w; c++) out[at++] = data[(b * N + i) * w + c];
          }
          rows[p][b].push(out);
        }
      });
      o.onProgress?.(e.step + 1, o.steps * (1 + forecasters.length));
    },
  });
  try {
    integrate(prior, { grid, rng, backbone: new CachedBackbone(model.generator, { kind: "none" }, grid.t) });
  } finally {
    removeHook(model, hookName);
  }
  const stepsX = Array.from({ length: o.steps }, (_, k) => k);
  const errorOn = (x: ArrayLike<number>): (number | null)[] => {
    const total = new Float64Array(o.steps);
    for (let p = 0; p < PARTS.length; p++) for (let b = 0; b < B; b++) {
      const e = predictabilityErrors(rows[p][b], x);
      for (let k = 0; k < o.steps; k++) total[k] += e[k] / B;
    }
    return Array.from(total, (v) => (Number.isFinite(v) ? v : null));
  };
  const grams = new TrajectoryGrams(rows.flatMap((part) => part.map((molecule) => ({ rows: molecule, weight: 1 / B }))));
  const x = { step: stepsX, time: grid.t };
  const influence = predictionInfluence(grid);
  const forecastCost: Record<string, number[][]> = {};
  forecasters.forEach((config, f) => {
    const table = intervalCostTable(grams, config, x[config.axis], influence, (done) => o.onProgress?.(o.steps * (1 + f) + done, o.steps * (1 + forecasters.length)));
    forecastCost[forecasterKey(config)] = table.map((row) => row.map((v) => Number(v.toPrecision(6))));
  });
  const profile: CacheProfile = {
    format: "molcache-cache-profile/1",
    model: model.name,
    steps: o.steps,
    grid: o.grid,
    molecules: B,
    seed: o.seed,
    quantity: "network output: relative linear-predictability error of coordinates + type, bond and charge logits (summed), mean over molecules",
    forecastCost,
    error: { step: errorOn(stepsX), time: errorOn(Array.from(grid.t)) } as Record<ForecastAxis, (number | null)[]>,
    gate,
  };
  return { profile, grams, x, influence };
}

/** A calibration: the profile, the calibrated schedule for the target, and how it compares. */
export interface Calibration {
  profile: CacheProfile;
  /** The calibrated cache spec (add `profile=<file>` once saved). */
  cache: ResolvedCachingConfig;
  /** Computed steps of the calibrated schedule. */
  computedSteps: number[];
  /** The planning cost (summed interval costs) of the calibrated schedule, and of the uniform one at the same NFE when one exists. */
  cost: { calibrated: number; uniform: number | null };
  /** The real forecast error of each schedule (influence-weighted sum), the forecaster run through it on the recorded trajectory. */
  error: { calibrated: number; uniform: number | null };
  /** Adaptive gate threshold for the same NFE on this profile, and the calls it makes on the recorded signal. */
  adaptive: { threshold: number; calls: number };
}

/**
 * Record a profile and plan a calibrated schedule of `nfe` network calls for `cache` (e.g. `"taylor:m=2"`; its axis
 * picks the error series).
 * @example
 * const cal = calibrate(loadModel(), { cache: "taylor:m=2", nfe: 26 }); cal.computedSteps.length; // 26
 */
export function calibrate(model: LoadedModel, options: Partial<ProfileOptions> & { cache: string; nfe: number }): Calibration {
  const { cache: spec, nfe, ...rest } = options;
  const cache = calibratedConfig(spec, nfe);
  const steps = rest.steps ?? DEFAULT_PROFILE_OPTIONS.steps;
  if (nfe > steps) throw new Error(`invalid nfe: ${nfe}; a ${steps}-step run has at most ${steps} network calls`);
  const { profile, grams, x, influence } = recordCalibration(model, { ...rest, forecasters: [spec] });
  const costs = forecastCostTable(profile, cache, "(recorded)");
  const schedule = calibratedSchedule(costs, nfe);
  let uniform: boolean[] | undefined;
  try {
    uniform = computeSchedule(steps, { nfe });
  } catch {
    uniform = undefined; // no interval gives exactly nfe calls
  }
  const realError = (s: boolean[]) => scheduleForecastError(grams, cache, x[cache.axis], influence, s);
  const signal = filledSeries(profile.gate);
  const threshold = tuneThreshold(signal, nfe);
  profile.calibrated = { cache: `${spec},schedule=calibrated,nfe=${nfe}`, nfe, computedSteps: computedSteps(schedule) };
  return {
    profile, cache, computedSteps: computedSteps(schedule),
    cost: { calibrated: scheduleCost(costs, schedule), uniform: uniform ? scheduleCost(costs, uniform) : null },
    error: { calibrated: realError(schedule), uniform: uniform ? realError(uniform) : null },
    adaptive: { threshold, calls: simulateGate(signal, threshold) },
  };
}

/**
 * Give every configuration whose schedule needs a profile (and names none) one: `profile` when given, else the
 * model folder's `cache_profile.json`, else one recorded now (16 molecules of seed 1000 + `seed`, kept apart from
 * the seeds a study samples) and written to `recordTo`. Configurations are updated in place; returns the file used,
 * or undefined when none needed one.
 * @example
 * attachCacheProfile(model, parseCacheList("matched-nfe@26", 100), { steps: 100, grid: "log", seed: 0, recordTo: "out/p.json" });
 */
export function attachCacheProfile(
  model: LoadedModel,
  configurations: { cache: ResolvedCacheConfig }[],
  o: { steps: number; grid: TimeGridKind; seed: number; profile?: string; recordTo: string; log?: (line: string) => void },
): string | undefined {
  const profiled = configurations.filter((c) => needsProfile(c.cache));
  if (!profiled.length) return undefined;
  const calibrated = profiled.map((c) => c.cache as ResolvedCachingConfig).filter((c) => c.schedule === "calibrated");
  const forecasters = [...new Set(calibrated.map(forecasterKey))];
  const beside = model.dir ? path.join(model.dir, CACHE_PROFILE_FILE) : undefined;
  let file = o.profile ?? (beside && fs.existsSync(beside) ? beside : undefined);
  if (file === undefined) {
    file = o.recordTo;
    o.log?.(`recording a cache calibration profile (16 molecules, seed ${1000 + o.seed}, ${o.steps} steps) to ${file}`);
    writeFileAtomic(file, JSON.stringify(recordCacheProfile(model, { n: 16, steps: o.steps, grid: o.grid, seed: 1000 + o.seed, forecasters }), null, 1));
  }
  const profile = readCacheProfile(file);
  checkProfileFits(profile, file, o.steps, o.grid);
  for (const c of calibrated) forecastCostTable(profile, c, file); // refuse now, not after the other configurations ran
  for (const c of profiled) c.cache = { ...c.cache, profile: file } as typeof c.cache;
  return file;
}

/** `taylor:m=2` (+ optional axis=…) → the calibrated config with the target; rejects schedule keys in the base spec. */
function calibratedConfig(spec: string, nfe: number): ResolvedCachingConfig {
  if (typeof spec !== "string" || /(^|[:,])\s*(D|d|interval|schedule|nfe|start|end|threshold|profile)\s*=/.test(spec)) {
    throw new Error(`invalid --cache ${spec}: give the forecaster only (e.g. taylor:m=2 or ab:j=2,axis=time); calibrate chooses the steps`);
  }
  const sep = spec.includes(":") ? "," : ":";
  const config = parseCacheSpec(`${spec}${sep}schedule=calibrated,nfe=${nfe}`);
  if (config.kind === "none") throw new Error("invalid --cache none: calibrate a forecaster, e.g. taylor:m=2");
  return config;
}
