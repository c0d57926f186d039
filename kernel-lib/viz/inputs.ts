/**
 * Checks shared by the figure builders: options objects (defaults filled, unknown keys rejected) and numeric
 * inputs (lengths, finiteness), with messages that name the field and the fix.
 */
import { rejectUnknownOptions } from "../util/options";

/**
 * Fill defaults into a builder's options and reject unknown keys or values of the wrong type.
 * @param what the builder's name for messages, e.g. `"pcaTrajectoryFigure"`.
 * @example
 * resolveFigureOptions("demo", { title: "A", width: 900 }, { width: 600 }); // { title: "A", width: 600 }
 */
export function resolveFigureOptions<T extends object>(what: string, defaults: T, given: Partial<T> | undefined): T {
  const out = { ...defaults };
  if (given === undefined) return out;
  rejectUnknownOptions(given, defaults, what);
  for (const [k, v] of Object.entries(given)) {
    if (v === undefined) continue;
    const d = (defaults as Record<string, unknown>)[k];
    if (d !== undefined && d !== null && typeof d !== typeof v) {
      throw new Error(`invalid ${k}: ${JSON.stringify(v)}; must be a ${typeof d}`);
    }
    if (typeof v === "number" && !Number.isFinite(v)) throw new Error(`invalid ${k}: ${v}; must be a finite number`);
    (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

/** Check a size option: a positive integer number of pixels. */
export function checkPixels(name: string, value: number): void {
  if (!(Number.isInteger(value) && value >= 10 && value <= 10000)) {
    throw new Error(`invalid ${name}: ${value}; must be an integer number of pixels in [10, 10000]`);
  }
}

/**
 * Copy numbers into a plain array (Plotly JSON cannot hold typed arrays). Non-finite values are errors unless
 * `gaps` is set, in which case they become `null` (a gap in the line).
 */
export function toNumbers(name: string, values: ArrayLike<number> | undefined, gaps = false): (number | null)[] {
  if (values === undefined || values === null || typeof (values as ArrayLike<number>).length !== "number") {
    throw new Error(`missing ${name}: expected an array of numbers`);
  }
  const out: (number | null)[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = Number(values[i]);
    if (Number.isFinite(v)) out[i] = v;
    else if (gaps) out[i] = null;
    else throw new Error(`invalid ${name}[${i}]: ${values[i]}; must be a finite number`);
  }
  return out;
}

/** Like {@link toNumbers} with no gaps allowed: every entry finite. */
export function finiteNumbers(name: string, values: ArrayLike<number> | undefined): number[] {
  return toNumbers(name, values, false) as number[];
}

/** `values` if given (checked, length `n`), else `0, 1, …, n-1` shifted by `start`. */
export function stepsOrRange(name: string, values: ArrayLike<number> | undefined, n: number, start = 0): number[] {
  if (values === undefined) return Array.from({ length: n }, (_, i) => i + start);
  const out = finiteNumbers(name, values);
  checkLength(name, out.length, n);
  return out;
}

/** Throw unless `actual === expected`, naming the array. */
export function checkLength(name: string, actual: number, expected: number): void {
  if (actual !== expected) throw new Error(`invalid ${name}: length ${actual}; expected ${expected} (one per step)`);
}

/** Column `col` of rows of numbers, checked: every row needs more than `col` entries. */
export function column(name: string, rows: ReadonlyArray<ArrayLike<number>>, col: number, gaps = false): (number | null)[] {
  if (!rows || typeof rows.length !== "number") throw new Error(`missing ${name}: expected an array of rows`);
  return Array.from(rows, (row, i) => {
    if (!row || row.length <= col) {
      throw new Error(`invalid ${name}[${i}]: needs at least ${col + 1} columns, got ${row ? row.length : row}`);
    }
    const v = Number(row[col]);
    if (Number.isFinite(v)) return v;
    if (gaps) return null;
    throw new Error(`invalid ${name}[${i}][${col}]: ${row[col]}; must be a finite number`);
  });
}

/** Throw unless the array is non-empty. */
export function checkNonEmpty(name: string, n: number, fix: string): void {
  if (!(n > 0)) throw new Error(`empty ${name}: ${fix}`);
}

/** Escape text for Plotly's HTML-like labels (`<`, `>` and `&` would otherwise be read as markup). */
export function escapeLabel(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
