/**
 * `openModel(spec)`: the one way to name a model, shared by the CLI (`--model`) and the notebooks
 * (`MOLCACHE_NB_MODEL`): `"default"` (or nothing) for molcache's trained QM9 model, a model folder (from
 * `molcache import` or training), or `random:<preset>[:seed]` for a random-init model of a preset architecture.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { DATASET_PRESETS } from "../data/dataset_preset";
import { CONFIG_PRESETS } from "./config";
import { createRandomModel, DEFAULT_MODEL_DIR, LoadedModel, loadModel } from "./model_io";

/** Options of {@link openModel}. */
export interface OpenModelOptions {
  /** How errors name the spec, e.g. `"--model"` in the CLI (default `"model"`). */
  argument: string;
}

/**
 * Open the model `spec` names. Call `dispose()` on the result when done.
 * @param spec `"default"` or `undefined` (data/models/default), a model folder, or `random:<tiny|small|qm9|geom-drugs>`
 *   with an optional `:<seed>` (default 0).
 * @throws naming the fix when the default model is missing, the preset is unknown, or the folder holds no model.
 * @example
 * const model = openModel(process.env.MOLCACHE_NB_MODEL ?? "default"); // or "random:small", "models/semla-qm9"
 */
export function openModel(spec?: string, options: Partial<OpenModelOptions> = {}): LoadedModel {
  const argument = options.argument ?? "model";
  if (spec === undefined || spec === "" || spec === "default") {
    if (!fs.existsSync(path.join(DEFAULT_MODEL_DIR, "config.json"))) {
      throw new Error(
        `the trained default model does not exist yet (${DEFAULT_MODEL_DIR}); pass ${argument} <dir> (a folder from ` +
          `\`molcache import\` or training) or ${argument} random:small for a random-init model`,
      );
    }
    return loadModel(DEFAULT_MODEL_DIR);
  }
  const m = /^random:([\w-]+)(?::(\d+))?$/.exec(spec);
  if (m) {
    const config = CONFIG_PRESETS[m[1]];
    if (!config) throw new Error(`unknown preset in ${argument} ${spec}; use random:<${Object.keys(CONFIG_PRESETS).join("|")}>[:seed]`);
    const model = createRandomModel(config, { seed: m[2] === undefined ? 0 : Number(m[2]), name: spec });
    // The qm9 and geom-drugs presets are the reference architecture for that dataset: sample its sizes and scale.
    const dataset = DATASET_PRESETS[m[1]];
    return dataset ? { ...model, coordStd: dataset.coordStd, meta: { dataset: dataset.name } } : model;
  }
  if (spec.startsWith("random")) throw new Error(`invalid ${argument} ${spec}; use random:<preset>[:seed], e.g. random:small`);
  return loadModel(spec);
}
