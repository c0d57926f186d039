/**
 * `molcache sample --queue redis://…`: the producer of a distributed run. It walks the streamed batch plan, keeps a
 * bounded window of batches in the queue (one BullMQ job each, id `<run>-<batch>`), and writes finished batches in
 * plan order to the resumable output, so the file is byte-identical to a local run's. Everything it knows is in the
 * run manifest and in Redis: killed and restarted with `--resume`, it re-adds its window (existing ids are kept, not
 * duplicated) and picks up finished results. A job lost with Redis's data is added again; a job that failed its
 * attempts fails the run, naming the batch, with every finished batch kept.
 */
import { Job, Queue, QueueEvents } from "bullmq";
import { resolveSampleOptions, SampleOptions } from "../flow/sample";
import { PlannedBatch } from "../data/plan_stream";
import { LoadedModel } from "../model/model_io";
import { InferenceBackend } from "../parallel/network";
import { ResumableOutput, RunIdentity } from "../flow/resumable_output";
import { checkRedisReachable, parseQueueUrl, SAMPLE_QUEUE_NAME } from "./queue_url";
import { jobId, runId, SampleJobData, SampleJobResult } from "./sample_job";
import { LiveWorkers } from "./heartbeat";

/** Options of {@link sampleOnQueue}. */
export interface QueueRunOptions {
  /** `redis://host:port`. */
  queue: string;
  /** The run's identity (recorded in the manifest; its hash names the jobs). */
  identity: RunIdentity;
  /** Sampling options (n, steps, grid, cache as a spec string, seed, batchCost; `start` from the output). */
  sample: Partial<SampleOptions> & { cache: string; steps: number; grid: "log" | "linear"; seed: number };
  backend: InferenceBackend;
  /** Jobs in the queue at once (default 64): bounded, whatever n is. */
  window: number;
  /** Attempts per batch before the run fails (default 3). */
  attempts: number;
  /** Called as batches are written: molecules done (this attempt), their total, and a status suffix. */
  onProgress: ((done: number, total: number, status: string) => void) | undefined;
  /** Called with each written batch's job result (timings, for benchmarks). */
  onJobResult: ((r: SampleJobResult) => void) | undefined;
  /**
   * Milliseconds between checks of the oldest unfinished job when no job event arrives (default 500). A finished or
   * failed job wakes the producer at once (BullMQ's event stream); the checks only cover missed events (Redis restarts).
   */
  pollMs: number;
}

/** Defaults of {@link QueueRunOptions} that have one. */
export const DEFAULT_QUEUE_RUN_OPTIONS = { window: 64, attempts: 3, pollMs: 500, onProgress: undefined, onJobResult: undefined };

/**
 * BullMQ priorities (1 = first) that order batches by their compute cost, largest first: molecules × the largest
 * molecule's atoms squared (a batch is padded to its largest molecule; the network's cost grows with atom pairs).
 * @example
 * largestFirstPriorities([{ sizes: [9, 9] }, { sizes: [20, 19] }]); // [2, 1]
 */
export function largestFirstPriorities(batches: readonly Pick<PlannedBatch, "sizes">[]): number[] {
  const cost = batches.map((b) => b.sizes.length * Math.max(0, ...b.sizes) ** 2);
  const order = cost.map((_, i) => i).sort((a, b) => cost[b] - cost[a] || a - b);
  const priority = new Array<number>(batches.length);
  order.forEach((i, rank) => (priority[i] = rank + 1));
  return priority;
}

/** What a distributed run reports. */
export interface QueueRunResult {
  /** Batches and molecules written by this attempt. */
  batches: number;
  molecules: number;
  wallSeconds: number;
  /** Times a batch's job or result was missing (lost with Redis's data) and the batch was queued again. */
  requeued: number;
  /** The run's id (job ids are `<run>-<batch>`). */
  run: string;
}


/**
 * Run the sampling plan on the queue's workers, writing batches in order to `output`.
 * @throws one line when Redis is unreachable or a batch fails `attempts` times (the finished batches stay in `output`).
 * @example
 * await sampleOnQueue(model, output, { queue: "redis://127.0.0.1:6379", identity, sample: { n: 1000, steps: 50, grid: "log", cache: "none", seed: 0 }, backend: "tfjs" });
 */
