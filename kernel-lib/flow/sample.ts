/**
 * `sample(model, options)`: generate molecules with the SemlaFlow sampler, optionally with predictive feature
 * caching. Molecule sizes are drawn from the model's size histogram, grouped into size buckets under an
 * atoms-per-batch budget (each batch padded to its largest molecule), and each batch is integrated with its own
 * seeded generator derived from (seed, batch index), so results do not depend on how batches are scheduled. The plan
 * is streamed ({@link BatchPlanStream}): memory does not grow with `n` when the molecules are not kept.
 */
import { CachedBackbone } from "../cache/cached_backbone";
import { CacheConfig, parseCacheSpec, resolveCacheConfig, ResolvedCacheConfig } from "../cache/config";
import { effectiveSteps } from "../cache/schedule";
import { Molecule } from "../chem/molecule";
import { QM9_BUCKETS } from "../data/batching";
import { BatchPlanStream, PlanCursor, PlannedBatch, SizeSource } from "../data/plan_stream";
import { histogramFromJson, sampleSizes, statsSizeHistogram } from "../data/size_histogram";
import { LoadedModel } from "../model/model_io";
import { Rng } from "../util/rng";
import { integrate, StepObserver } from "./integrate";
import { drawPrior } from "./prior";
import { timeGrid, TimeGridKind } from "./time_grid";
import { predictionToMolecules } from "./to_molecules";
import { rejectUnknownOptions } from "../util/options";

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
  /** Explicit molecule sizes instead of drawing from the histogram (then `n` is their count). */
  sizes: readonly number[] | undefined;
  /** Size histogram `{atoms: count}` (default: the model's, else QM9 MiDi train). */
  sizeHistogram: Record<string, number> | undefined;
  /** Called after each batch with the molecules done so far and the total. */
  onProgress: ((done: number, total: number) => void) | undefined;
  /**
   * Called with each finished batch's molecules (in order), their indices and the planned batch (its index and the
   * plan cursor after it, for resumable runs): stream them to disk.
   */
  onBatch: ((molecules: Molecule[], indices: number[], batch: PlannedBatch) => void) | undefined;
  /** Step observers (hooks): called after every solver step of every batch. */
  observers: readonly StepObserver[];
  /** Keep the molecules in the result (default true); false for long streamed runs (`molecules` is then empty). */
  keepMolecules: boolean;
  /** Continue the plan from this cursor (a {@link PlannedBatch.next} of the same run; default: from the start). */
  start: PlanCursor | undefined;
}

/** Defaults of {@link SampleOptions}. */
export const DEFAULT_SAMPLE_OPTIONS: Readonly<SampleOptions> = {
  n: 100, steps: 100, grid: "log", seed: 0, batchCost: 1152, buckets: QM9_BUCKETS, cache: { kind: "none" },
  sizes: undefined, sizeHistogram: undefined, onProgress: undefined, onBatch: undefined, observers: [], keepMolecules: true,
  start: undefined,
};

/** What {@link sample} returns. */
export interface SampleResult {
  /** The molecules, in the order of their drawn sizes (empty with `keepMolecules: false`; from `start` on only). */
  molecules: Molecule[];
  /** The resolved cache configuration. */
  cache: ResolvedCacheConfig;
  /** Wall time in seconds (sampling only, after validation). */
  wallSeconds: number;
  /** Real backbone calls over all batches. */
  networkCalls: number;
  /** Backbone calls per batch (K for no cache, fewer with caching). */
  effectiveSteps: number;
  /** Molecules per second. */
  moleculesPerSecond: number;
  /** Largest TensorFlow.js memory in use during sampling, in bytes. */
  peakTensorBytes: number;
  /** Number of batches. */
  batches: number;
}

/** {@link SampleOptions} resolved: defaults filled, validated, the size source and the plan ready. */
export interface ResolvedSampleOptions extends SampleOptions {
  cacheConfig: ResolvedCacheConfig;
  /** Where the sizes come from. */
  sizeSource: SizeSource;
  /** A fresh stream of the run's batch plan (from `start` when given). */
  planStream(): BatchPlanStream;
  /** All n sizes (drawn on first use: memory grows with n; for in-memory uses such as recordings). */
  readonly drawnSizes: number[];
}

/**
 * Fill defaults and validate everything that can fail before any work starts (every size the histogram can give
 * must fit the model and a bucket). The sizes are drawn lazily, batch by batch.
 */
