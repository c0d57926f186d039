/**
 * The matched-NFE study (`--caches matched-nfe`): every sampler grouped with the base sampler that makes the same
 * number of network calls, a table of quality (mean ± std over seeds) with a verdict against that base per group,
 * and a frontier figure of quality against NFE and against molecules/s, one trace per sampler family.
 *
 * Verdict rule: a sampler beats (loses to) Base@NFE on a metric when its mean is better (worse) by more than the sum
 * of the two standard deviations over seeds (their ±1 std bands do not overlap); otherwise "≈" (within the spread).
 * This ignores that every sampler of a seed starts from the same molecule sizes and priors, so the table also gives
 * the paired difference over seeds (mean ± standard error of the per-seed differences): with few seeds it resolves
 * differences the spread rule cannot. The verdict lines name the samplers whose paired difference exceeds 2 standard
 * errors as well.
 */
import type { SummaryMetric } from "../metrics/summary";
import { mergeAxis, subplotGrid } from "../viz/subplots";
import { axisStyle, baseLayout } from "../viz/theme";
import type { PlotlyFigure, PlotlyTrace } from "../viz/types";
import type { ReportConfiguration } from "./configurations";
import { meanStd } from "../util/mean_std";
import type { EvaluatedRun } from "./tables";

/** Metrics of the study: key, header, whether a rate (shown in %), and which direction is better. */
export const MATCHED_NFE_METRICS: readonly { metric: SummaryMetric; title: string; percent: boolean; better: "up" | "down" }[] = [
  { metric: "validity", title: "Validity (%)", percent: true, better: "up" },
  { metric: "mol_stability", title: "Molecule stability (%)", percent: true, better: "up" },
  { metric: "strain", title: "Strain (kcal/mol)", percent: false, better: "down" },
  { metric: "pb_validity", title: "PB-valid (%)", percent: true, better: "up" },
];

/** One colour per sampler family (Okabe–Ito and Tableau hues, distinguishable in print); Base is black. */
const FAMILY_COLORS = ["#0072B2", "#E69F00", "#56B4E9", "#D55E00", "#009E73", "#CC79A7", "#8C564B", "#F0E442", "#7F7F7F", "#17BECF"];

/** The family a configuration belongs to in the figure and table: `Base`, `Heun`, `Taylor m=2 uniform (time axis)`, … */
export function samplerFamily(c: ReportConfiguration): string {
  if (c.cache.kind === "none") return c.solver === "heun" ? "Heun" : c.solver === "dpm2m" ? "DPM-Solver++(2M)" : "Base";
  const schedule = c.cache.schedule;
  return `${c.forecaster} ${schedule}${c.cache.axis === "time" ? " (time axis)" : ""}${c.cache.level === "lastBlock" ? " (last block)" : ""}` +
    (c.cache.jumps === "computed" ? " (jumps on computed steps)" : "");
}

/** One group: a base budget and the samplers matched to it. */
export interface MatchedGroup {
  nfe: number;
  base: EvaluatedRun | undefined;
  members: EvaluatedRun[];
}

/**
 * Group runs by the base step count nearest to their network calls (their nfe target when they have one; Heun at 2s
 * calls joins the 2s or 2s+1 budget).
 * Runs with no base sampler in the report form groups of their own planned calls.
 */
export function matchedGroups(evaluated: readonly EvaluatedRun[]): MatchedGroup[] {
  const isBase = (e: EvaluatedRun) => e.run.configuration.cache.kind === "none" && e.run.configuration.solver === "euler";
  const budgets = [...new Set(evaluated.filter(isBase).map((e) => e.run.configuration.steps))];
  const groups = new Map<number, MatchedGroup>();
  for (const e of evaluated) {
    // An adaptive schedule's calls vary: it joins the budget it was tuned for.
    const c = e.run.configuration;
    const calls = c.cache.kind !== "none" && c.cache.nfe !== undefined ? c.cache.nfe : e.run.networkCalls;
    const nfe = isBase(e) ? e.run.configuration.steps
      : budgets.length ? budgets.reduce((best, b) => (Math.abs(b - calls) < Math.abs(best - calls) ? b : best)) : Math.round(calls);
    if (!groups.has(nfe)) groups.set(nfe, { nfe, base: undefined, members: [] });
    const g = groups.get(nfe)!;
    if (isBase(e)) g.base = e; else g.members.push(e);
  }
  return [...groups.values()].sort((a, b) => b.nfe - a.nfe);
}

