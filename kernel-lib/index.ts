/**
 * molcache: SemlaFlow 3D molecule generation in TensorFlow.js, predictive feature caching, trajectory analysis,
 * molecular metrics and figures. This file is the public API, grouped by section.
 */

// --- Environment: backend choice and seeded randomness ---
export { initBackend, backendName } from "./env";
export type { BackendName, BackendReport } from "./env";
export { Rng } from "./util/rng";
export type { RngState } from "./util/rng";

// --- Model ---
export { TINY_CONFIG, SMALL_CONFIG, GEOM_DRUGS_CONFIG, QM9_CONFIG, CONFIG_PRESETS, resolveConfig, configFromHyperparameters } from "./model/config";
export type { SemlaConfig } from "./model/config";
export { ParamStore } from "./model/params";
export { SemlaGenerator, validateInputs } from "./model/generator";
export type { BlockObserver, ForwardBlocksOptions } from "./model/generator";
export { buildBlocks } from "./model/blocks";
export type { GeneratorInputs, GeneratorOutputs, BlockState, Block, ForwardContext, IntermediateRecorder } from "./model/blocks";
export { initParams } from "./model/init";
export { loadModel, saveModel, createRandomModel, loadedModel, DEFAULT_MODEL_DIR } from "./model/model_io";
export type { LoadedModel, ModelFile } from "./model/model_io";
export { openModel } from "./model/open_model";

// --- Checkpoint import ---
export { expectedParameterShapes, countParameters } from "./model/parameter_shapes";
export { importSemlaCheckpoint, resolveImportOptions, DEFAULT_IMPORT_OPTIONS, DATASET_COORD_STD } from "./model/checkpoint/import";
export type { ImportOptions, ImportReport, WeightCopy } from "./model/checkpoint/import";
export { readTorchCheckpoint, openTorchCheckpoint } from "./model/checkpoint/torch_checkpoint";
export type { TorchCheckpoint, LazyTorchCheckpoint } from "./model/checkpoint/torch_checkpoint";
export { TorchArchive, TorchTensorRef, TorchStorageRef } from "./model/checkpoint/torch_archive";
export type { TorchTensorData, TorchDtype } from "./model/checkpoint/torch_archive";
export { unpickle, toPlain, PyObject, PyGlobal, PyCallable } from "./model/checkpoint/pickle";
export type { UnpickleHooks } from "./model/checkpoint/pickle";
export { ZipReader } from "./model/checkpoint/zip_reader";
export type { ZipEntry, ZipReadStats } from "./model/checkpoint/zip_reader";

// --- Data ---
export { readQm9, readQm9Records, toMolecule, qm9Name, resolveReadQm9Options, DEFAULT_READ_QM9, QM9_FILE, QM9_DATA_DIR, QM9_STATS_FILE, QM9_SPLIT_COUNTS, QM9_MOLECULE_COUNT, SPLIT_NAMES } from "./data/qm9_reader";
export type { Qm9Record, Qm9Bond, ReadQm9Options, SplitScheme, SplitName } from "./data/qm9_reader";
export { featurize, decode, normalizeCoords, atomClassOf, chargeClassOf, resolveFeaturizeOptions, DEFAULT_FEATURIZE, ATOM_VOCAB, CLASS_TO_Z, CHARGE_VALUES, PAD_CLASS, MASK_CLASS, N_BOND_CLASSES, QM9_COORD_STD } from "./data/featurize";
export type { FeaturizedMolecule, FeaturizeOptions } from "./data/featurize";
export { collate, unbatch, planBatches, bucketIndex, resolvePlanBatchesOptions, DEFAULT_PLAN_BATCHES, DEFAULT_COLLATE, QM9_BUCKETS } from "./data/batching";
export type { Batch, CollateOptions, PlanBatchesOptions } from "./data/batching";
export { sampleSizes, statsSizeHistogram, computeSizeHistogram, recordsSizeHistogram, histogramFromSizes, histogramFromJson, histogramToJson } from "./data/size_histogram";
export type { SizeHistogram } from "./data/size_histogram";
export { DATASET_PRESETS, datasetPreset, presetHistogramJson, checkHistogramFits, GEOM_DRUGS_BUCKETS } from "./data/dataset_preset";
export type { DatasetPreset } from "./data/dataset_preset";
export { readGeomDrugsFallback, geomDrugsHistogramFile, GEOM_DRUGS_FALLBACK_FILE, GEOM_DRUGS_HISTOGRAM_FILE } from "./data/geom_drugs";
export { estimateBatchBytes, maxBatchForMemory, pairWidth, BACKEND_MEMORY, DEFAULT_WORKER_MEMORY_BYTES, GIB } from "./flow/memory_plan";
export type { BackendMemoryModel } from "./flow/memory_plan";
export { loadSmilesSet, buildSmilesList, readSmilesFile, resolveSmilesSetOptions, DEFAULT_SMILES_SET } from "./data/smiles_set";
export type { SmilesSetOptions } from "./data/smiles_set";
export { loadQm9Split, unpackSplit, resolveLoadQm9SplitOptions, DEFAULT_LOAD_QM9_SPLIT } from "./data/dataset";
export type { Qm9Split, PackedSplit, LoadQm9SplitOptions } from "./data/dataset";

