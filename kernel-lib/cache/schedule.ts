/**
 * Which solver steps compute the backbone and which forecast it (Sommer et al. 2025, fixed-interval schedule):
 * steps before `startStep` compute (warm-up), then every `interval`-th step from `startStep`, every step after
 * `endStep` when given, and the final step always (the sample is the last prediction).
 */

/** Schedule parameters. */
export interface ScheduleOptions {
  /** Compute every `interval`-th step (D ≥ 1; 1 means no caching). */
  interval: number;
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

/** The number of real backbone calls of a schedule ("effective steps"). */
export function effectiveSteps(schedule: readonly boolean[]): number {
  return schedule.filter(Boolean).length;
}
