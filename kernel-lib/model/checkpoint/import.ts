/**
 * Import a SemlaFlow Lightning checkpoint into molcache's bundle format: pick the EMA generator weights
 * (`ema_gen.module.*`, else `gen.*`), build the config from the hyperparameters, check every tensor name and shape,
 * and write `<outDir>/weights.json|bin` + `<outDir>/config.json` only once everything has been checked.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Bundle, BundleTensor, shapeSize, writeBundle } from "../../util/bundle";
import { writeFileAtomic } from "../../util/atomic_write";
import { SemlaConfig, configFromHyperparameters, resolveConfig } from "../config";
import { expectedParameterShapes } from "../parameter_shapes";
import { openTorchCheckpoint } from "./torch_checkpoint";

/** Coordinate standard deviations (Å) of the reference datasets: model coordinates are Å divided by these. */
export const DATASET_COORD_STD: Readonly<Record<string, number>> = {
  qm9: 1.723299503326416,
  "geom-drugs": 2.407038688659668,
};

/** Which weight copy to import. */
export type WeightCopy = "auto" | "ema" | "gen";

/** Options of {@link importSemlaCheckpoint}. */
export interface ImportOptions {
  /** `auto` (default): the EMA copy `ema_gen.module.*` when present, else `gen.*`. `ema`/`gen` force one. */
  copy: WeightCopy;
}

/** Defaults of {@link ImportOptions}. */
export const DEFAULT_IMPORT_OPTIONS: ImportOptions = { copy: "auto" };

/** Fill defaults and validate (unknown keys are errors). */
export function resolveImportOptions(partial: Partial<ImportOptions> = {}): ImportOptions {
  for (const k of Object.keys(partial)) {
    if (!(k in DEFAULT_IMPORT_OPTIONS)) throw new Error(`unknown import option: ${k}; known options are ${Object.keys(DEFAULT_IMPORT_OPTIONS).join(", ")}`);
  }
  const o = { ...DEFAULT_IMPORT_OPTIONS, ...partial };
  if (!["auto", "ema", "gen"].includes(o.copy)) throw new Error(`invalid copy: ${String(o.copy)}; use auto, ema or gen`);
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
  /** Coordinate standard deviation in Å, when the hyperparameters name a known dataset (or give `coord_scale`). */
  coordStd?: number;
  /** Tensors converted to float32 from another dtype (`name: float64`). */
  converted: string[];
  /** Checkpoint tensors not imported (other copy, EMA counter, …), counted by top-level prefix. */
  skipped: Record<string, number>;
  bytesRead: number;
  fileSize: number;
}