// --- Sampling ---
export { timeGrid } from "./flow/time_grid";
export type { TimeGrid, TimeGridKind } from "./flow/time_grid";
export { drawPrior, cloneState, moleculeSize } from "./flow/prior";
export type { SamplerState } from "./flow/prior";
export { uniformSampleUpdate } from "./flow/categorical";
export { integrate } from "./flow/integrate";
export type { IntegrateOptions, IntegrateResult, Prediction, StepEvent, StepObserver, UniformSource, SolverKind } from "./flow/integrate";
export { predictionToMolecules } from "./flow/to_molecules";
export { sample, resolveSampleOptions, samplingDataset, DEFAULT_SAMPLE_OPTIONS, outputBytes } from "./flow/sample";
export type { SampleOptions, SampleResult, ResolvedSampleOptions } from "./flow/sample";

// --- Caching ---
export { computeSchedule, effectiveSteps, computedSteps, plannedNetworkCalls } from "./cache/schedule";
export type { ScheduleOptions } from "./cache/schedule";
export { combine, keepCopy, disposeMap } from "./cache/forecaster";
export type { Forecaster, FeatureMap } from "./cache/forecaster";
export { ReuseForecaster } from "./cache/reuse";
export { TaylorSeerForecaster, MAX_TAYLOR_ORDER } from "./cache/taylorseer";
export { AdamsBashforthForecaster, ADAMS_BASHFORTH_COEFFICIENTS, variableStepCoefficients } from "./cache/adams_bashforth";
export { resolveCacheConfig, parseCacheSpec, cacheLabel, scheduleLabel, createForecaster } from "./cache/config";
export type { CacheConfig, ResolvedCacheConfig, ResolvedCachingConfig, NoCacheConfig, ReuseCacheConfig, TaylorCacheConfig, AdamsBashforthCacheConfig, ForecastAxis, CacheLevel, CacheScheduleKind } from "./cache/config";
export { calibratedSchedule, scheduleCost } from "./cache/calibrated_schedule";
export type { IntervalCosts } from "./cache/calibrated_schedule";
export { TrajectoryGrams, forecastWeights, intervalCostTable, scheduleForecastError, forecasterKey, predictionInfluence } from "./cache/forecast_error";
export { relativeChange, GateAccumulator, simulateGate, tuneThreshold } from "./cache/adaptive_gate";
export { readCacheProfile, resolveCacheProfile, needsProfile, checkProfileFits, filledSeries, forecastCostTable, CACHE_PROFILE_FILE } from "./cache/profile";
export type { CacheProfile } from "./cache/profile";
export { recordCacheProfile, calibrate, attachCacheProfile, DEFAULT_PROFILE_OPTIONS } from "./cache/calibrate";
export type { ProfileOptions, Calibration } from "./cache/calibrate";
export { CachedBackbone, GATE_BLOCK } from "./cache/cached_backbone";
export type { BackboneCall } from "./cache/cached_backbone";

