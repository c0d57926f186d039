/**
 * `runReport(model, options)`: the end-to-end report behind `npm start` / `molcache report`. It samples N molecules
 * with the base sampler and each cache configuration, scores them, and writes one folder:
 *
 * ```
 * out/<run>/
 *   sdf/<configuration>.sdf   molecules, streamed as batches finish
 *   metrics.csv               one row per molecule, configuration columns first
 *   summary.csv, table1.md    Table-1-style summary (quality mean ± std, steps, NFE, time, throughput, speed-up)
 *   figures/<name>.png|.svg   every figure, rendered by one headless Chromium
 *   report.html               one self-contained page: Plotly.js inlined once, every figure live, the tables
 *   run.json                  settings and every number, for scripts and notebooks
 * ```
 *
 * Everything is written into a hidden temporary folder beside the target and renamed at the end: a failed run
 * leaves nothing half-written.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { backendName } from "../env";
import { loadRDKit } from "../chem/rdkit";
import { loadSmilesSet } from "../data/smiles_set";
import { resolveSampleOptions } from "../flow/sample";
import type { TimeGridKind } from "../flow/time_grid";
import { evaluate, EvaluateOptions } from "../metrics/evaluate";
import { INFERENCE_BACKENDS, InferenceBackend } from "../parallel/network";
import { defaultWorkerCount } from "../util/ts_worker";
import { buildTrainingSet, TrainingSet } from "../metrics/summary";
import type { LoadedModel } from "../model/model_io";
import { progressBar, ProgressMode } from "../util/progress";
import { chromiumPath, createFigureExporter } from "../viz/export";
import { cacheSpec, parseCacheList, ReportConfiguration } from "./configurations";
import { reportFigures, ReportFigure } from "./figures";
import { reportHtml } from "./html";
import { prepareRunFolder } from "./run_folder";
import { ConfigurationRun, sampleConfigurations } from "./sample_runs";
import { meanStd } from "../util/mean_std";
import { studyCaches, trajectoryStudy, TrajectoryStudy } from "./trajectories";
import { matchedNfeFigure, matchedNfeTable } from "./matched_nfe";
import { EvaluatedRun, metricsCsv, summaryTable } from "./tables";
import { rejectUnknownOptions } from "../util/options";
import { CACHE_PROFILE_FILE, checkProfileFits, needsProfile, readCacheProfile } from "../cache/profile";
import { attachCacheProfile } from "../cache/calibrate";

/** Options of {@link runReport}. */
export interface ReportOptions {
  /** Molecules per configuration and seed (default 32: about 75–80 s for the default caches on 2 cores). */
  n: number;
  /** Solver steps K of the base sampler and of every cache (default 100, the paper's). */
  steps: number;
  /** Configurations, as for `--caches` (default `"default"`; see `CACHE_PRESETS`). */
  caches: string;
  /** First seed (default 0). */
  seed: number;
  /** Seeds per configuration, `seed, seed+1, …`; tables show mean ± std over them (default 1; the paper uses 3). */
  replicates: number;
  /** The report folder (default `out/<run>`); must be absent or empty. */
  out: string | undefined;
  /** Run name for the default folder (default: a timestamp, `YYYYMMDD-HHMMSS`). */
  run: string | undefined;
  /** Time grid (default "log"). */
  grid: TimeGridKind;
  /** Atoms per sampling batch (default 1152). */
  batchCost: number;
  /** Worker threads for sampling and scoring (default: every core); 0 samples on the calling thread. */
  workers: number | undefined;
  /**
   * Inference backend of the sampling runs (default "onnx", the fastest here: about 4× TF.js wasm per core). The
   * molecules depend on the backend only through float rounding, and not at all on the number of workers.
   * Trajectories are recorded on the same backend, in this thread (hooks run there).
   */
  backend: InferenceBackend;
  /** MMFF94 energy, strain and opt-RMSD (default true). */
  energy: boolean;
  /** PoseBusters-style checks (default true). */
  posebusters: boolean;
  /** Novelty against the QM9 MiDi training split (default true; building the set takes ~10–20 s). */
  novelty: boolean;
  /** Record base and cached trajectories for Figures 1, 2a, 2b and the similarity heatmap (default true). */
  trajectories: boolean;
  /** Molecules recorded per trajectory run (default 4). */
  trajectoryMolecules: number;
  /** Render PNG and SVG files through Chromium (default true; report.html is always written). */
  images: boolean;
  /** Progress display on stderr (default "auto"). */
  progress: ProgressMode;
  /** Where status lines go (default: stderr). */
  log: (line: string) => void;
  /**
   * Calibration profile for calibrated and nfe-tuned adaptive schedules that name none (default: `cache_profile.json`
   * in the model folder, else one is recorded into the report folder on 16 molecules of seed 1000 + seed).
   */
  profile: string | undefined;
}

