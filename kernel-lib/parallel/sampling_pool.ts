/**
 * A pool of sampling workers: worker threads, each with its own backend and model copy (the parameters are sent
 * once, in shared memory), fed the run's size-bucketed batches one at a time as they become free. Results come back
 * in any order and are delivered in batch order (`onBatch`, `onProgress`), and every batch's randomness derives
 * from (seed, batch index), so the molecules do not depend on the number of workers.
 *
 * Failure: a worker that throws, crashes or exits stops the run; the pool terminates every worker and rejects with a
 * {@link SamplingError} naming the worker, the batch and the error, and holding the molecules already delivered.
 * Ctrl-C (SIGINT) during a run does the same (`interrupted: true`). A failed pool is closed.
 */
import * as path from "node:path";
import { CachedBackbone } from "../cache/cached_backbone";
import { Molecule } from "../chem/molecule";
import { BatchPlanStream, PlannedBatch } from "../data/plan_stream";
import { initBackend } from "../env";
import { callsPerBatch, resolveSampleOptions, SampleOptions, SampleResult } from "../flow/sample";
import { timeGrid } from "../flow/time_grid";
import { LoadedModel } from "../model/model_io";
import { attachedObservers } from "../model/observers";
import { openWorkerChannels, WorkerChannel, WorkerError } from "../util/worker_channel";
import { createNetwork, Network, shareParameters } from "./network";
import { ResolvedSamplingPoolOptions, resolveSamplingPoolOptions, SamplingPoolOptions } from "./pool_options";
import { BatchResult, BatchTask, runBatch } from "./run_batch";
import type { RunSettings, SampleWorkerInit, SampleWorkerRequest } from "./sample_worker";

/** Options of one run on a pool: the options of `sample()` plus a stop signal. */
export interface PoolRunOptions extends SampleOptions {
  /** Aborting it stops the run like Ctrl-C (workers terminated, the run rejects). */
  signal: AbortSignal | undefined;
}

/** What a parallel run returns: `sample()`'s result plus how it ran. */
export interface ParallelSampleResult extends SampleResult {
  /** Worker threads used (0 = the calling thread). */
  workers: number;
  /** Inference backend. */
  backend: string;
  /** Largest resident set size of the process seen during the run, bytes (every thread together). */
  peakRssBytes: number;
  /**
   * On-CPU seconds of each worker thread over its batches (one entry for the calling thread with `workers: 0`): the
   * work, apart from other processes' load. The largest is the run's critical path on otherwise idle cores.
   */
  workerCpuSeconds: number[];
  /** Seconds each worker waited, runnable, for a CPU (other processes' load; NaN where the kernel does not say). */
  workerWaitSeconds: number[];
}

/** What {@link SamplingPool.runTask} returns: the batch's result, which thread ran it and when (epoch ms). */
export interface TaskRun extends BatchResult {
  thread: number;
  /** When the batch was handed to the thread, and when its result came back. */
  dispatchedAt: number;
  returnedAt: number;
}

/** A failed or interrupted run. The molecules delivered before the failure are kept in `molecules`. */
export class SamplingError extends Error {
  /**
   * @param molecules the run's molecules by index; only the delivered ones are filled.
   * @param delivered how many molecules were delivered (`onBatch`) before the run stopped.
   */
  constructor(
    message: string,
    readonly molecules: (Molecule | undefined)[],
    readonly delivered: number,
    readonly interrupted: boolean,
    readonly workerStack?: string,
  ) {
    super(message);
    this.name = "SamplingError";
  }
}

interface PoolWorker {
  id: number;
  channel: WorkerChannel<SampleWorkerRequest, BatchResult>;
}

/**
 * A pool of sampling workers for one model, kept for several runs. Start with {@link SamplingPool.start};
 * {@link SamplingPool.close} when done.
 * @example
 * const pool = await SamplingPool.start(model, { workers: 2, backend: "onnx" });
 * try { const run = await pool.sample({ n: 256, steps: 100, cache: "taylor:m=2,D=3" }); } finally { await pool.close(); }
 */
export class SamplingPool {
  private workers: PoolWorker[] = [];
  private network: Network | undefined;
  private closed = false;
  private busy = false;
  private brokenReason: string | undefined;
  /** Worker threads running a {@link SamplingPool.runTask} batch, and the calls waiting for one. */
  private readonly taskThreads = new Set<number>();
  private readonly threadWaiters: (() => void)[] = [];

  private constructor(readonly model: LoadedModel, readonly options: ResolvedSamplingPoolOptions) {}

