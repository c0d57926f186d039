/**
 * When a training run uses the auxiliary distance loss (flow/distance_loss.ts): from an optimiser step on, with a
 * weight and a time threshold. Recorded in the checkpoint like the learning-rate schedule, so a resume stays exact;
 * it may be changed on resume only from a step not yet taken (the loss can be switched on for a run that trained
 * without it, but the past is never rewritten).
 */
import { DEFAULT_DISTANCE_MIN_T, DistanceLossOptions } from "../flow/distance_loss";

/** The distance loss of a run: on from optimiser step `startStep` (1-based) on. */
export interface DistanceLossSchedule extends DistanceLossOptions {
  startStep: number;
}

const FORM = "use none or weight=W,start=S[,tmin=0.75] (W > 0; S: the first optimiser step that uses it)";

/**
 * Parse `--distance-loss`: `none`, or `weight=W,start=S[,tmin=T]`.
 * @throws naming the bad part and the accepted form.
 * @example
 * parseDistanceLoss("weight=10,start=22301"); // { weight: 10, startStep: 22301, minT: 0.75 }
 */
export function parseDistanceLoss(text: string): DistanceLossSchedule | undefined {
  if (text === "none") return undefined;
  const values: Record<string, number> = { tmin: DEFAULT_DISTANCE_MIN_T };
  for (const part of text.split(",").filter((p) => p.length > 0)) {
    const [key, value] = part.split("=");
    const x = Number(value);
    if (!["weight", "start", "tmin"].includes(key) || value === undefined || !Number.isFinite(x)) {
      throw new Error(`bad distance-loss part "${part}" in ${text}; ${FORM}`);
    }
    values[key] = x;
  }
  if (!(values.weight > 0)) throw new Error(`distance loss ${text} needs weight=W > 0; ${FORM}`);
  if (!(Number.isInteger(values.start) && values.start >= 1)) throw new Error(`distance loss ${text} needs start=S (a step ≥ 1); ${FORM}`);
  if (!(values.tmin >= 0 && values.tmin < 1)) throw new Error(`distance loss ${text}: tmin must be in [0, 1)`);
  return { weight: values.weight, startStep: values.start, minT: values.tmin };
}

/** The form `--distance-loss` takes, e.g. "weight=10,start=22301,tmin=0.75" ("none" when off). */
export function formatDistanceLoss(s: DistanceLossSchedule | undefined): string {
  return s ? `weight=${s.weight},start=${s.startStep},tmin=${s.minT}` : "none";
}

/** The distance loss of (1-based) optimiser step `step`, or undefined when it is off there. */
export function distanceLossAt(step: number, s: DistanceLossSchedule | undefined): DistanceLossOptions | undefined {
  return s && step >= s.startStep ? { weight: s.weight, minT: s.minT } : undefined;
}

/** Whether two settings train steps 1..`throughStep` the same way (both off there, or the same from the same step). */
export function distanceLossesAgree(a: DistanceLossSchedule | undefined, b: DistanceLossSchedule | undefined, throughStep: number): boolean {
  const activeA = a !== undefined && a.startStep <= throughStep;
  const activeB = b !== undefined && b.startStep <= throughStep;
  if (!activeA && !activeB) return true;
  return activeA && activeB && a.startStep === b.startStep && a.weight === b.weight && a.minT === b.minT;
}
