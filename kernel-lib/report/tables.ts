/**
 * A report's tables: the per-molecule metrics of every configuration in one CSV (configuration columns first), and
 * the Table-1-style summary (quality mean ± std over replicates, then steps, network calls, time, throughput,
 * speed-up over the base sampler at K and peak tensor memory) as Markdown, CSV and HTML.
 */
import type { EvaluationResult } from "../metrics/evaluate";
import { rowsToCsv } from "../metrics/evaluate";
import { formatTable, TableEntry, TableFormat } from "../metrics/table";
import { ConfigurationRun } from "./sample_runs";
import { meanStd } from "../util/mean_std";
import { csvCell } from "../util/csv";

/** One configuration's sampling runs and their evaluation. */
export interface EvaluatedRun {
  run: ConfigurationRun;
  evaluation: EvaluationResult;
}

/** Columns put in front of the metric columns in `metrics.csv`. */
export const CONFIGURATION_COLUMNS = ["configuration", "slug", "steps", "cache", "seed"] as const;

/**
 * Every molecule of every configuration as CSV: configuration, slug, steps, cache, seed, then the columns of
 * `molcache evaluate` (replicate, index, validity, energies, PoseBusters checks, …).
 * @example
 * folder.write("metrics.csv", metricsCsv(evaluated));
 */
export function metricsCsv(evaluated: readonly EvaluatedRun[]): string {
  const lines: string[] = [];
  evaluated.forEach(({ run, evaluation }, i) => {
    const body = rowsToCsv(evaluation.rows).split("\n");
    const header = body.shift()!;
    if (i === 0) lines.push([...CONFIGURATION_COLUMNS, header].join(","));
    const c = run.configuration;
    body.forEach((line, k) => {
      if (line === "") return;
      const seed = run.seeds[evaluation.rows[k].replicate];
      lines.push([csvCell(c.label), c.slug, String(c.steps), csvCell(c.spec), String(seed), line].join(","));
    });
  });
  return lines.join("\n") + "\n";
}

/** Throughput of the base sampler at the full step count (the speed-up reference), if it is in the report. */
function referenceThroughput(evaluated: readonly EvaluatedRun[], steps: number): number | undefined {
  const ref = evaluated.find((e) => e.run.configuration.cache.kind === "none" && e.run.configuration.steps === steps);
  return ref ? meanStd(ref.run.moleculesPerSecond).mean : undefined;
}

/** `1.23 ± 0.04` (no ± for one replicate). */
function fmt(values: readonly number[], digits: number): string {
  const { mean, std } = meanStd(values);
  return values.length > 1 ? `${mean.toFixed(digits)} ± ${std.toFixed(digits)}` : mean.toFixed(digits);
}

/**
 * Table entries (one per configuration) with the timing columns as extras.
 * @param steps the full step count K (Base at K is the speed-up reference).
 * @example
 * formatTable(summaryEntries(await evaluateRuns(runs, options), 100), TABLE1_COLUMNS);
 */
export function summaryEntries(evaluated: readonly EvaluatedRun[], steps: number): TableEntry[] {
  const reference = referenceThroughput(evaluated, steps);
  return evaluated.map(({ run, evaluation }) => {
    const tput = meanStd(run.moleculesPerSecond).mean;
    return {
      name: run.configuration.label,
      aggregate: evaluation.aggregate,
      extra: {
        Steps: String(run.configuration.steps),
        NFE: Number.isInteger(run.networkCalls) ? String(run.networkCalls) : run.networkCalls.toFixed(1),
        "Time (s)": fmt(run.wallSeconds, 1),
        "Mol/s": fmt(run.moleculesPerSecond, 2),
        "Speed-up": reference ? `${(tput / reference).toFixed(2)}×` : "–",
        "Peak MB": fmt(run.peakTensorBytes.map((b) => b / 1e6), 0),
      },
    };
  });
}

/**
 * The summary table in one format (Markdown for the terminal and `table1.md`, CSV with numeric mean/std columns,
 * HTML for the report page).
 * @example
 * console.log(summaryTable(evaluated, 100, "markdown"));
 */
export function summaryTable(evaluated: readonly EvaluatedRun[], steps: number, format: TableFormat): string {
  return formatTable(summaryEntries(evaluated, steps), format);
}