function value(e: EvaluatedRun, metric: SummaryMetric, percent: boolean): { mean: number; std: number } {
  const v = e.evaluation.aggregate[metric];
  const k = percent ? 100 : 1;
  return { mean: v.mean === null ? NaN : v.mean * k, std: v.std === null ? 0 : v.std * k };
}

/**
 * The per-seed difference `e − base` on one metric (in the table's units), as mean ± standard error over the seeds
 * both ran; undefined with fewer than two such seeds.
 */
export function pairedDifference(e: EvaluatedRun, base: EvaluatedRun, m: (typeof MATCHED_NFE_METRICS)[number]): { mean: number; se: number; seeds: number } | undefined {
  const k = m.percent ? 100 : 1;
  const diffs: number[] = [];
  e.run.seeds.forEach((seed, r) => {
    const b = base.run.seeds.indexOf(seed);
    const x = e.evaluation.replicates[r]?.[m.metric];
    const y = b >= 0 ? base.evaluation.replicates[b]?.[m.metric] : null;
    if (typeof x === "number" && typeof y === "number" && Number.isFinite(x) && Number.isFinite(y)) diffs.push((x - y) * k);
  });
  if (diffs.length < 2) return undefined;
  const mean = diffs.reduce((a, v) => a + v, 0) / diffs.length;
  const variance = diffs.reduce((a, v) => a + (v - mean) ** 2, 0) / (diffs.length - 1);
  return { mean, se: Math.sqrt(variance / diffs.length), seeds: diffs.length };
}

/** `better`, `worse` or `≈` for `e` against `base` on one metric by the paired difference (beyond 2 standard errors). */
export function pairedVerdict(e: EvaluatedRun, base: EvaluatedRun, m: (typeof MATCHED_NFE_METRICS)[number]): "better" | "worse" | "≈" {
  const d = pairedDifference(e, base, m);
  if (!d) return "≈";
  const gain = d.mean * (m.better === "up" ? 1 : -1);
  return gain > 2 * d.se ? "better" : -gain > 2 * d.se ? "worse" : "≈";
}

/** `better`, `worse` or `≈` for `e` against `base` on one metric (the verdict rule above). */
export function compareToBase(e: EvaluatedRun, base: EvaluatedRun, m: (typeof MATCHED_NFE_METRICS)[number]): "better" | "worse" | "≈" {
  const a = value(e, m.metric, m.percent);
  const b = value(base, m.metric, m.percent);
  if (!Number.isFinite(a.mean) || !Number.isFinite(b.mean)) return "≈";
  const diff = (a.mean - b.mean) * (m.better === "up" ? 1 : -1);
  if (diff > a.std + b.std) return "better";
  if (-diff > a.std + b.std) return "worse";
  return "≈";
}

/**
 * The study's Markdown table (one block per NFE) and one verdict line per NFE.
 * @example
 * const { markdown, verdicts } = matchedNfeTable(evaluated);
 */
