/**
 * Where the Plotly.js browser bundle is: the minified `plotly.js-dist-min` file (4.8 MB) that the exporter loads
 * into Chromium and the notebook glue embeds once per notebook.
 */
import * as fs from "node:fs";

/** Absolute path of `plotly.min.js` from the installed `plotly.js-dist-min`. */
export function plotlyLibraryPath(): string {
  try {
    return require.resolve("plotly.js-dist-min/plotly.min.js");
  } catch {
    throw new Error("plotly.js-dist-min is not installed; run `npm ci` in the molcache checkout");
  }
}

/**
 * The Plotly.js bundle's source text (read on each call: it is only needed once per browser page or notebook).
 * @example
 * readPlotlyLibrary().length; // about 4.8e6
 */
export function readPlotlyLibrary(): string {
  return fs.readFileSync(plotlyLibraryPath(), "utf8");
}

/** The bundled Plotly.js version, e.g. `"4.1.2"` (from the bundle's banner). */
export function plotlyVersion(): string {
  const fd = fs.openSync(plotlyLibraryPath(), "r");
  try {
    const head = Buffer.alloc(200);
    fs.readSync(fd, head, 0, head.length, 0);
    return /plotly\.js v(\d+\.\d+\.\d+)/.exec(head.toString("utf8"))?.[1] ?? "unknown";
  } finally {
    fs.closeSync(fd);
  }
}
