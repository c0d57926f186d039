/**
 * Results tables in the layout of SemlaFlow's Table 1: one row per method (or configuration), one column per
 * metric, "mean ± std" over replicates; as Markdown, CSV or HTML.
 */
import { MeanStd, SummaryMetric } from "./summary";
import { csvCell } from "../util/csv";

/** One table row: a label and its aggregated metrics (`EvaluationResult.aggregate`). */
export interface TableEntry {
  name: string;
  aggregate: Record<SummaryMetric, MeanStd>;
  /** Extra cells appended after the metrics (e.g. NFE, time), already formatted. */
  extra?: Record<string, string>;
}

/** A column: header, metric, how to show it (percent for rates), arrow for the better direction. */
export interface TableColumn {
  header: string;
  metric: SummaryMetric;
  percent: boolean;
  digits: number;
  better: "up" | "down";
}

/** SemlaFlow Table 1 columns (plus connected validity and PoseBusters PRC validity). */
export const TABLE1_COLUMNS: readonly TableColumn[] = [
  { header: "Atom stab.", metric: "atom_stability", percent: true, digits: 1, better: "up" },
  { header: "Mol stab.", metric: "mol_stability", percent: true, digits: 1, better: "up" },
  { header: "Valid", metric: "validity", percent: true, digits: 1, better: "up" },
  { header: "Conn. valid", metric: "connected_validity", percent: true, digits: 1, better: "up" },
  { header: "Unique", metric: "uniqueness", percent: true, digits: 1, better: "up" },
  { header: "Novel", metric: "novelty", percent: true, digits: 1, better: "up" },
  { header: "Energy", metric: "energy", percent: false, digits: 1, better: "down" },
  { header: "Energy/atom", metric: "energy_per_atom", percent: false, digits: 2, better: "down" },
  { header: "Strain", metric: "strain", percent: false, digits: 1, better: "down" },
  { header: "Strain/atom", metric: "strain_per_atom", percent: false, digits: 2, better: "down" },
  { header: "Opt-RMSD", metric: "opt_rmsd", percent: false, digits: 3, better: "down" },
  { header: "PB-valid", metric: "pb_validity", percent: true, digits: 1, better: "up" },
];

/** Output format of {@link formatTable}. */
export type TableFormat = "markdown" | "csv" | "html";

/** What a table shows for a metric without a value (switched off, or nothing to score it on). */
export const NOT_COMPUTED = "not computed";

function cell(v: MeanStd, c: TableColumn, withStd: boolean): string {
  if (v.mean === null) return NOT_COMPUTED;
  const k = c.percent ? 100 : 1;
  const m = (v.mean * k).toFixed(c.digits);
  return withStd && v.n > 1 && v.std !== null ? `${m} ± ${(v.std * k).toFixed(c.digits)}` : m;
}

/**
 * Format entries as a Table-1-style table. Rates are shown as percentages; "± std" appears when a row has more
 * than one replicate. CSV gives mean and std in separate columns (unformatted numbers) for further processing.
 * @example
 * console.log(formatTable([{ name: "SemlaFlow (100 steps)", aggregate: res.aggregate }], "markdown"));
 */
export function formatTable(entries: readonly TableEntry[], format: TableFormat, columns: readonly TableColumn[] = TABLE1_COLUMNS): string {
  if (!["markdown", "csv", "html"].includes(format)) throw new Error(`invalid table format: ${format}; use markdown, csv or html`);
  const extraKeys = [...new Set(entries.flatMap((e) => Object.keys(e.extra ?? {})))];
  const arrow = (c: TableColumn) => (c.better === "up" ? "↑" : "↓");
  const headers = ["Method", ...columns.map((c) => `${c.header} ${arrow(c)}${c.percent ? " (%)" : ""}`), ...extraKeys];
  if (format === "csv") {
    const head = ["method", ...columns.flatMap((c) => [`${c.metric}_mean`, `${c.metric}_std`]), ...extraKeys];
    const lines = [head.map(csvCell).join(",")];
    for (const e of entries) {
      const vals = columns.flatMap((c) => [e.aggregate[c.metric].mean, e.aggregate[c.metric].std].map((x) => (x === null ? "" : String(x))));
      lines.push([csvCell(e.name), ...vals, ...extraKeys.map((k) => csvCell(e.extra?.[k] ?? ""))].join(","));
    }
    return lines.join("\n") + "\n";
  }
  const rows = entries.map((e) => [e.name, ...columns.map((c) => cell(e.aggregate[c.metric], c, true)), ...extraKeys.map((k) => e.extra?.[k] ?? "")]);
  if (format === "markdown") {
    const out = [`| ${headers.join(" | ")} |`, `|${headers.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`];
    for (const r of rows) out.push(`| ${r.join(" | ")} |`);
    return out.join("\n") + "\n";
  }
  const html = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const out = ["<table>", `<thead><tr>${headers.map((h) => `<th>${html(h)}</th>`).join("")}</tr></thead>`, "<tbody>"];
  for (const r of rows) out.push(`<tr>${r.map((c, i) => (i === 0 ? `<th>${html(c)}</th>` : `<td>${html(c)}</td>`)).join("")}</tr>`);
  out.push("</tbody>", "</table>");
  return out.join("\n") + "\n";
}
