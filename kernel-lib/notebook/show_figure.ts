/**
 * Show figures and molecules inline in tslab notebooks. One output per figure carries Plotly's own MIME type
 * (interactive in JupyterLab with the Plotly extension and in VS Code), an HTML fallback (a small div drawn by the
 * Plotly.js that {@link loadPlotly} puts into the notebook once), and a text line. Outside a kernel these functions
 * print the text line instead.
 */
import { rejectUnknownOptions } from "../util/options";
import type { Molecule } from "../chem/molecule";
import type { FigureExporter, ImageOptions } from "../viz/export";
import { hillFormula, moleculeFigure, type MoleculeFigureOptions } from "../viz/molecule_3d";
import { plotlyVersion } from "../viz/plotly_library";
import type { PlotlyFigure } from "../viz/types";
import { figureHtml, figureSummary, plotlyLoaderHtml } from "../viz/figure_html";
import { emitDisplay, inKernel } from "../util/kernel_display";

/** Plotly's MIME type (JupyterLab's plotly extension, VS Code, nteract). */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

// Whether this kernel process already put Plotly.js into the notebook. Kept on globalThis (one per kernel process)
// because tslab may load this module more than once.
const LOADED = Symbol.for("molcache.notebook.plotlyLoaded");
const flags = globalThis as unknown as Record<symbol, boolean | undefined>;

/** Options of {@link loadPlotly}. */
export interface LoadPlotlyOptions {
  /** Emit the library again even if this kernel already did (e.g. after clearing the cell that held it). */
  force?: boolean;
}

/**
 * Put Plotly.js (4.8 MB, once) into the notebook so HTML figure outputs draw in exported HTML too.
 * {@link showFigure} calls it on first use; call it yourself at the top of a notebook to keep the library in a
 * cell of its own.
 * @returns true when the library was emitted now.
 * @example
 * loadPlotly(); // output: "Plotly.js 4.1.2 loaded for this notebook"
 */
export function loadPlotly(options: LoadPlotlyOptions = {}): boolean {
  rejectUnknownOptions(options, ["force"], "loadPlotly");
  if (!inKernel()) return false;
  if (flags[LOADED] && !options.force) return false;
  const emitted = emitDisplay({
    "text/html": plotlyLoaderHtml(),
    "text/plain": `Plotly.js ${plotlyVersion()} loaded for this notebook`,
  });
  if (emitted) flags[LOADED] = true;
  return emitted;
}

/** Options of {@link showFigure}. */
export interface ShowFigureOptions {
  /** Div id of the HTML fallback (default random). */
  divId?: string;
  /** Load Plotly.js into the notebook first when this kernel has not yet (default true). */
  loadPlotly?: boolean;
}

function checkFigure(fig: PlotlyFigure): void {
  if (!fig || !Array.isArray(fig.data) || typeof fig.layout !== "object" || fig.layout === null) {
    throw new Error("invalid figure: expected { data: [...traces], layout: {...} } from a viz builder");
  }
}

/**
 * Show a Plotly figure as the cell's output (outside a notebook: print one line describing it).
 * @example
 * showFigure(pcaTrajectoryFigure(projection));
 */
export function showFigure(fig: PlotlyFigure, options: ShowFigureOptions = {}): void {
  rejectUnknownOptions(options, ["divId", "loadPlotly"], "showFigure");
  checkFigure(fig);
  if (!inKernel()) {
    console.log(figureSummary(fig));
    return;
  }
  if (options.loadPlotly ?? true) loadPlotly();
  emitDisplay({
    [PLOTLY_MIME]: JSON.parse(JSON.stringify(fig)),
    "text/html": figureHtml(fig, { divId: options.divId }),
    "text/plain": figureSummary(fig),
  });
}

/**
 * Show a figure as a static PNG rendered by `exporter` (plus Plotly's MIME type for interactive front ends): for
 * notebooks viewed where scripts do not run (GitHub, some viewers), at the cost of a Chromium render.
 * @example
 * await withFigureExporter(async (ex) => { await showFigureImage(fig, ex, { scale: 2 }); });
 */
export async function showFigureImage(fig: PlotlyFigure, exporter: FigureExporter, image: ImageOptions = {}): Promise<void> {
  checkFigure(fig);
  if (!inKernel()) {
    console.log(figureSummary(fig));
    return;
  }
  const png = await exporter.toPng(fig, image);
  emitDisplay({ [PLOTLY_MIME]: JSON.parse(JSON.stringify(fig)), "image/png": png, "text/plain": figureSummary(fig) });
}

/** A one-line description of a molecule: name, formula, atoms, bonds. */
export function moleculeSummary(mol: Molecule): string {
  const name = mol.name ? `${mol.name}: ` : "";
  return `[molecule] ${name}${hillFormula(mol.elements)}, ${mol.elements.length} atoms, ${mol.bondI.length} bonds`;
}

/**
 * Show a molecule in 3-D (atoms by element, bonds by order; see `moleculeFigure`), or print a line outside a notebook.
 * @example
 * showMolecule(molecules[0], { showHydrogens: false });
 */
export function showMolecule(mol: Molecule, options?: Partial<MoleculeFigureOptions>): void {
  const fig = moleculeFigure(mol, options); // validates even outside a notebook
  if (!inKernel()) {
    console.log(moleculeSummary(mol));
    return;
  }
  showFigure(fig);
}