export function resolveSampleOptions(model: LoadedModel, options: Partial<SampleOptions> = {}): ResolvedSampleOptions {
  rejectUnknownOptions(options, DEFAULT_SAMPLE_OPTIONS, "sample");
  const o: SampleOptions = { ...DEFAULT_SAMPLE_OPTIONS, ...options };
  if (!(Number.isInteger(o.steps) && o.steps >= 2)) throw new Error(`invalid steps: ${o.steps}; must be an integer >= 2`);
  if (!Number.isInteger(o.seed)) throw new Error(`invalid seed: ${o.seed}; must be an integer`);
  const cacheConfig = typeof o.cache === "string" ? parseCacheSpec(o.cache) : resolveCacheConfig(o.cache);
  timeGrid(o.steps, o.grid);
  let sizeSource: SizeSource;
  let possibleSizes: number[];
  if (o.sizes) {
    if (o.sizes.length === 0) throw new Error("invalid sizes: empty; give at least one molecule size");
    sizeSource = { kind: "sizes", sizes: [...o.sizes] };
    possibleSizes = sizeSource.sizes as number[];
  } else {
    if (!(Number.isInteger(o.n) && o.n >= 1)) throw new Error(`invalid n: ${o.n}; must be an integer >= 1`);
    const hist = o.sizeHistogram ?? model.sizeHistogram;
    const histogram = hist ? histogramFromJson(hist) : statsSizeHistogram("train");
    sizeSource = { kind: "histogram", histogram, seed: o.seed, n: o.n };
    sampleSizes(histogram, 0, new Rng(o.seed)); // an empty histogram fails here, before the size check
    possibleSizes = histogram.counts.flatMap((c, size) => (c > 0 ? [size] : []));
  }
  const maxAtoms = model.generator.config.maxAtoms;
  const tooLarge = possibleSizes.find((s) => !(s < maxAtoms));
  if (tooLarge !== undefined) {
    throw new Error(`a molecule of ${tooLarge} atoms is too large for this model (maxAtoms ${maxAtoms}); use smaller sizes`);
  }
  const source = sizeSource;
  const planStream = () => new BatchPlanStream(source, { budget: o.batchCost, buckets: o.buckets }, o.start);
  planStream(); // validates the plan options and `start`
  let drawn: number[] | undefined;
  return {
    ...o, n: source.kind === "sizes" ? source.sizes.length : source.n, cacheConfig, sizeSource: source, planStream,
    get drawnSizes(): number[] {
      drawn ??= source.kind === "sizes" ? [...source.sizes] : sampleSizes(source.histogram, source.n, new Rng(source.seed));
      return drawn;
    },
  };
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
  const plan = o.planStream();
  const molecules: Molecule[] = o.keepMolecules ? new Array(o.n) : [];
  const start = performance.now();
  let networkCalls = 0;
  let peak = 0;
  let done = 0;
  let batches = 0;
  const backbone = new CachedBackbone(model.generator, o.cacheConfig, grid.t);
  try {
    for (let planned = plan.next(); planned; planned = plan.next()) {
      const { batchIndex, indices } = planned;
      const rng = Rng.derive(o.seed, batchIndex);
      const prior = drawPrior(planned.sizes, rng, { vocabSize: config.vocabSize, bondClasses: config.nEdgeTypes });
      const result = integrate(prior, { grid, backbone, rng, observers: o.observers, batch: { index: batchIndex, molecules: indices } });
      networkCalls += result.networkCalls;
      peak = Math.max(peak, result.peakTensorBytes);
      const batchMolecules = predictionToMolecules(result.final, prior, {
        vocabSize: config.vocabSize, bondClasses: config.nEdgeTypes, chargeClasses: config.nChargeTypes, coordStd: model.coordStd,
      });
      if (o.keepMolecules) batchMolecules.forEach((m, k) => (molecules[indices[k]] = m));
      o.onBatch?.(batchMolecules, indices, planned);
      done += indices.length;
      batches++;
      o.onProgress?.(done, o.n);
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
    effectiveSteps: effectiveSteps(backbone.schedule),
    moleculesPerSecond: done / wallSeconds,
    peakTensorBytes: peak,
    batches,
  };
}

/** Bytes one cached copy of a batch's output takes (coordinates and all logits, float32). */
export function outputBytes(B: number, N: number, vocab: number, bondClasses: number, chargeClasses: number): number {
  return 4 * B * N * (3 + vocab + N * bondClasses + chargeClasses);
}

