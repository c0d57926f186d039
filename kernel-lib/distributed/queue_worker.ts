/**
 * `molcache worker`: serve sampling jobs from the BullMQ queue on Redis. Each process runs `workers` sampling threads
 * (a {@link SamplingPool}) and one BullMQ worker per thread, so the main thread stays free to renew job locks while the
 * threads compute. Each BullMQ worker holds one job at a time: finishing a job takes the next one in the same Redis
 * call (measured: ~20 ms per job with hand-offs, ~1.3% of a 1.6 s batch), and a job is never held back behind a running batch while another worker
 * idles (measured: holding a second job made the last batches of a run wait). Lost work: a worker process killed mid-batch is found by BullMQ's stalled-job check after about
 * `lockSeconds` and its batch runs again elsewhere. A job for another model or backend is put back untouched (no
 * attempt used) and this process stops with one line naming both hashes.
 */
import * as os from "node:os";
import { DelayedError, Job, Worker } from "bullmq";
import { parseCacheSpec } from "../cache/config";
import { batchSdfText } from "../chem/sampled_sdf";
import { LoadedModel } from "../model/model_io";
import { modelContentHash } from "../model/model_hash";
import { InferenceBackend } from "../parallel/network";
import { SamplingPool } from "../parallel/sampling_pool";
import type { TestFault } from "../parallel/sample_worker";
import { checkRedisReachable, parseQueueUrl, SAMPLE_QUEUE_NAME } from "./queue_url";
import { SampleJobData, SampleJobResult } from "./sample_job";
import { startHeartbeat } from "./heartbeat";

/** Options of {@link runQueueWorker}. */
export interface QueueWorkerOptions {
  /** `redis://host:port`. */
  queue: string;
  /** Sampling threads in this process, one job each (default 1). */
  workers: number;
  backend: InferenceBackend;
  /** BullMQ lock duration and stalled-check interval, seconds (default 30): a killed worker's batch is retried after ~1-2x this. */
  lockSeconds: number;
  /** No log lines. */
  quiet: boolean;
  /** For tests: make this worker's sampling threads fail on a batch (kernel-lib/parallel/sample_worker.ts). */
  testFault: TestFault | undefined;
  /** Stops the worker (like SIGTERM). */
  signal: AbortSignal | undefined;
}

/** Defaults of {@link QueueWorkerOptions}. */
export const DEFAULT_QUEUE_WORKER_OPTIONS: Readonly<Omit<QueueWorkerOptions, "queue">> = {
  workers: 1, backend: "tfjs", lockSeconds: 30, quiet: false, testFault: undefined, signal: undefined,
};

/**
 * Serve jobs until SIGINT/SIGTERM or `signal` (resolves), or until a job for another model arrives (rejects).
 * @example
 * await runQueueWorker(openModel("random:tiny"), { queue: "redis://127.0.0.1:6379", workers: 2 });
 */