/** Defaults of {@link ReportOptions}. */
export const DEFAULT_REPORT_OPTIONS: Readonly<ReportOptions> = {
  n: 32, steps: 100, caches: "default", seed: 0, replicates: 1, out: undefined, run: undefined, grid: "log",
  batchCost: 1152, workers: undefined, backend: "onnx", energy: true, posebusters: true, novelty: true, trajectories: true, trajectoryMolecules: 4,
  images: true, progress: "auto",
  log: (line) => process.stderr.write(`${line}\n`),
  profile: undefined,
};

/** Options with defaults filled, the configurations parsed and the folder chosen. */
export interface ResolvedReportOptions extends ReportOptions {
  configurations: ReportConfiguration[];
  seeds: number[];
  target: string;
  runName: string;
}

function timestamp(d = new Date()): string {
  const p = (x: number) => String(x).padStart(2, "0");
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

function checkInt(name: string, v: number, min: number): void {
  if (!(Number.isInteger(v) && v >= min)) throw new Error(`invalid ${name}: ${v}; must be an integer >= ${min}`);
}

/**
 * Fill defaults and validate every option (nothing is sampled or written).
 * @example
 * resolveReportOptions({ n: 8, caches: "base,taylor:m=2,D=3" }).configurations.length; // 2
 */
export function resolveReportOptions(options: Partial<ReportOptions> = {}): ResolvedReportOptions {
  rejectUnknownOptions(options, DEFAULT_REPORT_OPTIONS, "report");
  const o: ReportOptions = { ...DEFAULT_REPORT_OPTIONS };
  for (const [k, v] of Object.entries(options)) if (v !== undefined) (o as unknown as Record<string, unknown>)[k] = v;
  checkInt("n", o.n, 1);
  checkInt("steps", o.steps, 2);
  checkInt("seed", o.seed, 0);
  checkInt("replicates", o.replicates, 1);
  checkInt("batchCost", o.batchCost, 1);
  checkInt("trajectoryMolecules", o.trajectoryMolecules, 1);
  if (o.workers !== undefined) checkInt("workers", o.workers, 0);
  if (!INFERENCE_BACKENDS.includes(o.backend)) throw new Error(`invalid backend: ${String(o.backend)}; use one of ${INFERENCE_BACKENDS.join(", ")}`);
  if (o.grid !== "log" && o.grid !== "linear") throw new Error(`invalid grid: ${o.grid}; use log or linear`);
  for (const k of ["energy", "posebusters", "novelty", "trajectories", "images"] as const) {
    if (typeof o[k] !== "boolean") throw new Error(`invalid ${k}: ${String(o[k])}; use true or false`);
  }
  const configurations = parseCacheList(o.caches, o.steps);
  const runName = o.run ?? timestamp();
  if (!/^[\w][\w.-]*$/.test(runName)) throw new Error(`invalid run name: ${JSON.stringify(runName)}; use letters, digits, ".", "-" and "_"`);
  const target = path.resolve(o.out ?? path.join("out", runName));
  const seeds = Array.from({ length: o.replicates }, (_, r) => o.seed + r);
  return { ...o, configurations, seeds, target, runName };
}

/** What {@link runReport} returns. */
export interface ReportResult {
  /** The finished report folder. */
  dir: string;
  evaluated: EvaluatedRun[];
  figures: ReportFigure[];
  /** The summary table as Markdown (also `table1.md`). */
  tableMarkdown: string;
  /** The trajectory study (absent with `trajectories: false`). */
  study?: TrajectoryStudy;
  /** Seconds per phase. */
  seconds: { sampling: number; trajectories: number; evaluation: number; figures: number; total: number };
  /** How the molecules were sampled, and the sampling time the workers saved. */
  sampling: SamplingSummary;
}

/** How a report's sampling ran. */
export interface SamplingSummary {
  backend: InferenceBackend;
  /** Sampling worker threads (0 = the calling thread). */
  workers: number;
  /** Wall seconds of the timed sampling runs (all configurations and seeds). */
  wallSeconds: number;
  /**
   * On-CPU seconds of the sampling threads over those runs (NaN on the calling thread, where it is not measured):
   * about what one worker alone would have taken, so `cpuSeconds − wallSeconds` is the time the workers saved.
   */
  cpuSeconds: number;
}

/** One line saying how sampling ran and what the workers saved, e.g. for the log and report.html. */
export function samplingLine(s: SamplingSummary): string {
  const where = s.workers === 0 ? "the calling thread" : `${s.workers} worker thread${s.workers === 1 ? "" : "s"}`;
  const head = `${s.backend === "onnx" ? "ONNX Runtime" : "TF.js"} on ${where}: ${s.wallSeconds.toFixed(1)} s`;
  if (!(s.workers > 1 && Number.isFinite(s.cpuSeconds))) return head;
  return `${head} for ${s.cpuSeconds.toFixed(1)} s of worker CPU (${(s.cpuSeconds / s.wallSeconds).toFixed(2)}× from the workers, ${Math.max(0, s.cpuSeconds - s.wallSeconds).toFixed(1)} s saved)`;
}

/** The system-level setting all runs share, for the timing figure's bar group. */
function systemSetting(batchCost: number, s: SamplingSummary): string {
  const backend = s.backend === "onnx" ? "ONNX Runtime" : backendName();
  return `${backend}, batches of ${batchCost} atoms, ${s.workers === 0 ? "1 thread" : `${s.workers} worker${s.workers === 1 ? "" : "s"}`}`;
}

async function trainingSet(o: ResolvedReportOptions): Promise<TrainingSet | undefined> {
  if (!o.novelty) return undefined;
  await loadRDKit();
  return buildTrainingSet(await loadSmilesSet());
}

/**
 * Run the report on a loaded model. Validates everything (options, Chromium, the output folder) before sampling.
 * @throws on bad options, a target that is a file or a non-empty folder, missing Chromium (with `images`).
 * @example
 * await initBackend();
 * const res = await runReport(loadModel(), { n: 32, caches: "default", run: "demo" });
 * console.log(res.tableMarkdown); // and open out/demo/report.html
 */
export async function runReport(model: LoadedModel, options: Partial<ReportOptions> = {}): Promise<ReportResult> {
  const o = resolveReportOptions(options);
  const t0 = Date.now();
  const profiled = o.configurations.filter((c) => needsProfile(c.cache));
  if (o.profile !== undefined && profiled.length) checkProfileFits(readCacheProfile(o.profile), o.profile, o.steps, o.grid);
  for (const c of o.configurations) {
    if (!profiled.includes(c)) resolveSampleOptions(model, { n: o.n, steps: c.steps, cache: c.cache, solver: c.solver, grid: o.grid, batchCost: o.batchCost, seed: o.seed });
  }
  if (o.images) {
    const chromium = chromiumPath();
    if (!fs.existsSync(chromium)) {
      throw new Error(`Chromium not found at ${chromium} (needed for PNG/SVG figures); install it with \`apt-get install --no-install-recommends chromium\`, set MOLCACHE_CHROMIUM, or pass --no-images`);
    }
  }
  const folder = prepareRunFolder(o.target);
  try {
    // The sampler reads the profile; labels, slugs and specs stay as given.
    attachCacheProfile(model, profiled, { steps: o.steps, grid: o.grid, seed: o.seed, profile: o.profile, recordTo: folder.file(CACHE_PROFILE_FILE), log: o.log });
    const total = o.configurations.length * o.seeds.length * o.n;
    o.log(`molcache report: ${o.configurations.length} configurations × ${o.seeds.length} seed(s) × ${o.n} molecules, K = ${o.steps}, model ${model.name}; writing ${o.target}`);
    const bar = progressBar(total, "sampling", { mode: o.progress });
    const workers = o.workers ?? defaultWorkerCount();
    let workerCpu: number[] = [];
    const runs = await sampleConfigurations(model, o.configurations, {
      n: o.n, seeds: o.seeds, grid: o.grid, batchCost: o.batchCost, workers, backend: o.backend,
      sdfPath: (c) => folder.file("sdf", `${c.slug}.sdf`),
      onProgress: (done) => bar.update(done),
      onConfiguration: (r) => o.log(configurationLine(r)),
      onWorkerCpu: (s) => (workerCpu = s),
    });
    bar.finish();
    const tSampled = Date.now();
    const sampling: SamplingSummary = {
      backend: o.backend, workers,
      wallSeconds: runs.reduce((a, r) => a + r.wallSeconds.reduce((b, x) => b + x, 0), 0),
      cpuSeconds: workerCpu.length ? workerCpu.reduce((a, x) => a + x, 0) : NaN,
    };
    o.log(`sampling: ${samplingLine(sampling)}`);

    let study: TrajectoryStudy | undefined;
    if (o.trajectories) {
      const caches = studyCaches(o.configurations.filter((c) => c.steps === o.steps && c.solver === "euler").map((c) => c.cache));
      const molecules = Math.min(o.trajectoryMolecules, o.n);
      o.log(`recording trajectories: ${molecules} molecules, base and ${caches.map((c) => cacheSpec(c)).join(", ")}`);
      study = await trajectoryStudy(model, { n: molecules, steps: o.steps, seed: o.seed, grid: o.grid, caches, backend: o.backend });
    }
    const tStudied = Date.now();

    const train = await trainingSet(o);
    const scoreBar = progressBar(total, "scoring", { mode: o.progress });
    const evaluated = await evaluateRuns(runs, {
      trainSmiles: train, energy: o.energy, posebusters: o.posebusters, workers: Math.max(1, workers), onProgress: (done) => scoreBar.update(done),
    });
    scoreBar.finish();
    const tEvaluated = Date.now();
    const matched = /matched-nfe/i.test(o.caches) ? matchedNfeTable(evaluated) : undefined;
    const allNotes = [...notes(o, train), ...(matched?.verdicts ?? []), ...(study ? deviationNotes(study) : [])];
    if (matched) {
      folder.write("matched_nfe.md", `# Matched-NFE study ${o.runName}\n\n${matched.markdown}\n\n` +
        `Mean ± std over ${o.seeds.length} seed(s), ${o.n} molecules each. "better"/"worse": the difference exceeds the sum of the two stds. ` +
        "Paired Δ: mean ± standard error of the per-seed differences from Base (every sampler of a seed starts from the same sizes and priors).\n\n" +
        matched.verdicts.map((v) => `* ${v}\n`).join(""));
    }

    folder.write("metrics.csv", metricsCsv(evaluated));
    folder.write("summary.csv", summaryTable(evaluated, o.steps, "csv"));
    const tableMarkdown = summaryTable(evaluated, o.steps, "markdown");
    folder.write("table1.md", `# molcache report ${o.runName}\n\n${tableMarkdown}\n${allNotes.map((n) => `${n}\n`).join("\n")}`);

    const figures = [
      ...reportFigures(evaluated, { steps: o.steps, n: o.n, setting: systemSetting(o.batchCost, sampling) }),
      ...(study?.figures ?? []),
      ...(matched ? [{
        name: "matched_nfe_frontier", title: "Matched NFE",
        caption: "Quality against network calls per batch (top) and molecules/s (bottom), one line per sampler family, error bars: std over seeds.",
        figure: matchedNfeFigure(evaluated),
      }] : []),
    ];
    if (o.images) {
      o.log(`rendering ${figures.length} figures as PNG and SVG`);
      const exporter = await createFigureExporter();
      try {
        for (const f of figures) {
          await exporter.writeFigure(f.figure, folder.file("figures", `${f.name}.png`), { scale: 2 });
          await exporter.writeFigure(f.figure, folder.file("figures", `${f.name}.svg`));
        }
      } finally {
        await exporter.close();
      }
    }
    const tFigures = Date.now();
    const seconds = {
      sampling: (tSampled - t0) / 1000, trajectories: (tStudied - tSampled) / 1000, evaluation: (tEvaluated - tStudied) / 1000,
      figures: (tFigures - tEvaluated) / 1000, total: 0,
    };
    folder.write("run.json", JSON.stringify(runJson(model, o, evaluated, seconds, sampling, study), null, 1));
    const files = listFiles(folder.temp).concat("report.html").sort();
    seconds.total = (Date.now() - t0) / 1000;
    folder.write("report.html", reportHtml({
      title: `molcache report: ${o.runName}`,
      facts: facts(model, o, seconds, sampling),
      tableHtml: summaryTable(evaluated, o.steps, "html"),
      notes: allNotes,
      figures,
      files,
    }));
    folder.commit();
    seconds.total = (Date.now() - t0) / 1000;
    return { dir: o.target, evaluated, figures, tableMarkdown, study, seconds, sampling };
  } finally {
    folder.abort(); // no-op once committed
  }
}

/**
 * Score every configuration's molecules (all seeds as replicates) with `evaluate`; progress counts molecules over
 * all configurations.
 * @example
 * const evaluated = await evaluateRuns(runs, { workers: 2 });
 * summaryTable(evaluated, 100, "markdown");
 */
export async function evaluateRuns(runs: readonly ConfigurationRun[], options: EvaluateOptions = {}): Promise<EvaluatedRun[]> {
  const evaluated: EvaluatedRun[] = [];
  const total = runs.reduce((a, r) => a + r.molecules.reduce((b, m) => b + m.length, 0), 0);
  let before = 0;
  for (const run of runs) {
    const offset = before;
    const evaluation = await evaluate(run.molecules, { ...options, onProgress: (done) => options.onProgress?.(offset + done, total) });
    before += run.molecules.reduce((a, m) => a + m.length, 0);
    evaluated.push({ run, evaluation });
  }
  return evaluated;
}

/** Network calls per batch over every replicate and batch: min, mean, max (the schedule actually used). */
function callsPerBatch(run: ConfigurationRun): { min: number; mean: number; max: number } {
  const calls = run.stepsComputed.flat().map((s) => s.length * (run.configuration.solver === "heun" ? 2 : 1));
  return { min: Math.min(...calls), mean: meanStd(calls).mean, max: Math.max(...calls) };
}

/** Fraction of batches (all replicates) in which each step computed. */
function computeFrequency(run: ConfigurationRun): number[] {
  const batches = run.stepsComputed.flat();
  const freq = new Array<number>(run.configuration.steps).fill(0);
  for (const b of batches) for (const k of b) freq[k] += 1 / batches.length;
  return freq.map((f) => Math.round(f * 1000) / 1000);
}

function configurationLine(r: ConfigurationRun): string {
  const t = meanStd(r.wallSeconds).mean;
  const tput = meanStd(r.moleculesPerSecond).mean;
  return `  ${r.configuration.label}: ${r.molecules.reduce((a, m) => a + m.length, 0)} molecules, ${r.networkCalls} network calls/batch, ` +
    `${t.toFixed(1)} s per seed, ${tput.toFixed(2)} molecules/s`;
}

function listFiles(dir: string, prefix = ""): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name.startsWith(".")) return [];
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    return e.isDirectory() ? listFiles(path.join(dir, e.name), rel) : [rel];
  });
}

