/**
 * Cache configuration: a discriminated union by `kind`, a parser for the command-line form
 * (`none`, `reuse:D=2`, `taylor:m=2,D=3`, `ab:j=2,D=3`, with optional `start=`, `end=`, `axis=time`,
 * `level=lastBlock`, `jumps=computed`, and the schedule: `schedule=uniform|calibrated|adaptive`, `nfe=`, `profile=`,
 * `threshold=`),
 * validation with clear errors, and the forecaster factory. Combinations that would be silently ignored or that
 * would disable caching are rejected with one line naming the fix. To add a caching kind: its config interface in
 * the {@link CacheConfig} union and one entry in `CACHE_KINDS` (label, spec parameter, checks, forecaster).
 */
import type { CategoricalJumps } from "../flow/backbone";
import { rejectUnknownOptions } from "../util/options";
import { AdamsBashforthForecaster } from "./adams_bashforth";
import { Forecaster } from "./forecaster";
import { ReuseForecaster } from "./reuse";
import { computeSchedule } from "./schedule";
import { TaylorSeerForecaster } from "./taylorseer";

/** Which axis forecasts extrapolate along: the integer step index (the official codes) or solver time t. */
export type ForecastAxis = "step" | "time";
/** What is forecast: the whole backbone output (the paper), or the last Semla layer's features (the cheap head runs). */
export type CacheLevel = "output" | "lastBlock";
/**
 * Which steps compute: `uniform` (every D-th step, the paper's), `calibrated` (chosen offline from a recorded
 * profile to minimise the summed real forecast error for an NFE budget) or `adaptive` (decided online per
 * batch by an E(3)-invariant gate on the first block's node features).
 */
export type CacheScheduleKind = "uniform" | "calibrated" | "adaptive";

interface CacheCommon {
  /** Compute every `interval`-th step (D ≥ 1; uniform schedules only; or give `nfe`). */
  interval?: number;
  /** Schedule kind (default `"uniform"`). */
  schedule?: CacheScheduleKind;
  /**
   * Network calls per batch to aim for: exact for `uniform` (the interval giving exactly this many) and `calibrated`;
   * the average for `adaptive` (its threshold is tuned on the profile to hit it).
   */
  nfe?: number;
  /** Calibration profile JSON (`molcache calibrate`) for `calibrated`/`adaptive`; default `cache_profile.json` in the model's folder. */
  profile?: string;
  /** Adaptive gate threshold (accumulated relative change); instead of `nfe`, needs no profile. */
  threshold?: number;
  /** First cached step; earlier steps all compute (default 0). */
  startStep?: number;
  /** Steps after this all compute (default none). */
  endStep?: number;
  /** Forecast axis (default `"step"`). */
  axis?: ForecastAxis;
  /** Forecast level (default `"output"`). */
  level?: CacheLevel;
  /**
   * When the atom and bond types jump (default `"every"`, the paper's): on every step, forecast steps drawing from
   * forecast logits; or `"computed"`: only on computed steps, one jump over the whole interval to the next computed
   * step, drawn from the fresh logits (fixed schedules only). The coordinates move on every step either way.
   */
  jumps?: CategoricalJumps;
}

/** No caching: every step computes. */
export interface NoCacheConfig { kind: "none" }
/** Reuse the last computed output. */
export interface ReuseCacheConfig extends CacheCommon { kind: "reuse" }
/** TaylorSeer of order m (1–4). */
export interface TaylorCacheConfig extends CacheCommon { kind: "taylor"; order: number }
/** Adams–Bashforth with j steps (1–6). */
export interface AdamsBashforthCacheConfig extends CacheCommon { kind: "ab"; steps: number }

/** Any cache configuration. */
export type CacheConfig = NoCacheConfig | ReuseCacheConfig | TaylorCacheConfig | AdamsBashforthCacheConfig;

