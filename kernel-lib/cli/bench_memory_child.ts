/**
 * One measurement of `bench memory`, in a fresh process so its peak RSS is this batch's alone:
 * `node --import tsx kernel-lib/cli/bench_memory_child.ts <config> <backend> <B> <N>` prints one JSON line with the
 * peak resident memory of sampling B molecules of N atoms (2 steps, random weights) and the planner's estimate.
 */
import { initBackend } from "../env";
import { CONFIG_PRESETS } from "../model/config";
import { createRandomModel } from "../model/model_io";
import { sample } from "../flow/sample";
import { estimateBatchBytes } from "../flow/memory_plan";
import { sampleParallel } from "../parallel/sample_parallel";
import { InferenceBackend } from "../parallel/network";

async function main(): Promise<void> {
  const [preset, backend, B, N] = [process.argv[2], process.argv[3] as InferenceBackend, Number(process.argv[4]), Number(process.argv[5])];
  const config = CONFIG_PRESETS[preset];
  if (!config) throw new Error(`unknown config: ${preset}`);
  await initBackend();
  const model = createRandomModel(config, { seed: 0 });
  // One batch of exactly B × N, whatever the budgets.
  const options = { sizes: new Array<number>(B).fill(N), steps: 2, batchCost: B * N, buckets: [N], memory: 1e15 };
  const result = backend === "onnx" ? await sampleParallel(model, { ...options, workers: 0, backend: "onnx" }) : await sample(model, options);
  if (result.batches !== 1) throw new Error(`expected one batch, got ${result.batches}`);
  const peak = process.resourceUsage().maxRSS * 1024;
  console.log(JSON.stringify({ config: preset, backend, B, N, peakBytes: peak, estimateBytes: estimateBatchBytes(config, { batch: B, atoms: N, backend }) }));
  model.generator.dispose();
}

main().catch((err) => {
  console.error((err as Error).message);
  process.exit(1);
});
