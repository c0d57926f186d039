/**
 * The sampler configurations a report compares, parsed from the `--caches` list: the base sampler at the full
 * step count K and at the paper's matched step counts, and cache configurations (reuse, TaylorSeer, Adams–Bashforth),
 * ordered in the layout of SemlaFlow's Table 1 / the paper's Tables 1–2 (grouped by network calls, most first).
 */
import { cacheLabel, parseCacheSpec, ResolvedCacheConfig } from "../cache/config";
import { computeSchedule, plannedNetworkCalls } from "../cache/schedule";
import type { SolverKind } from "../flow/integrate";

/** One sampler configuration of a report. */
export interface ReportConfiguration {
  /** Table and legend label: `"Base (100 steps)"`, `"Taylor m=2 D=3"`. */
  label: string;
  /** File-name form: `base_k100`, `taylor_m2_d3`. */
  slug: string;
  /** Solver steps of the run. */
  steps: number;
  /** The resolved cache (`{ kind: "none" }` for the base sampler). */
  cache: ResolvedCacheConfig;
  /** The cache in command-line form: `none`, `taylor:m=2,D=3`. */
  spec: string;
  /** Network (backbone) calls per batch: `steps` for the base sampler, fewer with a cache. */
  networkCalls: number;
  /** Forecaster name for colours (`"Taylor m=2"`, `"AB j=2"`, `"Reuse"`), or null for the base sampler. */
  forecaster: string | null;
  /** Cache interval D, or null for the base sampler and for calibrated and adaptive schedules. */
  interval: number | null;
  /** Coordinate solver (`heun` for the `heun@<steps>` entries). */
  solver: SolverKind;
}

/**
 * Named `--caches` lists. `default` is sized for a few minutes on 2 CPU cores: Base at K and at the matched 51/34/26
 * steps, the four forecasters of the paper at D = 3, and Taylor m=2 at D = 2 and 4. `paper` is the full grid of the
 * paper's Tables 1–2 (Taylor m=1,2 and AB j=2,3 at D = 2, 3, 4), about twice as long.
 */
export const CACHE_PRESETS: Readonly<Record<string, string>> = {
  default: "base,matched,taylor:m=1,D=3,taylor:m=2,D=3,ab:j=2,D=3,ab:j=3,D=3,taylor:m=2,D=2,taylor:m=2,D=4",
  paper: ["base", "matched", ...["taylor:m=1", "taylor:m=2", "ab:j=2", "ab:j=3"].flatMap((f) => [2, 3, 4].map((d) => `${f},D=${d}`))].join(","),
  quick: "base,taylor:m=2,D=3",
};

const CACHE_KINDS = ["none", "base", "reuse", "taylor", "ab"];

/** NFE budgets of the matched-NFE study (the paper's 51 / 34 / 26 and one below). */
export const MATCHED_NFE_BUDGETS: readonly number[] = [51, 34, 26, 18];

/**
 * The matched-NFE study at one budget: Base with that many steps, uniform Taylor m=2 and AB j=2 on the step and time
 * axes (where an interval gives exactly that many calls; AB and time-axis Taylor also with jumps only on computed
 * steps), calibrated and adaptive Taylor m=2, Heun with half
 * the steps (2 calls per step; an odd budget gets one call less) and DPM-Solver++(2M) with that many steps.
 */
export function matchedNfeEntries(nfe: number, steps: number): string[] {
  const uniform = (() => {
    try {
      computeSchedule(steps, { nfe });
      return [`taylor:m=2,nfe=${nfe}`, `ab:j=2,nfe=${nfe}`, `taylor:m=2,nfe=${nfe},axis=time`, `ab:j=2,nfe=${nfe},axis=time`,
        `ab:j=2,nfe=${nfe},jumps=computed`, `taylor:m=2,nfe=${nfe},axis=time,jumps=computed`];
    } catch {
      return []; // no interval gives exactly nfe calls at this K
    }
  })();
  return [`base@${nfe}`, ...uniform, `taylor:m=2,schedule=calibrated,nfe=${nfe}`, `taylor:m=2,schedule=adaptive,nfe=${nfe}`,
    ...(nfe >= 4 ? [`heun@${Math.floor(nfe / 2)}`] : []), `dpm@${nfe}`];
}

const HELP =
  "use base, base@<steps>, heun@<steps>, dpm@<steps>, matched (Base at each cache's network calls), reuse:D=<d>, taylor:m=<m>,D=<d>, ab:j=<j>,D=<d> " +
  "(schedules: nfe=<n>, schedule=calibrated|adaptive; jumps=computed), matched-nfe[@26+18] (the matched-NFE study) " +
  `or a preset (${Object.keys(CACHE_PRESETS).join(", ")}), comma-separated`;

