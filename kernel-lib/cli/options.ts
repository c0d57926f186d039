/**
 * The options the `molcache` commands share, declared once: `--model`, `--n`, `--steps`, `--seed`, `--batch-cost`,
 * `--grid`, `--workers`, `--backend`, `--repeats`. Each is a commander {@link Option} whose `argParser` turns the text
 * into a checked value while the command line is parsed, so an action receives numbers, and a bad value fails before
 * any work with one line naming the option (`molcache: invalid --n: 0; must be an integer >= 1`, non-zero exit).
 * A command changes only what differs (description, default, minimum).
 */
import { Option } from "commander";
import { parseCacheSpec } from "../cache/config";
import { INFERENCE_BACKENDS, InferenceBackend } from "../parallel/network";
import { TimeGridKind } from "../flow/time_grid";
import { checkWorkerCount } from "../util/ts_worker";

/** What a shared option may change: its help text and its default. */
export interface SharedOptionSettings<T> {
  description?: string;
  default?: T;
}

/**
 * A parser for an integer option ≥ `min`, naming the option (`--n`) in its error.
 * @example
 * integerArg("--n", 1)("0"); // throws: invalid --n: 0; must be an integer >= 1
 */
export function integerArg(name: string, min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!(value.trim() !== "" && Number.isInteger(n) && n >= min)) throw new Error(`invalid ${name}: ${value}; must be an integer >= ${min}`);
    return n;
  };
}

/**
 * A parser for a number option > 0 (`max`, when given, is allowed), naming the option in its error.
 * @example
 * positiveArg("--memory", "GiB per worker, e.g. 6")("0"); // throws: invalid --memory: 0; must be a number > 0 (GiB per worker, e.g. 6)
 */
export function positiveArg(name: string, unit?: string): (value: string) => number {
  return (value) => {
    const x = Number(value);
    if (!(value.trim() !== "" && x > 0 && Number.isFinite(x))) throw new Error(`invalid ${name}: ${value}; must be a number > 0${unit ? ` (${unit})` : ""}`);
    return x;
  };
}

/**
 * A parser for one of `choices`, naming the option in its error.
 * @example
 * choiceArg("--grid", ["log", "linear"])("cosine"); // throws: invalid --grid: cosine; use log or linear
 */
export function choiceArg<T extends string>(name: string, choices: readonly T[]): (value: string) => T {
  return (value) => {
    if (!choices.includes(value as T)) throw new Error(`invalid ${name}: ${value}; use ${choices.slice(0, -1).join(", ")} or ${choices[choices.length - 1]}`);
    return value as T;
  };
}

/**
 * A parser for a cache spec (`taylor:m=2,D=3`), naming the option in its error; returns the text unchanged.
 * @example
 * cacheSpecArg("--cache")("taylor:m=9"); // throws: invalid --cache: taylor:m=9; invalid order: 9; …
 */
export function cacheSpecArg(name: string): (value: string) => string {
  return (value) => {
    try {
      parseCacheSpec(value);
    } catch (err) {
      throw new Error(`invalid ${name}: ${value}; ${(err as Error).message}`);
    }
    return value;
  };
}

/**
 * A parser for a comma-separated list, each entry parsed by `parse`.
 * @example
 * listArg(integerArg("--processes", 1))("1,2"); // [1, 2]
 */
export function listArg<T>(parse: (value: string) => T): (value: string) => T[] {
  return (value) => value.split(",").map((v) => v.trim()).filter((v) => v.length > 0).map(parse);
}

/**
 * A comma-separated list option, each entry parsed by `parse` (the help shows the default as `a,b`).
 * @example
 * cmd.addOption(listOption("--processes <list>", "worker process counts", integerArg("--processes", 1), [1, 2]));
 */
export function listOption<T>(flags: string, description: string, parse: (value: string) => T, defaultValue?: readonly T[]): Option {
  const option = new Option(flags, description).argParser(listArg(parse));
  return defaultValue === undefined ? option : option.default([...defaultValue], defaultValue.join(","));
}

