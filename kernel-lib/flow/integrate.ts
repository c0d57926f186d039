/**
 * One sampling run on one batch: the Euler (or Heun) coordinate update and the uniform-sample categorical update,
 * with self-conditioning, driven by a (possibly cached) backbone. The result is the **last network prediction**, as
 * in the reference sampler (not the integrated state).
 *
 * Heun (2nd order, coordinates only): the Euler predictor x̃ = x + dt·v(x, t) with v = (x̂₁ − x) / (1 − t), then a
 * second network call at (x̃, t + dt) on the step's updated categorical state, self-conditioned on the first call,
 * and x' = x + dt·(v + ṽ)/2. Two calls per step, each with its own cache; the final sample is the last step's second
 * prediction (at t = t_K), so K Heun steps cost 2K network calls.
 *
 * DPM-Solver++(2M) (`dpm2m`, coordinates only): for the linear interpolant x_t = t·x₁ + (1 − t)·x₀ (α = t,
 * σ = 1 − t, λ = log(t / (1 − t))) the first-order DPM-Solver++ step with data prediction x̂₁ is exactly the Euler
 * step above; the 2M variant replaces x̂₁ by D = (1 + 1/(2r))·x̂₁(t_k) − 1/(2r)·x̂₁(t_{k−1}), r = h_{k−1}/h_k,
 * h = Δλ. One call per step, so it competes at the same NFE; the first step (t = 0, λ = −∞) is first order.
 *
 * Categorical jumps (atom types, bond orders) happen on every step, as in the reference, or — for a backbone whose
 * `jumps` is `"computed"` — only on computed steps, each spanning the interval to the next computed step.
 */
import * as tf from "@tensorflow/tfjs";
import { GeneratorInputs, GeneratorOutputs } from "../model/blocks";
import { attachedObservers, StepObserver } from "../model/observers";
import type { Prediction } from "../model/sampler_state";
import { Backbone, BackboneCall } from "./backbone";
import { Rng } from "../util/rng";
import { uniformSampleUpdate } from "./categorical";
import { cloneState, SamplerState } from "./prior";
import { TimeGrid } from "./time_grid";

/** Uniforms for the categorical draws of one step (`count` values in [0, 1)). */
export type UniformSource = (step: number, kind: "atomics" | "bonds", count: number) => ArrayLike<number>;

/**
 * ODE solver of the coordinates: `euler` (the reference), `heun` (2nd order, two network calls per step) or
 * `dpm2m` (DPM-Solver++(2M), multistep 2nd order, one call per step).
 */
export type SolverKind = "euler" | "heun" | "dpm2m";

/** Every solver. */
export const SOLVERS: readonly SolverKind[] = ["euler", "heun", "dpm2m"];

/** Options of {@link integrate}. */
export interface IntegrateOptions {
  /** Coordinate solver (default `"euler"`). */
  solver?: SolverKind;
  grid: TimeGrid;
  /** The network behind a compute-or-forecast decision (`CachedBackbone`; kind `none` always computes). */
  backbone: Backbone;
  /** Source of uniforms for the categorical draws (default: `rng`). */
  uniforms?: UniformSource;
  /** Generator for the default uniforms. */
  rng?: Rng;
  /** Internal seam: step observers besides the hooks attached to the model (users observe steps with hooks). @internal */
  observers?: readonly StepObserver[];
  /** Which batch of a `sample()` run this is, passed on to observers (default batch 0, molecules 0 … B−1). */
  batch?: { index: number; molecules: readonly number[] };
}

/** The outcome of one run. */
export interface IntegrateResult {
  /** The last prediction (normalised units, logits). */
  final: Prediction;
  /** The state after the last step. */
  state: SamplerState;
  /** Real backbone calls made. */
  networkCalls: number;
  /** The steps whose (first) backbone call really ran: the schedule actually used. */
  computedSteps: number[];
  /** Largest tfjs memory seen during the run, in bytes. */
  peakTensorBytes: number;
}

/**
 * Integrate one batch from `prior` over the grid. The prior is not modified.
 * @example
 * const rng = new Rng(0);
 * const prior = drawPrior([18, 18], rng, { vocabSize: model.generator.config.vocabSize, bondClasses: model.generator.config.nEdgeTypes });
 * const grid = timeGrid(100);
 * const result = integrate(prior, { grid, backbone: new CachedBackbone(model.generator, { kind: "none" }, grid.t), rng });
 * result.networkCalls; // 100
 */
