/**
 * Open an HTML file in headless Chromium (playwright-core, the same Chromium as the figure export) and report what a
 * reader would see: console errors, page errors, failed requests, and how many Plotly figures actually rendered.
 */
import { chromiumPath, CHROMIUM_ARGS } from "../../kernel-lib/viz/export";

/** What {@link inspectHtml} found. */
export interface HtmlInspection {
  /** Console messages of type error, page errors and failed requests. */
  errors: string[];
  /** Plot divs Plotly drew into (`.js-plotly-plot`). */
  plots: number;
  /** Plot divs that hold an SVG layer (`.main-svg`) — drawn, not just created. */
  plotsWithSvg: number;
  /** Plot divs that hold a WebGL scene (3-D figures). */
  plotsWithGl: number;
  /** `<h2>` headings, in order. */
  headings: string[];
  /** Text of the first `<table>`'s header cells. */
  tableHeaders: string[];
}

/**
 * Load `file` and wait until `expectedPlots` figures are drawn (or 30 s pass).
 * @example
 * const r = await inspectHtml("out/run/report.html", 3); assert.deepEqual(r.errors, []);
 */
export async function inspectHtml(file: string, expectedPlots: number): Promise<HtmlInspection> {
  const { chromium } = require("playwright-core") as typeof import("playwright-core");
  const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: [...CHROMIUM_ARGS] });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("console", (m) => { if (m.type() === "error") errors.push(`console: ${m.text()}`); });
    page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
    page.on("requestfailed", (r) => errors.push(`request failed: ${r.url()}`));
    await page.goto(`file://${file}`, { waitUntil: "load" });
    await page
      .waitForFunction((n) => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } })
        .document.querySelectorAll(".js-plotly-plot .main-svg").length >= n, expectedPlots, { timeout: 30000 })
      .catch(() => undefined);
    const info = await page.evaluate(() => {
      type El = { querySelector(s: string): unknown; textContent: string | null };
      const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<El> } }).document;
      const plots = Array.from(doc.querySelectorAll(".js-plotly-plot"));
      return {
        plots: plots.length,
        plotsWithSvg: plots.filter((p) => p.querySelector(".main-svg")).length,
        plotsWithGl: plots.filter((p) => p.querySelector(".gl-container canvas, canvas")).length,
        headings: Array.from(doc.querySelectorAll("h2")).map((h) => (h.textContent ?? "").trim()),
        tableHeaders: Array.from(doc.querySelectorAll("table thead th")).map((h) => (h.textContent ?? "").trim()),
      };
    });
    return { errors, ...info };
  } finally {
    await browser.close();
  }
}
