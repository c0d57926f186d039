/**
 * Adam with AMSGrad (as `torch.optim.Adam(amsgrad=True)`), gradient-norm clipping and the linear learning-rate
 * warm-up of the reference trainer, applied to flat gradient vectors. State is JS-side Float32Arrays, so it is
 * trivially checkpointed and identical across data-parallel replicas.
 */

import { learningRate, LrSchedule } from "./lr_schedule";

/** Optimiser hyperparameters (reference defaults) and the learning-rate schedule. */
export interface AmsGradOptions extends LrSchedule {
  beta1: number;
  beta2: number;
  eps: number;
  /** Clip the global gradient norm to this (0 = off). */
  clipNorm: number;
}

/** Reference QM9 settings: lr 3e-4, warm-up from 1% over 2,000 steps, clip 1.0, no decay. */
export const DEFAULT_AMSGRAD: Readonly<AmsGradOptions> = {
  lr: 3e-4, beta1: 0.9, beta2: 0.999, eps: 1e-8, clipNorm: 1, warmupSteps: 2000, warmupStart: 0.01, decays: [],
};

/** Serialisable optimiser state. */
export interface AmsGradState {
  step: number;
  m: Float32Array;
  v: Float32Array;
  vMax: Float32Array;
}

/** A fresh state for `size` parameters. */
export function initAmsGrad(size: number): AmsGradState {
  return { step: 0, m: new Float32Array(size), v: new Float32Array(size), vMax: new Float32Array(size) };
}

/**
 * Clip `grads` in place and update `params` in place.
 * @returns the gradient norm before clipping and the learning rate used.
 */
export function amsGradStep(params: Float32Array, grads: Float32Array, state: AmsGradState, o: AmsGradOptions): { gradNorm: number; lr: number } {
  let sq = 0;
  for (let i = 0; i < grads.length; i++) sq += grads[i] * grads[i];
  const gradNorm = Math.sqrt(sq);
  const scale = o.clipNorm > 0 && gradNorm > o.clipNorm ? o.clipNorm / (gradNorm + 1e-6) : 1;
  state.step += 1;
  const lr = learningRate(state.step, o);
  const bc1 = 1 - Math.pow(o.beta1, state.step);
  const bc2Sqrt = Math.sqrt(1 - Math.pow(o.beta2, state.step));
  const stepSize = lr / bc1;
  const { m, v, vMax } = state;
  for (let i = 0; i < params.length; i++) {
    const g = grads[i] * scale;
    m[i] = o.beta1 * m[i] + (1 - o.beta1) * g;
    v[i] = o.beta2 * v[i] + (1 - o.beta2) * g * g;
    if (v[i] > vMax[i]) vMax[i] = v[i];
    params[i] -= (stepSize * m[i]) / (Math.sqrt(vMax[i]) / bc2Sqrt + o.eps);
  }
  return { gradNorm, lr };
}

/**
 * The EMA decay at (1-based) step `step`: the reference's constant `decay`, warmed up as min(decay, (1 + s)/(10 + s))
 * so that a short run's EMA is not dominated by the random initialisation (0.999 alone keeps 77% of the initial
 * weights after 260 steps).
 */
export function emaDecayAt(step: number, decay: number): number {
  return Math.min(decay, (1 + step) / (10 + step));
}

/** EMA update `ema ← decay·ema + (1 − decay)·params` (reference decay 0.999). */
export function emaUpdate(ema: Float32Array, params: Float32Array, decay: number): void {
  for (let i = 0; i < ema.length; i++) ema[i] = decay * ema[i] + (1 - decay) * params[i];
}