export function integrate(prior: SamplerState, options: IntegrateOptions): IntegrateResult {
  const { grid, backbone } = options;
  const model = backbone.model;
  const { vocabSize: vocab, nEdgeTypes: edgeTypes } = model.config;
  const { B, N } = prior;
  const steps = grid.t.length;
  const solver = options.solver ?? "euler";
  if (!SOLVERS.includes(solver)) throw new Error(`invalid solver: ${String(solver)}; use ${SOLVERS.join(", ")}`);
  if (backbone.schedule.length !== steps) throw new Error(`cache schedule has ${backbone.schedule.length} steps, grid has ${steps}`);
  const uniforms: UniformSource = options.uniforms ?? defaultUniforms(options.rng);
  const jumpDt = categoricalJumpSteps(grid, backbone);
  backbone.reset();
  // Step observers attached to the model (the hook registry) run before the per-call ones.
  const attached = attachedObservers(model)?.step;
  const observers = attached ? [attached, ...(options.observers ?? [])] : [...(options.observers ?? [])];
  const batch = options.batch?.index ?? 0;
  const molecules = options.batch?.molecules ?? Array.from({ length: B }, (_, b) => b);

  let state = cloneState(prior);
  const pairMask = new Float32Array(B * N * N);
  for (let b = 0; b < B; b++) for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) {
    pairMask[(b * N + i) * N + j] = prior.mask[b * N + i] * prior.mask[b * N + j];
  }
  const mask = tf.tensor2d(prior.mask, [B, N]);
  const pairMaskTensor = tf.tensor4d(pairMask, [B, N, N, 1]);
  // The latest prediction: the next network call's self-conditioning (softmaxed only when a call needs it, so
  // forecast steps skip that work). Zeros before the first call.
  let latest: GeneratorOutputs | undefined;
  let final: Prediction | undefined;
  let networkCalls = 0;
  const computedSteps: number[] = [];
  // DPM-Solver++(2M): the previous step's predicted coordinates and time.
  const history: { coords?: Float32Array; t?: number } = {};
  let peak = tf.memory().numBytes;
  /** Build the inputs a call needs (none for an output-level forecast), run or forecast it, release the inputs. */
  const runCall = (k: number, callIndex: number, at: SamplerState, time: number): BackboneCall => {
    const inputs: GeneratorInputs | undefined = !backbone.needsInputs(k, callIndex) ? undefined : tf.tidy(() => {
      const prev = latest;
      return {
        coords: tf.tensor3d(at.coords, [B, N, 3]),
        // One-hot states, zero at padding (as the reference prior).
        atomics: tf.mul(tf.oneHot(tf.tensor2d(at.atomClasses, [B, N], "int32"), vocab), tf.expandDims(mask, 2)) as tf.Tensor3D,
        bonds: tf.mul(tf.oneHot(tf.tensor3d(at.bondClasses, [B, N, N], "int32"), edgeTypes), pairMaskTensor) as tf.Tensor4D,
        mask: mask.clone(),
        t: tf.fill([B], time) as tf.Tensor1D,
        condCoords: (prev ? prev.coords.clone() : tf.zeros([B, N, 3])) as tf.Tensor3D,
        condAtomics: (prev ? tf.softmax(prev.typeLogits) : tf.zeros([B, N, vocab])) as tf.Tensor3D,
        condBonds: (prev ? tf.softmax(prev.bondLogits) : tf.zeros([B, N, N, edgeTypes])) as tf.Tensor4D,
      };
    });
    try {
      const call = backbone.call(k, inputs, callIndex, time);
      peak = Math.max(peak, tf.memory().numBytes);
      return call;
    } finally {
      // Also when the call throws (e.g. a block hook fails): the inputs are this loop's to release.
      if (inputs) disposeAll(inputs);
    }
  };
  try {
    for (let k = 0; k < steps; k++) {
      const t = grid.t[k];
      const dt = grid.dt[k];
      for (const o of observers) o.beforeStep?.({ step: k, t, dt, computed: backbone.schedule[k], steps, state, batch, molecules });
      // Output-level forecasts need no inputs: skipping them keeps a cached step's cost near zero.
      const first = runCall(k, 0, state, t);
      const { outputs, computed } = first;
      if (computed) {
        networkCalls++;
        computedSteps.push(k);
      }
      const prediction = download(outputs);
      if (latest) disposeAll(latest);
      latest = outputs;

      const next = cloneState(state);
      const scale = dt / (1 - t);
      const target = solver === "dpm2m" ? multistepTarget(prediction.coords, history, t, k + 1 < steps ? grid.t[k + 1] : Math.fround(t + dt)) : prediction.coords;
      for (let i = 0; i < next.coords.length; i++) {
        next.coords[i] = state.coords[i] + scale * (target[i] - state.coords[i]);
      }
      // Every step draws its uniforms, used or not, so that the draws of a step do not depend on the schedule.
      const atomUniforms = uniforms(k, "atomics", B * N);
      const bondUniforms = uniforms(k, "bonds", B * N * N);
      if (jumpDt[k] > 0) {
        uniformSampleUpdate(prediction.typeLogits, vocab, next.atomClasses, atomUniforms, t, jumpDt[k], prior.mask);
        uniformSampleUpdate(prediction.bondLogits, edgeTypes, next.bondClasses, bondUniforms, t, jumpDt[k], pairMask);
      }
      let last = prediction;
      if (solver === "heun") {
        // Corrector: the network at the Euler predictor (next.coords holds x̃ now), time t + dt, float32 as fed.
        const tNext = k + 1 < steps ? grid.t[k + 1] : Math.fround(t + dt);
        const second = runCall(k, 1, next, tNext);
        if (second.computed) networkCalls++;
        const corrected = download(second.outputs);
        disposeAll(latest);
        latest = second.outputs;
        for (let i = 0; i < next.coords.length; i++) {
          const v0 = (prediction.coords[i] - state.coords[i]) / (1 - t);
          const v1 = (corrected.coords[i] - next.coords[i]) / (1 - tNext);
          next.coords[i] = state.coords[i] + (dt / 2) * (v0 + v1);
        }
        last = corrected;
      }
      for (const observe of observers) observe({ step: k, t, dt, computed, state, prediction, next, batch, molecules });
      state = next;
      final = last;
    }
  } finally {
    mask.dispose();
    pairMaskTensor.dispose();
    if (latest) disposeAll(latest);
    backbone.reset();
  }
  return { final: final!, state, networkCalls, computedSteps, peakTensorBytes: peak };
}