// --- Hooks ---
export { HookRegistry, hookRegistry, registerHook, removeHook, resetHooks, generatorOf, HOOK_DISPATCHER_KEY } from "./hooks/registry";
export { HOOK_KEYS } from "./hooks/types";
export type { Hook, HookTarget, BlockHookContext, StepStart } from "./hooks/types";
export { matchesBlockPattern, resolveBlockPatterns } from "./hooks/block_patterns";
export { blockSeries, producedSeries, samplerSeries, seriesKey, seriesFloats, extractRow, RECORD_KINDS, SAMPLER_BLOCK } from "./hooks/series";
export type { RecordKind, SeriesLayout, SeriesSpec } from "./hooks/series";
export { FeatureRecorder, recordFeatures, resolveRecorderOptions, DEFAULT_RECORDER_OPTIONS } from "./hooks/recorder";
export type { RecorderOptions, ResolvedRecorderOptions } from "./hooks/recorder";
export { Recording } from "./hooks/recording";
export type { RecordedMolecule, RecordedStep, Trajectory } from "./hooks/recording";
export { recordingToDataFrame, resolveRecordingFrameOptions, DEFAULT_RECORDING_FRAME_OPTIONS } from "./hooks/recording_frame";
export type { RecordingFrameOptions } from "./hooks/recording_frame";
export { writeRecording, readRecording, recordingToBundle, recordingFromBundle, RECORDING_FORMAT } from "./hooks/recording_io";
export { sampleAndRecord, estimateRecordingBytes } from "./hooks/record_sample";
export type { RecordedSample } from "./hooks/record_sample";
export { makeDataFrame } from "./hooks/data_frame";
export type { Columns } from "./hooks/data_frame";

// --- Analysis ---
export { trajectoryRows, transformRow, autoTransform, chooseMolecules } from "./analysis/trajectory";
export type { SeriesRef, FeatureTransform, TrajectoryRows } from "./analysis/trajectory";
export { pcaProject, trajectoryPca, moleculePca, toPcaTrajectoryInput, DEFAULT_TRAJECTORY_PCA_OPTIONS, DEFAULT_MOLECULE_PCA_OPTIONS } from "./analysis/pca";
export type { PcaProjection, TrajectoryPca, TrajectoryPcaOptions, MoleculePcaOptions } from "./analysis/pca";
export { predictabilityErrors, linearPredictability, recordingPredictability, toPredictabilitySeries, DEFAULT_PREDICTABILITY_OPTIONS as DEFAULT_LINEAR_PREDICTABILITY_OPTIONS, DEFAULT_RECORDING_PREDICTABILITY_OPTIONS } from "./analysis/predictability";
export type { PredictabilityAxis, PredictabilityOptions as LinearPredictabilityOptions, PredictabilityResult, RecordingPredictabilityOptions } from "./analysis/predictability";
export { cachedRunDeviation, centredRmsd, DEFAULT_DEVIATION_OPTIONS } from "./analysis/deviation";
export type { DeviationOptions, DeviationResult } from "./analysis/deviation";
export { blockSimilarity, cosineSimilarity, toSimilarityHeatmapInput, DEFAULT_SIMILARITY_OPTIONS } from "./analysis/similarity";
export type { SimilarityOptions, SimilarityResult } from "./analysis/similarity";
export { spread, quantileSorted, withFrame } from "./analysis/stats";
export type { Spread } from "./analysis/stats";

