/** Show Table-1-style results in a notebook: one helper instead of a copy in every notebook. */
import { formatTable, TABLE1_COLUMNS, TableColumn, TableEntry } from "../metrics/table";
import { emitDisplay } from "../util/kernel_display";

/**
 * Display Table-1-style entries as an HTML table (Markdown for text front ends) with the given metric columns
 * (default: Table 1's; `[]` shows only the method and the extra columns such as NFE and Mol/s).
 * @returns false outside a kernel (nothing shown).
 * @example
 * showResults([{ name: "Base (100 steps)", aggregate: scored.aggregate, extra: { NFE: "100" } }]);
 */
export function showResults(entries: readonly TableEntry[], columns: readonly TableColumn[] = TABLE1_COLUMNS): boolean {
  return emitDisplay({ "text/html": formatTable(entries, "html", columns), "text/plain": formatTable(entries, "markdown", columns) });
}
