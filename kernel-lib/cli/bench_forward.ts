/**
 * `molcache bench forward`: generator forward time per batch (default 64 molecules × 18 atoms) for the tiny, small
 * and GEOM-Drugs configs on random weights and inputs; warm-up excluded, median of several runs, printed as a table
 * (and written as CSV with `--out`). `--profile` adds the kernels that take the time.
 * Reference (PyTorch on the 2-core machine): about 800 ms for the small config, 4.9 s for GEOM-Drugs.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { Command } from "commander";
import { initBackend } from "../env";
import { CONFIG_PRESETS, SemlaConfig } from "../model/config";
import { createRandomModel } from "../model/model_io";
import { GeneratorInputs } from "../model/blocks";
import { SemlaGenerator } from "../model/generator";
import { writeFileAtomic } from "../util/atomic_write";
import { Rng } from "../util/rng";
import type { BenchDefinition } from "./bench";
import { formatTable, median, toCsv } from "./bench_format";
import { backendOption, integerOption } from "./options";
import { compileOnnx, OnnxGenerator } from "../onnx/onnx_generator";
import { onnxProfileByOperator } from "../onnx/ort_session";
import { InferenceBackend } from "../parallel/network";

/**
 * PyTorch reference times on the 2-core machine (ms per batch), by `config BxN`: 64 × 18 from the backbone issue;
 * GEOM-Drugs 16 × 44 is the reference code on 1 thread (the drug-size issue), so its ratio is per core.
 */
const PYTORCH_MS: Record<string, number> = { "small 64x18": 800, "geom-drugs 64x18": 4900, "geom-drugs 16x44": 4200 };
const pytorchMs = (r: ForwardTiming): number | undefined => PYTORCH_MS[`${r.config} ${r.batch}x${r.atoms}`];

/** One measured config. */
export interface ForwardTiming {
  config: string;
  parameters: number;
  batch: number;
  atoms: number;
  runs: number;
  medianMs: number;
  minMs: number;
  /** Top kernels by total time (with `profile`). */
  kernels?: { name: string; ms: number; calls: number }[];
}

/** Random sampler-like inputs (one-hot states, softmax conditioning, all atoms real). */
export function benchInputs(config: SemlaConfig, batch: number, atoms: number, seed = 0): GeneratorInputs {
  const rng = new Rng(seed);
  const v = config.vocabSize, e = config.nEdgeTypes;
  const normals = (n: number) => rng.normals(n);
  return tf.tidy(() => ({
    coords: tf.tensor3d(normals(batch * atoms * 3), [batch, atoms, 3]),
    atomics: tf.oneHot(tf.tensor2d(Int32Array.from({ length: batch * atoms }, () => rng.int(v)), [batch, atoms], "int32"), v).toFloat() as tf.Tensor3D,
    bonds: tf.oneHot(tf.tensor3d(Int32Array.from({ length: batch * atoms * atoms }, () => rng.int(e)), [batch, atoms, atoms], "int32"), e).toFloat() as tf.Tensor4D,
    mask: tf.ones([batch, atoms]) as tf.Tensor2D,
    t: tf.fill([batch], 0.5) as tf.Tensor1D,
    condCoords: tf.tensor3d(normals(batch * atoms * 3), [batch, atoms, 3]),
    condAtomics: tf.softmax(tf.tensor3d(normals(batch * atoms * v), [batch, atoms, v])) as tf.Tensor3D,
    condBonds: tf.softmax(tf.tensor4d(normals(batch * atoms * atoms * e), [batch, atoms, atoms, e])) as tf.Tensor4D,
  }));
}

function timeForward(model: SemlaGenerator | OnnxGenerator, inputs: GeneratorInputs): number {
  const start = performance.now();
  const out = model.forward(inputs);
  out.coords.dataSync(); // wait for the backend (wasm is synchronous; GPU backends are not)
  tf.dispose(out as unknown as tf.TensorContainer);
  return performance.now() - start;
}