/** The `config.json` written beside the weights. */
export interface ImportedConfigFile {
  format: "molcache-semla-config/1";
  config: SemlaConfig;
  dataset?: string;
  coordStd?: number;
  weights: string;
  source: { checkpoint: string; prefix: string; nParams: number };
  hyperParameters: Record<string, unknown>;
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

/** Move staged files into `outDir` (a whole new folder when it did not exist), config last. */
function publish(staging: string, outDir: string, created: boolean): void {
  if (created) {
    fs.renameSync(staging, outDir);
    return;
  }
  for (const f of ["weights.bin", "weights.json", "config.json"]) fs.renameSync(path.join(staging, f), path.join(outDir, f));
  fs.rmSync(staging, { recursive: true, force: true });
}

/**
 * Import a SemlaFlow Lightning checkpoint into `outDir` (`weights.json`, `weights.bin`, `config.json`).
 * Reads only the central directory, `data.pkl` and the chosen copy's storages. Nothing is written unless every
 * expected tensor is present with the right shape and finite values; files appear atomically.
 *
 * @throws with a message naming the problem: truncated or non-checkpoint file, wrong architecture, missing
 *   hyperparameters, missing/unexpected/misshaped tensors, non-float or non-finite weights.
 * @example
 * const r = importSemlaCheckpoint("last.ckpt", "models/qm9");
 * console.log(r.copyNote, r.nParams); // "EMA weights (ema_gen.module.*)…", 23301407
 */
export function importSemlaCheckpoint(ckptPath: string, outDir: string, options: Partial<ImportOptions> = {}): ImportReport {
  const opts = resolveImportOptions(options);
  const file = path.basename(ckptPath);
  const ckpt = openTorchCheckpoint(ckptPath);
  let bundle: Bundle;
  let prefix: ImportReport["prefix"];
  let copyNote: string;
  let config: SemlaConfig;
  const converted: string[] = [];
  const skipped: Record<string, number> = {};
  try {
    const names = [...ckpt.tensors.keys()];
    const nEma = names.filter((n) => n.startsWith("ema_gen.module.")).length;
    const nGen = names.filter((n) => n.startsWith("gen.")).length;
    if (opts.copy === "ema" && nEma === 0) throw new Error(`${file} has no EMA weights (ema_gen.module.*); use copy "gen" or "auto"`);
    if (opts.copy === "gen" && nGen === 0) throw new Error(`${file} has no raw generator weights (gen.*)`);
    if (nEma === 0 && nGen === 0) {
      throw new Error(`${file} holds no SemlaFlow generator weights (no ema_gen.module.* or gen.* tensors among ${names.length})`);
    }
    const useEma = opts.copy === "ema" || (opts.copy === "auto" && nEma > 0);
    prefix = useEma ? "ema_gen.module." : "gen.";
    copyNote = useEma
      ? `EMA weights (ema_gen.module.*, ${nEma} tensors)${nGen ? `; raw gen.* copy (${nGen}) ignored` : ""}`
      : `raw weights (gen.*, ${nGen} tensors): ${nEma ? "chosen by option" : "the checkpoint has no EMA copy"}`;

    config = buildConfig(ckpt.hyperParameters, file);
    const expected = expectedParameterShapes(config);
    const problems: string[] = [];
    const chosen = new Map<string, string>(); // our name → checkpoint name
    for (const n of names) {
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
      chosen.set(ours, n);
    }
    for (const ours of expected.keys()) if (!chosen.has(ours)) problems.push(`missing tensor ${prefix}${ours}`);
    if (problems.length) {
      const cfg = `d_model ${config.dModel}, n_layers ${config.nLayers}, d_message ${config.dMessage}, d_edge ${config.dEdge}, n_coord_sets ${config.nCoordSets}`;
      throw new Error(
        `${file}: the state dict does not fit the config from its hyperparameters (${cfg}); ${problems.length} problem(s): ` +
          problems.slice(0, 8).join("; ") + (problems.length > 8 ? "; …" : ""),
      );
    }

    const loaded = ckpt.load([...expected.keys()].map((n) => chosen.get(n)!));
    const tensors = new Map<string, BundleTensor>();
    for (const ours of expected.keys()) {
      const t = loaded.get(chosen.get(ours)!)!;
      if (!(t.data instanceof Float32Array)) throw new Error(`${file}: ${chosen.get(ours)} did not load as float32`);
      let bad = 0;
      for (let i = 0; i < t.data.length; i++) if (!Number.isFinite(t.data[i])) bad++;
      if (bad) throw new Error(`${file}: ${chosen.get(ours)} has ${bad} non-finite values; the checkpoint is corrupt or diverged`);
      if (t.sourceDtype !== "float32") converted.push(`${ours}: ${t.sourceDtype}`);
      tensors.set(ours, { dtype: "float32", shape: t.shape, data: t.data });
    }
    bundle = { tensors, meta: {} };
  } finally {
    ckpt.close();
  }

  const hp = ckpt.hyperParameters;
  const dataset = typeof hp.dataset === "string" ? hp.dataset : undefined;
  let coordStd = dataset !== undefined ? DATASET_COORD_STD[dataset] : undefined;
  if (coordStd === undefined && typeof hp.coord_scale === "number" && hp.coord_scale > 0) coordStd = hp.coord_scale;
  let nParams = 0;
  for (const t of bundle.tensors.values()) nParams += shapeSize(t.shape);
  bundle.meta = { what: "SemlaGenerator state_dict imported from a Lightning checkpoint", checkpoint: file, prefix, n_params: nParams };
  const configFile: ImportedConfigFile = {
    format: "molcache-semla-config/1",
    config,
    ...(dataset !== undefined ? { dataset } : {}),
    ...(coordStd !== undefined ? { coordStd } : {}),
    weights: "weights.json",
    source: { checkpoint: file, prefix, nParams },
    hyperParameters: hp,
  };

  // Stage everything, then move into place: a failure never leaves a half-written import.
  const created = !fs.existsSync(outDir);
  if (!created && !fs.statSync(outDir).isDirectory()) throw new Error(`--out ${outDir} exists and is not a folder`);
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
  return {
    checkpoint: ckptPath, outDir, weightsPath: path.join(outDir, "weights.json"), configPath: path.join(outDir, "config.json"),
    prefix, copyNote, config, nTensors: bundle.tensors.size, nParams, dataset, coordStd, converted, skipped,
    bytesRead: ckpt.stats.bytesRead, fileSize: fs.statSync(ckptPath).size,
  };
}

/**
 * Read an imported model's `config.json` (validated config, dataset, coordinate std, weights manifest path).
 * @example
 * const { config, weightsPath } = readImportedConfig("models/qm9");
 */
export function readImportedConfig(dir: string): ImportedConfigFile & { weightsPath: string } {
  const file = path.join(dir, "config.json");
  let json: ImportedConfigFile;
  try {
    json = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as Error).message}; run \`molcache import <file.ckpt> --out ${dir}\` first`);
  }
  if (json.format !== "molcache-semla-config/1" || typeof json.config !== "object") {
    throw new Error(`${file} is not a molcache imported-model config (format ${String(json.format)})`);
  }
  return { ...json, config: resolveConfig({ ...json.config }, json.config), weightsPath: path.join(dir, json.weights) };
}