/** A validated configuration with every default filled in. */
type Resolved<C extends CacheCommon> = Required<Omit<C, OptionalKeys>> & Pick<C, OptionalKeys>;
type OptionalKeys = "endStep" | "interval" | "nfe" | "profile" | "threshold";
export type ResolvedCacheConfig =
  | NoCacheConfig
  | Resolved<ReuseCacheConfig>
  | Resolved<TaylorCacheConfig>
  | Resolved<AdamsBashforthCacheConfig>;
/** A resolved config that caches (any kind but `none`). */
export type ResolvedCachingConfig = Exclude<ResolvedCacheConfig, NoCacheConfig>;

const COMMON_KEYS = ["kind", "interval", "startStep", "endStep", "axis", "level", "jumps", "schedule", "nfe", "profile", "threshold"];
const JUMPS: readonly CategoricalJumps[] = ["every", "computed"];
const SCHEDULES: readonly CacheScheduleKind[] = ["uniform", "calibrated", "adaptive"];

/** A caching config (any kind but `none`), and its kinds. */
type CachingConfig = Exclude<CacheConfig, NoCacheConfig>;
type CachingKind = CachingConfig["kind"];

/** Everything molcache knows about one caching kind: adding a kind is one entry of {@link CACHE_KINDS}. */
interface CacheKind<C extends CachingConfig> {
  /** Table label, e.g. `Taylor` (followed by the parameter and the schedule: `Taylor m=2 D=3`). */
  label: string;
  /** The kind's own parameter, if any: its config key, its short name in specs (`m` in `taylor:m=2`), and what it is. */
  parameter?: { key: Exclude<keyof C, keyof CacheCommon>; short: string; what: string };
  /** Kind-specific checks beyond the common ones (throw naming the fix). */
  check?: (config: C, axis: ForecastAxis) => void;
  /** A fresh forecaster for a resolved config (validates the parameter's range). */
  create: (config: Resolved<C>) => Forecaster;
}

const CACHE_KINDS: { [K in CachingKind]: CacheKind<Extract<CacheConfig, { kind: K }>> } = {
  reuse: {
    label: "Reuse",
    check: (_config, axis) => {
      if (axis === "time") throw new Error("reuse repeats the last output, so axis=time would be ignored; drop axis=time (or use taylor/ab)");
    },
    create: () => new ReuseForecaster(),
  },
  taylor: {
    label: "Taylor",
    parameter: { key: "order", short: "m", what: "an order" },
    create: (c) => new TaylorSeerForecaster(c.order),
  },
  ab: {
    label: "AB",
    parameter: { key: "steps", short: "j", what: "a step count" },
    create: (c) => new AdamsBashforthForecaster(c.steps, c.axis === "time"),
  },
};

/** The entry of a caching kind, loosely typed for code that handles every kind alike. */
function cacheKind(kind: CachingKind): CacheKind<CachingConfig> {
  return CACHE_KINDS[kind] as unknown as CacheKind<CachingConfig>;
}

/** The config keys each kind accepts. */
function kindKeys(kind: CacheConfig["kind"]): string[] {
  if (kind === "none") return ["kind"];
  const parameter = cacheKind(kind).parameter;
  return parameter ? [...COMMON_KEYS, String(parameter.key)] : COMMON_KEYS;
}

/**
 * Validate a cache config and fill defaults (`startStep` 0, `axis` "step", `level` "output").
 * @throws on an unknown kind or key, D < 1, an order or step count out of range.
 */