  /**
   * Start the workers (or, with `workers: 0`, the in-thread backend) and wait until each is ready.
   * @example
   * const pool = await SamplingPool.start(model, { workers: 2, backend: "onnx" });
   * try { const r = await pool.sample({ n: 64, seed: 0 }); } finally { await pool.close(); }
   */
  static async start(model: LoadedModel, options: Partial<SamplingPoolOptions> = {}): Promise<SamplingPool> {
    const pool = new SamplingPool(model, resolveSamplingPoolOptions(options));
    await pool.startWorkers();
    return pool;
  }

  /** Worker threads (0 = the calling thread runs the batches). */
  get size(): number {
    return this.options.workers;
  }

  /** Worker threads that have not exited yet. */
  liveWorkers(): number {
    return this.workers.filter((w) => !w.channel.exited).length;
  }

  private async startWorkers(): Promise<void> {
    const o = this.options;
    if (o.workers === 0) {
      await initBackend();
      this.network = createNetwork(this.model.generator, o.backend, o.onnx);
      return;
    }
    const parameters = shareParameters(this.model.generator);
    const init: SampleWorkerInit = {
      config: this.model.generator.config, parameters, coordStd: this.model.coordStd, backend: o.backend, onnx: o.onnx, testFault: o.testFault,
    };
    let stopOnSigint = () => undefined as void;
    const interrupted = new Promise<never>((_, reject) => {
      stopOnSigint = () => reject(new Error("sampling interrupted by Ctrl-C (SIGINT) while the workers were starting"));
    });
    if (o.handleSigint) process.once("SIGINT", stopOnSigint);
    try {
      const file = path.join(__dirname, "sample_worker.ts");
      const channels = await openWorkerChannels<SampleWorkerRequest, BatchResult>(
        o.workers, file, (id) => ({ label: `sampling worker ${id}`, workerData: init }), interrupted,
      );
      this.workers = channels.map((channel, id) => ({ id, channel }));
    } catch (err) {
      await this.close();
      throw err;
    } finally {
      process.removeListener("SIGINT", stopOnSigint);
    }
  }

  /**
   * Sample molecules on the pool: the same options, validation and result as `sample()`, plus `signal`.
   * Hooks registered on the model run only with `workers: 0`: functions cannot cross threads.
   * @throws {SamplingError} when a worker fails or the run is stopped (SIGINT or `signal`); the pool is then closed.
   */
  async sample(options: Partial<PoolRunOptions> = {}): Promise<ParallelSampleResult> {
    if (this.closed) throw new Error(`this sampling pool is closed${this.brokenReason ? ` (${this.brokenReason})` : ""}; start a new one`);
    if (this.busy) throw new Error("this sampling pool is already running a sample(); wait for it or start another pool");
    if (this.taskThreads.size) throw new Error("this sampling pool is running runTask() batches; wait for them or start another pool");
    const { signal, ...sampleOptions } = options;
    const o = resolveSampleOptions(this.model, sampleOptions);
    if (this.options.workers > 0) {
      if (attachedObservers(this.model.generator)) {
        throw new Error("hooks registered on this model cannot run in worker threads; remove them or use workers: 0");
      }
    }
    if (signal?.aborted) throw new SamplingError("sampling stopped before it started (signal aborted)", [], 0, true);
    const grid = timeGrid(o.steps, o.grid);
    const tasks = new TaskStream(o.planStream(), o.seed);
    const run: RunSettings = { steps: o.steps, grid: o.grid, cache: o.cacheConfig, solver: o.solver };
    const molecules: (Molecule | undefined)[] = o.keepMolecules ? new Array(o.n) : [];
    let delivered = 0;
    let networkCalls = 0;
    const stepsComputed: number[][] = [];
    let peakTensor = 0;
    let peakRss = process.memoryUsage.rss();
    const workerCpu = new Array<number>(Math.max(1, this.options.workers)).fill(0);
    const workerWait = new Array<number>(Math.max(1, this.options.workers)).fill(0);
    const account = (worker: number, r: BatchResult) => {
      workerCpu[worker] += r.threadCpuSeconds;
      workerWait[worker] += r.threadWaitSeconds;
    };
    const deliver = (r: BatchResult) => {
      networkCalls += r.networkCalls;
      stepsComputed.push(r.computedSteps);
      peakTensor = Math.max(peakTensor, r.peakTensorBytes);
      peakRss = Math.max(peakRss, r.peakRssBytes, process.memoryUsage.rss());
      if (o.keepMolecules) r.molecules.forEach((m, k) => (molecules[r.indices[k]] = m));
      o.onBatch?.(r.molecules, r.indices, tasks.planned(r.batchIndex));
      delivered += r.indices.length;
      o.onProgress?.(delivered, o.n);
    };
    this.busy = true;
    const start = performance.now();
    try {
      if (this.options.workers === 0) await this.runInThread(tasks, run, (r) => (account(0, r), deliver(r)), signal);
      else await this.runOnWorkers(tasks, run, deliver, account, signal);
    } catch (err) {
      const e = err as Error & { stack2?: string; interrupted?: boolean };
      await this.close(e.message);
      throw new SamplingError(
        `${e.message}; ${delivered} of ${o.n} molecules were delivered before the run stopped`,
        molecules, delivered, Boolean(e.interrupted), e.stack2,
      );
    } finally {
      this.busy = false;
    }
    const wallSeconds = (performance.now() - start) / 1000;
    const scheduleOwner = new CachedBackbone(this.model.generator, o.cacheConfig, grid.t);
    const callsPerRunBatch = callsPerBatch(scheduleOwner, o.solver, networkCalls, tasks.count);
    scheduleOwner.dispose();
    return {
      molecules: molecules as Molecule[],
      cache: o.cacheConfig,
      wallSeconds,
      networkCalls,
      effectiveSteps: callsPerRunBatch,
      stepsComputed,
      moleculesPerSecond: delivered / wallSeconds,
      peakTensorBytes: peakTensor,
      batches: tasks.count,
      workers: this.options.workers,
      backend: this.options.backend,
      peakRssBytes: peakRss,
      workerCpuSeconds: workerCpu,
      workerWaitSeconds: workerWait,
    };
  }

