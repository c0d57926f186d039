/**
 * The learning-rate schedule: the reference's linear warm-up, then an optional late decay (cosine or one step) to a
 * fraction of the peak. A schedule is a pure function of the global step, so a checkpoint that records it resumes
 * exactly; a schedule may be changed on resume only if it agrees with the recorded one on every step already taken
 * (so a decay can be added to a long constant-rate run from "now on", but the past is never rewritten).
 */

/** A late learning-rate decay. */
export interface LrDecay {
  /** `none` (constant after warm-up), `cosine` (half cosine from start to end), `step` (one drop at `startStep`). */
  kind: "none" | "cosine" | "step";
  /** First step of the decay (1-based optimiser step). */
  startStep: number;
  /** Step at which the cosine reaches `finalFactor` (ignored by `step`). */
  endStep: number;
  /** Learning rate at the end, as a fraction of the peak (default 0.1). */
  finalFactor: number;
}

/** The learning-rate schedule of a run. */
export interface LrSchedule {
  /** Peak learning rate. */
  lr: number;
  /** Warm-up steps from `warmupStart × lr` to lr. */
  warmupSteps: number;
  warmupStart: number;
  decay: LrDecay;
}

/** No decay. */
export const NO_DECAY: Readonly<LrDecay> = { kind: "none", startStep: 0, endStep: 0, finalFactor: 1 };

/** The learning rate at (1-based) step `step`. */
export function learningRate(step: number, s: LrSchedule): number {
  const warm = s.warmupSteps <= 0 ? 1 : s.warmupStart + (1 - s.warmupStart) * Math.min(step, s.warmupSteps) / s.warmupSteps;
  return s.lr * warm * decayFactor(step, s.decay ?? NO_DECAY);
}

function decayFactor(step: number, d: LrDecay): number {
  if (d.kind === "none" || step < d.startStep) return 1;
  if (d.kind === "step") return d.finalFactor;
  const t = Math.min(1, (step - d.startStep) / Math.max(1, d.endStep - d.startStep));
  return d.finalFactor + (1 - d.finalFactor) * 0.5 * (1 + Math.cos(Math.PI * t));
}

/**
 * Parse a decay from the command line: `none`, `cosine:start=S,end=E[,final=F]` or `step:start=S[,final=F]`.
 * @throws naming the bad part and the accepted forms.
 */
export function parseLrDecay(text: string): LrDecay {
  const forms = "use none, cosine:start=S,end=E[,final=0.1] or step:start=S[,final=0.1]";
  const [kind, rest = ""] = text.split(":");
  if (kind === "none" && rest === "") return { ...NO_DECAY };
  if (kind !== "cosine" && kind !== "step") throw new Error(`unknown learning-rate decay: ${text}; ${forms}`);
  const values: Record<string, number> = { final: 0.1 };
  for (const part of rest.split(",").filter((p) => p.length > 0)) {
    const [key, value] = part.split("=");
    const x = Number(value);
    if (!["start", "end", "final"].includes(key) || value === undefined || !Number.isFinite(x)) {
      throw new Error(`bad learning-rate decay part "${part}" in ${text}; ${forms}`);
    }
    values[key] = x;
  }
  if (!(values.start >= 1)) throw new Error(`learning-rate decay ${text} needs start=S (a step ≥ 1); ${forms}`);
  if (kind === "cosine" && !(values.end > values.start)) throw new Error(`learning-rate decay ${text} needs end=E > start; ${forms}`);
  if (!(values.final > 0 && values.final <= 1)) throw new Error(`learning-rate decay ${text}: final must be in (0, 1]`);
  return { kind, startStep: values.start, endStep: kind === "cosine" ? values.end : values.start, finalFactor: values.final };
}

/** Whether two schedules give the same learning rate on steps 1..`throughStep` (exactly: resume stays bit-identical). */
export function schedulesAgree(a: LrSchedule, b: LrSchedule, throughStep: number): boolean {
  for (let step = 1; step <= throughStep; step++) if (learningRate(step, a) !== learningRate(step, b)) return false;
  return true;
}

/** A one-line description, e.g. "lr 5e-4, warm-up 500, cosine decay 6200→11000 to ×0.1". */
export function describeSchedule(s: LrSchedule): string {
  const d = s.decay ?? NO_DECAY;
  const decay = d.kind === "none" ? "no decay" : d.kind === "step" ? `step decay at ${d.startStep} to ×${d.finalFactor}` : `cosine decay ${d.startStep}→${d.endStep} to ×${d.finalFactor}`;
  return `lr ${s.lr}, warm-up ${s.warmupSteps}, ${decay}`;
}
