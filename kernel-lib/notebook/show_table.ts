/**
 * Show tables in notebooks (HTML) and terminals (aligned text): danfo.js DataFrames, arrays of row objects, or
 * explicit columns and rows. Numbers are shown with a fixed number of significant digits.
 */
import { escapeHtml } from "../viz/figure_html";
import { emitDisplay, inKernel } from "../util/kernel_display";
import { rejectUnknownOptions } from "../util/options";

/** A danfo.js DataFrame, or anything with the same `columns`, `values` (and optional `index`). */
export interface DataFrameLike {
  columns: readonly string[];
  /** Rows of cells (danfo types this loosely as 1-D or 2-D, so rows are checked at run time). */
  values: ReadonlyArray<unknown>;
  index?: ReadonlyArray<string | number>;
}

/** Explicit columns and rows. */
export interface ColumnsAndRows {
  columns: readonly string[];
  rows: ReadonlyArray<ReadonlyArray<unknown>>;
}

/** What {@link showTable} accepts. */
export type TableInput = ReadonlyArray<Readonly<Record<string, unknown>>> | ColumnsAndRows | DataFrameLike;

/** Options of {@link showTable}, {@link tableHtml} and {@link tableText}. */
export interface TableOptions {
  /** Caption above the table (default none). */
  title: string;
  /** Rows shown; the rest are counted in a "… N more rows" line (default 50). */
  maxRows: number;
  /** Significant digits of non-integer numbers (default 4). */
  digits: number;
  /** Show a DataFrame's index as the first column (default false). */
  showIndex: boolean;
}

/** Defaults of {@link TableOptions}. */
export const DEFAULT_TABLE_OPTIONS: TableOptions = { title: "", maxRows: 50, digits: 4, showIndex: false };

/** Fill defaults and validate. */
export function resolveTableOptions(options: Partial<TableOptions> = {}): TableOptions {
  rejectUnknownOptions(options, DEFAULT_TABLE_OPTIONS, "table");
  const o = { ...DEFAULT_TABLE_OPTIONS };
  for (const [k, v] of Object.entries(options)) {
    if (v !== undefined) (o as Record<string, unknown>)[k] = v;
  }
  if (!(Number.isInteger(o.maxRows) && o.maxRows >= 1)) throw new Error(`invalid maxRows: ${o.maxRows}; must be an integer >= 1`);
  if (!(Number.isInteger(o.digits) && o.digits >= 1 && o.digits <= 17)) throw new Error(`invalid digits: ${o.digits}; must be an integer in [1, 17]`);
  return o;
}

/** A table as header cells and body cells (strings), plus which columns are numeric. */
interface Cells {
  header: string[];
  body: string[][];
  numeric: boolean[];
  hidden: number;
}

/**
 * Format one value: integers as they are, other numbers with `digits` significant digits, null as empty.
 * @example
 * formatCell(95.71234, 4); // "95.71"
 */
export function formatCell(v: unknown, digits: number): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return String(v);
    if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
    const a = Math.abs(v);
    if (a !== 0 && (a >= 1e6 || a < 1e-4)) return v.toExponential(digits - 1);
    return String(Number(v.toPrecision(digits)));
  }
  if (typeof v === "string") return v;
  if (typeof v === "boolean" || typeof v === "bigint") return String(v);
  return JSON.stringify(v) ?? String(v);
}

