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
import { DEFAULT_WORKER_MEMORY_BYTES, estimateBatchBytes, formatGb, maxBatchForMemory } from "./memory_plan";
import { histogramFromJson, sampleSizes, SizeHistogram, statsSizeHistogram } from "../data/size_histogram";
import { checkHistogramFits, DATASET_PRESETS, DatasetPreset, datasetPreset } from "../data/dataset_preset";
import { LoadedModel } from "../model/model_io";
import { Rng } from "../util/rng";
import { integrate, SolverKind, SOLVERS } from "./integrate";
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
  /** Size buckets in atoms (default: the dataset's, else QM9 `[12, 16, 18, 20, 22, 24, 30]`). */
  buckets: readonly number[] | undefined;
  /**
   * Dataset preset (`qm9`, `geom-drugs`) whose size histogram and buckets to use (default: the model's recorded
   * dataset). An explicit `sizeHistogram` or `buckets` still wins.
   */
  dataset: string | undefined;
  /** Cache: a config object or spec string (`"taylor:m=2,D=3"`; default none). */
  cache: CacheConfig | string;
  /** Coordinate solver: `euler` (default, the reference), `heun` (2 network calls per step) or `dpm2m` (DPM-Solver++(2M)). */
  solver: SolverKind;
  /** Explicit molecule sizes instead of drawing from the histogram (then `n` is their count). */
  sizes: readonly number[] | undefined;
  /**
   * Size histogram `{atoms: count}` (default: the `dataset` option's, else the model's own, else its recorded
   * dataset's, else QM9 MiDi train; an imported checkpoint with neither histogram nor dataset is an error).
   */
  sizeHistogram: Record<string, number> | undefined;
  /** Called after each batch with the molecules done so far and the total. */
  onProgress: ((done: number, total: number) => void) | undefined;
  /**
   * Called with each finished batch's molecules (in order), their indices and the planned batch (its index and the
   * plan cursor after it, for resumable runs): stream them to disk.
   */
  onBatch: ((molecules: Molecule[], indices: number[], batch: PlannedBatch) => void) | undefined;
  /**
   * Memory budget per worker in bytes (default {@link DEFAULT_WORKER_MEMORY_BYTES}, 6 GiB): batches are also cut
   * so their estimated peak fits ({@link estimateBatchBytes}, the larger of the backends' estimates, so a seed gives
   * the same batches and molecules on every backend); a molecule that does not fit alone is an error.
   */
  memory: number | undefined;
  /** Keep the molecules in the result (default true); false for long streamed runs (`molecules` is then empty). */
  keepMolecules: boolean;
  /** Continue the plan from this cursor (a {@link PlannedBatch.next} of the same run; default: from the start). */
  start: PlanCursor | undefined;
}

/** Most solver steps a run may ask for: 100 is the reference; far more only burns time and time-grid memory. */
export const MAX_SOLVER_STEPS = 10_000;

