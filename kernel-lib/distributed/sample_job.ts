/**
 * A distributed sampling job: one batch of a run. Its id is `<run>-<batch>` (deterministic, so re-adding a batch after a
 * restart never duplicates it; BullMQ refuses ':' in custom ids), its data says everything a worker needs (the batch's
 * molecule indices and sizes, the run's seed and solver settings) and what it must match (the model's content hash and
 * the backend), and its result is the batch's SDF text, exactly as a local run writes it.
 */
import { createHash } from "node:crypto";
import type { SolverKind } from "../flow/integrate";
import { RunIdentity } from "../flow/resumable_output";
import { InferenceBackend } from "../parallel/network";

/** What a job carries. */
export interface SampleJobData {
  /** The run's id (a hash of its identity). */
  run: string;
  batchIndex: number;
  indices: number[];
  sizes: number[];
  seed: number;
  steps: number;
  grid: "log" | "linear";
  /** Cache spec as given to `molcache sample --cache`. */
  cache: string;
  /** Coordinate solver (absent: `"euler"`, as in jobs written before solvers reached the workers). */
  solver?: SolverKind;
  /** Content hash of the model the run uses: a worker with another model refuses the job. */
  modelHash: string;
  /** Backend the run's molecules must come from (float rounding differs between backends). */
  backend: InferenceBackend;
}

/** What a worker returns. */
export interface SampleJobResult {
  /** The batch as SDF text (byte-identical to a local run's). */
  sdf: string;
  molecules: number;
  /** Seconds the batch computed on its thread. */
  computeSeconds: number;
  /** On-CPU seconds of the sampling thread over the batch, and seconds it waited, runnable, for a CPU (NaN if unknown). */
  cpuSeconds: number;
  waitSeconds: number;
  /**
   * Wall-clock ms (epoch) when the batch was handed to its sampling thread and when the result came back: the
   * queue's overhead is what a thread spends outside its batches (gaps between them, hand-offs).
   */
  startedAt: number;
  endedAt: number;
  /** When the worker got the job from the queue (its processor started). */
  fetchedAt: number;
  /** Which sampling thread ran it: `<host> pid <pid> thread <id>`. */
  worker: string;
}

/**
 * A run's id: the same options and model give the same id, so a restarted producer finds its jobs again.
 * @example
 * runId(identity); // "9c1f3a0b2d4e"
 */
export function runId(identity: RunIdentity): string {
  const keys = Object.keys(identity.options).sort();
  const text = JSON.stringify({ modelHash: identity.modelHash, options: keys.map((k) => [k, identity.options[k]]) });
  return createHash("sha256").update(text).digest("hex").slice(0, 12);
}

/** The job id of a run's batch: `<run>-<batch>`. */
export function jobId(run: string, batchIndex: number): string {
  return `${run}-${batchIndex}`;
}
