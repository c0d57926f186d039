/** CSV text (RFC 4180): the one quoting rule every CSV molcache writes uses. */

/**
 * One CSV cell: quoted when it holds a comma, a quote or a line break, with quotes doubled.
 * @example
 * csvCell('Taylor m=2, "fast"'); // '"Taylor m=2, ""fast"""'
 */
export function csvCell(value: string | number): string {
  const s = String(value);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Rows as CSV text: one line per row (cells quoted by {@link csvCell}) and a final newline.
 * @example
 * toCsv([["x", "y"], ["a,b", 2]]); // 'x,y\n"a,b",2\n'
 */
export function toCsv(rows: readonly (readonly (string | number)[])[]): string {
  return rows.map((r) => r.map(csvCell).join(",")).join("\n") + "\n";
}
