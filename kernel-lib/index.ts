/**
 * molcache: SemlaFlow 3D molecule generation in TensorFlow.js, predictive feature caching, trajectory analysis,
 * molecular metrics and figures.
 *
 * This file is the public API: the entry points a notebook or script needs, grouped by what they are for. Everything
 * else (option resolvers, defaults, backends, file formats, worker plumbing) stays importable by path
 * (`molcache/kernel-lib/<folder>/<file>`) but is not part of this list, so the entry points are easy to see.
 * `test/foundation/public_api.test.ts` lists these names: changing them is a deliberate act.
 *
 * @example
 * import { initBackend, openModel, sample, evaluate, showResults } from "./kernel-lib/index";
 * await initBackend();
 * const model = await openModel("default");
 * const run = await sample(model, { n: 64, steps: 100, cache: "taylor:m=2,D=3", seed: 0 });
 * showResults([{ name: "Taylor m=2 D=3", aggregate: (await evaluate(run.molecules)).aggregate }]);
 */

// --- Environment: the compute backend and seeded randomness ---
export { initBackend } from "./env";
export type { BackendName } from "./env";
export { Rng } from "./util/rng";

// --- Model: open, create, save and import generators ---
export { openModel } from "./model/open_model";
export { loadModel, saveModel, createRandomModel } from "./model/model_io";
export type { LoadedModel } from "./model/model_io";
export { importSemlaCheckpoint } from "./model/checkpoint/import";
export type { ImportOptions } from "./model/checkpoint/import";
export { resolveConfig, CONFIG_PRESETS } from "./model/config";
export type { SemlaConfig } from "./model/config";
export { SemlaGenerator } from "./model/generator";

// --- Data: dataset presets and reference sets ---
export { datasetPreset } from "./data/dataset_preset";
export type { DatasetPreset } from "./data/dataset_preset";
export { readQm9 } from "./data/qm9_reader";
export { loadSmilesSet } from "./data/smiles_set";

// --- Sampling: generate molecules (with or without caching), on one thread or on every core ---
export { sample, resolveSampleOptions } from "./flow/sample";
export type { SampleOptions, SampleResult } from "./flow/sample";
export { sampleParallel } from "./parallel/sample_parallel";
export type { ParallelSampleOptions } from "./parallel/sample_parallel";
export { SamplingPool } from "./parallel/sampling_pool";
export { timeGrid } from "./flow/time_grid";
export { estimateBatchBytes } from "./flow/memory_plan";
export { sampleOnQueue } from "./distributed/producer";
export { runQueueWorker } from "./distributed/queue_worker";

// --- Caching: configurations and calibrated schedules ---
export { parseCacheSpec, cacheLabel } from "./cache/config";
export type { CacheConfig } from "./cache/config";
export { calibrate, attachCacheProfile } from "./cache/calibrate";

// --- Hooks: the one way to observe blocks and steps; recording feature trajectories ---
export { registerHook, removeHook, resetHooks } from "./hooks/registry";
export type { Hook, BlockHookContext, StepEvent, StepStart } from "./hooks/types";
export { FeatureRecorder, recordFeatures } from "./hooks/recorder";
export type { RecorderOptions } from "./hooks/recorder";
export { sampleAndRecord } from "./hooks/record_sample";
export { Recording } from "./hooks/recording";
export { writeRecording, readRecording } from "./hooks/recording_io";
export { recordingToDataFrame } from "./hooks/recording_frame";

// --- Analysis: PCA, linear predictability, cached-vs-base deviation, block similarity, bond precision ---
export { trajectoryPca, moleculePca } from "./analysis/pca";
export { linearPredictability, recordingPredictability } from "./analysis/predictability";
export { cachedRunDeviation } from "./analysis/deviation";
export { blockSimilarity } from "./analysis/similarity";
export { bondPrecision } from "./analysis/bond_precision";

// --- Figures: Plotly specs, and PNG/SVG export through Chromium ---
export type { PlotlyFigure, AtomTrajectoryRun, AccelerationRow } from "./viz/types";
export { toPcaTrajectoryInput, toPredictabilitySeries, toSimilarityHeatmapInput } from "./viz/analysis_inputs";
export { pcaTrajectoryFigure } from "./viz/pca_trajectory";
export { atomTrajectoryFigure } from "./viz/atom_trajectory";
export { predictabilityFigure } from "./viz/predictability";
export { accelerationFigure } from "./viz/acceleration";
export { speedQualityFrontierFigure } from "./viz/speed_quality_frontier";
export { similarityHeatmapFigure } from "./viz/similarity_heatmap";
export { moleculeFigure } from "./viz/molecule_3d";
export { createFigureExporter, withFigureExporter } from "./viz/export";

// --- Notebook display (tslab) ---
export { showFigure, showMolecule, loadPlotly } from "./notebook/show_figure";
export { showTable } from "./notebook/show_table";
export { showResults } from "./notebook/show_results";
export { progressBar } from "./util/progress";
export { emitDisplay } from "./util/kernel_display";

// --- Chemistry: molecules, SDF files, RDKit ---
export type { Molecule } from "./chem/molecule";
export { readSdf, writeSdf } from "./chem/sdf";
export { loadRDKit, canonicalSmiles } from "./chem/rdkit";
export { elementSymbol, isKnownElement } from "./chem/elements";

// --- Metrics: score molecules, summarise runs, paper tables ---
export { evaluate } from "./metrics/evaluate";
export type { EvaluationResult } from "./metrics/evaluate";
export { summarize, buildTrainingSet } from "./metrics/summary";
export { formatTable, TABLE1_COLUMNS } from "./metrics/table";

// --- Report: the speed/quality study behind `npm start` ---
export { runReport, evaluateRuns } from "./report/run_report";
export { parseCacheList } from "./report/configurations";
export { sampleConfigurations } from "./report/sample_runs";
export { summaryEntries } from "./report/tables";
export { frontierFigure } from "./report/figures";
export { matchedNfeTable, matchedNfeFigure } from "./report/matched_nfe";
