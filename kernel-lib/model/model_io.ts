/**
 * Models on disk: a folder with `config.json` (architecture, coordinate std, size histogram, provenance) and a
 * weights bundle `weights.json` + `weights.bin`. {@link loadModel} with no argument loads the embedded default model
 * trained by molcache on QM9 (`data/models/default`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { QM9_COORD_STD } from "../data/featurize";
import { writeFileAtomic } from "../util/atomic_write";
import { Bundle, readBundle, writeBundle } from "../util/bundle";
import { Rng } from "../util/rng";
import { resolveConfig, SemlaConfig } from "./config";
import { SemlaGenerator } from "./generator";
import { initParams } from "./init";
import { expectedParameterShapes } from "./parameter_shapes";
import { ParamStore } from "./params";

/** The folder of the embedded default model. */
export const DEFAULT_MODEL_DIR = path.resolve(__dirname, "..", "..", "data", "models", "default");


/** A generator plus what sampling needs to turn its outputs into molecules. */
export interface LoadedModel {
  generator: SemlaGenerator;
  /** Multiply normalised coordinates by this to get Å. */
  coordStd: number;
  /** Atom-count histogram `{atoms: count}` to draw molecule sizes from (absent for imported checkpoints). */
  sizeHistogram?: Record<string, number>;
  /** A name for tables and logs. */
  name: string;
  /** Free-form metadata from config.json (dataset, training log summary, quality…). */
  meta: Record<string, unknown>;
  /** The folder it was loaded from (absent for models built in memory); cache profiles are looked up there. */
  dir?: string;
  /**
   * Release the model's tensors (its generator's parameters). Idempotent; the model cannot sample afterwards.
   * @example
   * const model = loadModel();
   * try { await sample(model, { n: 8 }); } finally { model.dispose(); }
   */
  dispose(): void;
}

/** What a {@link LoadedModel} is made of (everything but `dispose`), e.g. for {@link saveModel}. */
export type ModelParts = Omit<LoadedModel, "dispose">;

/**
 * A {@link LoadedModel} from its parts; `dispose()` disposes the generator (idempotent, as the generator's own).
 * @example
 * const model = loadedModel({ generator, coordStd: 1.7233, name: "mine", meta: {} });
 */
export function loadedModel(parts: ModelParts): LoadedModel {
  return { ...parts, dispose: () => parts.generator.dispose() };
}

/** The content of a model folder's `config.json`. */
export interface ModelFile {
  format: "molcache-model/1";
  name: string;
  config: SemlaConfig;
  coordStd: number;
  sizeHistogram?: Record<string, number>;
  meta?: Record<string, unknown>;
}

/**
 * Load a model folder (default: the embedded QM9 model).
 * @throws a clear error if the folder or its files are missing, or the weights do not fit the config.
 * @example
 * const model = loadModel(); model.generator.parameterCount();
 */
export function loadModel(dir: string = DEFAULT_MODEL_DIR): LoadedModel {
  const configPath = path.join(dir, "config.json");
  if (!fs.existsSync(configPath)) {
    throw new Error(`no model at ${dir}: ${configPath} is missing; pass a folder written by saveModel or \`molcache import\``);
  }
  let file: ModelFile;
  try {
    file = JSON.parse(fs.readFileSync(configPath, "utf8"));
  } catch (err) {
    throw new Error(`cannot parse ${configPath}: ${(err as Error).message}`);
  }
  if (file.format !== "molcache-model/1") throw new Error(`${configPath} is not a molcache model file (format ${file.format})`);
  const config = resolveConfig(file.config as unknown as Record<string, unknown>);
  const params = new ParamStore();
  const bundle = readBundle(path.join(dir, "weights.json"));
  checkFiniteWeights(bundle, dir);
  params.loadBundle(bundle, expectedParameterShapes(config));
  return loadedModel({
    generator: new SemlaGenerator(config, params),
    coordStd: file.coordStd,
    sizeHistogram: file.sizeHistogram,
    name: file.name,
    meta: file.meta ?? {},
    dir: path.resolve(dir),
  });
}

/** Refuse weights holding NaN or infinity (a diverged run, a damaged file): they would sample `nan` atoms. */
function checkFiniteWeights(bundle: Bundle, dir: string): void {
  let bad = 0;
  let first = "";
  for (const [name, t] of bundle.tensors) {
    for (let i = 0; i < t.data.length; i++) {
      if (!Number.isFinite(t.data[i])) {
        bad++;
        first ||= name;
      }
    }
  }
  if (bad) throw new Error(`the model at ${dir} has ${bad} NaN or infinite weights (first in ${first}); it is damaged or from a diverged run: use another model`);
}

/**
 * Save a model folder (weights first, then config.json, each atomically).
 * @example
 * saveModel(createRandomModel(TINY_CONFIG, { seed: 0 }), "models/tiny-random");
 */
export function saveModel(model: ModelParts, dir: string): void {
  writeBundle(dir, "weights", model.generator.params.toBundle({ what: "SemlaFlow generator weights (reference names)" }));
  const file: ModelFile = {
    format: "molcache-model/1",
    name: model.name,
    config: model.generator.config,
    coordStd: model.coordStd,
    sizeHistogram: model.sizeHistogram,
    meta: model.meta,
  };
  writeFileAtomic(path.join(dir, "config.json"), JSON.stringify(file, null, 1));
}

/**
 * A randomly initialised model (for benchmarks and tests before a trained one exists).
 * @example
 * const model = createRandomModel(SMALL_CONFIG, { seed: 0 });
 */
export function createRandomModel(config: SemlaConfig, options: { seed?: number; coordStd?: number; name?: string } = {}): LoadedModel {
  const resolved = resolveConfig(config as unknown as Record<string, unknown>);
  return loadedModel({
    generator: new SemlaGenerator(resolved, initParams(resolved, new Rng(options.seed ?? 0))),
    coordStd: options.coordStd ?? QM9_COORD_STD,
    name: options.name ?? "random",
    meta: {},
  });
}
