/**
 * A sampling worker (a worker thread with its own TF.js backend, model copy and, for the ONNX backend, its own
 * ONNX Runtime sessions). It is started with the model's parameters (shared memory, read once) and the run's
 * settings, answers `ready`, then runs one batch per `batch` message and answers `done` or `error`.
 */
import { parentPort, workerData } from "node:worker_threads";
import { CachedBackbone } from "../cache/cached_backbone";
import { ResolvedCacheConfig } from "../cache/config";
import { initBackend } from "../env";
import { timeGrid, TimeGridKind } from "../flow/time_grid";
import { SemlaConfig } from "../model/config";
import { OnnxBackendOptions } from "../onnx/onnx_generator";
import { createNetwork, FlatParameters, generatorFromParameters, InferenceBackend } from "./network";
import { BatchResult, BatchTask, runBatch } from "./run_batch";

/** Deliberate failures, for tests of the pool's error handling. */
export interface TestFault {
  /** The batch index whose worker fails. */
  batch: number;
  /** `throw`: an exception inside the batch; `exit`: the thread exits abruptly with code 3; `crash`: an uncaught error
   * outside the message handler. */
  kind: "throw" | "exit" | "crash";
}

/** What a worker is started with. */
export interface SampleWorkerInit {
  workerId: number;
  config: SemlaConfig;
  parameters: FlatParameters;
  coordStd: number;
  backend: InferenceBackend;
  onnx: OnnxBackendOptions;
  testFault: TestFault | undefined;
}

/** The settings of one sampling run (the same for all its batches). */
export interface RunSettings {
  steps: number;
  grid: TimeGridKind;
  cache: ResolvedCacheConfig;
}

/** Messages from the pool. */
export type SampleWorkerRequest = { type: "batch"; run: RunSettings; task: BatchTask };

/** Messages to the pool. */
export type SampleWorkerReply =
  | { type: "ready"; workerId: number }
  | { type: "done"; workerId: number; result: BatchResult }
  | { type: "error"; workerId: number; batchIndex: number | undefined; message: string; stack: string | undefined };

async function main(): Promise<void> {
  const init = workerData as SampleWorkerInit;
  const port = parentPort!;
  await initBackend();
  const generator = generatorFromParameters(init.config, init.parameters);
  const { network } = createNetwork(generator, init.backend, init.onnx);
  // One backbone per run's settings (a pool serves several runs, e.g. a benchmark's warm-up and timed runs).
  let current: { key: string; grid: ReturnType<typeof timeGrid>; backbone: CachedBackbone } | undefined;
  const backboneFor = (run: RunSettings) => {
    const key = JSON.stringify(run);
    if (current?.key !== key) {
      current?.backbone.dispose();
      const grid = timeGrid(run.steps, run.grid);
      current = { key, grid, backbone: new CachedBackbone(network, run.cache, grid.t) };
    }
    return current;
  };
  port.on("message", (req: SampleWorkerRequest) => {
    const fault = init.testFault && init.testFault.batch === req.task.batchIndex ? init.testFault.kind : undefined;
    if (fault === "exit") process.exit(3); // ends only this thread
    if (fault === "crash") {
      setImmediate(() => {
        throw new Error(`injected crash on batch ${req.task.batchIndex}`);
      });
      return;
    }
    try {
      if (fault === "throw") throw new Error(`injected failure on batch ${req.task.batchIndex}`);
      const { backbone, grid } = backboneFor(req.run);
      const result = runBatch(backbone, grid, req.task, init.coordStd);
      const reply: SampleWorkerReply = { type: "done", workerId: init.workerId, result };
      port.postMessage(reply);
    } catch (err) {
      const e = err as Error;
      const reply: SampleWorkerReply = { type: "error", workerId: init.workerId, batchIndex: req.task.batchIndex, message: e.message ?? String(err), stack: e.stack };
      port.postMessage(reply);
    }
  });
  port.postMessage({ type: "ready", workerId: init.workerId } satisfies SampleWorkerReply);
}

main().catch((err) => {
  const e = err as Error;
  parentPort!.postMessage({
    type: "error", workerId: (workerData as SampleWorkerInit).workerId, batchIndex: undefined,
    message: `worker failed to start: ${e.message ?? String(err)}`, stack: e.stack,
  } satisfies SampleWorkerReply);
});