export function resolveCacheConfig(config: CacheConfig): ResolvedCacheConfig {
  const kind = (config as { kind?: string }).kind;
  if (!kind || !(kind === "none" || Object.prototype.hasOwnProperty.call(CACHE_KINDS, kind))) {
    throw new Error(`unknown cache kind: ${kind}; use one of none, ${Object.keys(CACHE_KINDS).join(", ")}`);
  }
  rejectUnknownOptions(config, kindKeys(kind as CacheConfig["kind"]), `${kind} cache`);
  if (config.kind === "none") return { kind: "none" };
  const axis = config.axis ?? "step";
  if (axis !== "step" && axis !== "time") throw new Error(`invalid axis: ${axis}; use "step" or "time"`);
  const level = config.level ?? "output";
  if (level !== "output" && level !== "lastBlock") throw new Error(`invalid level: ${level}; use "output" or "lastBlock"`);
  const jumps = config.jumps ?? "every";
  if (!JUMPS.includes(jumps)) throw new Error(`invalid jumps: ${jumps}; use ${JUMPS.map((j) => `"${j}"`).join(" or ")}`);
  const schedule = config.schedule ?? "uniform";
  if (!SCHEDULES.includes(schedule)) throw new Error(`invalid schedule: ${schedule}; use ${SCHEDULES.join(", ")}`);
  cacheKind(config.kind).check?.(config, axis);
  if (config.nfe !== undefined && !(Number.isInteger(config.nfe) && config.nfe >= 2)) {
    throw new Error(`invalid nfe: ${config.nfe}; must be an integer >= 2 (the first and the final step always compute)`);
  }
  if (config.threshold !== undefined && !(config.threshold > 0 && Number.isFinite(config.threshold))) {
    throw new Error(`invalid threshold: ${config.threshold}; must be a number > 0`);
  }
  // startStep 0 is the default (a resolved config carries it), not a request.
  const given = (key: keyof CacheCommon) => (key === "startStep" ? (config.startStep ?? 0) !== 0 : config[key] !== undefined);
  const refuse = (keys: (keyof CacheCommon)[], why: string) => {
    const bad = keys.filter(given);
    if (bad.length) throw new Error(`${bad.join(", ")} ${bad.length > 1 ? "are" : "is"} not used by schedule=${schedule}; ${why}`);
  };
  if (schedule === "uniform") {
    refuse(["profile", "threshold"], "use schedule=calibrated or adaptive, or drop them");
    if (given("interval") === given("nfe")) {
      throw new Error(`schedule=uniform needs exactly one of D (interval) or nfe, e.g. ${config.kind}:D=3 or nfe=34`);
    }
    if (given("nfe") && (given("startStep") || given("endStep"))) throw new Error("with nfe the uniform schedule starts at step 0; give D instead of nfe to use start/end");
  } else {
    refuse(["interval", "startStep", "endStep"], "it chooses its own steps from nfe; drop them");
    if (schedule === "calibrated") {
      refuse(["threshold"], "the calibrated schedule takes nfe");
      if (!given("nfe")) throw new Error(`schedule=calibrated needs an nfe target, e.g. ${config.kind}:schedule=calibrated,nfe=26`);
    } else if (given("nfe") === given("threshold")) {
      throw new Error(`schedule=adaptive needs exactly one of nfe (tuned on the profile) or threshold, e.g. ${config.kind}:schedule=adaptive,nfe=26`);
    }
    if (level !== "output") throw new Error(`schedule=${schedule} is calibrated on the network output; drop level=${level}`);
  }
  if (jumps === "computed" && schedule === "adaptive") {
    throw new Error("jumps=computed needs a fixed schedule (its jump spans the interval to the next computed step, which the adaptive gate decides only when it comes); use schedule=uniform or calibrated, or drop jumps");
  }
  const common = {
    interval: config.interval, startStep: config.startStep ?? 0, endStep: config.endStep, axis, level, jumps, schedule,
    ...(given("nfe") ? { nfe: config.nfe } : {}), ...(given("profile") ? { profile: config.profile } : {}),
    ...(given("threshold") ? { threshold: config.threshold } : {}),
  };
  if (schedule === "uniform") {
    computeSchedule(Math.max(2, common.nfe ?? 2), common); // validates interval, startStep, endStep
    if (common.endStep !== undefined && !(common.endStep > common.startStep)) {
      throw new Error(`end=${common.endStep} is not after start=${common.startStep}: every step would compute (no caching); use end > start or drop end`);
    }
  }
  const resolved = { ...config, ...common } as ResolvedCacheConfig;
  createForecaster(resolved); // validates order / steps
  return resolved;
}