function facts(model: LoadedModel, o: ResolvedReportOptions, seconds: ReportResult["seconds"], sampling: SamplingSummary): [string, string][] {
  const params = model.generator.parameterCount().toLocaleString("en-US");
  return [
    ["Model", `${model.name} (${params} parameters)`],
    ["Molecules", `${o.n} per configuration and seed`],
    ["Solver", `K = ${o.steps} steps, ${o.grid} time grid`],
    ["Seeds", o.seeds.join(", ")],
    ["Configurations", o.configurations.map((c) => c.label).join("; ")],
    ["Machine", `${backendName()} backend, ${os.cpus().length} CPU cores, Node ${process.version}`],
    ["Sampling", samplingLine(sampling)],
    ["Time", `sampling ${seconds.sampling.toFixed(0)} s, trajectories ${seconds.trajectories.toFixed(0)} s, scoring ${seconds.evaluation.toFixed(0)} s, figures ${seconds.figures.toFixed(0)} s, total ${seconds.total.toFixed(0)} s`],
    ["Written", new Date().toISOString()],
  ];
}

function notes(o: ResolvedReportOptions, train: TrainingSet | undefined): string[] {
  return [
    `Rates in %, mean ± std over ${o.seeds.length} seed(s) (no ± with one seed). Every configuration of a seed starts from the same molecule sizes and priors.`,
    train
      ? `Novelty against the QM9 MiDi training split (${train.keys.size.toLocaleString("en-US")} canonical heavy-atom SMILES).`
      : "Novelty not computed (--no-novelty).",
    "Energy and strain: MMFF94 in kcal/mol (strain = energy − energy after relaxation); PB-valid: PoseBusters-style checks. " +
      "NFE: network calls per batch. Time: sampling wall-clock on this machine, one configuration after another; Speed-up: throughput over Base at K.",
  ];
}