/** The canonical command-line form of a resolved cache config (defaults left out). */
export function cacheSpec(cache: ResolvedCacheConfig): string {
  if (cache.kind === "none") return "none";
  const parts: string[] = [];
  if (cache.kind === "taylor") parts.push(`m=${cache.order}`);
  if (cache.kind === "ab") parts.push(`j=${cache.steps}`);
  if (cache.schedule !== "uniform") parts.push(`schedule=${cache.schedule}`);
  if (cache.interval !== undefined) parts.push(`D=${cache.interval}`);
  if (cache.nfe !== undefined) parts.push(`nfe=${cache.nfe}`);
  if (cache.threshold !== undefined) parts.push(`threshold=${cache.threshold}`);
  if (cache.profile !== undefined) parts.push(`profile=${cache.profile}`);
  if (cache.startStep !== 0) parts.push(`start=${cache.startStep}`);
  if (cache.endStep !== undefined) parts.push(`end=${cache.endStep}`);
  if (cache.axis !== "step") parts.push(`axis=${cache.axis}`);
  if (cache.level !== "output") parts.push(`level=${cache.level}`);
  if (cache.jumps !== "every") parts.push(`jumps=${cache.jumps}`);
  return `${cache.kind}:${parts.join(",")}`;
}

/** The base sampler at `steps` steps. */
export function baseConfiguration(steps: number): ReportConfiguration {
  return {
    label: `Base (${steps} steps)`, slug: `base_k${steps}`, steps, cache: { kind: "none" }, spec: "none",
    networkCalls: steps, forecaster: null, interval: null, solver: "euler",
  };
}

/** The Heun sampler (no cache) at `steps` steps: 2 network calls per step. */
export function heunConfiguration(steps: number): ReportConfiguration {
  return {
    label: `Heun (${steps} steps)`, slug: `heun_k${steps}`, steps, cache: { kind: "none" }, spec: "none",
    networkCalls: 2 * steps, forecaster: null, interval: null, solver: "heun",
  };
}

/** DPM-Solver++(2M) (no cache) at `steps` steps: 1 network call per step. */
export function dpmConfiguration(steps: number): ReportConfiguration {
  return {
    label: `DPM-Solver++(2M) (${steps} steps)`, slug: `dpm2m_k${steps}`, steps, cache: { kind: "none" }, spec: "none",
    networkCalls: steps, forecaster: null, interval: null, solver: "dpm2m",
  };
}

/** A cache configuration at `steps` solver steps. */
export function cacheConfiguration(cache: ResolvedCacheConfig, steps: number): ReportConfiguration {
  if (cache.kind === "none") return baseConfiguration(steps);
  const spec = cacheSpec(cache);
  const networkCalls = plannedNetworkCalls(steps, cache);
  const forecaster = cache.kind === "reuse" ? "Reuse" : cache.kind === "taylor" ? `Taylor m=${cache.order}` : `AB j=${cache.steps}`;
  const extras = spec.split(":")[1].split(",").filter((p) => !/^([mjD]|nfe|schedule|threshold|profile)=/.test(p));
  const label = cacheLabel(cache) + (extras.length ? ` (${extras.join(", ")})` : "");
  const slug = spec.replace(/=/g, "").replace(/[^\w.-]+/g, "_").toLowerCase();
  return { label, slug, steps, cache, spec, networkCalls, forecaster, interval: cache.schedule === "uniform" ? cache.interval ?? null : null, solver: "euler" };
}

/** Split a `--caches` list into entries: a part holding `=` and no `:` continues the entry before it. */
function splitEntries(text: string): string[] {
  const entries: string[] = [];
  for (const raw of text.split(/[,;\s]+/)) {
    const part = raw.trim();
    if (part === "") continue;
    const head = part.split(/[:@]/)[0].toLowerCase();
    if (part.includes("=") && !part.includes(":") && !CACHE_KINDS.includes(head)) {
      if (entries.length === 0 || !entries[entries.length - 1].includes(":")) {
        throw new Error(`invalid --caches entry "${part}" in "${text}": a parameter needs a cache before it; ${HELP}`);
      }
      entries[entries.length - 1] += `,${part}`;
    } else {
      entries.push(part);
    }
  }
  return entries;
}

/**
 * Parse a `--caches` list into configurations at `steps` solver steps, de-duplicated and ordered as in the paper's
 * tables: Base at K first, then groups of equal network calls (most first), Base before the caches in a group.
 * @throws on an unknown name or a bad cache parameter, naming it and listing what is accepted.
 * @example
 * parseCacheList("base,matched,taylor:m=2,D=3", 100).map((c) => c.label);
 * // ["Base (100 steps)", "Base (34 steps)", "Taylor m=2 D=3"]
 */
