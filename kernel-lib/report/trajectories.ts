/**
 * The trajectory study behind Figures 1 and 2: sample a few molecules with the base sampler and with caches at
 * several intervals (same seed, so the same sizes and priors), recording the sampler's state and prediction (and
 * the Semla layers' node features for the similarity heatmap), then project, measure and draw:
 * Figure 1 (PCA path of one molecule's coordinates and atom types), Figure 2a (one atom's predicted x/y/z, base vs
 * cached), Figure 2b (linear-predictability error of the predicted coordinates on the step and time axes), the
 * block × step cosine-similarity heatmap, and the cached runs' deviation from the base run.
 */
import { cachedRunDeviation, DeviationResult } from "../analysis/deviation";
import { moleculePca, TrajectoryPca } from "../analysis/pca";
import { PredictabilityResult, recordingPredictability } from "../analysis/predictability";
import { blockSimilarity, SimilarityResult } from "../analysis/similarity";
import { cacheLabel, CacheConfig, parseCacheSpec, resolveCacheConfig, ResolvedCacheConfig } from "../cache/config";
import { elementSymbol, isKnownElement } from "../chem/elements";
import type { Molecule } from "../chem/molecule";
import type { TimeGridKind } from "../flow/time_grid";
import { sample, SampleOptions } from "../flow/sample";
import { RecordedSample, sampleAndRecord } from "../hooks/record_sample";
import type { Recording } from "../hooks/recording";
import type { LoadedModel } from "../model/model_io";
import { INFERENCE_BACKENDS, InferenceBackend } from "../parallel/network";
import { SamplingPool } from "../parallel/sampling_pool";
import { atomTrajectoryFigure } from "../viz/atom_trajectory";
import { pcaTrajectoryFigure } from "../viz/pca_trajectory";
import { predictabilityFigure } from "../viz/predictability";
import { similarityHeatmapFigure } from "../viz/similarity_heatmap";
import type { AtomTrajectoryRun } from "../viz/types";
import type { ReportFigure } from "./figures";
import { rejectUnknownOptions } from "../util/options";
import { toPcaTrajectoryInput, toPredictabilitySeries, toSimilarityHeatmapInput } from "../viz/analysis_inputs";

/** Options of {@link trajectoryStudy}. */
export interface TrajectoryStudyOptions {
  /** Molecules sampled and recorded per run (default 4; predictability is averaged over them). */
  n: number;
  /** Solver steps K (default 100). */
  steps: number;
  /** Seed shared by every run (default 0). */
  seed: number;
  /** Time grid (default "log"). */
  grid: TimeGridKind;
  /** Cached runs compared with the base run (default Taylor m=2 at D = 2, 3, 4). */
  caches: readonly (CacheConfig | string)[];
  /** The molecule of Figures 1 and 2a (default 0). */
  molecule: number;
  /** The atom of Figure 2a (default 0). */
  atom: number;
  /** Record the Semla layers' node features for the similarity heatmap (default true). */
  similarity: boolean;
  /**
   * Inference backend of the recorded runs, on the calling thread (default "tfjs"; "onnx" is about 4× faster and runs
   * the same hooks; its molecules differ from TF.js's only by float rounding).
   */
  backend: InferenceBackend;
}

/** Defaults of {@link TrajectoryStudyOptions}. */
export const DEFAULT_TRAJECTORY_STUDY_OPTIONS: Readonly<TrajectoryStudyOptions> = {
  n: 4, steps: 100, seed: 0, grid: "log", caches: ["taylor:m=2,D=2", "taylor:m=2,D=3", "taylor:m=2,D=4"],
  molecule: 0, atom: 0, similarity: true, backend: "tfjs",
};

/** One recorded cached run. */
export interface CachedRecording {
  cache: ResolvedCacheConfig;
  label: string;
  recording: Recording;
  molecules: Molecule[];
  /** Deviation from the base run, per step. */
  deviation: DeviationResult;
}

/** What {@link trajectoryStudy} returns: the recordings, the analyses and the figures. */
export interface TrajectoryStudy {
  base: { recording: Recording; molecules: Molecule[] };
  cached: CachedRecording[];
  /** Figure 1 inputs: the molecule's coordinate and atom-type projections. */
  pca: { coordinates: TrajectoryPca; atomTypes: TrajectoryPca };
  /** Figure 2b: predicted-coordinate predictability on the step and time axes (base run). */
  predictability: { step: PredictabilityResult; time: PredictabilityResult };
  /** Block × step similarity of the base run (absent with `similarity: false`). */
  similarity?: SimilarityResult;
  figures: ReportFigure[];
}