// --- Figures ---
export type { PlotlyFigure, PlotlyTrace, PlotlyLayout, NumberRows, PcaPanel, PcaTrajectoryInput, AtomTrajectoryRun, AtomTrajectoryInput, PredictabilitySeries, PredictabilityInput, AccelerationRow, AccelerationInput, FrontierPoint, FrontierBasePoint, FrontierCachePoint, FrontierMetric, FrontierInput, SimilarityHeatmapInput } from "./viz/types";
export { THEME, FORECASTER_COLORS, PALETTE, DASHES, forecasterColor, withAlpha, axisStyle, baseLayout } from "./viz/theme";
export { subplotGrid, subplotCell } from "./viz/subplots";
export type { SubplotGrid, SubplotGridOptions, SubplotCell } from "./viz/subplots";
export { pcaTrajectoryFigure, resolvePcaTrajectoryOptions, DEFAULT_PCA_TRAJECTORY_OPTIONS } from "./viz/pca_trajectory";
export type { PcaTrajectoryOptions } from "./viz/pca_trajectory";
export { atomTrajectoryFigure, resolveAtomTrajectoryOptions, DEFAULT_ATOM_TRAJECTORY_OPTIONS } from "./viz/atom_trajectory";
export type { AtomTrajectoryOptions } from "./viz/atom_trajectory";
export { predictabilityFigure, resolvePredictabilityOptions, DEFAULT_PREDICTABILITY_OPTIONS } from "./viz/predictability";
export type { PredictabilityOptions } from "./viz/predictability";
export { accelerationFigure, resolveAccelerationOptions, DEFAULT_ACCELERATION_OPTIONS, formatSpeedup } from "./viz/acceleration";
export type { AccelerationOptions } from "./viz/acceleration";
export { speedQualityFrontierFigure, resolveFrontierOptions, DEFAULT_FRONTIER_OPTIONS } from "./viz/speed_quality_frontier";
export type { FrontierOptions } from "./viz/speed_quality_frontier";
export { similarityHeatmapFigure, resolveSimilarityHeatmapOptions, DEFAULT_SIMILARITY_HEATMAP_OPTIONS } from "./viz/similarity_heatmap";
export type { SimilarityHeatmapOptions } from "./viz/similarity_heatmap";
export { moleculeFigure, resolveMoleculeFigureOptions, DEFAULT_MOLECULE_FIGURE_OPTIONS, hillFormula } from "./viz/molecule_3d";
export type { MoleculeFigureOptions } from "./viz/molecule_3d";
export { cpkColor, CPK_COLORS, CPK_UNKNOWN } from "./viz/cpk";
export { createFigureExporter, withFigureExporter, chromiumPath, resolveImageOptions, DEFAULT_CHROMIUM_PATH, CHROMIUM_ARGS } from "./viz/export";
export type { FigureExporter, FigureExporterOptions, ImageOptions, ExportTimings } from "./viz/export";
export { pngHeader, pngPixelStats } from "./viz/png_info";
export type { PngHeader, PngPixelStats } from "./viz/png_info";
export { plotlyLibraryPath, readPlotlyLibrary, plotlyVersion } from "./viz/plotly_library";

// --- Notebook display ---
export { showFigure, showFigureImage, showMolecule, loadPlotly, moleculeSummary, PLOTLY_MIME } from "./notebook/show_figure";
export type { ShowFigureOptions, LoadPlotlyOptions } from "./notebook/show_figure";
export { figureHtml, plotlyLoaderHtml, figureSummary, scriptJson, escapeHtml } from "./notebook/figure_html";
export type { FigureHtmlOptions } from "./notebook/figure_html";
export { showTable, tableHtml, tableText, formatCell, resolveTableOptions, DEFAULT_TABLE_OPTIONS } from "./notebook/show_table";
export type { TableInput, TableOptions, DataFrameLike, ColumnsAndRows } from "./notebook/show_table";
export { showResults } from "./notebook/show_results";
export { progressBar, resolveProgressOptions, formatDuration, DEFAULT_PROGRESS_OPTIONS } from "./notebook/progress";
export type { ProgressBar, ProgressOptions, ProgressMode, ProgressStream } from "./notebook/progress";
export { emitDisplay, inKernel, newDisplayId } from "./notebook/kernel";
export type { MimeBundle, EmitOptions } from "./notebook/kernel";