export function parseCacheList(text: string, steps: number): ReportConfiguration[] {
  if (!(Number.isInteger(steps) && steps >= 2)) throw new Error(`invalid steps: ${steps}; must be an integer >= 2`);
  if (typeof text !== "string" || text.trim() === "") throw new Error(`empty --caches list; ${HELP}`);
  const out: ReportConfiguration[] = [];
  let matched = false;
  const expand = (list: string, depth: number): void => {
    for (const entry of splitEntries(list)) {
      const lower = entry.toLowerCase();
      if (lower in CACHE_PRESETS) {
        if (depth > 0) throw new Error(`preset ${entry} inside a preset`);
        expand(CACHE_PRESETS[lower], depth + 1);
        continue;
      }
      if (lower === "matched") { matched = true; continue; }
      const study = /^matched-nfe(?:@(\S+))?$/i.exec(entry);
      if (study) {
        const budgets = study[1] === undefined ? MATCHED_NFE_BUDGETS : study[1].split("+").map(Number);
        const bad = budgets.find((b) => !(Number.isInteger(b) && b >= 2 && b <= steps));
        if (bad !== undefined) throw new Error(`invalid --caches entry "${entry}": NFE budgets are integers from 2 to ${steps}, joined by +, e.g. matched-nfe@26+18`);
        if (depth > 0) throw new Error(`preset ${entry} inside a preset`);
        for (const b of budgets) expand(matchedNfeEntries(b, steps).join(","), depth + 1);
        continue;
      }
      const solver = /^(heun|dpm)@(\S+)$/i.exec(entry);
      if (solver) {
        const s = Number(solver[2]);
        const min = solver[1].toLowerCase() === "heun" ? 1 : 2;
        if (!(Number.isInteger(s) && s >= min)) throw new Error(`invalid --caches entry "${entry}": steps must be an integer >= ${min}, e.g. ${solver[1]}@13`);
        out.push(solver[1].toLowerCase() === "heun" ? heunConfiguration(s) : dpmConfiguration(s));
        continue;
      }
      const base = /^(?:base|none)(?:@(\S+))?$/i.exec(entry);
      if (base) {
        const s = base[1] === undefined ? steps : Number(base[1]);
        if (!(Number.isInteger(s) && s >= 2)) throw new Error(`invalid --caches entry "${entry}": steps must be an integer >= 2, e.g. base@34`);
        out.push(baseConfiguration(s));
        continue;
      }
      const kind = lower.split(":")[0];
      if (!CACHE_KINDS.includes(kind) || !entry.includes(":")) throw new Error(`unknown cache name: "${entry}"; ${HELP}`);
      let cache: ResolvedCacheConfig;
      try {
        cache = parseCacheSpec(entry);
      } catch (err) {
        throw new Error(`invalid --caches entry "${entry}": ${(err as Error).message}`);
      }
      out.push(cacheConfiguration(cache, steps));
    }
  };
  expand(text, 0);
  if (matched) {
    for (const c of [...out]) if (c.cache.kind !== "none" && Number.isInteger(c.networkCalls)) out.push(baseConfiguration(c.networkCalls));
  }
  const seen = new Set<string>();
  const unique = out.filter((c) => (seen.has(c.slug) ? false : (seen.add(c.slug), true)));
  if (unique.length === 0) throw new Error(`--caches "${text}" names no configuration; ${HELP}`);
  return unique
    .map((c, i) => ({ c, i }))
    .sort((a, b) => {
      const isBase = (c: ReportConfiguration) => c.cache.kind === "none" && c.solver === "euler";
      const fullA = isBase(a.c) && a.c.steps === steps ? 0 : 1;
      const fullB = isBase(b.c) && b.c.steps === steps ? 0 : 1;
      if (fullA !== fullB) return fullA - fullB;
      // Heun at 2s calls groups with the budget it was chosen for (2s or 2s + 1).
      const calls = (c: ReportConfiguration) => (Number.isFinite(c.networkCalls) ? c.networkCalls : steps) + (c.solver === "heun" ? -0.5 : 0);
      if (calls(a.c) !== calls(b.c)) return calls(b.c) - calls(a.c);
      const baseA = isBase(a.c) ? 0 : 1;
      const baseB = isBase(b.c) ? 0 : 1;
      return baseA !== baseB ? baseA - baseB : a.i - b.i;
    })
    .map(({ c }) => c);
}
