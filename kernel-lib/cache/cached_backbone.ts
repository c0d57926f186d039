/**
 * The compute-or-forecast decision around the backbone: on scheduled steps run the generator and refresh the
 * forecaster; on the others forecast. At the `output` level the whole output (coordinates and logits) is forecast;
 * at the `lastBlock` level the last Semla layer's features are, and the cheap head (finalFF … heads) runs on them.
 * One instance serves one sampling run of one batch; `reset()` starts over.
 */
import * as tf from "@tensorflow/tfjs";
import { GeneratorInputs, GeneratorOutputs } from "../model/blocks";
import { SemlaGenerator } from "../model/generator";
import { createForecaster, ResolvedCacheConfig } from "./config";
import { FeatureMap, Forecaster } from "./forecaster";
import { computeSchedule } from "./schedule";

/** The result of one backbone call. Tensors are owned by the caller. */
export interface BackboneCall {
  outputs: GeneratorOutputs;
  /** True when the generator really ran on this step. */
  computed: boolean;
}

/** What the cache needs from a network: the TF.js generator or a compiled stand-in (e.g. `OnnxGenerator`). */
export type BackboneNetwork = Pick<SemlaGenerator, "config" | "forward" | "forwardBlocks" | "stepObservers">;

/** A generator wrapped with a cache schedule and forecaster. */
export class CachedBackbone {
  /** One boolean per step: compute (true) or forecast. */
  readonly schedule: boolean[];
  private readonly forecaster: Forecaster | undefined;
  private readonly lastLayer: string;

  /**
   * @param times the float32 time of each step (used on the `time` axis).
   */
  constructor(
    readonly model: BackboneNetwork,
    readonly config: ResolvedCacheConfig,
    readonly times: ArrayLike<number>,
  ) {
    const steps = times.length;
    this.schedule = config.kind === "none" ? new Array(steps).fill(true) : computeSchedule(steps, config);
    this.forecaster = config.kind === "none" ? undefined : createForecaster(config);
    this.lastLayer = `layers.${model.config.nLayers - 1}`;
  }

  /**
   * Whether {@link CachedBackbone.call} needs the network inputs at `step`: always, except on steps forecast at the
   * output level, where building them (uploads, one-hots, softmaxed self-conditioning) would be wasted work.
   */
  needsInputs(step: number): boolean {
    return this.schedule[step] || this.config.kind === "none" || this.config.level !== "output";
  }

  /**
   * Run or forecast the backbone for step `step`. `inputs` may be omitted where {@link CachedBackbone.needsInputs}
   * says false.
   */
  call(step: number, inputs: GeneratorInputs | undefined): BackboneCall {
    const computed = this.schedule[step];
    if (inputs === undefined && this.needsInputs(step)) {
      throw new Error(`step ${step} needs the network inputs (it runs the network, or its head at the lastBlock level)`);
    }
    if (this.config.kind === "none" || !this.forecaster) return { outputs: this.model.forward(inputs!), computed: true };
    const x = this.config.axis === "time" ? this.times[step] : step;
    const level = this.config.level;
    if (inputs && computed) {
      if (level === "output") {
        const outputs = this.model.forward(inputs);
        this.forecaster.update(x, outputsToMap(outputs));
        return { outputs, computed };
      }
      const features = this.model.forwardBlocks(inputs, { until: this.lastLayer });
      const map = { coordSets: features.coordSets!, nodeFeats: features.nodeFeats!, edgeFeats: features.edgeFeats! };
      this.forecaster.update(x, map);
      const outputs = this.head(inputs, map);
      for (const t of Object.values(map)) t.dispose();
      return { outputs, computed };
    }
    const forecast = this.forecaster.predict(x);
    if (level === "output" || !inputs) return { outputs: mapToOutputs(forecast), computed };
    const outputs = this.head(inputs, forecast);
    for (const t of Object.values(forecast)) t.dispose();
    return { outputs, computed };
  }

  /** Copies of one output (or last-layer state) the forecaster holds now. */
  heldCopies(): number {
    return this.forecaster ? this.forecaster.heldCopies() : 0;
  }

  /** Forget the cached outputs (new run or new batch shape). */
  reset(): void {
    this.forecaster?.reset();
  }

  /** Release held tensors (idempotent). */
  dispose(): void {
    this.reset();
  }

  private head(inputs: GeneratorInputs, features: FeatureMap): GeneratorOutputs {
    const state = this.model.forwardBlocks(inputs, {
      from: "finalFF",
      initial: { coordSets: features.coordSets, nodeFeats: features.nodeFeats, edgeFeats: features.edgeFeats },
    });
    const outputs = state.outputs!;
    const keep = new Set<tf.Tensor>(Object.values(outputs));
    for (const t of [state.coordSets, state.nodeFeats, state.edgeFeats, state.coords]) {
      if (t && !keep.has(t) && !Object.values(features).includes(t)) t.dispose();
    }
    return outputs;
  }
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