/** One profiled ONNX forward (after a warm one): ONNX Runtime's kernel times by operator, top 12. */
function profileOnnxForward(generator: SemlaGenerator, inputs: GeneratorInputs, threads: number): ForwardTiming["kernels"] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "molcache-ort-profile-"));
  try {
    const profiled = compileOnnx(generator, { intraOpThreads: threads }, path.join(dir, "block_"));
    try {
      for (let i = 0; i < 2; i++) timeForward(profiled, inputs);
    } finally {
      profiled.dispose(); // writes the profile files
    }
    return onnxProfileByOperator(fs.readdirSync(dir).map((f) => path.join(dir, f))).slice(0, 12);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Time the forward of one preset config.
 * @example
 * const t = await benchForward("small", { batch: 64, atoms: 18, runs: 5, warmup: 1 }); t.medianMs;
 */
export async function benchForward(
  preset: string,
  o: { batch: number; atoms: number; runs: number; warmup: number; profile?: boolean; backend?: InferenceBackend; onnxThreads?: number },
): Promise<ForwardTiming> {
  await initBackend();
  const config = CONFIG_PRESETS[preset];
  if (!config) throw new Error(`unknown config: ${preset}; use ${Object.keys(CONFIG_PRESETS).join(", ")}`);
  if (o.atoms >= config.maxAtoms) throw new Error(`--atoms ${o.atoms} is too large for ${preset} (maxAtoms ${config.maxAtoms})`);
  const generator = createRandomModel(config, { seed: 0 }).generator;
  // The compiled backend runs the same weights as ONNX graphs (one session per block).
  const onnx = o.backend === "onnx" ? compileOnnx(generator, { intraOpThreads: o.onnxThreads ?? 1 }) : undefined;
  const model = onnx ?? generator;
  const inputs = benchInputs(config, o.batch, o.atoms);
  try {
    for (let i = 0; i < o.warmup; i++) timeForward(model, inputs);
    const times: number[] = [];
    for (let i = 0; i < o.runs; i++) times.push(timeForward(model, inputs));
    const timing: ForwardTiming = {
      config: preset, parameters: model.parameterCount(), batch: o.batch, atoms: o.atoms, runs: o.runs,
      medianMs: median(times), minMs: Math.min(...times),
    };
    if (o.profile && onnx) timing.kernels = profileOnnxForward(generator, inputs, o.onnxThreads ?? 1);
    if (o.profile && !onnx) {
      const info = await tf.profile(() => {
        const out = model.forward(inputs);
        out.coords.dataSync();
        tf.dispose(out as unknown as tf.TensorContainer);
      });
      const byName = new Map<string, { ms: number; calls: number }>();
      for (const k of info.kernels) {
        const e = byName.get(k.name) ?? { ms: 0, calls: 0 };
        e.ms += Number(k.kernelTimeMs) || 0;
        e.calls++;
        byName.set(k.name, e);
      }
      timing.kernels = [...byName].map(([name, e]) => ({ name, ...e })).sort((a, b) => b.ms - a.ms).slice(0, 12);
    }
    return timing;
  } finally {
    tf.dispose(inputs as unknown as tf.TensorContainer);
    onnx?.dispose();
    generator.dispose();
  }
}

/** The `bench forward` subcommand. */
export const FORWARD_BENCH: BenchDefinition = {
  description: "generator forward time per batch (64 molecules x 18 atoms) for the tiny, small and GEOM-Drugs configs",
  configure(cmd: Command) {
    cmd
      .option("--configs <list>", "comma-separated presets (tiny, small, qm9, geom-drugs)", "tiny,small,geom-drugs")
      .addOption(integerOption("--batch <n>", "molecules per batch", { min: 1, default: 64 }))
      .addOption(integerOption("--atoms <n>", "atoms per molecule", { min: 1, default: 18 }))
      .addOption(integerOption("--runs <n>", "timed runs per config (the median is reported)", { min: 1, default: 5 }))
      .addOption(integerOption("--large-runs <n>", "timed runs for geom-drugs/qm9 (slow)", { min: 1, default: 2 }))
      .addOption(integerOption("--warmup <n>", "untimed runs first", { min: 0, default: 1 }))
      .addOption(backendOption({ description: "tfjs (default) or onnx (the compiled graphs, one ONNX Runtime session per block)", default: "tfjs" }))
      .addOption(integerOption("--onnx-threads <n>", "ONNX Runtime intra-op threads per session", { min: 1, default: 1 }))
      .option("--profile", "also list the kernels (TF.js) or operators (ONNX Runtime profiler) that take the time")
      .option("--out <file.csv>", "also write the table as CSV (atomic)")
      .action(async (opts: { configs: string; batch: number; atoms: number; runs: number; largeRuns: number; warmup: number; backend: InferenceBackend;
        onnxThreads: number; profile?: boolean; out?: string }) => {
        const { batch, atoms, runs, largeRuns, warmup, backend, onnxThreads } = opts;
        const presets = String(opts.configs).split(",").map((s) => s.trim()).filter(Boolean);
        for (const p of presets) if (!CONFIG_PRESETS[p]) throw new Error(`unknown config: ${p}; use ${Object.keys(CONFIG_PRESETS).join(", ")}`);
        console.log((await initBackend()).summary);
        const results: ForwardTiming[] = [];
        for (const p of presets) {
          const large = CONFIG_PRESETS[p].dModel >= 384;
          process.stderr.write(`timing ${p} …\n`);
          const r = await benchForward(p, { batch, atoms, runs: large ? largeRuns : runs, warmup, profile: Boolean(opts.profile), backend, onnxThreads });
          results.push(r);
          if (r.kernels) {
            console.log(`\n${p}: kernels of one forward (profiled, ms)`);
            console.log(formatTable([["kernel", "ms", "calls"], ...r.kernels.map((k) => [k.name, k.ms.toFixed(1), String(k.calls)])]));
          }
        }
        const header = ["config", "parameters", "batch", "runs", "median ms", "min ms", "ms/molecule", "PyTorch ms", "speed vs PyTorch"];
        const rows = results.map((r) => [
          r.config, r.parameters.toLocaleString("en-US"), `${r.batch}x${r.atoms}`, String(r.runs), r.medianMs.toFixed(0),
          r.minMs.toFixed(0), (r.medianMs / r.batch).toFixed(2), pytorchMs(r) ? String(pytorchMs(r)) : "-",
          pytorchMs(r) ? `${(pytorchMs(r)! / r.medianMs).toFixed(2)}x` : "-",
        ]);
        const label = backend === "onnx" ? `ONNX Runtime, ${onnxThreads} thread${onnxThreads === 1 ? "" : "s"} per session` : (await initBackend()).backend;
        console.log(`\nforward time per batch (${label}, warm-up excluded)`);
        console.log(formatTable([header, ...rows]));
        if (opts.out) {
          const file = path.resolve(String(opts.out));
          writeFileAtomic(file, toCsv([
            ["config", "parameters", "batch", "atoms", "runs", "median_ms", "min_ms", "pytorch_ms"],
            ...results.map((r) => [r.config, r.parameters, r.batch, r.atoms, r.runs, r.medianMs.toFixed(2), r.minMs.toFixed(2), pytorchMs(r) ?? ""]),
          ]));
          console.log(`wrote ${file}`);
        }
      });
  },
};
