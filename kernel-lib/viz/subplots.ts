/**
 * A subplot grid for plain Plotly layouts (Plotly.js has no `make_subplots`): axis domains, anchors and subplot
 * titles as paper annotations.
 */

/** Options of {@link subplotGrid}. */
export interface SubplotGridOptions {
  rows: number;
  cols: number;
  /** Horizontal gap between cells, as a fraction of the plot width (default 0.08). */
  hGap?: number;
  /** Vertical gap between cells, as a fraction of the plot height (default 0.1). */
  vGap?: number;
  /** One title per cell (row-major); empty strings for none. */
  titles?: readonly string[];
  /** Link every x axis to the first one (`matches: "x"`), e.g. for a shared step axis (default false). */
  sharedX?: boolean;
}

/** The axes of one cell: trace references (`xaxis: "x2"`) and layout keys (`"xaxis2"`). */
export interface SubplotCell {
  /** Value for a trace's `xaxis` field: `"x"`, `"x2"`, … */
  xref: string;
  yref: string;
  /** Key of the axis object in the layout: `"xaxis"`, `"xaxis2"`, … */
  xKey: string;
  yKey: string;
}

/** What {@link subplotGrid} returns: the cells, and the layout entries to merge into a figure layout. */
export interface SubplotGrid {
  cells: SubplotCell[];
  /** Axis objects (domains and anchors only; merge styles in) and subplot-title annotations. */
  layout: Record<string, unknown> & { annotations: Record<string, unknown>[] };
}

/** Round away float noise (`0.44999999999999996` → `0.45`) so layouts read cleanly. */
const round6 = (v: number) => Math.round(v * 1e6) / 1e6 + 0;

/** The axes of cell `i` (0-based, row-major). */
export function subplotCell(i: number): SubplotCell {
  const n = i === 0 ? "" : String(i + 1);
  return { xref: `x${n}`, yref: `y${n}`, xKey: `xaxis${n}`, yKey: `yaxis${n}` };
}

/**
 * Lay out `rows × cols` subplots, row 0 at the top.
 * @example
 * const grid = subplotGrid({ rows: 1, cols: 2, titles: ["Coordinates", "Atom types"] });
 * grid.cells[1].xref; // "x2"
 */
export function subplotGrid(options: SubplotGridOptions): SubplotGrid {
  const { rows, cols } = options;
  if (!(Number.isInteger(rows) && rows >= 1)) throw new Error(`invalid rows: ${rows}; must be an integer >= 1`);
  if (!(Number.isInteger(cols) && cols >= 1)) throw new Error(`invalid cols: ${cols}; must be an integer >= 1`);
  const hGap = options.hGap ?? 0.08;
  const vGap = options.vGap ?? 0.1;
  if (!(hGap >= 0 && hGap * (cols - 1) < 1)) throw new Error(`invalid hGap: ${hGap}; gaps must leave room for cells`);
  if (!(vGap >= 0 && vGap * (rows - 1) < 1)) throw new Error(`invalid vGap: ${vGap}; gaps must leave room for cells`);
  const titles = options.titles ?? [];
  if (titles.length > rows * cols) {
    throw new Error(`too many subplot titles: ${titles.length} for ${rows * cols} cells`);
  }
  const w = (1 - hGap * (cols - 1)) / cols;
  const h = (1 - vGap * (rows - 1)) / rows;
  const cells: SubplotCell[] = [];
  const layout: SubplotGrid["layout"] = { annotations: [] };
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      const cell = subplotCell(i);
      cells.push(cell);
      const x0 = c * (w + hGap);
      const y1 = 1 - r * (h + vGap);
      layout[cell.xKey] = {
        domain: [round6(x0), round6(x0 + w)],
        anchor: cell.yref,
        ...(options.sharedX && i > 0 ? { matches: "x" } : {}),
      };
      layout[cell.yKey] = { domain: [round6(y1 - h), round6(y1)], anchor: cell.xref };
      const title = titles[i];
      if (title) {
        layout.annotations.push({
          text: `<b>${title}</b>`,
          x: round6(x0 + w / 2),
          y: round6(y1),
          xref: "paper",
          yref: "paper",
          xanchor: "center",
          yanchor: "bottom",
          yshift: 6,
          showarrow: false,
          font: { size: 14 },
        });
      }
    }
  }
  return { cells, layout };
}

/** Merge style objects into the grid's axis entries (both keep their fields; `style` wins on conflicts). */
export function mergeAxis(layout: Record<string, unknown>, key: string, style: Record<string, unknown>): void {
  layout[key] = { ...((layout[key] as Record<string, unknown> | undefined) ?? {}), ...style };
}