/** Fill defaults and validate (unknown keys, bad counts, bad caches are errors). */
export function resolveTrajectoryStudyOptions(options: Partial<TrajectoryStudyOptions> = {}): TrajectoryStudyOptions & { resolvedCaches: ResolvedCacheConfig[] } {
  rejectUnknownOptions(options, DEFAULT_TRAJECTORY_STUDY_OPTIONS, "trajectory study");
  const o: TrajectoryStudyOptions = { ...DEFAULT_TRAJECTORY_STUDY_OPTIONS };
  for (const [k, v] of Object.entries(options)) if (v !== undefined) (o as unknown as Record<string, unknown>)[k] = v;
  for (const [k, min] of [["n", 1], ["steps", 3], ["seed", 0], ["molecule", 0], ["atom", 0]] as const) {
    const v = o[k];
    if (!(Number.isInteger(v) && v >= min)) throw new Error(`invalid ${k}: ${v}; must be an integer >= ${min}`);
  }
  if (!INFERENCE_BACKENDS.includes(o.backend)) throw new Error(`invalid backend: ${String(o.backend)}; use one of ${INFERENCE_BACKENDS.join(", ")}`);
  if (o.molecule >= o.n) throw new Error(`invalid molecule: ${o.molecule}; must be below n = ${o.n}`);
  const resolvedCaches = o.caches.map((c) => (typeof c === "string" ? parseCacheSpec(c) : resolveCacheConfig(c)));
  if (resolvedCaches.some((c) => c.kind === "none")) throw new Error("invalid caches: \"none\" is the base run, which is always recorded; list cache configurations only");
  return { ...o, resolvedCaches };
}

/**
 * Record the base run and each cached run, and build Figures 1, 2a, 2b and the similarity heatmap.
 * @throws on bad options, or when the chosen atom is beyond the chosen molecule's size.
 * @example
 * const study = await trajectoryStudy(loadModel(), { n: 4, steps: 100 });
 * showFigure(study.figures[0].figure); // Figure 1
 */
