/**
 * The compute-or-forecast decision around the backbone: on scheduled steps run the generator and refresh the
 * forecaster; on the others forecast. At the `output` level the whole output (coordinates and logits) is forecast;
 * at the `lastBlock` level the last Semla layer's features are, and the cheap head (finalFF … heads) runs on them.
 *
 * Schedules: `uniform` and `calibrated` are fixed before the run ({@link CachedBackbone.schedule}); `adaptive` is
 * decided per step and batch by the invariant gate (see `adaptive_gate.ts`), which runs the first blocks every step.
 * Solvers that call the backbone more than once per step (Heun) pass a call index: each index has its own forecaster.
 * One instance serves one sampling run of one batch at a time; `reset()` starts over.
 */
import * as tf from "@tensorflow/tfjs";
import { BlockState, GeneratorInputs, GeneratorOutputs } from "../model/blocks";
import type { BackboneNetwork } from "../model/network";
import type { Backbone, BackboneCall, CategoricalJumps } from "../flow/backbone";
import { GateAccumulator, relativeChange, tuneThreshold } from "./adaptive_gate";
import { calibratedSchedule } from "./calibrated_schedule";
import { createForecaster, ResolvedCacheConfig } from "./config";
import { FeatureMap, Forecaster } from "./forecaster";
import { filledSeries, forecastCostTable, readCacheProfile } from "./profile";
import { computeSchedule } from "./schedule";

/** The block whose node features the adaptive gate compares (it and the embedding run on every step). */
export const GATE_BLOCK = "layers.0";

/** A generator wrapped with a cache schedule and forecaster. */
export class CachedBackbone implements Backbone {
  /**
   * One boolean per step: compute (true) or forecast. For an `adaptive` schedule only the steps that always compute
   * (the first and the final) are true: the others are decided during the run ({@link BackboneCall.computed}).
   */
  readonly schedule: boolean[];
  /** True for an `adaptive` schedule (decided online). */
  readonly adaptive: boolean;
  /** The adaptive gate's threshold (tuned from the profile for an `nfe` target), or undefined. */
  readonly threshold: number | undefined;
  /** When the categorical state jumps (the config's `jumps`; `every` without a cache). */
  readonly jumps: CategoricalJumps;
  private readonly forecasters: Forecaster[] = [];
  private readonly lastLayer: string;
  private readonly gate: GateAccumulator | undefined;
  private gatePrevious: Float32Array | undefined;
  private gateMask: Float32Array | undefined;
  /** Adaptive decisions of this run by step (later call indices of a step follow the first). */
  private readonly decisions = new Map<number, boolean>();

  /**
   * @param times the float32 time of each step (used on the `time` axis).
   * @throws when a calibrated or nfe-tuned adaptive schedule has no usable profile (`config.profile`).
   */
  constructor(
    readonly model: BackboneNetwork,
    readonly config: ResolvedCacheConfig,
    readonly times: ArrayLike<number>,
  ) {
    const steps = times.length;
    this.lastLayer = `layers.${model.config.nLayers - 1}`;
    this.adaptive = config.kind !== "none" && config.schedule === "adaptive";
    this.jumps = config.kind === "none" ? "every" : config.jumps;
    if (config.kind === "none") {
      this.schedule = new Array(steps).fill(true);
    } else if (config.schedule === "uniform") {
      this.schedule = computeSchedule(steps, config);
    } else {
      const needsProfile = config.schedule === "calibrated" || config.threshold === undefined;
      const profile = needsProfile ? loadProfile(config.profile, steps) : undefined;
      if (config.schedule === "calibrated") {
        this.schedule = calibratedSchedule(forecastCostTable(profile!, config, config.profile!), config.nfe!);
      } else {
        this.schedule = Array.from({ length: steps }, (_, k) => k === 0 || k === steps - 1);
        this.threshold = config.threshold ?? tuneThreshold(filledSeries(profile!.gate), config.nfe!);
        this.gate = new GateAccumulator(this.threshold);
      }
    }
  }

  /**
   * Whether {@link CachedBackbone.call} needs the network inputs at `step`: always, except on steps forecast at the
   * output level, where building them (uploads, one-hots, softmaxed self-conditioning) would be wasted work. The
   * adaptive gate needs them on every first call of a step.
   */
  needsInputs(step: number, callIndex = 0): boolean {
    if (this.config.kind === "none" || this.config.level !== "output") return true;
    if (this.adaptive) return callIndex === 0 || this.decisions.get(step) === true;
    return this.schedule[step];
  }

