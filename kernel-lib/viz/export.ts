/**
 * Static figure export (PNG, SVG) through headless Chromium driven by playwright-core, with Plotly.js loaded once
 * into one page: launching costs about 2.5 s, each further PNG about 0.1 s, so one exporter serves many figures.
 *
 * Chromium comes from Debian (`apt-get install --no-install-recommends chromium`, at /usr/bin/chromium) or from the
 * path in the environment variable `MOLCACHE_CHROMIUM`.
 */
import { rejectUnknownOptions } from "../util/options";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Browser, Page } from "playwright-core";
import { writeFileAtomic } from "../util/atomic_write";
import { readPlotlyLibrary } from "./plotly_library";
import { THEME } from "./theme";
import type { PlotlyFigure } from "./types";

/** Chromium used when `MOLCACHE_CHROMIUM` is not set. */
export const DEFAULT_CHROMIUM_PATH = "/usr/bin/chromium";

/** Flags for a headless Chromium on a server: no sandbox (containers), no GPU (WebGL falls back to SwiftShader). */
export const CHROMIUM_ARGS: readonly string[] = [
  "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
];

/** Options of {@link createFigureExporter}. */
export interface FigureExporterOptions {
  /** Chromium executable (default: `MOLCACHE_CHROMIUM`, else {@link DEFAULT_CHROMIUM_PATH}). */
  executablePath?: string;
}

/** Size of one exported image. */
export interface ImageOptions {
  /** Width and height in CSS px (default: the figure's `layout.width`/`height`, else 900 × 520). */
  width?: number;
  height?: number;
  /** Pixel-density factor for PNG (default 1; 2 gives a 2× sharper image of the same layout). */
  scale?: number;
}

/** Cumulative export timings in ms (for benchmarks and reports). */
export interface ExportTimings {
  launchMs: number;
  pngCount: number;
  pngMs: number;
  svgCount: number;
  svgMs: number;
}

/** A headless browser with Plotly.js loaded, for turning figures into files. Call `close()` when done. */
export interface FigureExporter {
  /** Render to PNG bytes. */
  toPng(fig: PlotlyFigure, options?: ImageOptions): Promise<Uint8Array>;
  /** Render to an SVG document (text starting with `<svg`). */
  toSvg(fig: PlotlyFigure, options?: ImageOptions): Promise<string>;
  /** Render and write atomically; the format follows the extension (`.png` or `.svg`). */
  writeFigure(fig: PlotlyFigure, file: string, options?: ImageOptions): Promise<void>;
  /** Close the browser (idempotent). Later calls to the other methods throw. */
  close(): Promise<void>;
  /** Timings so far. */
  readonly timings: Readonly<ExportTimings>;
}

/** The Chromium executable to use: the argument, else `MOLCACHE_CHROMIUM`, else /usr/bin/chromium. */
export function chromiumPath(explicit?: string): string {
  return explicit || process.env.MOLCACHE_CHROMIUM || DEFAULT_CHROMIUM_PATH;
}

/** Throw the install hint unless `file` exists. */
function checkChromium(file: string): void {
  if (!fs.existsSync(file)) {
    throw new Error(
      `Chromium not found at ${file}; install it with \`apt-get install --no-install-recommends chromium\` or set MOLCACHE_CHROMIUM`,
    );
  }
}

/** Resolve and check image options against the figure's own size. */
export function resolveImageOptions(fig: PlotlyFigure, options: ImageOptions = {}): Required<ImageOptions> {
  rejectUnknownOptions(options, ["width", "height", "scale"], "image");
  const layout = (fig.layout ?? {}) as { width?: unknown; height?: unknown };
  const width = options.width ?? (typeof layout.width === "number" ? layout.width : THEME.width);
  const height = options.height ?? (typeof layout.height === "number" ? layout.height : THEME.height);
  const scale = options.scale ?? 1;
  for (const [k, v] of [["width", width], ["height", height]] as const) {
    if (!(Number.isInteger(v) && v >= 10 && v <= 10000)) throw new Error(`invalid ${k}: ${v}; must be an integer number of px in [10, 10000]`);
  }
  if (!(scale > 0 && scale <= 10)) throw new Error(`invalid scale: ${scale}; must be in (0, 10]`);
  return { width, height, scale };
}

function checkFigure(fig: PlotlyFigure): void {
  if (!fig || !Array.isArray(fig.data) || typeof fig.layout !== "object" || fig.layout === null) {
    throw new Error("invalid figure: expected { data: [...traces], layout: {...} } from a viz builder");
  }
}

