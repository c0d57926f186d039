/**
 * `molcache worker --queue redis://host:port [--model <dir>] [--backend onnx] [--workers k]`: serve the batches of
 * `molcache sample --queue …` runs (see distributed/queue_worker.ts). Start as many as you like, on any machines that
 * reach the Redis server; stop with Ctrl-C (unfinished batches are picked up by the other workers).
 */
import { Command } from "commander";
import { initBackend } from "../env";
import { runQueueWorker } from "../distributed/queue_worker";
import { parseQueueUrl } from "../distributed/queue_url";
import { InferenceBackend } from "../parallel/network";
import type { TestFault } from "../parallel/sample_worker";
import { backendOption, integerOption, modelOption } from "./options";
import { resolveModelArgument } from "./model_argument";

/** Options of {@link runWorkerCommand} (the parsed command line). */
export interface WorkerCommandOptions {
  queue: string;
  model?: string;
  backend: InferenceBackend;
  workers: number;
  lockSeconds: number;
  quiet?: boolean;
}

/**
 * For tests only: `MOLCACHE_TEST_FAULT=throw:<batch>` makes this worker's threads fail on that batch (a poisoned batch).
 */
function testFaultFromEnv(): TestFault | undefined {
  const m = /^(throw|exit|crash):(\d+)$/.exec(process.env.MOLCACHE_TEST_FAULT ?? "");
  return m ? { kind: m[1] as TestFault["kind"], batch: Number(m[2]) } : undefined;
}

/** Run `molcache worker` with the parsed command line until SIGINT/SIGTERM (exported for tests). */
export async function runWorkerCommand(opts: WorkerCommandOptions): Promise<void> {
  parseQueueUrl(opts.queue);
  const { workers, lockSeconds, backend } = opts;
  await initBackend();
  const model = resolveModelArgument(opts.model);
  try {
    await runQueueWorker(model, { queue: opts.queue, workers, backend, lockSeconds, quiet: opts.quiet, testFault: testFaultFromEnv() });
  } finally {
    model.generator.dispose();
  }
}

/**
 * Register the `worker` subcommand on `program`.
 * @example
 * registerWorkerCommand(new Command()); // then: molcache worker --queue redis://127.0.0.1:6379 --workers 2
 */
export function registerWorkerCommand(program: Command): void {
  program
    .command("worker")
    .description("serve the batches of `molcache sample --queue` runs from a Redis queue (start any number, anywhere)")
    .requiredOption("--queue <redis-url>", "the Redis server of the queue, e.g. redis://127.0.0.1:6379")
    .addOption(modelOption({ description: "model folder, or random:<preset>[:seed]; must be the run's model (checked by content hash)" }))
    .addOption(backendOption({ description: "inference backend: tfjs, or onnx; must be the run's --backend", default: "tfjs" }))
    .addOption(integerOption("--workers <k>", "sampling threads in this process, one batch each", { min: 1, default: 1 }))
    .addOption(integerOption("--lock-seconds <s>", "job lock time: a killed worker's batch is retried after about 1-2x this", { min: 1, default: 30 }))
    .option("--quiet", "no log lines")
    .action(async (opts: WorkerCommandOptions) => {
      try {
        await runWorkerCommand(opts);
      } finally {
        // Connections still retrying a gone Redis must not keep a stopped worker alive (the exit code is already set).
        setTimeout(() => process.exit(), 1000).unref();
      }
    });
}