  /**
   * Run or forecast the backbone for step `step`. `inputs` may be omitted where {@link CachedBackbone.needsInputs}
   * says false.
   * @param callIndex which backbone call of the step (0, or 1 for Heun's corrector): each has its own cache.
   * @param t the time of this call on the `time` axis (default the step's time).
   */
  call(step: number, inputs: GeneratorInputs | undefined, callIndex = 0, t?: number): BackboneCall {
    if (inputs === undefined && this.needsInputs(step, callIndex)) {
      throw new Error(`step ${step} needs the network inputs (it runs the network, its head at the lastBlock level, or the adaptive gate)`);
    }
    if (this.config.kind === "none") return { outputs: this.model.forward(inputs!), computed: true };
    const forecaster = this.forecaster(callIndex);
    const x = this.config.axis === "time" ? (t ?? this.times[step]) : step;
    let gateState: BlockState | undefined;
    let computed: boolean;
    if (!this.adaptive) {
      computed = this.schedule[step];
    } else if (callIndex > 0 && this.decisions.has(step)) {
      computed = this.decisions.get(step)!;
    } else {
      gateState = this.model.forwardBlocks(inputs!, { until: GATE_BLOCK });
      computed = this.decide(step, gateState, inputs!, forecaster.heldCopies() === 0);
      this.decisions.set(step, computed);
    }
    if (computed && this.config.level === "output") {
      const outputs = gateState ? this.finishForward(inputs!, gateState) : this.model.forward(inputs!);
      forecaster.update(x, outputsToMap(outputs));
      return { outputs, computed };
    }
    if (gateState) disposeState(gateState);
    if (computed) {
      const features = this.model.forwardBlocks(inputs!, { until: this.lastLayer });
      const map = { coordSets: features.coordSets!, nodeFeats: features.nodeFeats!, edgeFeats: features.edgeFeats! };
      forecaster.update(x, map);
      const outputs = this.head(inputs!, map);
      for (const tensor of Object.values(map)) tensor.dispose();
      return { outputs, computed };
    }
    const forecast = forecaster.predict(x);
    if (this.config.level === "output" || !inputs) return { outputs: mapToOutputs(forecast), computed };
    const outputs = this.head(inputs, forecast);
    for (const tensor of Object.values(forecast)) tensor.dispose();
    return { outputs, computed };
  }

  /** Copies of one output (or last-layer state) the forecasters hold now. */
  heldCopies(): number {
    return this.forecasters.reduce((a, f) => a + (f ? f.heldCopies() : 0), 0);
  }

  /** Forget the cached outputs and the gate's state (new run or new batch shape). */
  reset(): void {
    for (const f of this.forecasters) f?.reset();
    this.gate?.reset();
    this.gatePrevious = undefined;
    this.gateMask = undefined;
    this.decisions.clear();
  }

  /** Release held tensors (idempotent). */
  dispose(): void {
    this.reset();
  }

  private forecaster(callIndex: number): Forecaster {
    if (!(Number.isInteger(callIndex) && callIndex >= 0)) throw new Error(`invalid call index: ${callIndex}; must be an integer >= 0`);
    if (this.config.kind === "none") throw new Error("cache kind none has no forecaster");
    return (this.forecasters[callIndex] ??= createForecaster(this.config));
  }

  /** The adaptive gate: accumulate layer 0's invariant change; compute when it fires (or when forced). */
  private decide(step: number, gateState: BlockState, inputs: GeneratorInputs, empty: boolean): boolean {
    const feats = gateState.nodeFeats!;
    const current = (feats.dataSync() as Float32Array).slice();
    this.gateMask ??= (inputs.mask.dataSync() as Float32Array).slice();
    const delta = this.gatePrevious ? relativeChange(this.gatePrevious, current, this.gateMask, feats.shape[feats.shape.length - 1]) : 0;
    this.gatePrevious = current;
    // No hard cap at the nfe target: a cap tried here (n = 500 × 3, NFE 26) spent the budget early and forecast the
    // late steps, which weigh most in the sample: validity 36% against 79–91% for every other sampler.
    return this.gate!.decide(delta, empty || step === 0 || step === this.times.length - 1);
  }

  /** The rest of a forward pass after the gate block; releases the gate state. */
  private finishForward(inputs: GeneratorInputs, gateState: BlockState): GeneratorOutputs {
    const next = this.model.config.nLayers > 1 ? "layers.1" : "finalFF";
    const state = this.model.forwardBlocks(inputs, { from: next, initial: gateState });
    const outputs = state.outputs!;
    const keep = new Set<tf.Tensor>(Object.values(outputs));
    for (const s of [gateState, state]) disposeState(s, keep);
    return outputs;
  }

  private head(inputs: GeneratorInputs, features: FeatureMap): GeneratorOutputs {
    const state = this.model.forwardBlocks(inputs, {
      from: "finalFF",
      initial: { coordSets: features.coordSets, nodeFeats: features.nodeFeats, edgeFeats: features.edgeFeats },
    });
    const outputs = state.outputs!;
    const keep = new Set<tf.Tensor>([...Object.values(outputs), ...Object.values(features)]);
    disposeState(state, keep);
    return outputs;
  }
}

/** Read the profile a calibrated or tuned adaptive schedule needs, checking its step count. */
function loadProfile(file: string | undefined, steps: number) {
  if (!file) {
    throw new Error("this cache schedule needs a calibration profile: pass profile=<file> in the cache spec (record it with `molcache calibrate`)");
  }
  const profile = readCacheProfile(file);
  if (profile.steps !== steps) {
    throw new Error(`cache profile ${file} was recorded at ${profile.steps} steps, the run has ${steps}; record one with \`molcache calibrate --steps ${steps}\``);
  }
  return profile;
}

/** Dispose a block state's tensors except those in `keep`. */
function disposeState(state: BlockState, keep: Set<tf.Tensor> = new Set()): void {
  for (const t of [state.coordSets, state.nodeFeats, state.edgeFeats, state.coords]) if (t && !keep.has(t)) t.dispose();
}

function outputsToMap(o: GeneratorOutputs): FeatureMap {
  return { coords: o.coords, typeLogits: o.typeLogits, bondLogits: o.bondLogits, chargeLogits: o.chargeLogits };
}

function mapToOutputs(m: FeatureMap): GeneratorOutputs {
  return {
    coords: m.coords as tf.Tensor3D,
    typeLogits: m.typeLogits as tf.Tensor3D,
    bondLogits: m.bondLogits as tf.Tensor4D,
    chargeLogits: m.chargeLogits as tf.Tensor3D,
  };
}
