/**
 * Child process for sigint.test.ts: a long parallel run on two workers that prints one line per delivered batch,
 * then, once stopped, the error and the number of live workers. It never calls process.exit: the process must end
 * on its own, which it does only if no worker thread is left.
 */
import { initBackend } from "../../kernel-lib/env";
import { TINY_CONFIG } from "../../kernel-lib/model/config";
import { createRandomModel } from "../../kernel-lib/model/model_io";
import { SamplingPool } from "../../kernel-lib/parallel/sampling_pool";

async function main(): Promise<void> {
  await initBackend();
  const model = createRandomModel(TINY_CONFIG, { seed: 1 });
  const pool = await SamplingPool.start(model, { workers: 2 });
  console.log(`started ${pool.liveWorkers()} workers`);
  try {
    await pool.sample({
      n: 400, steps: 50, seed: 0, batchCost: 36, buckets: [12], sizeHistogram: { 8: 1, 12: 1 },
      onBatch: (_m, idx) => console.log(`batch of ${idx.length} delivered`),
    });
    console.log("finished without interruption");
  } catch (err) {
    console.log(`stopped: ${(err as Error).message}`);
    console.log(`live=${pool.liveWorkers()}`);
    process.exitCode = 130;
  } finally {
    model.generator.dispose();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
