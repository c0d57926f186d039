/**
 * `sample(model, options)`: generate molecules with the SemlaFlow sampler, optionally with predictive feature
 * caching. Molecule sizes are drawn from the model's size histogram, grouped into size buckets under an
 * atoms-per-batch budget (each batch padded to its largest molecule), and each batch is integrated with its own
 * seeded generator derived from (seed, batch index), so results do not depend on how batches are scheduled.
 */
import { CachedBackbone } from "../cache/cached_backbone";
import { CacheConfig, parseCacheSpec, resolveCacheConfig, ResolvedCacheConfig } from "../cache/config";
import { effectiveSteps } from "../cache/schedule";
import { Molecule } from "../chem/molecule";
import { planBatches, QM9_BUCKETS } from "../data/batching";
import { histogramFromJson, sampleSizes, statsSizeHistogram } from "../data/size_histogram";
import { LoadedModel } from "../model/model_io";
import { Rng } from "../util/rng";
import { integrate, SolverKind, SOLVERS, StepObserver } from "./integrate";
import { drawPrior } from "./prior";
import { timeGrid, TimeGridKind } from "./time_grid";
import { predictionToMolecules } from "./to_molecules";
import { rejectUnknownOptions } from "../util/options";
import { resolveCacheProfile } from "../cache/profile";

/** Options of {@link sample}. */
export interface SampleOptions {
  /** Number of molecules (default 100). */
  n: number;
  /** Solver steps K (default 100, the reference). */
  steps: number;
  /** Time grid (default `"log"`, the reference evaluate/predict default). */
  grid: TimeGridKind;
  /** Seed of every random draw (default 0). Same seed → same molecules. */
  seed: number;
  /** Atoms per batch: a batch of bucket size N holds ⌊budget / N⌋ molecules (default 1152 = 64 × 18). */
  batchCost: number;
  /** Size buckets in atoms (default QM9 `[12, 16, 18, 20, 22, 24, 30]`). */
  buckets: readonly number[];
  /** Cache: a config object or spec string (`"taylor:m=2,D=3"`; default none). */
  cache: CacheConfig | string;
  /** Coordinate solver: `euler` (default, the reference), `heun` (2 network calls per step) or `dpm2m` (DPM-Solver++(2M)). */
  solver: SolverKind;
  /** Explicit molecule sizes instead of drawing from the histogram (then `n` is their count). */
  sizes: readonly number[] | undefined;
  /** Size histogram `{atoms: count}` (default: the model's, else QM9 MiDi train). */
  sizeHistogram: Record<string, number> | undefined;
  /** Called after each batch with the molecules done so far and the total. */
  onProgress: ((done: number, total: number) => void) | undefined;
  /** Called with each finished batch's molecules (in order) and their indices: stream them to disk. */
  onBatch: ((molecules: Molecule[], indices: number[]) => void) | undefined;
  /** Step observers (hooks): called after every solver step of every batch. */
  observers: readonly StepObserver[];
}

/** Defaults of {@link SampleOptions}. */
export const DEFAULT_SAMPLE_OPTIONS: Readonly<SampleOptions> = {
  n: 100, steps: 100, grid: "log", seed: 0, batchCost: 1152, buckets: QM9_BUCKETS, cache: { kind: "none" }, solver: "euler",
  sizes: undefined, sizeHistogram: undefined, onProgress: undefined, onBatch: undefined, observers: [],
};

/** What {@link sample} returns. */
export interface SampleResult {
  /** The molecules, in the order of their drawn sizes. */
  molecules: Molecule[];
  /** The resolved cache configuration. */
  cache: ResolvedCacheConfig;
  /** Wall time in seconds (sampling only, after validation). */
  wallSeconds: number;
  /** Real backbone calls over all batches. */
  networkCalls: number;
  /** Backbone calls per batch (K for no cache, fewer with caching; the mean over batches for an adaptive schedule). */
  effectiveSteps: number;
  /** The schedule actually used: the computed steps of each batch (first call of a step, for Heun). */
  stepsComputed: number[][];
  /** Molecules per second. */
  moleculesPerSecond: number;
  /** Largest TensorFlow.js memory in use during sampling, in bytes. */
  peakTensorBytes: number;
  /** Number of batches. */
  batches: number;
}

