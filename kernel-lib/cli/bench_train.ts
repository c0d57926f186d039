/**
 * `molcache bench train`: training throughput (molecules per second, gradient + AMSGrad/EMA update) on batches of
 * 64 QM9 molecules of 18 atoms, for the tiny, small and default configs, with 1 gradient worker and with one per
 * core (data parallel, gradients averaged). Reference (PyTorch on the 2-core machine): about 79 molecules/s (tiny)
 * and 31 molecules/s (small).
 */
import * as os from "node:os";
import { Command } from "commander";
import { loadQm9Split } from "../data/dataset";
import { initBackend } from "../env";
import { countParameters } from "../model/parameter_shapes";
import { CONFIG_PRESETS, SemlaConfig } from "../model/config";
import { initParams } from "../model/init";
import { amsGradStep, DEFAULT_AMSGRAD, emaUpdate, initAmsGrad } from "../train/amsgrad";
import { DEFAULT_GRADIENT_OPTIONS } from "../train/gradients";
import { requestGradients, startGradientWorkers } from "../train/trainer";
import { writeFileAtomic } from "../util/atomic_write";
import { defaultWorkerCount } from "../util/ts_worker";
import { Rng } from "../util/rng";
import type { BenchDefinition } from "./bench";
import { formatTable, median, toCsv } from "./bench_format";
import { QM9_DEFAULT_CONFIG } from "./train";
import { integerOption } from "./options";

const PYTORCH_MOL_PER_S: Record<string, number> = { tiny: 79, small: 31 };

/** One measured row. */
export interface TrainTiming {
  config: string;
  parameters: number;
  workers: number;
  msPerStep: number;
  moleculesPerSecond: number;
  pytorchMoleculesPerSecond: number | "";
}

/** Time `steps` optimiser steps of `config` on `batch` molecules of `atoms` atoms with `workers` workers. */
export async function benchTrain(name: string, config: SemlaConfig, o: { workers: number; steps: number; warmup: number; batch: number; atoms: number }): Promise<TrainTiming> {
  await initBackend(); // the main thread's parameter copy and optimiser run on molcache's backend too
  const data = await loadQm9Split("train", { limit: 20000, sharedMemory: true });
  const indices: number[] = [];
  data.sizes.forEach((n, i) => { if (n === o.atoms && indices.length < o.batch) indices.push(i); });
  if (indices.length < o.batch) throw new Error(`only ${indices.length} training molecules of ${o.atoms} atoms in the first 20,000`);
  const pool = await startGradientWorkers(o.workers, { seed: 0, config, packed: data.packed, gradientOptions: DEFAULT_GRADIENT_OPTIONS });
  const store = initParams(config, new Rng(0));
  const params = store.flatten();
  store.dispose();
  const ema = params.slice();
  const opt = initAmsGrad(params.length);
  const times: number[] = [];
  try {
    for (let step = 0; step < o.warmup + o.steps; step++) {
      const start = performance.now();
      const replies = await requestGradients(pool, step, params, indices);
      const grads = new Float32Array(params.length);
      for (const r of replies) for (let i = 0; i < grads.length; i++) grads[i] += (r.molecules / o.batch) * r.grads[i];
      amsGradStep(params, grads, opt, DEFAULT_AMSGRAD);
      emaUpdate(ema, params, 0.999);
      if (step >= o.warmup) times.push(performance.now() - start);
    }
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  const ms = median(times);
  return {
    config: name, parameters: countParameters(config), workers: o.workers, msPerStep: ms,
    moleculesPerSecond: o.batch / (ms / 1000), pytorchMoleculesPerSecond: PYTORCH_MOL_PER_S[name] ?? "",
  };
}

/** The `bench train` definition. */
export const TRAIN_BENCH: BenchDefinition = {
  description: "training molecules/s (64 × 18-atom QM9 batches) for tiny, small and default configs, 1 and all workers",
  configure(cmd: Command) {
    cmd
      .option("--configs <list>", "configs to time", "tiny,small,default")
      .addOption(integerOption("--steps <n>", "timed steps per row", { min: 1, default: 4 }))
      .addOption(integerOption("--warmup <n>", "untimed steps first", { min: 0, default: 1 }))
      .option("--out <file>", "also write the table as CSV")
      .action(async (opts: { configs: string; steps: number; warmup: number; out?: string }) => {
        const rows: TrainTiming[] = [];
        const cores = defaultWorkerCount();
        for (const name of String(opts.configs).split(",")) {
          const config = name === "default" ? QM9_DEFAULT_CONFIG : CONFIG_PRESETS[name];
          if (!config) throw new Error(`unknown config: ${name}; use default or ${Object.keys(CONFIG_PRESETS).join(", ")}`);
          for (const workers of [...new Set([1, cores])]) {
            rows.push(await benchTrain(name, config, { workers, steps: opts.steps, warmup: opts.warmup, batch: 64, atoms: 18 }));
            console.error(`bench train: ${name} × ${workers} worker(s) done`);
          }
        }
        const header = ["config", "parameters", "workers", "ms/step", "molecules/s", "PyTorch molecules/s", "vs PyTorch"];
        const table = [header, ...rows.map((r) => [r.config, String(r.parameters), String(r.workers), r.msPerStep.toFixed(0),
          r.moleculesPerSecond.toFixed(1), String(r.pytorchMoleculesPerSecond),
          r.pytorchMoleculesPerSecond ? (r.moleculesPerSecond / r.pytorchMoleculesPerSecond).toFixed(2) + "×" : ""])];
        console.log(formatTable(table));
        console.log(`load average ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
        if (opts.out) writeFileAtomic(opts.out, toCsv(table));
      });
  },
};
