/**
 * A sampling worker (a worker thread with its own TF.js backend, model copy and, for the ONNX backend, its own
 * ONNX Runtime sessions). It is started with the model's parameters (shared memory, read once) and the run's
 * settings, answers `ready`, then runs one batch per request (the shared protocol of util/worker_channel.ts).
 */
import { workerData } from "node:worker_threads";
import { CachedBackbone } from "../cache/cached_backbone";
import { ResolvedCacheConfig } from "../cache/config";
import { initBackend } from "../env";
import type { SolverKind } from "../flow/integrate";
import { timeGrid, TimeGridKind } from "../flow/time_grid";
import { SemlaConfig } from "../model/config";
import { OnnxBackendOptions } from "../onnx/onnx_generator";
import { createNetwork, FlatParameters, generatorFromParameters, InferenceBackend } from "./network";
import { BatchResult, BatchTask, runBatch } from "./run_batch";
import { serveRequests } from "../util/worker_channel";

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
  /** Coordinate solver (absent: `"euler"`, as in queue jobs written before solvers reached the pool). */
  solver?: SolverKind;
}

/** One request: run `task` with the run's settings; the answer is its {@link BatchResult}. */
export interface SampleWorkerRequest {
  run: RunSettings;
  task: BatchTask;
}

serveRequests<SampleWorkerRequest, BatchResult>(async () => {
  const init = workerData as SampleWorkerInit;
  await initBackend();
  const generator = generatorFromParameters(init.config, init.parameters);
  const { network } = createNetwork(generator, init.backend, init.onnx);
  // One backbone per run's settings (a pool serves several runs, e.g. a benchmark's warm-up and timed runs).
  let current: { key: string; grid: ReturnType<typeof timeGrid>; backbone: CachedBackbone } | undefined;
  const backboneFor = (run: RunSettings) => {
    // Keyed on what the backbone depends on: a run that changes only the solver keeps it.
    const key = JSON.stringify([run.steps, run.grid, run.cache]);
    if (current?.key !== key) {
      current?.backbone.dispose();
      const grid = timeGrid(run.steps, run.grid);
      current = { key, grid, backbone: new CachedBackbone(network, run.cache, grid.t) };
    }
    return current;
  };
  return (req) => {
    const fault = init.testFault && init.testFault.batch === req.task.batchIndex ? init.testFault.kind : undefined;
    if (fault === "exit") process.exit(3); // ends only this thread
    if (fault === "crash") {
      setImmediate(() => {
        throw new Error(`injected crash on batch ${req.task.batchIndex}`);
      });
      return new Promise<never>(() => undefined); // no answer: the crash ends the thread
    }
    if (fault === "throw") throw new Error(`injected failure on batch ${req.task.batchIndex}`);
    const { backbone, grid } = backboneFor(req.run);
    return runBatch(backbone, grid, req.task, { coordStd: init.coordStd, solver: req.run.solver });
  };
});
