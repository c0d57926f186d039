/**
 * One batch of a sampling run, exactly as `sample()` runs it: the batch's generator is derived from (seed, batch
 * index), so a batch gives the same molecules on whichever thread and in whatever order it runs. Shared by the
 * in-process path and the sampling workers.
 */
import { CachedBackbone } from "../cache/cached_backbone";
import { Molecule } from "../chem/molecule";
import { integrate, SolverKind } from "../flow/integrate";
import type { StepObserver } from "../model/observers";
import { drawPrior } from "../flow/prior";
import { TimeGrid } from "../flow/time_grid";
import { predictionToMolecules } from "../flow/to_molecules";
import { Rng } from "../util/rng";
import { threadTimes, threadTimesSince } from "./thread_time";

/** What one batch needs besides the backbone. */
export interface BatchTask {
  /** Position of the batch in the run's plan (seeds the batch's generator). */
  batchIndex: number;
  /** Indices of the batch's molecules in the run's output. */
  indices: readonly number[];
  /** Atom count of each molecule of the batch. */
  sizes: readonly number[];
  /** The run's seed. */
  seed: number;
}

/** What one batch gives back. */
export interface BatchResult {
  batchIndex: number;
  indices: number[];
  molecules: Molecule[];
  /** Real backbone calls. */
  networkCalls: number;
  /** The steps that computed (the schedule actually used). */
  computedSteps: number[];
  /** Largest TF.js memory seen, bytes. */
  peakTensorBytes: number;
  /** Largest resident set size of the process seen during the batch, bytes (all threads together). */
  peakRssBytes: number;
  /** Wall time of the batch, seconds. */
  seconds: number;
  /** Seconds the running thread spent on a CPU during the batch (NaN where the kernel does not say). */
  threadCpuSeconds: number;
  /** Seconds the running thread waited, runnable, for a CPU (contention from other processes; NaN if unknown). */
  threadWaitSeconds: number;
}

/** How {@link runBatch} runs a batch besides the backbone and the grid. */
export interface RunBatchOptions {
  /** Å per normalised unit (the model's). */
  coordStd: number;
  /** Coordinate solver (default `"euler"`). */
  solver?: SolverKind;
  /** Step observers (hooks), in-thread runs only. */
  observers?: readonly StepObserver[];
}

/**
 * Run one batch on `backbone` (reset before and after by `integrate`).
 * @example
 * const r = runBatch(backbone, grid, { batchIndex: 0, indices: [0, 1], sizes: [9, 12], seed: 0 }, { coordStd: model.coordStd });
 */
export function runBatch(backbone: CachedBackbone, grid: TimeGrid, task: BatchTask, options: RunBatchOptions): BatchResult {
  const { coordStd, solver = "euler", observers = [] } = options;
  const config = backbone.model.config;
  const start = performance.now();
  const times0 = threadTimes();
  const rng = Rng.derive(task.seed, task.batchIndex);
  const prior = drawPrior(task.sizes, rng, { vocabSize: config.vocabSize, bondClasses: config.nEdgeTypes });
  let peakRss = process.memoryUsage.rss();
  const rssObserver: StepObserver = () => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  };
  const result = integrate(prior, {
    grid, backbone, rng, solver, observers: [...observers, rssObserver], batch: { index: task.batchIndex, molecules: task.indices },
  });
  const molecules = predictionToMolecules(result.final, prior, {
    vocabSize: config.vocabSize, bondClasses: config.nEdgeTypes, chargeClasses: config.nChargeTypes, coordStd,
  });
  const times = threadTimesSince(times0);
  return {
    batchIndex: task.batchIndex,
    indices: [...task.indices],
    molecules,
    networkCalls: result.networkCalls,
    computedSteps: result.computedSteps,
    peakTensorBytes: result.peakTensorBytes,
    peakRssBytes: peakRss,
    seconds: (performance.now() - start) / 1000,
    threadCpuSeconds: times.cpuSeconds,
    threadWaitSeconds: times.waitSeconds,
  };
}
