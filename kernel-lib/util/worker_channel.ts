/**
 * One request/response channel to a worker thread that keeps state between requests: the sampling workers (a model
 * and its backend per thread, fed batches) and the gradient workers (a model replica and the training data per
 * thread, fed parameters and molecule indices) both use it.
 *
 * Why not piscina, which runs the scoring pool (metrics/worker_pool.ts)? Piscina's tasks go to whichever thread is
 * free and a thread that dies is silently replaced. These pools need the opposite: a fixed thread identity (per-thread
 * CPU accounting, the thread named in errors and in a queue job's record), a start that waits until every thread has
 * built its model (timings and Ctrl-C during the start stay clean), and a run that stops when any thread dies rather
 * than rebuilding a model behind the caller's back. That is a small protocol, kept here once:
 *
 * - the worker ({@link serveRequests}) posts `ready` once its state is built (or `failed` with the error);
 * - each request carries an id; the worker answers it with the result (plus a transfer list) or the error's message
 *   and stack, which the caller receives as a {@link WorkerError} naming the thread and the work (`on batch 3`);
 * - a thread that crashes or exits rejects its pending requests and tells the death listeners; `terminate()` stops it.
 */
import { parentPort, Transferable, Worker } from "node:worker_threads";
import { startTsWorker } from "./ts_worker";

/** An error from a worker thread: thrown by the request's handler, or the thread's death. */
export class WorkerError extends Error {
  /**
   * @param workerStack the stack inside the worker (the error's origin), when known.
   * @param died true when the thread crashed or exited (it serves no further requests).
   */
  constructor(message: string, readonly workerStack: string | undefined, readonly died: boolean) {
    super(message);
    this.name = "WorkerError";
  }
}

/** What {@link openWorkerChannel} needs besides the module. */
export interface WorkerChannelOptions {
  /** The thread's name in errors, e.g. `sampling worker 0`. */
  label: string;
  /** The worker's start data (`workerData` there; structured-cloned, SharedArrayBuffers shared). */
  workerData?: unknown;
}

/** Per-request options of {@link WorkerChannel.request}. */
export interface RequestOptions {
  /** Buffers moved to the worker rather than copied (unusable here afterwards). */
  transfer?: readonly Transferable[];
  /** The work, for errors: `batch 3` gives "sampling worker 0 failed on batch 3: …". */
  what?: string;
}

type ToWorker<Req> = { id: number; request: Req };
type FromWorker<Res> =
  | { kind: "ready" }
  | { kind: "failed"; message: string; stack: string | undefined }
  | { kind: "result"; id: number; result: Res }
  | { kind: "error"; id: number; message: string; stack: string | undefined };

interface Pending<Res> {
  resolve: (r: Res) => void;
  reject: (e: WorkerError) => void;
  what: string | undefined;
}

/** The main thread's end of a worker thread started with {@link openWorkerChannel}. */
export class WorkerChannel<Req, Res> {
  /** Resolves when the worker has built its state; rejects if it fails or dies first. */
  readonly ready: Promise<void>;
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending<Res>>();
  private readonly deathListeners = new Set<(err: WorkerError) => void>();
  private readonly exit: Promise<void>;
  private nextId = 0;
  private death: WorkerError | undefined;
  private hasExited = false;
  private terminating = false;

  /** @internal use {@link openWorkerChannel}. */
  constructor(file: string, readonly options: WorkerChannelOptions) {
    const label = options.label;
    this.worker = startTsWorker(file, options.workerData);
    let markReady!: () => void;
    let failStart!: (e: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => ((markReady = resolve), (failStart = reject)));
    // A start failure nobody awaits (the pool already gave up on another thread) must not end the process.
    this.ready.catch(() => undefined);
    let markExited!: () => void;
    this.exit = new Promise<void>((r) => (markExited = r));
    this.worker.on("message", (msg: FromWorker<Res>) => {
      switch (msg.kind) {
        case "ready":
          return markReady();
        case "failed":
          return failStart(new WorkerError(`${label} failed to start: ${msg.message}`, msg.stack, false));
        case "result":
        case "error": {
          const p = this.pending.get(msg.id);
          if (!p) return;
          this.pending.delete(msg.id);
          if (msg.kind === "result") p.resolve(msg.result);
          else p.reject(new WorkerError(`${label} failed${p.what ? ` on ${p.what}` : ""}: ${msg.message}`, msg.stack, false));
        }
      }
    });
    const die = (why: string, stack?: string) => {
      if (this.death) return;
      this.death = new WorkerError(`${label} ${why}`, stack, true);
      failStart(new WorkerError(`${label} ${why} while starting`, stack, true));
      for (const p of this.pending.values()) p.reject(new WorkerError(`${this.death.message}${p.what ? ` while running ${p.what}` : ""}`, stack, true));
      this.pending.clear();
      if (!this.terminating) for (const listener of this.deathListeners) listener(this.death);
    };
    this.worker.on("error", (err) => die(`crashed: ${err.message}`, err.stack));
    this.worker.on("exit", (code) => {
      this.hasExited = true;
      die(this.terminating ? "was terminated" : `exited with code ${code}`);
      markExited();
    });
  }