/** Defaults of {@link SampleOptions}. */
export const DEFAULT_SAMPLE_OPTIONS: Readonly<SampleOptions> = {
  n: 100, steps: 100, grid: "log", seed: 0, batchCost: 1152, buckets: undefined, dataset: undefined, cache: { kind: "none" }, solver: "euler",
  sizes: undefined, sizeHistogram: undefined, onProgress: undefined, onBatch: undefined,
  memory: undefined, keepMolecules: true, start: undefined,
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

/** {@link SampleOptions} resolved: defaults filled, validated, buckets chosen, the size source and the plan ready. */
export interface ResolvedSampleOptions extends Omit<SampleOptions, "buckets"> {
  buckets: readonly number[];
  cacheConfig: ResolvedCacheConfig;
  /** Where the sizes come from. */
  sizeSource: SizeSource;
  /** A fresh stream of the run's batch plan (from `start` when given). */
  planStream(): BatchPlanStream;
  /** All n sizes (drawn on first use: memory grows with n; for in-memory uses such as recordings). */
  readonly drawnSizes: number[];
}

/**
 * The memory cap of batch planning: the most molecules of N atoms under the budget, after checking that every
 * drawn molecule fits alone (one clear error otherwise, before any work).
 */
function memoryCap(model: LoadedModel, o: SampleOptions, sizes: readonly number[], cache: ResolvedCacheConfig): (atoms: number) => number {
  const budget = o.memory ?? DEFAULT_WORKER_MEMORY_BYTES;
  if (!(typeof budget === "number" && Number.isFinite(budget) && budget > 0)) throw new Error(`invalid memory: ${String(o.memory)}; give bytes per worker > 0`);
  const config = model.generator.config;
  // The cache keeps a few earlier outputs (its history) next to the sampler's state.
  const history = cache.kind === "none" ? 0 : 3;
  const largest = Math.max(...sizes);
  if (maxBatchForMemory(config, { atoms: largest, budgetBytes: budget, backend: "any", historyCopies: history }) < 1) {
    const need = estimateBatchBytes(config, { batch: 1, atoms: largest, backend: "any", historyCopies: history });
    throw new Error(
      `a molecule of ${largest} atoms needs about ${formatGb(need)} (estimated peak), more than the memory budget of ` +
        `${formatGb(budget)} per worker; raise --memory or sample smaller molecules`,
    );
  }
  return (atoms) => maxBatchForMemory(config, { atoms, budgetBytes: budget, backend: "any", historyCopies: history });
}

/**
 * The dataset preset sampling uses: the `dataset` option, else the one the model records (`meta.dataset`, written
 * by `molcache import` and random presets), else none.
 */
export function samplingDataset(model: LoadedModel, dataset: string | undefined): DatasetPreset | undefined {
  if (dataset !== undefined) return datasetPreset(dataset);
  const recorded = model.meta.dataset;
  return typeof recorded === "string" && recorded in DATASET_PRESETS ? DATASET_PRESETS[recorded] : undefined;
}

/** The size histogram to draw from (see {@link SampleOptions.sizeHistogram} for the order) and a label for errors. */
function samplingHistogram(model: LoadedModel, o: SampleOptions, preset: DatasetPreset | undefined): { hist: SizeHistogram; label: string } {
  if (o.sizeHistogram) return { hist: histogramFromJson(o.sizeHistogram), label: "given" };
  if (o.dataset !== undefined) return { hist: preset!.sizeHistogram(), label: preset!.name };
  if (model.sizeHistogram) return { hist: histogramFromJson(model.sizeHistogram), label: `${model.name} model's` };
  if (preset) return { hist: preset.sizeHistogram(), label: preset.name };
  if (model.meta.source === "lightning-checkpoint") {
    throw new Error(
      `model ${model.name} records no size histogram and no dataset; pass the dataset it was trained on ` +
        `(--dataset ${Object.keys(DATASET_PRESETS).join(" or ")}) or re-import it with --dataset`,
    );
  }
  return { hist: statsSizeHistogram("train"), label: "QM9 train" };
}

/**
 * Fill defaults and validate everything that can fail before any work starts (every size the histogram can give
 * must fit the model, a bucket and the memory budget). The sizes are drawn lazily, batch by batch.
 * @example
 * const plan = resolveSampleOptions(model, { n: 1000, steps: 100, seed: 0 }); // throws before any work on bad input
 * plan.drawnSizes.length; // 1000
 */
export function resolveSampleOptions(model: LoadedModel, options: Partial<SampleOptions> = {}): ResolvedSampleOptions {
  if (model === null || typeof model !== "object" || !model.generator) {
    throw new TypeError(`sample needs a model as its first argument, got ${model === null ? "null" : typeof model}; load one with loadModel(dir) or createRandomModel(config)`);
  }
  rejectUnknownOptions(options, DEFAULT_SAMPLE_OPTIONS, "sample");
  const o: SampleOptions = { ...DEFAULT_SAMPLE_OPTIONS, ...options };
  if (o.cache === undefined) o.cache = DEFAULT_SAMPLE_OPTIONS.cache;
  if (o.cache === null || (typeof o.cache !== "string" && typeof o.cache !== "object")) {
    throw new TypeError(`invalid cache: ${String(o.cache)}; pass a spec such as "taylor:m=2,D=3", a config such as { kind: "taylor", order: 2, interval: 3 }, or leave it out for no cache`);
  }
  if (!(Number.isInteger(o.steps) && o.steps >= 2)) throw new Error(`invalid steps: ${o.steps}; must be an integer >= 2`);
  if (o.steps > MAX_SOLVER_STEPS) throw new Error(`invalid steps: ${o.steps}; at most ${MAX_SOLVER_STEPS} solver steps (the reference samples with 100)`);
  if (!Number.isInteger(o.seed)) throw new Error(`invalid seed: ${o.seed}; must be an integer`);
  if (!SOLVERS.includes(o.solver)) throw new Error(`invalid solver: ${String(o.solver)}; use ${SOLVERS.join(", ")}`);
  const cacheConfig = resolveCacheProfile(typeof o.cache === "string" ? parseCacheSpec(o.cache) : resolveCacheConfig(o.cache), model.dir, o.steps, o.grid);
  timeGrid(o.steps, o.grid);
  const preset = samplingDataset(model, o.dataset);
  const buckets = o.buckets ?? preset?.buckets ?? QM9_BUCKETS;
  const maxAtoms = model.generator.config.maxAtoms;
  let sizeSource: SizeSource;
  let possibleSizes: number[];
  if (o.sizes) {
    if (o.sizes.length === 0) throw new Error("invalid sizes: empty; give at least one molecule size");
    sizeSource = { kind: "sizes", sizes: [...o.sizes] };
    possibleSizes = sizeSource.sizes as number[];
  } else {
    if (!(Number.isInteger(o.n) && o.n >= 1)) throw new Error(`invalid n: ${o.n}; must be an integer >= 1`);
    const { hist, label } = samplingHistogram(model, o, preset);
    checkHistogramFits(hist, maxAtoms, buckets, label);
    sizeSource = { kind: "histogram", histogram: hist, seed: o.seed, n: o.n };
    sampleSizes(hist, 0, new Rng(o.seed)); // an empty histogram fails here, before the size check
    possibleSizes = hist.counts.flatMap((c, size) => (c > 0 ? [size] : []));
  }
  const tooLarge = possibleSizes.find((s) => !(s < maxAtoms));
  if (tooLarge !== undefined) {
    throw new Error(`a molecule of ${tooLarge} atoms is too large for this model (maxAtoms ${maxAtoms}); use smaller sizes`);
  }
  const source = sizeSource;
  const planOptions = { budget: o.batchCost, buckets, maxMolecules: memoryCap(model, o, possibleSizes, cacheConfig) };
  const planStream = () => new BatchPlanStream(source, planOptions, o.start);
  planStream(); // validates the plan options and `start`
  let drawn: number[] | undefined;
  return {
    ...o, buckets, n: source.kind === "sizes" ? source.sizes.length : source.n, cacheConfig, sizeSource: source, planStream,
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
  const stepsComputed: number[][] = [];
  let peak = 0;
  let done = 0;
  let batches = 0;
  const backbone = new CachedBackbone(model.generator, o.cacheConfig, grid.t);
  try {
    for (let planned = plan.next(); planned; planned = plan.next()) {
      const { batchIndex, indices } = planned;
      const rng = Rng.derive(o.seed, batchIndex);
      const prior = drawPrior(planned.sizes, rng, { vocabSize: config.vocabSize, bondClasses: config.nEdgeTypes });
      const result = integrate(prior, { grid, backbone, rng, solver: o.solver, batch: { index: batchIndex, molecules: indices } });
      networkCalls += result.networkCalls;
      stepsComputed.push(result.computedSteps);
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
    effectiveSteps: callsPerBatch(backbone, o.solver, networkCalls, batches),
    stepsComputed,
    moleculesPerSecond: done / wallSeconds,
    peakTensorBytes: peak,
    batches,
  };
}

/**
 * Network calls per batch of a finished run (its "effective steps"): the fixed schedule's count, or the measured mean
 * where it varies or is not the schedule's — adaptive schedules, and Heun (two calls per step).
 */
export function callsPerBatch(backbone: Pick<CachedBackbone, "adaptive" | "schedule">, solver: SolverKind, networkCalls: number, batches: number): number {
  return backbone.adaptive || solver === "heun" ? networkCalls / Math.max(1, batches) : effectiveSteps(backbone.schedule);
}

/** The shape of one batch's output, for {@link outputBytes}. */
export interface OutputShape {
  /** Molecules in the batch (B). */
  batch: number;
  /** Atoms per molecule after padding (N). */
  atoms: number;
  /** Atom-type classes. */
  vocabSize: number;
  bondClasses: number;
  chargeClasses: number;
}

/**
 * Bytes one cached copy of a batch's output takes (coordinates and all logits, float32).
 * @example
 * outputBytes({ batch: 64, atoms: 18, vocabSize: 16, bondClasses: 5, chargeClasses: 7 }); // 534528 (4 bytes × 64 × 18 × (3 + 16 + 18 × 5 + 7))
 */
export function outputBytes(shape: OutputShape): number {
  const { batch: B, atoms: N } = shape;
  return 4 * B * N * (3 + shape.vocabSize + N * shape.bondClasses + shape.chargeClasses);
}