/** Fill defaults, validate everything that can fail before any work starts, and draw the sizes. */
export function resolveSampleOptions(model: LoadedModel, options: Partial<SampleOptions> = {}): SampleOptions & { cacheConfig: ResolvedCacheConfig; drawnSizes: number[] } {
  rejectUnknownOptions(options, DEFAULT_SAMPLE_OPTIONS, "sample");
  const o: SampleOptions = { ...DEFAULT_SAMPLE_OPTIONS, ...options };
  if (!(Number.isInteger(o.steps) && o.steps >= 2)) throw new Error(`invalid steps: ${o.steps}; must be an integer >= 2`);
  if (!Number.isInteger(o.seed)) throw new Error(`invalid seed: ${o.seed}; must be an integer`);
  if (!SOLVERS.includes(o.solver)) throw new Error(`invalid solver: ${String(o.solver)}; use ${SOLVERS.join(", ")}`);
  const cacheConfig = resolveCacheProfile(typeof o.cache === "string" ? parseCacheSpec(o.cache) : resolveCacheConfig(o.cache), model.dir, o.steps, o.grid);
  timeGrid(o.steps, o.grid);
  let drawnSizes: number[];
  if (o.sizes) {
    drawnSizes = [...o.sizes];
    if (drawnSizes.length === 0) throw new Error("invalid sizes: empty; give at least one molecule size");
  } else {
    if (!(Number.isInteger(o.n) && o.n >= 1)) throw new Error(`invalid n: ${o.n}; must be an integer >= 1`);
    const hist = o.sizeHistogram ?? model.sizeHistogram;
    const histogram = hist ? histogramFromJson(hist) : statsSizeHistogram("train");
    drawnSizes = sampleSizes(histogram, o.n, new Rng(o.seed));
  }
  const maxAtoms = model.generator.config.maxAtoms;
  const tooLarge = drawnSizes.find((s) => !(s < maxAtoms));
  if (tooLarge !== undefined) {
    throw new Error(`a molecule of ${tooLarge} atoms is too large for this model (maxAtoms ${maxAtoms}); use smaller sizes`);
  }
  planBatches(drawnSizes, { budget: o.batchCost, buckets: o.buckets });
  return { ...o, n: drawnSizes.length, cacheConfig, drawnSizes };
}

/**
 * Sample molecules.
 * @example
 * const model = loadModel();
 * const { molecules, moleculesPerSecond } = await sample(model, { n: 100, cache: "taylor:m=2,D=3", seed: 0 });
 */
export async function sample(model: LoadedModel, options: Partial<SampleOptions> = {}): Promise<SampleResult> {
  const o = resolveSampleOptions(model, options);
  const config = model.generator.config;
  const grid = timeGrid(o.steps, o.grid);
  const plan = planBatches(o.drawnSizes, { budget: o.batchCost, buckets: o.buckets });
  const molecules: Molecule[] = new Array(o.drawnSizes.length);
  const start = performance.now();
  let networkCalls = 0;
  const stepsComputed: number[][] = [];
  let peak = 0;
  let done = 0;
  const backbone = new CachedBackbone(model.generator, o.cacheConfig, grid.t);
  try {
    for (let batchIndex = 0; batchIndex < plan.length; batchIndex++) {
      const indices = plan[batchIndex];
      const rng = Rng.derive(o.seed, batchIndex);
      const prior = drawPrior(indices.map((i) => o.drawnSizes[i]), rng, { vocabSize: config.vocabSize, bondClasses: config.nEdgeTypes });
      const result = integrate(prior, { grid, backbone, rng, solver: o.solver, observers: o.observers, batch: { index: batchIndex, molecules: indices } });
      networkCalls += result.networkCalls;
      stepsComputed.push(result.computedSteps);
      peak = Math.max(peak, result.peakTensorBytes);
      const batchMolecules = predictionToMolecules(result.final, prior, {
        vocabSize: config.vocabSize, bondClasses: config.nEdgeTypes, chargeClasses: config.nChargeTypes, coordStd: model.coordStd,
      });
      batchMolecules.forEach((m, k) => (molecules[indices[k]] = m));
      o.onBatch?.(batchMolecules, indices);
      done += indices.length;
      o.onProgress?.(done, o.drawnSizes.length);
      // Let the event loop breathe (progress bars, Ctrl-C) between batches.
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    backbone.dispose();
  }
  const wallSeconds = (performance.now() - start) / 1000;
  return {
    molecules,
    cache: o.cacheConfig,
    wallSeconds,
    networkCalls,
    effectiveSteps: backbone.adaptive || o.solver === "heun" ? networkCalls / Math.max(1, plan.length) : effectiveSteps(backbone.schedule),
    stepsComputed,
    moleculesPerSecond: molecules.length / wallSeconds,
    peakTensorBytes: peak,
    batches: plan.length,
  };
}

/** Bytes one cached copy of a batch's output takes (coordinates and all logits, float32). */
export function outputBytes(B: number, N: number, vocab: number, bondClasses: number, chargeClasses: number): number {
  return 4 * B * N * (3 + vocab + N * bondClasses + chargeClasses);
}