  /** True once the thread has exited (crashed, exited or terminated). */
  get exited(): boolean {
    return this.hasExited;
  }

  /**
   * Send one request; resolves with the worker's result.
   * @throws {WorkerError} the handler's error (message and worker stack), or the thread's death while it ran.
   * @example
   * const r = await channel.request({ params, indices }, { transfer: [params.buffer], what: "step 3" });
   */
  request(request: Req, options: RequestOptions = {}): Promise<Res> {
    if (this.death) return Promise.reject(this.death);
    const id = this.nextId++;
    return new Promise<Res>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, what: options.what });
      this.worker.postMessage({ id, request } satisfies ToWorker<Req>, options.transfer ? [...options.transfer] : undefined);
    });
  }

  /** Call `listener` once if the thread crashes or exits on its own (not on `terminate()`); returns the unsubscribe. */
  onDeath(listener: (err: WorkerError) => void): () => void {
    this.deathListeners.add(listener);
    return () => this.deathListeners.delete(listener);
  }

  /** Stop the thread (pending requests reject) and wait until it has exited. Idempotent. */
  async terminate(): Promise<void> {
    this.terminating = true;
    if (!this.hasExited) await this.worker.terminate();
    await this.exit;
  }
}

/**
 * Start a worker thread running the TypeScript module `file`, which calls {@link serveRequests}.
 * @example
 * const channel = openWorkerChannel<GradientRequest, GradientResult>(file, { label: "gradient worker 0", workerData });
 * await channel.ready;
 */
export function openWorkerChannel<Req, Res>(file: string, options: WorkerChannelOptions): WorkerChannel<Req, Res> {
  return new WorkerChannel<Req, Res>(file, options);
}

/**
 * Start `count` workers and wait until all are ready; if one fails (or `stop` rejects first), terminate them all and
 * reject with that error.
 * @param optionsFor the label and start data of worker `id`.
 * @example
 * const pool = await openWorkerChannels(2, file, (id) => ({ label: `gradient worker ${id}`, workerData: { ...init, id } }));
 */
export async function openWorkerChannels<Req, Res>(
  count: number,
  file: string,
  optionsFor: (id: number) => WorkerChannelOptions,
  stop?: Promise<never>,
): Promise<WorkerChannel<Req, Res>[]> {
  const channels = Array.from({ length: count }, (_, id) => openWorkerChannel<Req, Res>(file, optionsFor(id)));
  try {
    const ready = Promise.all(channels.map((c) => c.ready));
    await (stop ? Promise.race([ready, stop]) : ready);
  } catch (err) {
    await Promise.all(channels.map((c) => c.terminate()));
    throw err;
  }
  return channels;
}

/** A result plus the buffers to move (not copy) back to the main thread. */
export interface TransferredResult<Res> {
  readonly [TRANSFER]: readonly Transferable[];
  readonly value: Res;
}

const TRANSFER = Symbol("transfer");

/**
 * Return `value` from a request handler with `transfer` moved, not copied, to the main thread.
 * @example
 * return withTransfer(gradients, [gradients.grads.buffer]);
 */
export function withTransfer<Res>(value: Res, transfer: readonly Transferable[]): TransferredResult<Res> {
  return { [TRANSFER]: transfer, value };
}

/** A request handler: the result, a {@link withTransfer} result, or a promise of either. */
export type RequestHandler<Req, Res> = (request: Req) => Res | TransferredResult<Res> | Promise<Res | TransferredResult<Res>>;

/**
 * The worker's end: build the state with `start` (once), answer `ready`, then answer each request with `handler`'s
 * result or error, in arrival order. A start failure is reported to the main thread (the channel's `ready` rejects).
 * @example
 * serveRequests(async () => { const model = await build(); return (req: Req) => run(model, req); });
 */
export function serveRequests<Req, Res>(start: () => RequestHandler<Req, Res> | Promise<RequestHandler<Req, Res>>): void {
  const port = parentPort;
  if (!port) throw new Error("serveRequests runs in a worker thread; start the module with openWorkerChannel");
  const post = (msg: FromWorker<Res>, transfer?: readonly Transferable[]) => port.postMessage(msg, transfer ? [...transfer] : undefined);
  Promise.resolve()
    .then(start)
    .then(
      (handler) => {
        port.on("message", async ({ id, request }: ToWorker<Req>) => {
          try {
            const out = await handler(request);
            if (out !== null && typeof out === "object" && TRANSFER in out) {
              const t = out as TransferredResult<Res>;
              post({ kind: "result", id, result: t.value }, t[TRANSFER]);
            } else post({ kind: "result", id, result: out as Res });
          } catch (err) {
            const e = err as Error;
            post({ kind: "error", id, message: e?.message ?? String(err), stack: e?.stack });
          }
        });
        post({ kind: "ready" });
      },
      (err) => {
        const e = err as Error;
        post({ kind: "failed", message: e?.message ?? String(err), stack: e?.stack });
      },
    );
}