/** Normalise any {@link TableInput} to columns and rows. */
function columnsAndRows(table: TableInput, showIndex: boolean): { columns: string[]; rows: unknown[][] } {
  if (Array.isArray(table)) {
    const columns: string[] = [];
    for (const row of table as ReadonlyArray<Record<string, unknown>>) {
      if (row === null || typeof row !== "object") throw new Error("invalid table: an array of rows must hold objects ({ column: value })");
      for (const k of Object.keys(row)) if (!columns.includes(k)) columns.push(k);
    }
    return { columns, rows: (table as ReadonlyArray<Record<string, unknown>>).map((r) => columns.map((c) => r[c])) };
  }
  const t = table as Partial<ColumnsAndRows & DataFrameLike>;
  if (t && Array.isArray(t.columns) && (Array.isArray(t.rows) || Array.isArray(t.values))) {
    const rows = ((t.rows ?? t.values ?? []) as ReadonlyArray<unknown>).map((r, i) => {
      if (!Array.isArray(r) || r.length !== t.columns!.length) {
        throw new Error(`invalid table row ${i}: ${Array.isArray(r) ? r.length : typeof r} cells for ${t.columns!.length} columns`);
      }
      return [...r];
    });
    if (showIndex && t.index) return { columns: ["", ...t.columns], rows: rows.map((r, i) => [t.index![i], ...r]) };
    return { columns: [...t.columns], rows };
  }
  throw new Error("invalid table: pass a danfo DataFrame, an array of row objects, or { columns, rows }");
}

function toCells(table: TableInput, o: TableOptions): Cells {
  const { columns, rows } = columnsAndRows(table, o.showIndex);
  const shown = rows.slice(0, o.maxRows);
  const numeric = columns.map((_, c) => shown.length > 0 && shown.every((r) => typeof r[c] === "number" || r[c] === null || r[c] === undefined));
  return {
    header: columns.map(String),
    body: shown.map((r) => r.map((v) => formatCell(v, o.digits))),
    numeric,
    hidden: rows.length - shown.length,
  };
}

/**
 * The table as an HTML `<table>` (class `dataframe`, so Jupyter's table style applies).
 * @example
 * tableHtml([{ config: "Base 100", validity: 95.71 }]); // "<table class=\"dataframe molcache-table\" …"
 */
export function tableHtml(table: TableInput, options: Partial<TableOptions> = {}): string {
  const o = resolveTableOptions(options);
  const { header, body, numeric, hidden } = toCells(table, o);
  const cell = (tag: string, text: string, c: number) =>
    `<${tag} style="text-align:${numeric[c] ? "right" : "left"};padding:2px 8px">${escapeHtml(text)}</${tag}>`;
  const caption = o.title ? `<caption style="caption-side:top;text-align:left;font-weight:bold">${escapeHtml(o.title)}</caption>` : "";
  const more = hidden > 0 ? `<div style="font-size:smaller;color:#666">… ${hidden} more rows</div>` : "";
  return (
    `<table class="dataframe molcache-table" style="border-collapse:collapse">${caption}` +
    `<thead><tr>${header.map((h, c) => cell("th", h, c)).join("")}</tr></thead>` +
    `<tbody>${body.map((r) => `<tr>${r.map((v, c) => cell("td", v, c)).join("")}</tr>`).join("")}</tbody></table>${more}`
  );
}

/**
 * The table as aligned plain text (numbers right-aligned), for terminals and `text/plain`.
 * @example
 * console.log(tableText({ columns: ["a", "b"], rows: [[1, 0.123456]] }));
 * // a  b
 * // -  ------
 * // 1  0.1235
 */
export function tableText(table: TableInput, options: Partial<TableOptions> = {}): string {
  const o = resolveTableOptions(options);
  const { header, body, numeric, hidden } = toCells(table, o);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((r) => r[c].length)));
  const pad = (s: string, c: number) => (numeric[c] ? s.padStart(widths[c]) : s.padEnd(widths[c]));
  const line = (cells: string[]) => cells.map(pad).join("  ").trimEnd();
  const out = [
    ...(o.title ? [o.title] : []),
    line(header),
    line(widths.map((w) => "-".repeat(w))),
    ...body.map(line),
    ...(hidden > 0 ? [`… ${hidden} more rows`] : []),
  ];
  return out.join("\n");
}

/**
 * Show a table as the cell's output (HTML in a notebook; aligned text printed outside one).
 * @example
 * showTable(df, { title: "Table 1: quality and throughput", digits: 3 });
 */
export function showTable(table: TableInput, options: Partial<TableOptions> = {}): void {
  const text = tableText(table, options);
  if (!inKernel() || !emitDisplay({ "text/html": tableHtml(table, options), "text/plain": text })) console.log(text);
}
