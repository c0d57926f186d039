/**
 * Memory-aware batch planning: the peak resident memory (bytes) one sampling worker needs for a batch of B molecules
 * padded to N atoms, per inference backend, and the largest batch that fits a budget. Drug-size molecules make the
 * N² pair tensors dominate (16 × 44 atoms on the GEOM-Drugs config peaks at ~1.4 GB on ONNX), so an atoms-per-batch
 * budget alone is not enough.
 *
 * The estimate is `fixed + weights × copies + pair tensors + node/coordinate-set tensors + sampler state`:
 * * pair tensors `[B, N, N, w]`: w is the config's pair width (message hidden + edge + attention heads + coordinate
 *   sets) times a per-backend factor. TF.js frees a block's intermediates when the block ends, so one block is alive
 *   at a time; ONNX Runtime gives every block session its own memory arena, which keeps its block's peak, so the
 *   pair term is summed over the layers.
 * * node and coordinate-set tensors `[B, N, d]`, `[B, S, N, 3]` per layer, and the sampler's state (noisy input,
 *   self-conditioning, outputs, the cache's history) `[B, N, N, bond classes]`.
 * The factors were fitted to the peak RSS of `sample()` on the GEOM-Drugs config at 4 × 44 and 16 × 44 atoms and
 * checked at 2 × 120 and 1 × 180 (`npm run bench -- memory`, numbers in the drug-size notes of the README).
 */
import type { SemlaConfig } from "../model/config";
import { countParameters } from "../model/parameter_shapes";
import type { InferenceBackend } from "../model/network";

/** How one backend's peak memory scales (see the file comment). */
export interface BackendMemoryModel {
  /** Process baseline: Node, the backend's runtime, molcache's modules (bytes). */
  fixedBytes: number;
  /** Copies of the float32 weights resident (TF.js variables, ONNX initializers and their prepacked forms). */
  weightCopies: number;
  /** Floats per pair `(b, i, j)` per unit of the config's pair width, in the block alive at a time. */
  pairFactor: number;
  /** Whether every layer keeps its own pair peak (ONNX Runtime's per-session arenas) rather than one at a time. */
  pairPerLayer: boolean;
  /** Floats per atom per unit of dModel (node features and their intermediates). */
  nodeFactor: number;
}

/** The fitted models, per backend. */
export const BACKEND_MEMORY: Readonly<Record<InferenceBackend, BackendMemoryModel>> = {
  tfjs: { fixedBytes: 165e6, weightCopies: 1.75, pairFactor: 9.45, pairPerLayer: false, nodeFactor: 40 },
  onnx: { fixedBytes: 165e6, weightCopies: 2.9, pairFactor: 1.85, pairPerLayer: true, nodeFactor: 40 },
};

/** One GiB. */
export const GIB = 1024 ** 3;

/**
 * Default memory budget per sampling worker: 6 GiB, so two workers (one per core of the 24 GiB, 2-core machine
 * molcache is developed on) use half its memory and leave the rest to the system and other work.
 */
export const DEFAULT_WORKER_MEMORY_BYTES = 6 * GIB;

/** The config's pair width: the widths of the per-pair tensors of a layer (message hidden, edges, heads, sets). */
export function pairWidth(config: SemlaConfig): number {
  return config.dMessageHidden + config.dEdge + config.nAttnHeads + config.nCoordSets;
}

/**
 * What an estimate is for: one backend, or `"any"` (the larger of the backends' estimates). Sampling plans with
 * `"any"` so that the batches, and so the molecules of a seed, are the same on every backend.
 */
export type MemoryTarget = InferenceBackend | "any";

/** What {@link estimateBatchBytes} sizes: a batch of `batch` molecules padded to `atoms` atoms on `backend`. */
export interface BatchMemoryShape {
  /** Molecules in the batch (B). */
  batch: number;
  /** Atoms per molecule after padding (N). */
  atoms: number;
  backend: MemoryTarget;
  /** Extra copies of the outputs the cache keeps (its history; default 0, no cache). */
  historyCopies?: number;
}

/**
 * Estimated peak resident bytes of one worker sampling a batch of `batch` molecules padded to `atoms` atoms.
 * @example
 * estimateBatchBytes(GEOM_DRUGS_CONFIG, { batch: 16, atoms: 44, backend: "onnx" }) / 1e9; // ≈ 1.5
 */
export function estimateBatchBytes(config: SemlaConfig, shape: BatchMemoryShape): number {
  const { batch: B, atoms: N, backend, historyCopies = 0 } = shape;
  if (backend === "any") {
    return Math.max(...(Object.keys(BACKEND_MEMORY) as InferenceBackend[]).map((b) => estimateBatchBytes(config, { ...shape, backend: b })));
  }
  const m = Object.prototype.hasOwnProperty.call(BACKEND_MEMORY, backend) ? BACKEND_MEMORY[backend] : undefined;
  if (!m) throw new Error(`invalid backend: ${String(backend)}; use tfjs, onnx or any`);
  const pairs = B * N * N;
  const pair = 4 * pairs * pairWidth(config) * m.pairFactor * (m.pairPerLayer ? config.nLayers : 1);
  const node = 4 * B * N * (config.dModel * m.nodeFactor + config.nCoordSets * 3 * config.nLayers);
  // Noisy input, self-conditioning and the output (bond classes dominate), plus what the cache keeps.
  const state = 4 * pairs * config.nEdgeTypes * (4 + historyCopies);
  return m.fixedBytes + 4 * countParameters(config) * m.weightCopies + pair + node + state;
}

/**
 * The most molecules of `atoms` atoms one batch may hold under `budgetBytes` (0 when even one does not fit).
 * @example
 * maxBatchForMemory(GEOM_DRUGS_CONFIG, { atoms: 44, budgetBytes: 6 * GIB, backend: "onnx" }); // ≈ 94
 */
export function maxBatchForMemory(config: SemlaConfig, o: Omit<BatchMemoryShape, "batch"> & { budgetBytes: number }): number {
  const shape = { atoms: o.atoms, backend: o.backend, historyCopies: o.historyCopies };
  const one = estimateBatchBytes(config, { ...shape, batch: 1 });
  if (one > o.budgetBytes) return 0;
  const fixed = estimateBatchBytes(config, { ...shape, batch: 0 });
  return Math.floor((o.budgetBytes - fixed) / (one - fixed));
}

/** Bytes as GB with one decimal, for messages. */
export function formatGb(bytes: number): string {
  return `${(bytes / 1e9).toFixed(bytes < 1e9 ? 2 : 1)} GB`;
}
