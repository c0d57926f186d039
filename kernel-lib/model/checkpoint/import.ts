/**
 * Import a SemlaFlow Lightning checkpoint into a molcache model folder: pick the EMA generator weights
 * (`ema_gen.module.*`, else `gen.*`), build the config from the hyperparameters, check every tensor name and shape,
 * and write `<outDir>/weights.json|bin` + `<outDir>/config.json` (the `molcache-model/1` format `loadModel` reads)
 * only once everything has been checked.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Bundle, BundleTensor, shapeSize, writeBundle } from "../../util/bundle";
import { writeFileAtomic } from "../../util/atomic_write";
import { checkOutputFolder } from "../../util/output_folder";
import { SemlaConfig, configFromHyperparameters } from "../config";
import type { ModelFile } from "../model_io";
import { expectedParameterShapes } from "../parameter_shapes";
import { LazyTorchCheckpoint, openTorchCheckpoint } from "./torch_checkpoint";
import { rejectUnknownOptions } from "../../util/options";
import { DATASET_PRESETS, datasetPreset, presetHistogramJson } from "../../data/dataset_preset";

/** Coordinate standard deviations (Å) of the reference datasets: model coordinates are Å divided by these. */
export const DATASET_COORD_STD: Readonly<Record<string, number>> = Object.fromEntries(
  Object.values(DATASET_PRESETS).map((p) => [p.name, p.coordStd] as [string, number]),
);

/** Which weight copy to import. */
export type WeightCopy = "auto" | "ema" | "gen";

/** Options of {@link importSemlaCheckpoint}. */
export interface ImportOptions {
  /** `auto` (default): the EMA copy `ema_gen.module.*` when present, else `gen.*`. `ema`/`gen` force one. */
  copy: WeightCopy;
  /**
   * Coordinate std in Å. Default (undefined): from the hyperparameters' `dataset` ({@link DATASET_COORD_STD}), else
   * their `coord_scale`; without either, the import fails unless this is given.
   */
  coordStd: number | undefined;
  /** Model name in config.json (default: the checkpoint file name without its extension). */
  name: string | undefined;
  /**
   * Replace the model in an existing output folder (default false: a non-empty folder is refused). Only a folder
   * holding nothing but a molcache model (`config.json`, `weights.json`, `weights.bin`) is replaced, so files never mix.
   */
  replace: boolean;
  /**
   * Dataset preset (`qm9`, `geom-drugs`) the model was trained on, for its size histogram, buckets and coordinate
   * std. Default: the hyperparameters' `dataset`; a different value than theirs is an error. Without either the
   * model has no size histogram and sampling asks for a dataset.
   */
  dataset: string | undefined;
}

/** Defaults of {@link ImportOptions}. */
export const DEFAULT_IMPORT_OPTIONS: Readonly<ImportOptions> = { copy: "auto", coordStd: undefined, name: undefined, replace: false, dataset: undefined };

/** The files of a model folder (what `replace` may overwrite). */
const MODEL_FILES = ["config.json", "weights.bin", "weights.json"];

/**
 * Fill defaults and validate (unknown keys are errors).
 * @example
 * resolveImportOptions({ copy: "gen" }).copy; // "gen"
 */
export function resolveImportOptions(partial: Partial<ImportOptions> = {}): ImportOptions {
  rejectUnknownOptions(partial, DEFAULT_IMPORT_OPTIONS, "import");
  const o = { ...DEFAULT_IMPORT_OPTIONS, ...partial };
  if (!["auto", "ema", "gen"].includes(o.copy)) throw new Error(`invalid copy: ${String(o.copy)}; use auto, ema or gen`);
  if (o.coordStd !== undefined && !(typeof o.coordStd === "number" && Number.isFinite(o.coordStd) && o.coordStd > 0)) {
    throw new Error(`invalid coordStd: ${String(o.coordStd)}; must be a positive number of Å (QM9 1.7232995, GEOM-Drugs 2.4070387)`);
  }
  if (o.dataset !== undefined) datasetPreset(o.dataset);
  if (o.name !== undefined && (typeof o.name !== "string" || o.name === "")) throw new Error(`invalid name: ${String(o.name)}; use a non-empty string`);
  if (typeof o.replace !== "boolean") throw new Error(`invalid replace: ${String(o.replace)}; use true or false`);
  return o;
}