export function matchedNfeTable(evaluated: readonly EvaluatedRun[]): { markdown: string; verdicts: string[] } {
  const judged = [MATCHED_NFE_METRICS[0], MATCHED_NFE_METRICS[2]];
  const header = ["NFE", "Sampler", "Calls/batch", ...MATCHED_NFE_METRICS.map((m) => `${m.title} ${m.better === "up" ? "↑" : "↓"}`), "Mol/s",
    "vs Base (validity, strain)", "Paired Δ vs Base (validity, strain)"];
  const lines = [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`];
  const verdicts: string[] = [];
  const seeds = evaluated[0]?.run.seeds.length ?? 0;
  for (const g of matchedGroups(evaluated)) {
    const rows = [...(g.base ? [g.base] : []), ...g.members];
    for (const e of rows) {
      const cells = MATCHED_NFE_METRICS.map((m) => {
        const v = value(e, m.metric, m.percent);
        return Number.isFinite(v.mean) ? (seeds > 1 ? `${v.mean.toFixed(m.percent ? 1 : 1)} ± ${v.std.toFixed(1)}` : v.mean.toFixed(1)) : "–";
      });
      const tput = meanStd(e.run.moleculesPerSecond);
      const vs = g.base && e !== g.base ? judged.map((m) => compareToBase(e, g.base!, m)).join(", ") : "–";
      const differences = g.base && e !== g.base ? judged.map((m) => pairedDifference(e, g.base!, m)) : [];
      const paired = differences.some((d) => d !== undefined)
        ? differences.map((d) => (d ? `${d.mean >= 0 ? "+" : "−"}${Math.abs(d.mean).toFixed(1)} ± ${d.se.toFixed(1)}` : "–")).join(", ")
        : "–";
      lines.push(`| ${g.nfe} | ${e.run.configuration.label} | ${e.run.networkCalls.toFixed(1)} | ${cells.join(" | ")} | ${tput.mean.toFixed(2)} | ${vs} | ${paired} |`);
    }
    if (!g.base) continue;
    const named = (verdict: (e: EvaluatedRun, b: EvaluatedRun, m: (typeof MATCHED_NFE_METRICS)[number]) => string, outcome: string) =>
      g.members.filter((e) => judged.some((m) => verdict(e, g.base!, m) === outcome)).map((e) => e.run.configuration.label);
    const winners = named(compareToBase, "better");
    const losers = named(compareToBase, "worse");
    const pairedWinners = named(pairedVerdict, "better");
    verdicts.push(`NFE ${g.nfe}: ${winners.length
      ? `beats Base (${g.nfe} steps) on validity or strain beyond the seeds' spread: ${winners.join("; ")}`
      : `no sampler beats Base (${g.nfe} steps) on validity or strain beyond the seeds' spread`}` +
      `${losers.length ? `; worse beyond the spread: ${losers.join("; ")}` : ""}` +
      `${pairedWinners.length ? `; better in the paired comparison over seeds (> 2 standard errors): ${pairedWinners.join("; ")}` : ""}.`);
  }
  return { markdown: lines.join("\n"), verdicts };
}

/**
 * The matched-NFE frontier: for validity, strain and PB-valid, quality against network calls (top row) and against
 * molecules/s (bottom row), one trace per sampler family, error bars = std over seeds.
 * @example
 * showFigure(matchedNfeFigure(evaluated));
 */
export function matchedNfeFigure(evaluated: readonly EvaluatedRun[]): PlotlyFigure {
  const metrics = MATCHED_NFE_METRICS.filter((m) => m.metric !== "mol_stability");
  const grid = subplotGrid({ rows: 2, cols: metrics.length, hGap: 0.08, vGap: 0.16 });
  const families = [...new Set(evaluated.map((e) => samplerFamily(e.run.configuration)))];
  const data: PlotlyTrace[] = [];
  families.forEach((family, fi) => {
    const runs = evaluated.filter((e) => samplerFamily(e.run.configuration) === family).sort((a, b) => a.run.networkCalls - b.run.networkCalls);
    const color = family === "Base" ? "#222222" : FAMILY_COLORS[(fi - (fi > families.indexOf("Base") && families.includes("Base") ? 1 : 0)) % FAMILY_COLORS.length];
    metrics.forEach((m, mi) => {
      const ys = runs.map((e) => value(e, m.metric, m.percent));
      for (const row of [0, 1]) {
        const cell = grid.cells[row * metrics.length + mi];
        const xs = runs.map((e) => (row === 0 ? e.run.networkCalls : meanStd(e.run.moleculesPerSecond).mean));
        data.push({
          type: "scatter", mode: "lines+markers", name: family, legendgroup: family, showlegend: row === 0 && mi === 0,
          xaxis: cell.xref, yaxis: cell.yref, x: xs, y: ys.map((v) => v.mean),
          error_y: { type: "data", array: ys.map((v) => v.std), visible: true, thickness: 1, width: 3 },
          line: { color, width: family === "Base" ? 2.2 : 1.4, dash: family === "Base" ? "solid" : "dot" },
          marker: { color, size: 7, symbol: family === "Base" ? "square" : family === "Heun" ? "diamond" : "circle" },
          hovertemplate: `${family}<br>%{x:.4g}<br>${m.title}: %{y:.4g}<extra></extra>`,
        });
      }
      mergeAxis(grid.layout, grid.cells[mi].xKey, axisStyle("network calls per batch (NFE)"));
      mergeAxis(grid.layout, grid.cells[metrics.length + mi].xKey, axisStyle("molecules/s"));
      for (const row of [0, 1]) mergeAxis(grid.layout, grid.cells[row * metrics.length + mi].yKey, axisStyle(m.title));
    });
  });
  return {
    data,
    layout: {
      ...baseLayout("Matched NFE: quality against network calls and throughput (mean ± std over seeds)", { width: 1400, height: 820 }),
      ...grid.layout,
      legend: { x: 1.02, xanchor: "left", y: 1, yanchor: "top", title: { text: "sampler" } },
    },
  };
}
