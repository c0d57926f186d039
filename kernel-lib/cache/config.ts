/**
 * Cache configuration: a discriminated union by `kind`, a parser for the command-line form
 * (`none`, `reuse:D=2`, `taylor:m=2,D=3`, `ab:j=2,D=3`, with optional `start=`, `end=`, `axis=time`,
 * `level=lastBlock`), validation with clear errors, and the forecaster factory.
 */
import { AdamsBashforthForecaster } from "./adams_bashforth";
import { Forecaster } from "./forecaster";
import { ReuseForecaster } from "./reuse";
import { computeSchedule } from "./schedule";
import { TaylorSeerForecaster } from "./taylorseer";

/** Which axis forecasts extrapolate along: the integer step index (the official codes) or solver time t. */
export type ForecastAxis = "step" | "time";
/** What is forecast: the whole backbone output (the paper), or the last Semla layer's features (the cheap head runs). */
export type CacheLevel = "output" | "lastBlock";

interface CacheCommon {
  /** Compute every `interval`-th step (D ≥ 1). */
  interval: number;
  /** First cached step; earlier steps all compute (default 0). */
  startStep?: number;
  /** Steps after this all compute (default none). */
  endStep?: number;
  /** Forecast axis (default `"step"`). */
  axis?: ForecastAxis;
  /** Forecast level (default `"output"`). */
  level?: CacheLevel;
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
export type ResolvedCacheConfig =
  | NoCacheConfig
  | (Required<Omit<ReuseCacheConfig, "endStep">> & { endStep?: number })
  | (Required<Omit<TaylorCacheConfig, "endStep">> & { endStep?: number })
  | (Required<Omit<AdamsBashforthCacheConfig, "endStep">> & { endStep?: number });

const COMMON_KEYS = ["kind", "interval", "startStep", "endStep", "axis", "level"];
const KIND_KEYS: Record<CacheConfig["kind"], string[]> = {
  none: ["kind"],
  reuse: COMMON_KEYS,
  taylor: [...COMMON_KEYS, "order"],
  ab: [...COMMON_KEYS, "steps"],
};

/**
 * Validate a cache config and fill defaults (`startStep` 0, `axis` "step", `level` "output").
 * @throws on an unknown kind or key, D < 1, an order or step count out of range.
 */
export function resolveCacheConfig(config: CacheConfig): ResolvedCacheConfig {
  const kind = (config as { kind?: string }).kind;
  if (!kind || !(kind in KIND_KEYS)) {
    throw new Error(`unknown cache kind: ${kind}; use one of ${Object.keys(KIND_KEYS).join(", ")}`);
  }
  for (const key of Object.keys(config)) {
    if (!KIND_KEYS[kind as CacheConfig["kind"]].includes(key)) {
      throw new Error(`unknown key ${key} for cache kind ${kind}; allowed: ${KIND_KEYS[kind as CacheConfig["kind"]].join(", ")}`);
    }
  }
  if (config.kind === "none") return { kind: "none" };
  const axis = config.axis ?? "step";
  if (axis !== "step" && axis !== "time") throw new Error(`invalid axis: ${axis}; use "step" or "time"`);
  const level = config.level ?? "output";
  if (level !== "output" && level !== "lastBlock") throw new Error(`invalid level: ${level}; use "output" or "lastBlock"`);
  const common = { interval: config.interval, startStep: config.startStep ?? 0, endStep: config.endStep, axis, level };
  computeSchedule(2, common); // validates interval, startStep, endStep
  const resolved = { ...config, ...common } as ResolvedCacheConfig;
  createForecaster(resolved); // validates order / steps
  return resolved;
}

/** A fresh forecaster for a resolved, caching config. */
export function createForecaster(config: ResolvedCacheConfig): Forecaster {
  switch (config.kind) {
    case "reuse": return new ReuseForecaster();
    case "taylor": return new TaylorSeerForecaster(config.order);
    case "ab": return new AdamsBashforthForecaster(config.steps);
    case "none": throw new Error("cache kind none has no forecaster");
  }
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
  const aliases: Record<string, string> = { D: "interval", d: "interval", interval: "interval", m: "order", order: "order",
    j: "steps", steps: "steps", start: "startStep", end: "endStep", axis: "axis", level: "level" };
  const config: Record<string, unknown> = { kind };
  for (const part of rest.split(",").filter((p) => p.length > 0)) {
    const [name, value] = part.split("=", 2);
    const key = aliases[name.trim()];
    if (!key || value === undefined) {
      throw new Error(`invalid cache parameter "${part}" in "${spec}"; use e.g. taylor:m=2,D=3 or ab:j=2,D=3`);
    }
    config[key] = key === "axis" || key === "level" ? value.trim() : Number(value);
  }
  if (config.interval === undefined && kind !== "none") throw new Error(`cache "${spec}" needs an interval, e.g. ${kind}:D=3`);
  if (kind === "taylor" && config.order === undefined) throw new Error(`cache "${spec}" needs an order, e.g. taylor:m=2,D=3`);
  if (kind === "ab" && config.steps === undefined) throw new Error(`cache "${spec}" needs a step count, e.g. ab:j=2,D=3`);
  return resolveCacheConfig(config as unknown as CacheConfig);
}

/** A short label for tables and figures, e.g. `Taylor m=2 D=3`, `AB j=2 D=3`, `Base`. */
export function cacheLabel(config: ResolvedCacheConfig): string {
  switch (config.kind) {
    case "none": return "Base";
    case "reuse": return `Reuse D=${config.interval}`;
    case "taylor": return `Taylor m=${config.order} D=${config.interval}`;
    case "ab": return `AB j=${config.steps} D=${config.interval}`;
  }
}