/** What {@link importSemlaCheckpoint} did. */
export interface ImportReport {
  checkpoint: string;
  outDir: string;
  weightsPath: string;
  configPath: string;
  /** The state-dict prefix the weights came from. */
  prefix: "ema_gen.module." | "gen.";
  /** One line on which copy was used and why. */
  copyNote: string;
  config: SemlaConfig;
  nTensors: number;
  nParams: number;
  dataset?: string;
  /** Coordinate std in Å, as written to config.json. */
  coordStd: number;
  /** Where the coordinate std came from: `dataset <name>`, `coord_scale` or `option`. */
  coordStdSource: string;
  /** Tensors converted to float32 from another dtype (`name: float64`). */
  converted: string[];
  /** Checkpoint tensors not imported (other copy, EMA counter, …), grouped by prefix. */
  skipped: Record<string, number>;
  bytesRead: number;
  fileSize: number;
}

const FLOAT_SOURCES = new Set(["float32", "float64", "float16", "bfloat16"]);

function buildConfig(hp: Record<string, unknown>, file: string): SemlaConfig {
  if (Object.keys(hp).length === 0) throw new Error(`${file} has no hyper_parameters; cannot tell the model size`);
  const arch = hp.architecture;
  if (arch !== undefined && arch !== null && arch !== "semla") {
    throw new Error(`${file} holds a "${String(arch)}" model; only SemlaFlow ("semla") checkpoints can be imported`);
  }
  const hpForConfig = { ...hp };
  // The reference stores n_atom_feats = vocabulary size + 1 (the time feature), not the vocabulary size itself.
  if (hpForConfig.vocab_size === undefined && typeof hp.n_atom_feats === "number") hpForConfig.vocab_size = hp.n_atom_feats - 1;
  try {
    return configFromHyperparameters(hpForConfig);
  } catch (err) {
    throw new Error(`${file}: the hyperparameters do not make a valid SemlaFlow config: ${(err as Error).message}`);
  }
}

/** The dataset: the option, else the hyperparameters' (an error when both are given and differ). */
function pickDataset(hp: Record<string, unknown>, option: string | undefined, file: string): string | undefined {
  const recorded = typeof hp.dataset === "string" ? hp.dataset : undefined;
  if (option !== undefined && recorded !== undefined && option !== recorded) {
    throw new Error(`${file} was trained on ${recorded} (its hyperparameters say so) but --dataset ${option} was given; drop --dataset or pass ${recorded}`);
  }
  return option ?? recorded;
}

/** The coordinate std: the option, else the dataset's, else `coord_scale`; an error naming the fix otherwise. */
function pickCoordStd(hp: Record<string, unknown>, option: number | undefined, file: string, dataset: string | undefined): { coordStd: number; coordStdSource: string } {
  if (option !== undefined) return { coordStd: option, coordStdSource: "option" };
  if (dataset !== undefined && DATASET_COORD_STD[dataset] !== undefined) return { coordStd: DATASET_COORD_STD[dataset], coordStdSource: `dataset ${dataset}` };
  if (typeof hp.coord_scale === "number" && hp.coord_scale > 0) return { coordStd: hp.coord_scale, coordStdSource: "coord_scale" };
  throw new Error(
    `${file}: the hyperparameters give neither a known dataset (${dataset ?? "none"}) nor coord_scale; pass the coordinate ` +
      "std (--coord-std: QM9 1.7232995, GEOM-Drugs 2.4070387)",
  );
}

interface Selection {
  prefix: ImportReport["prefix"];
  copyNote: string;
  /** Our parameter name → checkpoint name, in reference order. */
  names: Map<string, string>;
  skipped: Record<string, number>;
}