/** One line per cached trajectory run: how far it drifts from the base run (same prior). */
function deviationNotes(study: TrajectoryStudy): string[] {
  return study.cached.map((c) => {
    const d = c.deviation;
    const last = d.rmsd.length - 1;
    const meanRmsd = d.rmsd.reduce((a, s) => a + s.mean, 0) / d.rmsd.length;
    return `Trajectories, ${c.label} vs Base from the same priors (${d.molecules.length} molecules): predicted-coordinate RMSD ` +
      `${meanRmsd.toFixed(3)} Å averaged over the steps, ${d.rmsd[last].mean.toFixed(3)} Å at the last step; ` +
      `${(100 * d.typeChanged[last].mean).toFixed(1)}% of atom types and ${(100 * d.bondChanged[last].mean).toFixed(1)}% of bonds differ at the end.`;
  });
}

function runJson(
  model: LoadedModel, o: ResolvedReportOptions, evaluated: readonly EvaluatedRun[], seconds: ReportResult["seconds"], sampling: SamplingSummary, study?: TrajectoryStudy,
): unknown {
  return {
    format: "molcache-report/1",
    run: o.runName,
    model: { name: model.name, parameters: model.generator.parameterCount(), meta: model.meta },
    settings: { n: o.n, steps: o.steps, grid: o.grid, seeds: o.seeds, batchCost: o.batchCost, caches: o.caches, backend: backendName() },
    seconds,
    sampling,
    configurations: evaluated.map(({ run, evaluation }) => ({
      label: run.configuration.label, slug: run.configuration.slug, steps: run.configuration.steps, cache: run.configuration.spec,
      solver: run.configuration.solver, networkCalls: run.networkCalls, callsPerBatch: callsPerBatch(run), computeFrequency: computeFrequency(run),
      batches: run.batches, wallSeconds: run.wallSeconds, moleculesPerSecond: run.moleculesPerSecond,
      peakTensorBytes: run.peakTensorBytes, sdf: `sdf/${run.configuration.slug}.sdf`,
      aggregate: evaluation.aggregate, replicates: evaluation.replicates,
    })),
    trajectories: study
      ? study.cached.map((c) => ({
        cache: cacheSpec(c.cache), steps: c.deviation.steps, rmsdMean: c.deviation.rmsd.map((x) => x.mean),
        typeChangedMean: c.deviation.typeChanged.map((x) => x.mean), bondChangedMean: c.deviation.bondChanged.map((x) => x.mean),
      }))
      : null,
  };
}
