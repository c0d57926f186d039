/**
 * Which solver steps compute the backbone and which forecast it (Sommer et al. 2025, fixed-interval schedule):
 * steps before `startStep` compute (warm-up), then every `interval`-th step from `startStep`, every step after
 * `endStep` when given, and the final step always (the sample is the last prediction).
 */
import type { ResolvedCacheConfig } from "./config";

/** Schedule parameters. */
export interface ScheduleOptions {
  /** Compute every `interval`-th step (D ≥ 1; 1 means no caching). */
  interval?: number;
  /** Instead of `interval`: the interval giving exactly this many computed steps (from step 0). */
  nfe?: number;
  /** First step of the cached phase (default 0). */
  startStep?: number;
  /** Steps after this one all compute (default: none). */
  endStep?: number;
}

function checkInteger(name: string, value: number, min: number): void {
  if (!(Number.isInteger(value) && value >= min)) {
    throw new Error(`invalid ${name}: ${value}; must be an integer >= ${min}`);
  }
}

/**
 * One boolean per step: true = compute the backbone, false = forecast.
 * @param numSteps solver steps K (≥ 2).
 * @example
 * computeSchedule(100, { interval: 3 }).filter(Boolean).length; // 34
 */
export function computeSchedule(numSteps: number, options: ScheduleOptions): boolean[] {
  checkInteger("steps", numSteps, 2);
  if (options.interval === undefined) return uniformScheduleForNfe(numSteps, options.nfe);
  checkInteger("interval", options.interval, 1);
  const start = options.startStep ?? 0;
  checkInteger("startStep", start, 0);
  if (options.endStep !== undefined) checkInteger("endStep", options.endStep, 0);
  const out: boolean[] = [];
  for (let k = 0; k < numSteps; k++) {
    const warmUp = k < start;
    const onGrid = k >= start && (k - start) % options.interval === 0;
    const afterEnd = options.endStep !== undefined && k > options.endStep;
    out.push(warmUp || onGrid || afterEnd || k === numSteps - 1);
  }
  return out;
}

/** The uniform schedule (from step 0) with exactly `nfe` computed steps, or an error naming the nearest ones. */
function uniformScheduleForNfe(numSteps: number, nfe: number | undefined): boolean[] {
  if (nfe === undefined) throw new Error("a uniform schedule needs an interval D or an nfe target");
  checkInteger("nfe", nfe, 2);
  const options: { d: number; calls: number }[] = [];
  for (let d = 1; d < numSteps; d++) {
    const calls = effectiveSteps(computeSchedule(numSteps, { interval: d }));
    if (calls === nfe) return computeSchedule(numSteps, { interval: d });
    options.push({ d, calls });
  }
  const near = options.sort((a, b) => Math.abs(a.calls - nfe) - Math.abs(b.calls - nfe)).slice(0, 2).sort((a, b) => b.calls - a.calls);
  throw new Error(`no uniform interval gives ${nfe} network calls at ${numSteps} steps (${near.map((o) => `D=${o.d} gives ${o.calls}`).join(", ")}); ` +
    `use one of those nfe values or schedule=calibrated`);
}

/**
 * Network calls per batch a config plans at `steps` steps: exact for `none`, uniform and calibrated schedules, the
 * target for an adaptive one with `nfe` (its runs report what they did), NaN for an adaptive one with a threshold.
 */
export function plannedNetworkCalls(steps: number, cache: ResolvedCacheConfig): number {
  if (cache.kind === "none") return steps;
  if (cache.schedule === "uniform") return effectiveSteps(computeSchedule(steps, cache));
  return cache.nfe ?? NaN;
}

/** The computed step indices of a schedule. */
export function computedSteps(schedule: readonly boolean[]): number[] {
  const out: number[] = [];
  schedule.forEach((c, k) => c && out.push(k));
  return out;
}

/** The number of real backbone calls of a schedule ("effective steps"). */
export function effectiveSteps(schedule: readonly boolean[]): number {
  return schedule.filter(Boolean).length;
}
