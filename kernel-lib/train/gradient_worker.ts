/**
 * A data-parallel gradient worker (a worker thread with its own TensorFlow.js backend, model replica and the training
 * data). Each request carries the current parameters (flat), the molecule indices of one share of the batch and the
 * share's index; the answer is the share's flat gradient (moved, not copied, back) and losses. The randomness derives
 * from (seed, step, share), so a share gives the same gradient on whichever thread runs it.
 */
import { workerData } from "node:worker_threads";
import { collate } from "../data/batching";
import { PackedSplit, unpackSplit } from "../data/dataset";
import { initBackend } from "../env";
import { SemlaConfig } from "../model/config";
import { SemlaGenerator } from "../model/generator";
import { initParams } from "../model/init";
import { Rng } from "../util/rng";
import { serveRequests, withTransfer } from "../util/worker_channel";
import { computeGradients, GradientOptions, GradientResult } from "./gradients";
import { DistanceLossOptions } from "../flow/distance_loss";

/** What the worker is started with. */
export interface GradientWorkerInit {
  seed: number;
  config: SemlaConfig;
  packed: PackedSplit;
  gradientOptions: GradientOptions;
}

/** One request: parameters (flat) and the molecules to differentiate on; the answer is a {@link GradientResult}. */
export interface GradientRequest {
  step: number;
  /** The share of the batch (0 … workers − 1): seeds the share's randomness. */
  share: number;
  params: Float32Array;
  indices: number[];
  /** The step's distance loss (absent: the reference objective). */
  distance?: DistanceLossOptions;
}

serveRequests<GradientRequest, GradientResult>(async () => {
  const init = workerData as GradientWorkerInit;
  await initBackend();
  const molecules = unpackSplit(init.packed);
  const model = new SemlaGenerator(init.config, initParams(init.config, new Rng(0)));
  return (req) => {
    model.params.assignFlat(req.params);
    const batch = collate(req.indices.map((i) => molecules[i]));
    const rng = Rng.derive(init.seed, req.step, req.share);
    const r = computeGradients(model, batch, rng, { ...init.gradientOptions, distance: req.distance });
    return withTransfer(r, [r.grads.buffer as ArrayBuffer]);
  };
});
