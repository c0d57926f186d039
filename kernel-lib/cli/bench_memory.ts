/**
 * `molcache bench memory`: peak resident memory of sampling one batch against the planner's estimate
 * (`flow/memory_plan.ts`), per backend, each batch in a fresh process. Default: the GEOM-Drugs config at 16 × 44
 * and 2 × 120 atoms and one 180-atom molecule, on TF.js and ONNX.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { Command } from "commander";
import type { BenchDefinition } from "./bench";
import { formatTable } from "./bench_format";
import { INFERENCE_BACKENDS, InferenceBackend } from "../parallel/network";
import { choiceArg, listOption } from "./options";

/** One measured batch. */
export interface MemoryMeasurement {
  config: string;
  backend: string;
  B: number;
  N: number;
  peakBytes: number;
  estimateBytes: number;
}

/**
 * Measure one batch in a child process.
 * @example
 * const m = measureBatchMemory({ config: "geom-drugs", backend: "onnx", B: 16, N: 44 }); m.peakBytes / m.estimateBytes;
 */
export function measureBatchMemory(batch: Pick<MemoryMeasurement, "config" | "backend" | "B" | "N">): MemoryMeasurement {
  const { config, backend, B, N } = batch;
  const child = path.join(__dirname, "bench_memory_child.ts");
  const r = spawnSync(process.execPath, ["--import", "tsx", child, config, backend, String(B), String(N)], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`memory measurement ${config} ${backend} ${B}x${N} failed: ${(r.stderr || "").trim().split("\n").pop()}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

/** The `bench memory` subcommand. */
export const MEMORY_BENCH: BenchDefinition = {
  description: "peak RSS of sampling one batch vs the memory planner's estimate (GEOM-Drugs config, both backends)",
  configure(cmd: Command) {
    cmd
      .option("--config <preset>", "model config preset", "geom-drugs")
      .option("--batches <list>", "BxN batches, comma-separated", "16x44,2x120,1x180")
      .addOption(listOption("--backends <list>", "backends, comma-separated", choiceArg("--backends", INFERENCE_BACKENDS), INFERENCE_BACKENDS))
      .action((opts: { config: string; batches: string; backends: InferenceBackend[] }) => {
        const rows: string[][] = [["backend", "batch", "peak RSS MB", "estimate MB", "peak / estimate"]];
        for (const backend of opts.backends) {
          for (const spec of opts.batches.split(",")) {
            const m = /^(\d+)x(\d+)$/.exec(spec.trim());
            if (!m) throw new Error(`invalid batch: ${spec}; use BxN, e.g. 16x44`);
            process.stderr.write(`measuring ${backend} ${spec} …\n`);
            const r = measureBatchMemory({ config: opts.config, backend, B: Number(m[1]), N: Number(m[2]) });
            rows.push([backend, `${r.B}x${r.N}`, (r.peakBytes / 1e6).toFixed(0), (r.estimateBytes / 1e6).toFixed(0), (r.peakBytes / r.estimateBytes).toFixed(2)]);
          }
        }
        console.log(`peak resident memory of one sampling batch (${opts.config}, 2 steps, fresh process each)`);
        console.log(formatTable(rows));
      });
  },
};
