/**
 * HTML for Plotly figures that works in live notebooks, in nbconvert's HTML export and in standalone reports:
 * the 4.8 MB Plotly.js bundle goes into the page ONCE ({@link plotlyLoaderHtml}), each figure is a small div plus
 * a script that draws it when Plotly is there ({@link figureHtml}).
 */
import { rejectUnknownOptions } from "../util/options";
import { randomBytes } from "node:crypto";
import { readPlotlyLibrary, plotlyVersion } from "./plotly_library";
import { THEME } from "./theme";
import type { PlotlyFigure } from "./types";

/** Options of {@link figureHtml}. */
export interface FigureHtmlOptions {
  /** The div's id (default: random, `molcache-fig-<hex>`); give one for reproducible HTML. */
  divId?: string;
  /** Plotly config merged over the defaults (`displaylogo: false`, `responsive: false`). */
  config?: Record<string, unknown>;
}

/**
 * JSON for inside a `<script>`: `<`, U+2028 and U+2029 escaped, so a `</script>` in a label cannot end the block.
 * @example
 * scriptJson({ name: "</script>" }); // '{"name":"\\u003c/script>"}'
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/**
 * A `<script>` that defines `window.Plotly` from the bundled plotly.js-dist-min, unless the page already has it.
 * Put it once per page or notebook, before any {@link figureHtml}.
 * @example
 * const page = `<html><head>${plotlyLoaderHtml()}</head><body>${figureHtml(fig)}</body></html>`;
 */
export function plotlyLoaderHtml(): string {
  const lib = readPlotlyLibrary();
  if (/<\/script/i.test(lib)) throw new Error("plotly.min.js contains </script> and cannot be inlined; report this with the plotly.js-dist-min version");
  return (
    `<script type="text/javascript">/* molcache: plotly.js ${plotlyVersion()} (loaded once per page) */\n` +
    `window.PlotlyConfig = { MathJaxConfig: "local" };\n` +
    `if (typeof window.Plotly === "undefined") {\n${lib}\n}\n</script>`
  );
}

/**
 * A div and a short script that draw `fig` with the page's Plotly (waiting up to 10 s for it, then saying how to
 * load it). Size: the figure's `layout.width`/`height`.
 * @example
 * const html = figureHtml(fig, { divId: "fig1" }); // '<div id="fig1" class="molcache-plotly" …'
 */
export function figureHtml(fig: PlotlyFigure, options: FigureHtmlOptions = {}): string {
  rejectUnknownOptions(options, ["divId", "config"], "figureHtml");
  if (!fig || !Array.isArray(fig.data) || typeof fig.layout !== "object") {
    throw new Error("invalid figure: expected { data: [...traces], layout: {...} } from a viz builder");
  }
  const id = options.divId ?? `molcache-fig-${randomBytes(6).toString("hex")}`;
  if (!/^[A-Za-z][\w-]*$/.test(id)) throw new Error(`invalid divId: ${JSON.stringify(id)}; use letters, digits, - and _`);
  const width = typeof fig.layout.width === "number" ? fig.layout.width : THEME.width;
  const height = typeof fig.layout.height === "number" ? fig.layout.height : THEME.height;
  const config = { displaylogo: false, responsive: false, ...(options.config ?? {}) };
  return (
    `<div id="${id}" class="molcache-plotly" style="width:${width}px;height:${height}px;max-width:100%;"></div>\n` +
    `<script type="text/javascript">\n(function () {\n` +
    `  var fig = ${scriptJson(fig)};\n  var config = ${scriptJson(config)};\n` +
    `  var el = document.getElementById(${JSON.stringify(id)});\n` +
    `  function draw() { window.Plotly.newPlot(el, fig.data, fig.layout, config); }\n` +
    `  if (window.Plotly) { draw(); return; }\n` +
    `  var tries = 0, timer = setInterval(function () {\n` +
    `    if (window.Plotly) { clearInterval(timer); draw(); }\n` +
    `    else if (++tries > 100) { clearInterval(timer); el.style.height = "auto";\n` +
    `      el.textContent = "Plotly.js is not loaded on this page: run loadPlotly() from molcache in an earlier cell (or export the figure as PNG)."; }\n` +
    `  }, 100);\n})();\n</script>`
  );
}

/** A one-line text description of a figure, for terminals and `text/plain`. */
export function figureSummary(fig: PlotlyFigure): string {
  const title = (fig.layout?.title as { text?: string } | undefined)?.text ?? "untitled";
  const types = [...new Set(fig.data.map((t) => String(t.type ?? "scatter")))].join(", ");
  return `[figure] ${title.replace(/<[^>]+>/g, "")} (${fig.data.length} traces: ${types})`;
}