export async function sampleOnQueue(
  model: LoadedModel,
  output: ResumableOutput,
  options: Partial<QueueRunOptions> & Pick<QueueRunOptions, "queue" | "identity" | "sample" | "backend">,
): Promise<QueueRunResult> {
  const o = { ...DEFAULT_QUEUE_RUN_OPTIONS, ...options };
  if (!(Number.isInteger(o.window) && o.window >= 1)) throw new Error(`invalid --window: ${o.window}; must be an integer >= 1`);
  if (!(Number.isInteger(o.attempts) && o.attempts >= 1)) throw new Error(`invalid --attempts: ${o.attempts}; must be an integer >= 1`);
  const resolved = resolveSampleOptions(model, { ...o.sample, start: output.start, keepMolecules: false });
  const connection = parseQueueUrl(o.queue);
  await checkRedisReachable(o.queue, connection);
  const run = runId(o.identity);
  const queue = new Queue<SampleJobData, SampleJobResult>(SAMPLE_QUEUE_NAME, { connection });
  let lastError = 0;
  queue.on("error", (err) => {
    if (Date.now() - lastError > 5000) process.stderr.write(`molcache: queue connection: ${err.message} (retrying)\n`);
    lastError = Date.now();
  });
  // Woken by BullMQ's job events instead of polling Redis every few ms: polling cost the producer ~5% of a core,
  // taken from the workers when they share its machine.
  const events = new QueueEvents(SAMPLE_QUEUE_NAME, { connection });
  events.on("error", () => undefined); // the queue connection reports connection trouble
  let wake: (() => void) | undefined;
  let pending = false; // an event came while the producer was not waiting: do not wait for the next one
  const nudge = () => (wake ? wake() : (pending = true));
  events.on("completed", nudge);
  events.on("failed", nudge);
  const waitForEvent = (ms: number) => new Promise<void>((resolve) => {
    if (pending) return resolve();
    const timer = setTimeout(() => (wake = undefined, resolve()), ms);
    wake = () => {
      wake = undefined;
      clearTimeout(timer);
      resolve();
    };
  });
  const live = new LiveWorkers(connection);
  const plan = resolved.planStream();
  const first = plan.position().batch;
  let exhausted = false;
  const dataOf = (b: PlannedBatch): SampleJobData => ({
    run, batchIndex: b.batchIndex, indices: b.indices, sizes: b.sizes, seed: resolved.seed, steps: o.sample.steps, grid: o.sample.grid,
    cache: o.sample.cache, ...(resolved.solver !== "euler" ? { solver: resolved.solver } : {}), modelHash: o.identity.modelHash, backend: o.backend,
  });
  // The plan's last window goes largest batch first (BullMQ serves prioritized jobs after the plain FIFO ones), so a
  // run does not end with one worker computing a big batch while the others idle.
  const add = (batches: PlannedBatch[]) => {
    const last = exhausted ? largestFirstPriorities(batches) : undefined;
    return queue.addBulk(batches.map((b, i) => ({
      name: "batch", data: dataOf(b),
      opts: {
        jobId: jobId(run, b.batchIndex), attempts: o.attempts, backoff: { type: "fixed", delay: 500 }, removeOnComplete: false, removeOnFail: false,
        ...(last ? { priority: last[i] } : {}),
      },
    })));
  };
  const inflight: PlannedBatch[] = [];
  const refill = async () => {
    const added: PlannedBatch[] = [];
    while (!exhausted && inflight.length < o.window) {
      const b = plan.next();
      if (!b) exhausted = true;
      else {
        inflight.push(b);
        added.push(b);
      }
    }
    if (added.length) await add(added);
  };
  const start = performance.now();
  let molecules = 0;
  let batches = 0;
  let workersAlive = NaN;
  let requeued = 0;
  let lastCount = 0;
  const status = () => {
    const secs = (performance.now() - start) / 1000;
    return `${(molecules / Math.max(secs, 1e-9)).toFixed(2)} mol/s, ${Number.isNaN(workersAlive) ? "?" : workersAlive} workers alive`;
  };
  try {
    // A restarted producer: drop results it wrote before it was killed, and give failed batches new attempts.
    await events.waitUntilReady();
    await removeFinishedJobs(queue, run, first);
    await refill();
    for (const b of inflight) {
      const job = await queue.getJob(jobId(run, b.batchIndex));
      if (job && (await job.getState()) === "failed") await job.retry("failed", { resetAttemptsMade: true, resetAttemptsStarted: true });
    }
    o.onProgress?.(0, resolved.n, status());
    while (inflight.length) {
      if (Date.now() - lastCount > 2000) {
        lastCount = Date.now();
        workersAlive = await live.count().catch(() => NaN);
        o.onProgress?.(molecules, resolved.n, status());
      }
      const head = inflight[0];
      const id = jobId(run, head.batchIndex);
      // The state first, then the job: a job read first and found completed a moment later has no result in the
      // copy read (measured: one batch in ~30 computed again), while a completed job's hash always holds its result.
      pending = false;
      const state = await queue.getJobState(id);
      const job: Job<SampleJobData, SampleJobResult> | undefined = state === "completed" || state === "failed" ? await queue.getJob(id) : undefined;
      if (state === "unknown" || ((state === "completed" || state === "failed") && !job)) {
        requeued++;
        await add(inflight); // lost with Redis's data: add the window again (jobs that exist are kept as they are)
        continue;
      }
      if (state === "completed" && job) {
        const r = job.returnvalue;
        if (!r || typeof r.sdf !== "string" || r.molecules !== head.indices.length) {
          await job.remove().catch(() => undefined); // a result that did not survive: compute the batch again
          continue;
        }
        output.append(r.sdf, head.next, r.molecules);
        inflight.shift();
        molecules += r.molecules;
        batches++;
        o.onJobResult?.(r);
        await job.remove().catch(() => undefined);
        o.onProgress?.(molecules, resolved.n, status());
        await refill();
        continue;
      }
      if (state === "failed" && job) {
        throw new Error(`batch ${head.batchIndex} (job ${id}) failed ${job.attemptsMade} time(s), the last with: ${job.failedReason}`);
      }
      await waitForEvent(o.pollMs);
    }
    await removeFinishedJobs(queue, run, Infinity); // every batch is written: leave nothing of this run in Redis
  } finally {
    live.close();
    await events.close();
    await queue.close();
  }
  return { batches, molecules, wallSeconds: (performance.now() - start) / 1000, requeued, run };
}

/**
 * Remove a run's finished jobs (completed or failed) of the batches before `before`: written already, whatever window
 * the run had when it was killed. Reads the ids only (not the ~100 KB results).
 */
async function removeFinishedJobs(queue: Queue, run: string, before: number): Promise<void> {
  for (const id of await queue.getRanges(["completed", "failed"], 0, -1)) {
    const batch = id.startsWith(`${run}-`) ? Number(id.slice(run.length + 1)) : NaN;
    if (Number.isInteger(batch) && batch < before) await queue.remove(id).catch(() => undefined);
  }
}
