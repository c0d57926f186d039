/**
 * The learning-rate schedule: the reference's linear warm-up, then optional late decay segments (cosine or one step) to
 * a fraction of the peak, a later segment possibly a warm restart. A schedule is a pure function of the global step, so a checkpoint that records it resumes
 * exactly; a schedule may be changed on resume only if it agrees with the recorded one on every step already taken
 * (so a decay can be added to a long constant-rate run from "now on", but the past is never rewritten).
 */

/** One decay segment: from `startStep` the rate follows it until the next segment starts. */
export interface LrDecay {
  /** `cosine` (half cosine from start to end) or `step` (one drop at `startStep`). */
  kind: "cosine" | "step";
  /** First step of the decay (1-based optimiser step). */
  startStep: number;
  /** Step at which the cosine reaches `finalFactor` (ignored by `step`). */
  endStep: number;
  /** Learning rate at the end, as a fraction of the peak (default 0.1). */
  finalFactor: number;
  /**
   * Learning rate at `startStep`, as a fraction of the peak (default 1). Below 1 on a later segment, it is a warm
   * restart: a decayed run climbs back to this rate and decays again (more epochs without the full peak's upset).
   */
  startFactor?: number;
}

/** The learning-rate schedule of a run. */
export interface LrSchedule {
  /** Peak learning rate. */
  lr: number;
  /** Warm-up steps from `warmupStart × lr` to lr. */
  warmupSteps: number;
  warmupStart: number;
  /** Decay segments in order of `startStep` (empty: constant after warm-up). */
  decays: readonly LrDecay[];
}

/** The learning rate at (1-based) step `step`. */
export function learningRate(step: number, s: LrSchedule): number {
  const warm = s.warmupSteps <= 0 ? 1 : s.warmupStart + (1 - s.warmupStart) * Math.min(step, s.warmupSteps) / s.warmupSteps;
  return s.lr * warm * decayFactor(step, s.decays);
}

function decayFactor(step: number, decays: readonly LrDecay[]): number {
  const d = decays.filter((x) => step >= x.startStep).at(-1);
  if (!d) return 1;
  if (d.kind === "step") return d.finalFactor;
  const from = d.startFactor ?? 1;
  const t = Math.min(1, (step - d.startStep) / Math.max(1, d.endStep - d.startStep));
  return d.finalFactor + (from - d.finalFactor) * 0.5 * (1 + Math.cos(Math.PI * t));
}

/**
 * A schedule as recorded in a checkpoint; those written before warm restarts hold one `decay` instead of `decays`.
 */
export function recordedSchedule(json: LrSchedule | (Omit<LrSchedule, "decays"> & { decay?: Omit<LrDecay, "kind"> & { kind: string } })): LrSchedule {
  if ("decays" in json) return json;
  const { decay, ...rest } = json;
  return { ...rest, decays: decay && (decay.kind === "cosine" || decay.kind === "step") ? [decay as LrDecay] : [] };
}

const FORMS = "use none, or segments joined by +, each cosine:start=S,end=E[,final=0.1][,from=1] or step:start=S[,final=0.1]";

/**
 * Parse decays from the command line: `none`, or segments joined by `+`, each `cosine:start=S,end=E[,final=F][,from=G]`
 * or `step:start=S[,final=F]` (S, E: optimiser steps; F, G: fractions of the peak rate). A later segment with
 * `from=` below 1 is a warm restart, e.g. `cosine:start=6200,end=10000,final=0.1+cosine:start=9498,end=16000,from=0.4,final=0.05`.
 * @throws naming the bad part and the accepted forms.
 */
export function parseLrDecays(text: string): LrDecay[] {
  if (text === "none") return [];
  const decays = text.split("+").map((segment) => parseSegment(segment, text));
  for (let i = 1; i < decays.length; i++) {
    if (!(decays[i].startStep > decays[i - 1].startStep)) {
      throw new Error(`learning-rate decay ${text}: segments must start at increasing steps (${decays[i - 1].startStep}, then ${decays[i].startStep}); ${FORMS}`);
    }
  }
  return decays;
}

function parseSegment(segment: string, text: string): LrDecay {
  const [kind, rest = ""] = segment.split(":");
  if (kind !== "cosine" && kind !== "step") throw new Error(`unknown learning-rate decay: ${segment}; ${FORMS}`);
  const values: Record<string, number> = { final: 0.1, from: 1 };
  const keys = kind === "cosine" ? ["start", "end", "final", "from"] : ["start", "final"];
  for (const part of rest.split(",").filter((p) => p.length > 0)) {
    const [key, value] = part.split("=");
    const x = Number(value);
    if (!keys.includes(key) || value === undefined || !Number.isFinite(x)) {
      throw new Error(`bad learning-rate decay part "${part}" in ${text}; ${FORMS}`);
    }
    values[key] = x;
  }
  if (!(values.start >= 1)) throw new Error(`learning-rate decay ${segment} needs start=S (a step ≥ 1); ${FORMS}`);
  if (kind === "cosine" && !(values.end > values.start)) throw new Error(`learning-rate decay ${segment} needs end=E > start; ${FORMS}`);
  if (!(values.final > 0 && values.final <= 1)) throw new Error(`learning-rate decay ${segment}: final must be in (0, 1]`);
  if (!(values.from > 0 && values.from <= 1)) throw new Error(`learning-rate decay ${segment}: from must be in (0, 1]`);
  const decay: LrDecay = { kind, startStep: values.start, endStep: kind === "cosine" ? values.end : values.start, finalFactor: values.final };
  return values.from === 1 ? decay : { ...decay, startFactor: values.from };
}

/** Whether two schedules give the same learning rate on steps 1..`throughStep` (exactly: resume stays bit-identical). */
export function schedulesAgree(a: LrSchedule, b: LrSchedule, throughStep: number): boolean {
  for (let step = 1; step <= throughStep; step++) if (learningRate(step, a) !== learningRate(step, b)) return false;
  return true;
}

/** The decays in the form `--lr-decay` takes, e.g. "cosine:start=6200,end=10000,final=0.1" ("none" when empty). */
export function formatLrDecays(decays: readonly LrDecay[]): string {
  if (decays.length === 0) return "none";
  return decays
    .map((d) => d.kind === "step"
      ? `step:start=${d.startStep},final=${d.finalFactor}`
      : `cosine:start=${d.startStep},end=${d.endStep},final=${d.finalFactor}${d.startFactor !== undefined ? `,from=${d.startFactor}` : ""}`)
    .join("+");
}

/** A one-line description, e.g. "lr 5e-4, warm-up 500, decay cosine:start=6200,end=10000,final=0.1". */
export function describeSchedule(s: LrSchedule): string {
  const decays = formatLrDecays(s.decays);
  return `lr ${s.lr}, warm-up ${s.warmupSteps}, ${decays === "none" ? "no decay" : `decay ${decays}`}`;
}