export async function trajectoryStudy(model: LoadedModel, options: Partial<TrajectoryStudyOptions> = {}): Promise<TrajectoryStudy> {
  const o = resolveTrajectoryStudyOptions(options);
  const sampleOptions = { n: o.n, steps: o.steps, seed: o.seed, grid: o.grid };
  const pool = o.backend === "tfjs" ? undefined : await SamplingPool.start(model, { workers: 0, backend: o.backend });
  const sampleWith = pool ? (_m: LoadedModel, so: Partial<SampleOptions>) => pool.sample(so) : sample;
  const cached: CachedRecording[] = [];
  let base: RecordedSample;
  try {
    base = await sampleAndRecord(model, sampleOptions, {
      blocks: o.similarity ? ["layers.*", "sampler"] : ["sampler"], keep: ["nodeFeats", "state", "prediction"],
    }, sampleWith);
    const size = base.result.molecules[o.molecule].elements.length;
    if (o.atom >= size) throw new Error(`invalid atom: ${o.atom}; molecule ${o.molecule} has ${size} atoms`);
    for (const cache of o.resolvedCaches) {
      const run = await sampleAndRecord(model, { ...sampleOptions, cache }, { blocks: ["sampler"], keep: ["state", "prediction"] }, sampleWith);
      cached.push({
        cache, label: cacheLabel(cache), recording: run.recording, molecules: run.result.molecules,
        deviation: cachedRunDeviation(base.recording, run.recording),
      });
    }
  } finally {
    await pool?.close();
  }
  const size = base.result.molecules[o.molecule].elements.length;
  const pca = moleculePca(base.recording, o.molecule);
  const predictability = {
    step: recordingPredictability(base.recording, { axis: "step" }),
    time: recordingPredictability(base.recording, { axis: "time" }),
  };
  const similarity = o.similarity ? blockSimilarity(base.recording, { blocks: ["layers.*"] }) : undefined;

  const coordStd = model.coordStd;
  const atomRun = (recording: Recording, label: string, cache?: ResolvedCacheConfig): AtomTrajectoryRun => {
    const tr = recording.trajectory("sampler", "prediction.coords", o.molecule);
    const k = tr.molecule.atoms.indexOf(o.atom);
    const run: AtomTrajectoryRun = {
      label,
      positions: tr.rows.map((r) => [r[3 * k] * coordStd, r[3 * k + 1] * coordStd, r[3 * k + 2] * coordStd]),
      steps: tr.steps,
    };
    if (cache) {
      run.computed = tr.computed;
      run.forecaster = cache.kind === "taylor" ? `Taylor m=${cache.order}` : cache.kind === "ab" ? `AB j=${cache.steps}` : "Reuse";
    }
    return run;
  };
  const z = base.result.molecules[o.molecule].elements[o.atom];
  const element = isKnownElement(z) ? elementSymbol(z) : "unknown type"; // a <PAD>/<MASK> prediction is element 0
  const figures: ReportFigure[] = [
    {
      name: "pca_trajectory",
      title: "Trajectory in PCA space (Figure 1)",
      caption: `Molecule ${o.molecule} of the base run (${size} atoms, K = ${o.steps}): its coordinates x_t and predicted atom-type ` +
        "probabilities at every step, projected on their first two principal components, coloured by step.",
      figure: pcaTrajectoryFigure(toPcaTrajectoryInput([pca.coordinates, pca.atomTypes])),
    },
    {
      name: "atom_trajectory",
      title: "One atom, base vs cached (Figure 2a)",
      caption: `Predicted x, y, z (Å) of atom ${o.atom} (${element}) of molecule ${o.molecule} over the steps, base run and cached runs ` +
        "from the same prior; markers show the steps where the cached runs computed the network.",
      figure: atomTrajectoryFigure({
        atomLabel: `atom ${o.atom} (${element})`,
        base: atomRun(base.recording, `Base (K = ${o.steps})`),
        cached: cached.map((c) => atomRun(c.recording, c.label, c.cache)),
      }),
    },
    {
      name: "predictability",
      title: "Linear predictability over the steps (Figure 2b)",
      caption: `Relative error of extrapolating the predicted coordinates linearly from the two previous steps, mean over ${o.n} ` +
        "molecules with a 10–90% band, on the step axis (r = 1) and the time axis. Large errors mark where forecasting is unsafe.",
      figure: predictabilityFigure({
        quantity: "predicted coordinates",
        series: [toPredictabilitySeries(predictability.step, "step axis (r = 1)"), toPredictabilitySeries(predictability.time, "time axis")],
      }),
    },
  ];
  if (similarity) {
    figures.push({
      name: "similarity_heatmap",
      title: "Feature similarity between consecutive steps",
      caption: `Cosine similarity of each Semla layer's node features with the previous step's, mean over ${o.n} molecules of the base run.`,
      figure: similarityHeatmapFigure(toSimilarityHeatmapInput(similarity)),
    });
  }
  return {
    base: { recording: base.recording, molecules: base.result.molecules },
    cached, pca, predictability, similarity, figures,
  };
}

/**
 * The caches a report's trajectory study compares: the forecaster with the most intervals among the report's
 * caches, at each of its intervals (at most 4), else Taylor m=2 at D = 2, 3, 4.
 * @example
 * studyCaches([taylor2D2, taylor2D3, ab2D3]); // [taylor2D2, taylor2D3]
 */
export function studyCaches(caches: readonly ResolvedCacheConfig[]): ResolvedCacheConfig[] {
  const byForecaster = new Map<string, ResolvedCacheConfig[]>();
  for (const c of caches) {
    if (c.kind === "none" || c.schedule !== "uniform" || c.interval === undefined || c.startStep !== 0 || c.endStep !== undefined) continue;
    const key = cacheLabel(c).replace(/ D=\d+$/, "");
    const list = byForecaster.get(key) ?? [];
    if (!list.some((x) => x.kind !== "none" && x.interval === c.interval)) list.push(c);
    byForecaster.set(key, list);
  }
  let best: ResolvedCacheConfig[] = [];
  for (const list of byForecaster.values()) if (list.length > best.length) best = list;
  if (best.length === 0) return DEFAULT_TRAJECTORY_STUDY_OPTIONS.caches.map((s) => parseCacheSpec(s as string));
  return best.slice(0, 4);
}