/** Choose the weight copy and check its names, shapes and dtypes against the config (reads no tensor data). */
function selectWeights(ckpt: LazyTorchCheckpoint, config: SemlaConfig, copy: WeightCopy, file: string): Selection {
  const all = [...ckpt.tensors.keys()];
  const nEma = all.filter((n) => n.startsWith("ema_gen.module.")).length;
  const nGen = all.filter((n) => n.startsWith("gen.")).length;
  if (copy === "ema" && nEma === 0) throw new Error(`${file} has no EMA weights (ema_gen.module.*); use copy "gen" or "auto"`);
  if (copy === "gen" && nGen === 0) throw new Error(`${file} has no raw generator weights (gen.*)`);
  if (nEma === 0 && nGen === 0) {
    throw new Error(`${file} holds no SemlaFlow generator weights (no ema_gen.module.* or gen.* tensors among ${all.length})`);
  }
  const useEma = copy === "ema" || (copy === "auto" && nEma > 0);
  const prefix = useEma ? "ema_gen.module." : "gen.";
  const copyNote = useEma
    ? `EMA weights (ema_gen.module.*, ${nEma} tensors)${nGen ? `; raw gen.* copy (${nGen}) ignored` : ""}`
    : `raw weights (gen.*, ${nGen} tensors): ${nEma ? "chosen by option" : "the checkpoint has no EMA copy"}`;

  const expected = expectedParameterShapes(config);
  const problems: string[] = [];
  const found = new Map<string, string>();
  const skipped: Record<string, number> = {};
  for (const n of all) {
    if (!n.startsWith(prefix)) {
      const group = n.startsWith("ema_gen.module.") ? "ema_gen.module.*" : n.startsWith("gen.") ? "gen.*"
        : n.startsWith("ema_gen.") ? n : `${n.split(".")[0]}.*`;
      skipped[group] = (skipped[group] ?? 0) + 1;
      continue;
    }
    const ours = n.slice(prefix.length);
    const ref = ckpt.tensors.get(n)!;
    const want = expected.get(ours);
    if (!want) problems.push(`unexpected tensor ${n} [${ref.shape}]`);
    else if (want.join(",") !== ref.shape.join(",")) problems.push(`${n} has shape [${ref.shape}], the config needs [${want}]`);
    else if (!FLOAT_SOURCES.has(ref.dtype)) problems.push(`${n} is ${ref.dtype}, not a floating-point tensor`);
    found.set(ours, n);
  }
  for (const ours of expected.keys()) if (!found.has(ours)) problems.push(`missing tensor ${prefix}${ours}`);
  if (problems.length) {
    const c = config;
    const cfg = `d_model ${c.dModel}, n_layers ${c.nLayers}, d_message ${c.dMessage}, d_edge ${c.dEdge}, n_coord_sets ${c.nCoordSets}`;
    throw new Error(
      `${file}: the state dict does not fit the config from its hyperparameters (${cfg}); ${problems.length} problem(s): ` +
        problems.slice(0, 8).join("; ") + (problems.length > 8 ? "; …" : ""),
    );
  }
  const names = new Map([...expected.keys()].map((ours) => [ours, found.get(ours)!] as [string, string]));
  return { prefix, copyNote, names, skipped };
}

/** Move staged files into `outDir` (the whole folder when it did not exist), config last. */
function publish(staging: string, outDir: string, created: boolean): void {
  if (created) {
    fs.renameSync(staging, outDir);
    return;
  }
  for (const f of ["weights.bin", "weights.json", "config.json"]) fs.renameSync(path.join(staging, f), path.join(outDir, f));
  fs.rmSync(staging, { recursive: true, force: true });
}

/** `outDir` must be absent or empty; with `replace`, it may also hold a model folder's files and nothing else. */
function checkImportTarget(outDir: string, replace: boolean): void {
  const target = path.resolve(outDir);
  if (replace && fs.existsSync(target) && fs.statSync(target).isDirectory()) {
    const others = fs.readdirSync(target).filter((f) => !MODEL_FILES.includes(f));
    if (others.length === 0) return;
    throw new Error(`cannot replace the model in ${target}: it also holds ${others.slice(0, 3).join(", ")}; choose another --out`);
  }
  checkOutputFolder(target, replace ? "--out" : "--out (or --force to replace a model there)");
}

/** Write the bundle and config into a staging folder, then move them into place; nothing is left on failure. */
function writeModelFolder(outDir: string, bundle: Bundle, configFile: ModelFile, replace: boolean): void {
  checkImportTarget(outDir, replace); // something may have appeared there while the checkpoint was read
  const created = !fs.existsSync(outDir);
  const stagingParent = created ? path.dirname(path.resolve(outDir)) : outDir;
  fs.mkdirSync(stagingParent, { recursive: true });
  // Not mkdtemp: its 0700 mode would become the output folder's mode after the rename.
  const staging = path.join(stagingParent, `.${path.basename(outDir)}.import-${process.pid}-${Date.now()}`);
  fs.mkdirSync(staging);
  try {
    writeBundle(staging, "weights", bundle);
    writeFileAtomic(path.join(staging, "config.json"), JSON.stringify(configFile, null, 1));
    publish(staging, outDir, created);
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw new Error(`could not write the import to ${outDir}: ${(err as Error).message}`);
  }
}