export async function runQueueWorker(model: LoadedModel, options: Partial<QueueWorkerOptions> & { queue: string }): Promise<void> {
  const o = { ...DEFAULT_QUEUE_WORKER_OPTIONS, ...options };
  if (!(Number.isInteger(o.workers) && o.workers >= 1)) throw new Error(`invalid --workers: ${o.workers}; must be an integer >= 1`);
  if (!(Number.isFinite(o.lockSeconds) && o.lockSeconds >= 1)) throw new Error(`invalid --lock-seconds: ${o.lockSeconds}; must be >= 1`);
  const connection = parseQueueUrl(o.queue);
  await checkRedisReachable(o.queue, connection);
  const hash = modelContentHash(model);
  const log = (line: string) => {
    if (!o.quiet) process.stderr.write(`molcache worker: ${line}\n`);
  };
  const pool = await SamplingPool.start(model, { workers: o.workers, backend: o.backend, handleSigint: false, testFault: o.testFault });
  let stop!: (err?: Error) => void;
  const stopped = new Promise<Error | undefined>((resolve) => (stop = (err) => resolve(err)));
  let signals = 0;
  // A second Ctrl-C exits at once (the first waits up to a few seconds for Redis to hear that the worker leaves).
  const onSignal = () => (++signals > 1 ? process.exit(130) : stop());
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  o.signal?.addEventListener("abort", onSignal);
  let lastConnectionError = 0;
  const workers: Worker<SampleJobData, SampleJobResult>[] = [];
  const names = Array.from({ length: o.workers }, (_, slot) => `${os.hostname()} pid ${process.pid} #${slot}`);
  for (let slot = 0; slot < o.workers; slot++) {
    const name = names[slot];
    const processor = async (job: Job<SampleJobData, SampleJobResult>, token?: string): Promise<SampleJobResult> => {
      const d = job.data;
      if (d.modelHash !== hash || d.backend !== o.backend) {
        // Not ours: back to the queue without using an attempt, and stop (a misconfigured worker should not keep taking jobs).
        await job.moveToDelayed(Date.now() + 200, token);
        stop(new Error(d.modelHash !== hash
          ? `job ${job.id} is for a model with content hash ${d.modelHash}, this worker has ${model.name} (hash ${hash}); start the worker with the run's --model (the job was put back for other workers)`
          : `job ${job.id} wants backend ${d.backend}, this worker runs ${o.backend} (the molecules would differ in float rounding); start the worker with --backend ${d.backend} (the job was put back for other workers)`));
        throw new DelayedError();
      }
      const fetchedAt = Date.now();
      const r = await pool.runTask(
        { steps: d.steps, grid: d.grid, cache: parseCacheSpec(d.cache), solver: d.solver },
        { batchIndex: d.batchIndex, indices: d.indices, sizes: d.sizes, seed: d.seed },
      ).catch((err: Error) => {
        if (pool.liveWorkers() < o.workers) stop(new Error(`a sampling thread died (${err.message}); restart this worker`));
        throw err;
      });
      return { sdf: batchSdfText(r.molecules, r.indices), molecules: r.indices.length, computeSeconds: r.seconds, cpuSeconds: r.threadCpuSeconds, waitSeconds: r.threadWaitSeconds,
        fetchedAt, startedAt: r.dispatchedAt, endedAt: r.returnedAt, worker: `${os.hostname()} pid ${process.pid} thread ${r.thread}` };
    };
    const w = new Worker<SampleJobData, SampleJobResult>(SAMPLE_QUEUE_NAME, processor, {
      connection, concurrency: 1, name, lockDuration: o.lockSeconds * 1000, stalledInterval: o.lockSeconds * 1000,
      // A crash is not the batch's fault: attempts count failures, stalls are retried (bounded, in case a batch kills every worker).
      maxStalledCount: 20,
    });
    w.on("error", (err) => {
      if (Date.now() - lastConnectionError > 5000) log(`queue connection: ${err.message} (retrying)`);
      lastConnectionError = Date.now();
    });
    w.on("failed", (job, err) => {
      if (job && !(err instanceof DelayedError)) log(`batch ${job.data.batchIndex} failed (attempt ${job.attemptsMade}): ${err.message}`);
    });
    workers.push(w);
  }
  const stopHeartbeat = startHeartbeat(connection, names);
  log(`ready: ${o.workers} thread(s), model ${model.name} (hash ${hash}), backend ${o.backend}, queue ${o.queue}`);
  const err = await stopped;
  process.removeListener("SIGINT", onSignal);
  process.removeListener("SIGTERM", onSignal);
  o.signal?.removeEventListener("abort", onSignal);
  // Do not wait for running batches: whatever is unfinished is recovered by the stalled-job check. With Redis down,
  // closing would wait for a reconnect: give up after a few seconds.
  await withTimeout(Promise.all(workers.map((w) => w.close(true).catch(() => undefined))), 5000);
  await withTimeout(stopHeartbeat(), 2000);
  await pool.close();
  if (err) throw err;
  log("stopped");
}

/** `p`, or nothing after `ms` milliseconds (for clean-up that must not hang when Redis is gone). */
async function withTimeout(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}