// --- Chemistry ---
export { makeMolecule, atomCount } from "./chem/molecule";
export type { Molecule, MoleculeInit, BondOrder } from "./chem/molecule";
export { elementByZ, elementBySymbol, elementSymbol, atomicNumber, isKnownElement } from "./chem/elements";
export type { ElementData } from "./chem/elements";
export { readSdf, parseMolblock, writeMolblock, writeSdf } from "./chem/sdf";
export type { SdfRecord, MolblockWriteOptions } from "./chem/sdf";
export { writeXyz, writeXyzFrames } from "./chem/xyz";
export { adjacency, connectedComponents, topologicalDistances, integerValences, moleculeProblem } from "./chem/graph";
export { loadRDKit, sanitizeMolecule, canonicalSmiles, canonicalizeSmiles, heavyAtomKey, matchSmarts } from "./chem/rdkit";
export { kabschRmsd } from "./chem/kabsch";
export { mmffEnergy, mmffRelax } from "./chem/mmff";
export type { MmffOptions, MmffResult } from "./chem/mmff";
export { uffForceField } from "./chem/uff";
export { moleculeBoundsMatrix, DEFAULT_BOUNDS_OPTIONS } from "./chem/bounds_matrix";
export type { BoundsMatrix, BoundsOptions } from "./chem/bounds_matrix";

// --- Metrics ---
export { evaluate, resolveEvaluateOptions, DEFAULT_EVALUATE_OPTIONS, toDataFrame, rowsToCsv, ROW_COLUMNS } from "./metrics/evaluate";
export type { EvaluateOptions, EvaluationResult, EvaluatedRow } from "./metrics/evaluate";
export { scoreMolecule, DEFAULT_SCORE_OPTIONS, SCORE_COLUMNS } from "./metrics/score";
export type { MoleculeScore, ScoreOptions } from "./metrics/score";
export { summarize, aggregateReplicates, buildTrainingSet, SUMMARY_METRICS } from "./metrics/summary";
export type { MetricsSummary, MeanStd, TrainingSet, SummaryMetric } from "./metrics/summary";
export { formatTable, TABLE1_COLUMNS } from "./metrics/table";
export type { TableEntry, TableColumn, TableFormat } from "./metrics/table";
export { atomStability, isAtomStable, ALLOWED_VALENCES } from "./metrics/stability";
export { moleculeValidity } from "./metrics/validity";
export { poseBustersChecks, PB_CHECKS } from "./metrics/posebusters";
export type { PoseBustersResult } from "./metrics/posebusters";

// --- System acceleration ---
export { sampleParallel, splitParallelOptions } from "./parallel/sample_parallel";
export type { ParallelSampleOptions } from "./parallel/sample_parallel";
export { SamplingPool, SamplingError } from "./parallel/sampling_pool";
export type { PoolRunOptions, ParallelSampleResult } from "./parallel/sampling_pool";
export { resolveSamplingPoolOptions, DEFAULT_SAMPLING_POOL_OPTIONS } from "./parallel/pool_options";
export { defaultWorkerCount } from "./util/ts_worker";
export type { SamplingPoolOptions, ResolvedSamplingPoolOptions } from "./parallel/pool_options";
export { createNetwork, shareParameters, generatorFromParameters, INFERENCE_BACKENDS } from "./parallel/network";
export type { InferenceBackend, Network, FlatParameters } from "./parallel/network";
export { runBatch } from "./parallel/run_batch";
export type { BatchTask, BatchResult } from "./parallel/run_batch";
export type { BackboneNetwork } from "./cache/cached_backbone";
export { compileOnnx, OnnxGenerator, resolveOnnxBackendOptions, DEFAULT_ONNX_BACKEND_OPTIONS, attentionBias } from "./onnx/onnx_generator";
export type { OnnxBackendOptions } from "./onnx/onnx_generator";
export { OrtSession, availableProviders, resolveOrtSessionOptions, DEFAULT_ORT_SESSION_OPTIONS, onnxProfileByOperator } from "./onnx/ort_session";
export type { OperatorTime } from "./onnx/ort_session";
export type { OnnxProvider, OrtSessionOptions, FloatArray } from "./onnx/ort_session";
export { buildBlockGraphs } from "./onnx/semla_graphs";
export type { BlockGraph } from "./onnx/semla_graphs";
export { GraphBuilder } from "./onnx/graph_builder";
export { encodeModel, OPSET_VERSION, IR_VERSION, ONNX_FLOAT, ONNX_INT64 } from "./onnx/onnx_proto";
export type { GraphSpec, NodeSpec, ValueInfo, Initializer, Attribute, Dim } from "./onnx/onnx_proto";