/** A fresh forecaster for a resolved, caching config. */
export function createForecaster(config: ResolvedCacheConfig): Forecaster {
  if (config.kind === "none") throw new Error("cache kind none has no forecaster");
  return cacheKind(config.kind).create(config as never);
}

/** How a config picks its steps, for labels: `D=3`, `uniform nfe=26`, `calibrated nfe=26`, `adaptive nfe=26`, `adaptive τ=0.2`. */
export function scheduleLabel(config: ResolvedCachingConfig): string {
  if (config.schedule === "adaptive") return config.nfe !== undefined ? `adaptive nfe=${config.nfe}` : `adaptive τ=${config.threshold}`;
  if (config.schedule === "calibrated") return `calibrated nfe=${config.nfe}`;
  return config.interval !== undefined ? `D=${config.interval}` : `uniform nfe=${config.nfe}`;
}

/**
 * Parse the command-line form of a cache config.
 * @example
 * parseCacheSpec("taylor:m=2,D=3"); // { kind: "taylor", order: 2, interval: 3, ... }
 */
export function parseCacheSpec(spec: string): ResolvedCacheConfig {
  const [kindRaw, rest = ""] = spec.trim().split(":", 2);
  const kind = kindRaw.toLowerCase();
  if (kind === "none" || kind === "base") {
    if (rest) throw new Error(`cache ${kind} takes no parameters, got "${rest}"`);
    return { kind: "none" };
  }
  const aliases: Record<string, string> = { D: "interval", d: "interval", interval: "interval", start: "startStep", end: "endStep",
    axis: "axis", level: "level", jumps: "jumps", schedule: "schedule", nfe: "nfe", profile: "profile", threshold: "threshold" };
  for (const entry of Object.values(CACHE_KINDS)) {
    const parameter = (entry as CacheKind<CachingConfig>).parameter;
    if (parameter) aliases[parameter.short] = aliases[String(parameter.key)] = String(parameter.key);
  }
  const textKeys = ["axis", "level", "jumps", "schedule", "profile"];
  const config: Record<string, unknown> = { kind };
  for (const part of rest.split(",").filter((p) => p.length > 0)) {
    const [name, value] = part.split("=", 2);
    const key = aliases[name.trim()];
    if (!key || value === undefined) {
      throw new Error(`invalid cache parameter "${part}" in "${spec}"; use e.g. taylor:m=2,D=3 or ab:j=2,D=3`);
    }
    config[key] = textKeys.includes(key) ? value.trim() : Number(value);
  }
  const scheduled = config.nfe !== undefined || config.threshold !== undefined || (config.schedule ?? "uniform") !== "uniform";
  if (config.interval === undefined && !scheduled) throw new Error(`cache "${spec}" needs an interval, e.g. ${kind}:D=3 (or nfe=26)`);
  const parameter = Object.prototype.hasOwnProperty.call(CACHE_KINDS, kind) ? cacheKind(kind as CachingKind).parameter : undefined;
  if (parameter && config[String(parameter.key)] === undefined) {
    throw new Error(`cache "${spec}" needs ${parameter.what}, e.g. ${kind}:${parameter.short}=2,D=3`);
  }
  return resolveCacheConfig(config as unknown as CacheConfig);
}

/**
 * A short label for tables and figures, e.g. `Taylor m=2 D=3`, `AB j=2 D=3`, `Base`.
 * @example
 * cacheLabel(parseCacheSpec("taylor:m=2,D=3")); // "Taylor m=2 D=3"
 */
export function cacheLabel(config: ResolvedCacheConfig): string {
  if (config.kind === "none") return "Base";
  const entry = cacheKind(config.kind);
  const parameter = entry.parameter ? ` ${entry.parameter.short}=${(config as unknown as Record<string, unknown>)[String(entry.parameter.key)]}` : "";
  return `${entry.label}${parameter} ${scheduleLabel(config)}`;
}