  private async runInThread(
    tasks: TaskStream,
    run: RunSettings,
    deliver: (r: BatchResult) => void,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const grid = timeGrid(run.steps, run.grid);
    const backbone = new CachedBackbone(this.network!.network, run.cache, grid.t);
    let interrupted = false;
    const onSigint = () => (interrupted = true);
    if (this.options.handleSigint) process.on("SIGINT", onSigint);
    try {
      for (let task = tasks.next(); task; task = tasks.next()) {
        if (interrupted || signal?.aborted) throw stopError(interrupted ? "SIGINT" : "signal");
        deliver(runBatch(backbone, grid, task, { coordStd: this.model.coordStd, solver: run.solver }));
        // Let the event loop run between batches (progress, Ctrl-C).
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (interrupted || signal?.aborted) throw stopError(interrupted ? "SIGINT" : "signal");
    } finally {
      backbone.dispose();
      process.removeListener("SIGINT", onSigint);
    }
  }

  private runOnWorkers(
    tasks: TaskStream,
    run: RunSettings,
    deliver: (r: BatchResult) => void,
    account: (worker: number, r: BatchResult) => void,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = new Map<number, BatchResult>();
      const running = new Set<number>(); // ids of the workers running a batch
      let nextToDeliver = tasks.first;
      let finished = false;
      const unsubscribe = this.workers.map((w) =>
        // A thread that dies between batches stops the run too (one that dies during a batch rejects that batch).
        w.channel.onDeath((err) => {
          if (!running.has(w.id)) fail(runError(err));
        }),
      );
      const cleanup = () => {
        finished = true;
        for (const off of unsubscribe) off();
        process.removeListener("SIGINT", onSigint);
        signal?.removeEventListener("abort", onAbort);
      };
      const fail = (err: Error & { stack2?: string; interrupted?: boolean }) => {
        if (finished) return;
        cleanup();
        reject(err);
      };
      const onSigint = () => fail(stopError("SIGINT"));
      const onAbort = () => fail(stopError("signal"));
      const feed = (w: PoolWorker) => {
        const task = tasks.next();
        if (!task) return;
        running.add(w.id);
        w.channel.request({ run, task }, { what: `batch ${task.batchIndex}` }).then(
          (result) => onResult(w, result),
          (err: WorkerError) => fail(runError(err)),
        );
      };
      const onResult = (w: PoolWorker, result: BatchResult) => {
        if (finished) return;
        running.delete(w.id);
        account(w.id, result);
        done.set(result.batchIndex, result);
        try {
          // `finished` turns true inside `deliver` when a callback aborts the run: deliver nothing after that.
          while (!finished && done.has(nextToDeliver)) {
            const r = done.get(nextToDeliver)!;
            done.delete(nextToDeliver++);
            deliver(r);
          }
        } catch (err) {
          fail(Object.assign(new Error(`onBatch/onProgress threw: ${(err as Error).message}`), { stack2: (err as Error).stack }));
          return;
        }
        if (finished) return;
        feed(w);
        if (tasks.exhausted && nextToDeliver === tasks.first + tasks.count) {
          cleanup();
          resolve();
        }
      };
      if (this.options.handleSigint) process.on("SIGINT", onSigint);
      signal?.addEventListener("abort", onAbort);
      for (const w of this.workers) {
        if (w.channel.exited) return fail(new Error(`sampling worker ${w.id} is not running`));
        feed(w);
      }
      if (tasks.exhausted && tasks.count === 0) {
        cleanup();
        resolve();
      }
    });
  }

  /**
   * Run one batch on the next free worker thread (for callers that schedule batches themselves, such as a queue
   * worker). Calls beyond the thread count wait, first come first served, so a caller can hand over the next batch
   * before the current one ends and keep the threads busy. The batch gives the same molecules as in a whole run.
   * @throws when the pool is closed or running a whole `sample()`, or the batch fails (a thread that dies is not
   *   replaced: the pool is then broken and should be closed).
   * @example
   * const r = await pool.runTask({ steps: 20, grid: "log", cache: parseCacheSpec("none") }, { batchIndex: 3, indices, sizes, seed: 0 });
   */
  async runTask(run: RunSettings, task: BatchTask): Promise<TaskRun> {
    if (this.closed) throw new Error(`this sampling pool is closed${this.brokenReason ? ` (${this.brokenReason})` : ""}`);
    if (this.busy) throw new Error("this sampling pool is running a sample(); runTask needs a pool of its own");
    let w = this.workers.find((x) => !x.channel.exited && !this.taskThreads.has(x.id));
    while (!w) {
      if (this.liveWorkers() === 0) throw new Error(`no live sampling worker (${this.options.workers} threads, all exited)`);
      await new Promise<void>((resolve) => this.threadWaiters.push(resolve));
      if (this.closed) throw new Error(`this sampling pool is closed${this.brokenReason ? ` (${this.brokenReason})` : ""}`);
      w = this.workers.find((x) => !x.channel.exited && !this.taskThreads.has(x.id));
    }
    const thread = w;
    this.taskThreads.add(thread.id);
    const dispatchedAt = Date.now();
    try {
      const r = await thread.channel.request({ run, task }, { what: `batch ${task.batchIndex}` });
      return { ...r, thread: thread.id, dispatchedAt, returnedAt: Date.now() };
    } catch (err) {
      throw runError(err as WorkerError);
    } finally {
      this.taskThreads.delete(thread.id);
      this.threadWaiters.shift()?.();
    }
  }

  /**
   * Terminate every worker and wait until all have exited (idempotent). Molecules already delivered stay delivered.
   * @param reason recorded for later calls on the closed pool.
   */
  async close(reason?: string): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.brokenReason = reason;
    }
    this.network?.dispose();
    this.network = undefined;
    for (const wake of this.threadWaiters.splice(0)) wake();
    await Promise.all(this.workers.map((w) => w.channel.terminate()));
  }
}

