/**
 * A cache calibration profile (`molcache calibrate`), measured on a few molecules sampled without caching: per
 * forecaster, the real forecast error of every interval between two computed steps (the calibrated schedule's
 * cost table); per solver step, the linear-predictability error of the network output on the step and time axes
 * (informative) and the adaptive gate's signal (the relative change of the first block's invariant node features).
 * A small JSON (tens of KB), kept next to the model (`cache_profile.json`) or anywhere given by `profile=`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ForecastAxis, ResolvedCacheConfig, ResolvedCachingConfig } from "./config";
import { forecasterKey } from "./forecast_error";

/** Profile file name looked up in a model folder when a spec gives no `profile=`. */
export const CACHE_PROFILE_FILE = "cache_profile.json";

/** The content of a profile file. Per-step arrays have one entry per step; `null` where undefined (first steps). */
export interface CacheProfile {
  format: "molcache-cache-profile/1";
  /** The model it was recorded on (a name; checked loosely). */
  model: string;
  /** Solver steps K and time grid of the recording: a schedule is only valid for the same K and grid. */
  steps: number;
  grid: string;
  /** Molecules recorded and the seed of their priors. */
  molecules: number;
  seed: number;
  /** What `error` measures. */
  quantity: string;
  /** Mean linear-predictability error per step, on each axis (null at steps 0 and 1). */
  error: Record<ForecastAxis, (number | null)[]>;
  /**
   * Per forecaster (`taylor:m=2`, `ab:j=2,axis=time`, see `forecasterKey`): `cost[c][n − c − 1]`, the summed real
   * forecast error (relative, coordinates + type, bond and charge logits, mean over molecules) of the skipped steps
   * between computed steps c and n (see `intervalCostTable`). The calibrated schedule minimises its sum.
   */
  forecastCost?: Record<string, number[][]>;
  /** Mean gate signal per step: relative L1 change of layer 0's node features from the step before (null at 0). */
  gate: (number | null)[];
  /** The schedule chosen when the profile was written (informative; a spec's nfe is re-planned from `error`). */
  calibrated?: { cache: string; nfe: number; computedSteps: number[] };
}

const memo = new Map<string, { mtimeMs: number; profile: CacheProfile }>();

/**
 * Read and check a profile file (memoised by path and modification time).
 * @throws naming the file and the fix when it is missing or malformed.
 */
export function readCacheProfile(file: string): CacheProfile {
  const resolved = path.resolve(file);
  if (!fs.existsSync(resolved)) {
    throw new Error(`no cache profile at ${resolved}; record one with \`molcache calibrate --model <dir> --cache <spec> --nfe <n> --out ${file}\``);
  }
  const mtimeMs = fs.statSync(resolved).mtimeMs;
  const hit = memo.get(resolved);
  if (hit && hit.mtimeMs === mtimeMs) return hit.profile;
  let profile: CacheProfile;
  try {
    profile = JSON.parse(fs.readFileSync(resolved, "utf8")) as CacheProfile;
  } catch (err) {
    throw new Error(`cache profile ${resolved} is not JSON (${(err as Error).message}); record it again with \`molcache calibrate\``);
  }
  const K = profile?.steps;
  const okArray = (a: unknown) => Array.isArray(a) && a.length === K;
  if (profile?.format !== "molcache-cache-profile/1" || !(Number.isInteger(K) && K >= 2) || !okArray(profile.error?.step) ||
    !okArray(profile.error?.time) || !okArray(profile.gate)) {
    throw new Error(`${resolved} is not a molcache cache profile (format molcache-cache-profile/1 with per-step error and gate arrays); record it with \`molcache calibrate\``);
  }
  memo.set(resolved, { mtimeMs, profile });
  return profile;
}

/**
 * The interval cost table of a config's forecaster in a profile.
 * @throws naming the file and the `molcache calibrate` command that records it, when the profile has none.
 */
export function forecastCostTable(profile: CacheProfile, config: ResolvedCachingConfig, file: string): number[][] {
  const key = forecasterKey(config);
  const table = profile.forecastCost?.[key];
  if (!Array.isArray(table) || table.length !== profile.steps) {
    throw new Error(`cache profile ${file} has no forecast-error table for ${key} (it has: ${Object.keys(profile.forecastCost ?? {}).join(", ") || "none"}); ` +
      `record one with \`molcache calibrate --cache ${key} --steps ${profile.steps} --grid ${profile.grid} --nfe <n> --out <file>\``);
  }
  return table;
}

/** Check that a profile fits a run of `steps` steps on `grid`. */
export function checkProfileFits(profile: CacheProfile, file: string, steps: number, grid: string): void {
  if (profile.steps !== steps || profile.grid !== grid) {
    throw new Error(`cache profile ${file} was recorded at ${profile.steps} steps on the ${profile.grid} grid, the run has ${steps} on the ${grid} grid; ` +
      `record one for this run with \`molcache calibrate --steps ${steps} --grid ${grid}\``);
  }
}

/** A profile's per-step series with its undefined entries filled from the nearest defined one (for planning). */
export function filledSeries(values: readonly (number | null)[]): number[] {
  const out = values.map((v) => (v === null || !Number.isFinite(v) ? NaN : v));
  const first = out.findIndex((v) => !Number.isNaN(v));
  if (first < 0) throw new Error("the cache profile has no defined value; record it again with more steps");
  for (let k = 0; k < out.length; k++) if (Number.isNaN(out[k])) out[k] = k < first ? out[first] : out[k - 1];
  return out;
}

/** Whether a config needs a profile it does not name yet (calibrated, or adaptive with an nfe target). */
export function needsProfile(config: ResolvedCacheConfig): boolean {
  return config.kind !== "none" && config.profile === undefined &&
    (config.schedule === "calibrated" || (config.schedule === "adaptive" && config.threshold === undefined));
}

/**
 * Fill in and check the profile of a config that needs one (calibrated, or adaptive with an nfe target): the spec's
 * `profile=` file, else `cache_profile.json` in the model folder. Returns the config with `profile` set to the path.
 * @throws when there is none, or it was recorded for another step count or grid.
 */
export function resolveCacheProfile(config: ResolvedCacheConfig, modelDir: string | undefined, steps: number, grid: string): ResolvedCacheConfig {
  if (config.kind === "none" || config.schedule === "uniform" || (config.schedule === "adaptive" && config.threshold !== undefined)) return config;
  let file: string | undefined = config.profile;
  if (file === undefined) {
    const beside = modelDir ? path.join(modelDir, CACHE_PROFILE_FILE) : undefined;
    if (!beside || !fs.existsSync(beside)) {
      throw new Error(`schedule=${config.schedule} needs a calibration profile: none ${beside ? `at ${beside}` : "for this model"}; ` +
        "record one with `molcache calibrate --model <dir> --cache <spec> --nfe <n> --out <file>` and add profile=<file> to the cache spec");
    }
    file = beside;
  }
  checkProfileFits(readCacheProfile(file), file, steps, grid);
  return { ...config, profile: file };
}