// --- Report ---
export { runReport, resolveReportOptions, evaluateRuns, DEFAULT_REPORT_OPTIONS } from "./report/run_report";
export type { ReportOptions, ResolvedReportOptions, ReportResult } from "./report/run_report";
export { parseCacheList, cacheSpec, baseConfiguration, cacheConfiguration, heunConfiguration, matchedNfeEntries, MATCHED_NFE_BUDGETS, CACHE_PRESETS } from "./report/configurations";
export { matchedNfeTable, matchedNfeFigure, matchedGroups, compareToBase, samplerFamily, MATCHED_NFE_METRICS } from "./report/matched_nfe";
export type { MatchedGroup } from "./report/matched_nfe";
export type { ReportConfiguration } from "./report/configurations";
export { sampleConfigurations, meanStd } from "./report/sample_runs";
export type { ConfigurationRun, SampleRunsOptions } from "./report/sample_runs";
export { metricsCsv, summaryEntries, summaryTable, CONFIGURATION_COLUMNS } from "./report/tables";
export type { EvaluatedRun } from "./report/tables";
export { reportFigures, frontierFigure, timingFigure, showcaseMolecule, FRONTIER_METRICS } from "./report/figures";
export type { ReportFigure } from "./report/figures";
export { reportHtml } from "./report/html";
export type { ReportPage } from "./report/html";
export { trajectoryStudy, resolveTrajectoryStudyOptions, studyCaches, DEFAULT_TRAJECTORY_STUDY_OPTIONS } from "./report/trajectories";
export type { TrajectoryStudy, TrajectoryStudyOptions, CachedRecording } from "./report/trajectories";
export { prepareRunFolder, SdfStream } from "./report/run_folder";
export type { RunFolder } from "./report/run_folder";
// Streamed plans, resumable output and distributed sampling (BullMQ + Redis).
export { BatchPlanStream } from "./data/plan_stream";
export type { PlanCursor, PlannedBatch, SizeSource, PlanStreamOptions } from "./data/plan_stream";
export { sizeDrawer } from "./data/size_histogram";
export { modelContentHash } from "./model/model_hash";
export { FileLock } from "./util/file_lock";
export { ResumableOutput, runPaths } from "./cli/resumable_output";
export type { RunIdentity, RunManifest, OutputOpenOptions } from "./cli/resumable_output";
export { sampleOnQueue, DEFAULT_QUEUE_RUN_OPTIONS } from "./distributed/producer";
export type { QueueRunOptions, QueueRunResult } from "./distributed/producer";
export { runQueueWorker, DEFAULT_QUEUE_WORKER_OPTIONS } from "./distributed/queue_worker";
export type { QueueWorkerOptions } from "./distributed/queue_worker";
export { parseQueueUrl, checkRedisReachable, SAMPLE_QUEUE_NAME } from "./distributed/queue_url";
export { LocalRedis } from "./distributed/local_redis";
export { runId, jobId } from "./distributed/sample_job";
export type { SampleJobData, SampleJobResult } from "./distributed/sample_job";