/**
 * Start headless Chromium and load Plotly.js into one page (about 2.5 s here). Renders are serialised on that page.
 * @throws when Chromium is missing (with the install command) or cannot start.
 * @example
 * const exporter = await createFigureExporter();
 * try { await exporter.writeFigure(fig, "out/fig1.png", { scale: 2 }); } finally { await exporter.close(); }
 */
export async function createFigureExporter(options: FigureExporterOptions = {}): Promise<FigureExporter> {
  rejectUnknownOptions(options, ["executablePath"], "createFigureExporter");
  const executablePath = chromiumPath(options.executablePath);
  checkChromium(executablePath);
  const t0 = Date.now();
  // Loaded lazily: importing the figure builders must not pull in playwright.
  const { chromium } = require("playwright-core") as typeof import("playwright-core");
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS] });
  } catch (err) {
    throw new Error(`Chromium at ${executablePath} failed to start: ${String((err as Error).message).split("\n")[0]}`);
  }
  let page: Page;
  try {
    page = await browser.newPage();
    await page.setContent('<!DOCTYPE html><html><body style="margin:0"><div id="plot"></div></body></html>');
    await page.addScriptTag({ content: readPlotlyLibrary() });
  } catch (err) {
    await browser.close().catch(() => undefined);
    throw err;
  }
  const timings: ExportTimings = { launchMs: Date.now() - t0, pngCount: 0, pngMs: 0, svgCount: 0, svgMs: 0 };
  let closed = false;
  let queue: Promise<unknown> = Promise.resolve();

  // One page, one plot div: renders must not interleave, so each waits for the previous one.
  const render = (fig: PlotlyFigure, format: "png" | "svg", opts?: ImageOptions): Promise<string> => {
    if (closed) return Promise.reject(new Error("figure exporter is closed; create a new one with createFigureExporter()"));
    checkFigure(fig);
    const size = resolveImageOptions(fig, opts);
    const run = queue.then(async () => {
      const start = Date.now();
      try {
        const url = await page.evaluate(async ({ figure, format, size }) => {
          // Runs in the page. No DOM types here: tslab type-checks this file with lib es2022 only.
          type PlotlyApi = {
            purge(gd: unknown): void;
            newPlot(gd: unknown, data: unknown, layout: unknown, config: unknown): Promise<unknown>;
            toImage(gd: unknown, options: unknown): Promise<string>;
          };
          const page = globalThis as unknown as { Plotly: PlotlyApi; document: { getElementById(id: string): unknown } };
          const P = page.Plotly;
          const gd = page.document.getElementById("plot");
          P.purge(gd);
          await P.newPlot(gd, figure.data, figure.layout, { staticPlot: true });
          return P.toImage(gd, { format, ...size });
        }, { figure: JSON.parse(JSON.stringify(fig)) as PlotlyFigure, format, size });
        if (format === "png") { timings.pngCount++; timings.pngMs += Date.now() - start; }
        else { timings.svgCount++; timings.svgMs += Date.now() - start; }
        return url;
      } catch (err) {
        throw new Error(`figure export to ${format} failed: ${String((err as Error).message).split("\n")[0]}`);
      }
    });
    queue = run.catch(() => undefined);
    return run;
  };

  const exporter: FigureExporter = {
    timings,
    async toPng(fig, opts) {
      const url = await render(fig, "png", opts);
      return new Uint8Array(Buffer.from(url.slice(url.indexOf(",") + 1), "base64"));
    },
    async toSvg(fig, opts) {
      const url = await render(fig, "svg", opts);
      const body = url.slice(url.indexOf(",") + 1);
      return url.slice(0, url.indexOf(",")).endsWith(";base64") ? Buffer.from(body, "base64").toString("utf8") : decodeURIComponent(body);
    },
    async writeFigure(fig, file, opts) {
      const ext = path.extname(file).toLowerCase();
      if (ext === ".png") writeFileAtomic(file, await exporter.toPng(fig, opts));
      else if (ext === ".svg") writeFileAtomic(file, await exporter.toSvg(fig, opts));
      else throw new Error(`unsupported figure file extension: "${ext}" in ${file}; use .png or .svg`);
    },
    async close() {
      if (closed) return;
      closed = true;
      await queue;
      await browser.close();
    },
  };
  return exporter;
}

/**
 * Run `fn` with a fresh exporter and always close it afterwards.
 * @example
 * await withFigureExporter(async (ex) => { await ex.writeFigure(fig, "out/fig.svg"); });
 */
export async function withFigureExporter<T>(fn: (exporter: FigureExporter) => Promise<T>, options?: FigureExporterOptions): Promise<T> {
  const exporter = await createFigureExporter(options);
  try {
    return await fn(exporter);
  } finally {
    await exporter.close();
  }
}