/**
 * Import a SemlaFlow Lightning checkpoint into the model folder `outDir` (`weights.json`, `weights.bin`,
 * `config.json`), which must be absent or empty. Reads only the zip directory, `data.pkl` and the chosen copy's storages, each once. Nothing is
 * written unless every expected tensor is present with the right shape and finite values; files appear atomically.
 *
 * @throws with a message naming the problem: truncated or non-checkpoint file, another architecture, missing
 *   hyperparameters or coordinate std, missing/unexpected/misshaped tensors, non-float or non-finite weights.
 * @example
 * const r = importSemlaCheckpoint("last.ckpt", "models/geom");
 * console.log(r.copyNote, r.nParams); // "EMA weights (ema_gen.module.*, 428 tensors)…", 23301407
 */
export function importSemlaCheckpoint(ckptPath: string, outDir: string, options: Partial<ImportOptions> = {}): ImportReport {
  const opts = resolveImportOptions(options);
  const file = path.basename(ckptPath);
  // An existing model's files are never replaced unasked or mixed with others (checked before the long read).
  checkImportTarget(outDir, opts.replace);
  const ckpt = openTorchCheckpoint(ckptPath);
  const hp = ckpt.hyperParameters;
  let config: SemlaConfig;
  let sel: Selection;
  let std: { coordStd: number; coordStdSource: string };
  const tensors = new Map<string, BundleTensor>();
  const converted: string[] = [];
  try {
    config = buildConfig(hp, file);
    std = pickCoordStd(hp, opts.coordStd, file, pickDataset(hp, opts.dataset, file));
    sel = selectWeights(ckpt, config, opts.copy, file);
    const loaded = ckpt.load(sel.names.values());
    for (const [ours, theirs] of sel.names) {
      const t = loaded.get(theirs)!;
      if (!(t.data instanceof Float32Array)) throw new Error(`${file}: ${theirs} did not load as float32`);
      let bad = 0;
      for (let i = 0; i < t.data.length; i++) if (!Number.isFinite(t.data[i])) bad++;
      if (bad) throw new Error(`${file}: ${theirs} has ${bad} non-finite values; the checkpoint is corrupt or diverged`);
      if (t.sourceDtype !== "float32") converted.push(`${ours}: ${t.sourceDtype}`);
      tensors.set(ours, { dtype: "float32", shape: t.shape, data: t.data });
    }
  } finally {
    ckpt.close();
  }

  let nParams = 0;
  for (const t of tensors.values()) nParams += shapeSize(t.shape);
  const dataset = pickDataset(hp, opts.dataset, file);
  const preset = dataset !== undefined ? DATASET_PRESETS[dataset] : undefined;
  const bundle: Bundle = {
    tensors,
    meta: { what: "SemlaGenerator state_dict imported from a Lightning checkpoint", checkpoint: file, prefix: sel.prefix, n_params: nParams },
  };
  const configFile: ModelFile = {
    format: "molcache-model/1",
    name: opts.name ?? file.replace(/\.[^.]*$/, ""),
    config,
    coordStd: std.coordStd,
    ...(preset ? { sizeHistogram: presetHistogramJson(preset) } : {}),
    meta: {
      source: "lightning-checkpoint",
      checkpoint: file,
      prefix: sel.prefix,
      nParams,
      coordStdSource: std.coordStdSource,
      ...(dataset !== undefined ? { dataset } : {}),
      hyperParameters: hp,
    },
  };
  writeModelFolder(outDir, bundle, configFile, opts.replace);
  return {
    checkpoint: ckptPath,
    outDir,
    weightsPath: path.join(outDir, "weights.json"),
    configPath: path.join(outDir, "config.json"),
    prefix: sel.prefix,
    copyNote: sel.copyNote,
    config,
    nTensors: tensors.size,
    nParams,
    dataset,
    coordStd: std.coordStd,
    coordStdSource: std.coordStdSource,
    converted,
    skipped: sel.skipped,
    bytesRead: ckpt.stats.bytesRead,
    fileSize: fs.statSync(ckptPath).size,
  };
}
