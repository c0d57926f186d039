/**
 * A data-parallel gradient worker (a worker thread with its own TensorFlow.js backend and model replica). The main
 * thread sends the current parameters and the molecule indices of this worker's share of the batch; the worker
 * answers with the flat gradient and the losses.
 */
import { parentPort, workerData } from "node:worker_threads";
import { collate } from "../data/batching";
import { PackedSplit, unpackSplit } from "../data/dataset";
import { initBackend } from "../env";
import { SemlaConfig } from "../model/config";
import { SemlaGenerator } from "../model/generator";
import { initParams } from "../model/init";
import { Rng } from "../util/rng";
import { computeGradients, GradientOptions } from "./gradients";

/** What the worker is started with. */
export interface GradientWorkerInit {
  workerId: number;
  seed: number;
  config: SemlaConfig;
  packed: PackedSplit;
  gradientOptions: GradientOptions;
}

/** One request: parameters (flat) and the molecules to differentiate on. */
export interface GradientRequest {
  step: number;
  params: Float32Array;
  indices: number[];
}

/** The answer to a {@link GradientRequest}, or an error message. */
export type GradientReply =
  | { ok: true; step: number; grads: Float32Array; losses: import("./gradients").LossValues; molecules: number }
  | { ok: false; error: string };

async function main(): Promise<void> {
  const init = workerData as GradientWorkerInit;
  await initBackend();
  const molecules = unpackSplit(init.packed);
  const model = new SemlaGenerator(init.config, initParams(init.config, new Rng(0)));
  parentPort!.on("message", (req: GradientRequest) => {
    try {
      model.params.assignFlat(req.params);
      const batch = collate(req.indices.map((i) => molecules[i]));
      const rng = Rng.derive(init.seed, req.step, init.workerId);
      const r = computeGradients(model, batch, rng, init.gradientOptions);
      const reply: GradientReply = { ok: true, step: req.step, grads: r.grads, losses: r.losses, molecules: r.molecules };
      parentPort!.postMessage(reply, [r.grads.buffer as ArrayBuffer]);
    } catch (err) {
      parentPort!.postMessage({ ok: false, error: (err as Error).stack ?? String(err) } satisfies GradientReply);
    }
  });
  parentPort!.postMessage({ ready: true });
}

main().catch((err) => {
  parentPort!.postMessage({ ok: false, error: `worker failed to start: ${(err as Error).stack ?? err}` });
});