/** The option's name (`--batch-cost`) from its flags (`--batch-cost <atoms>`). */
function optionName(flags: string): string {
  return flags.split(/[ ,|]+/).find((f) => f.startsWith("--")) ?? flags;
}

/**
 * An integer option ≥ `min`.
 * @example
 * cmd.addOption(integerOption("--runs <n>", "timed runs", { min: 1, default: 5 }));
 */
export function integerOption(flags: string, description: string, o: { min: number; default?: number }): Option {
  const option = new Option(flags, description).argParser(integerArg(optionName(flags), o.min));
  return o.default === undefined ? option : option.default(o.default);
}

/**
 * An option whose value must be one of `choices` (`invalid --grid: cosine; use log or linear`).
 * @example
 * cmd.addOption(choiceOption("--part <which>", "what to measure", ["overhead", "both"], "both"));
 */
export function choiceOption<T extends string>(flags: string, description: string, choices: readonly T[], defaultValue?: T): Option {
  const option = new Option(flags, description).argParser(choiceArg(optionName(flags), choices));
  return defaultValue === undefined ? option : option.default(defaultValue);
}

/** `--model <dir>`: a model folder, `random:<preset>[:seed]` or the default model (see {@link resolveModelArgument}). */
export function modelOption(s: SharedOptionSettings<string> = {}): Option {
  const option = new Option("--model <dir>", s.description ?? "model folder, or random:<tiny|small|qm9|geom-drugs>[:seed] (default: the trained default model)");
  return s.default === undefined ? option : option.default(s.default);
}

/** `--n <count>`: molecules, an integer ≥ 1. */
export function countOption(s: SharedOptionSettings<number> = {}): Option {
  return integerOption("--n <count>", s.description ?? "number of molecules", { min: 1, default: s.default });
}

/** `--steps <K>`: solver steps, an integer ≥ `min` (default 2). */
export function stepsOption(s: SharedOptionSettings<number> & { min?: number } = {}): Option {
  return integerOption("--steps <K>", s.description ?? "solver steps", { min: s.min ?? 2, default: s.default });
}

/** `--seed <int>`: a seed, an integer ≥ 0 (default 0). */
export function seedOption(s: SharedOptionSettings<number> = {}): Option {
  return integerOption("--seed <int>", s.description ?? "random seed (same seed, same molecules)", { min: 0, default: s.default ?? 0 });
}

/** `--batch-cost <atoms>`: atoms per sampling batch, an integer ≥ 1 (default 1152). */
export function batchCostOption(s: SharedOptionSettings<number> = {}): Option {
  return integerOption("--batch-cost <atoms>", s.description ?? "atoms per batch", { min: 1, default: s.default ?? 1152 });
}

/** `--repeats <n>`: runs per configuration, an integer ≥ 1. */
export function repeatsOption(s: SharedOptionSettings<number> = {}): Option {
  return integerOption("--repeats <n>", s.description ?? "runs per configuration (medians reported)", { min: 1, default: s.default ?? 1 });
}

/** `--grid <kind>`: the time grid, `log` (default) or `linear`. */
export function gridOption(s: SharedOptionSettings<TimeGridKind> = {}): Option {
  return choiceOption<TimeGridKind>("--grid <kind>", s.description ?? "time grid: log or linear", ["log", "linear"], s.default ?? "log");
}

/** `--backend <name>`: the inference backend (`tfjs` or `onnx`). */
export function backendOption(s: SharedOptionSettings<InferenceBackend> = {}): Option {
  return choiceOption<InferenceBackend>("--backend <name>", s.description ?? "inference backend: tfjs, or onnx (compiled with onnxruntime-node)", INFERENCE_BACKENDS, s.default);
}

/** `--workers <n>`: worker threads, an integer ≥ `min` and at most 4 per core. */
export function workersOption(s: SharedOptionSettings<number> & { min: number; description: string }): Option {
  const option = new Option("--workers <n>", s.description).argParser((value: string) => checkWorkerCount("--workers", value, s.min));
  return s.default === undefined ? option : option.default(s.default);
}