/**
 * The time span of each step's categorical jump: its own dt, or with `jumps: "computed"` the span from a computed
 * step to the next computed one (0 on forecast steps: no jump). A forecast step's logits are extrapolated, and many
 * small jumps drawn from them are worse than one jump from fresh logits (docs/matched_nfe.md, "Jumps on computed steps").
 */
function categoricalJumpSteps(grid: TimeGrid, backbone: Backbone): Float64Array {
  const steps = grid.dt.length;
  if ((backbone.jumps ?? "every") === "every") return Float64Array.from(grid.dt);
  if (!backbone.schedule[0] || !backbone.schedule[steps - 1]) throw new Error("jumps=computed needs a fixed schedule whose first and final steps compute");
  const span = new Float64Array(steps);
  let from = 0;
  for (let k = 0; k < steps; k++) {
    span[from] += grid.dt[k];
    if (k + 1 < steps && backbone.schedule[k + 1]) from = k + 1;
  }
  return span;
}

/**
 * DPM-Solver++(2M) data target D for the step t → tNext (see the file comment); updates `history`. First order (the
 * prediction itself) on the first step or when the previous time is 0.
 */
function multistepTarget(pred: Float32Array, history: { coords?: Float32Array; t?: number }, t: number, tNext: number): Float32Array {
  const lambda = (u: number) => Math.log(u / (1 - u));
  let out = pred;
  if (history.coords && history.t !== undefined && history.t > 0 && t > 0) {
    const r = (lambda(t) - lambda(history.t)) / (lambda(tNext) - lambda(t));
    const a = 1 / (2 * r);
    out = new Float32Array(pred.length);
    for (let i = 0; i < pred.length; i++) out[i] = (1 + a) * pred[i] - a * history.coords[i];
  }
  history.coords = pred.slice();
  history.t = t;
  return out;
}

function defaultUniforms(rng: Rng | undefined): UniformSource {
  if (!rng) throw new Error("integrate needs either `uniforms` or an `rng` for the categorical draws");
  return (_step, _kind, count) => rng.uniforms(count);
}

function download(o: GeneratorOutputs): Prediction {
  return {
    coords: o.coords.dataSync() as Float32Array,
    typeLogits: o.typeLogits.dataSync() as Float32Array,
    bondLogits: o.bondLogits.dataSync() as Float32Array,
    chargeLogits: o.chargeLogits.dataSync() as Float32Array,
  };
}

function disposeAll(obj: object): void {
  for (const t of Object.values(obj)) if (t instanceof tf.Tensor) t.dispose();
}