/** A worker's error as the run's: its message (thread and batch named) and the worker's stack as `stack2`. */
function runError(err: WorkerError): Error & { stack2?: string } {
  return Object.assign(new Error(err.message), { stack2: err.workerStack });
}

function stopError(by: "SIGINT" | "signal"): Error & { interrupted: boolean } {
  return Object.assign(new Error(by === "SIGINT" ? "sampling interrupted by Ctrl-C (SIGINT); workers stopped" : "sampling stopped by its abort signal; workers stopped"), { interrupted: true });
}

/**
 * The run's batches as worker tasks, drawn from the plan stream as workers become free; the planned batches not yet
 * delivered are kept (for `onBatch`), so memory holds only the batches in flight.
 */
class TaskStream {
  /** Index of the first batch of this run (0, or where a resumed plan starts). */
  readonly first: number;
  /** Batches handed out so far. */
  count = 0;
  /** True once the plan has no more batches. */
  exhausted = false;
  private readonly pending = new Map<number, PlannedBatch>();

  constructor(private readonly plan: BatchPlanStream, private readonly seed: number) {
    this.first = plan.position().batch;
  }

  /** The next task, or undefined when the plan is done. */
  next(): BatchTask | undefined {
    const b = this.plan.next();
    if (!b) {
      this.exhausted = true;
      return undefined;
    }
    this.count++;
    this.pending.set(b.batchIndex, b);
    return { batchIndex: b.batchIndex, indices: b.indices, sizes: b.sizes, seed: this.seed };
  }

  /** The planned batch of a delivered task (forgotten after this call). */
  planned(batchIndex: number): PlannedBatch {
    const b = this.pending.get(batchIndex)!;
    this.pending.delete(batchIndex);
    return b;
  }
}
