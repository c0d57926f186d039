/**
 * Export through headless Chromium: every sample figure renders to a non-blank PNG of the requested size and to
 * SVG, with one browser for the whole file; files are written atomically; a missing Chromium gives the install hint.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { createFigureExporter, type FigureExporter } from "../../kernel-lib/viz/export";
import { pngHeader, pngPixelStats } from "../helpers/png_info";
import type { PlotlyFigure } from "../../kernel-lib/viz/types";
import { sampleFigures } from "./sample_figures";

const figures = sampleFigures();
const BLANK: PlotlyFigure = { data: [], layout: { xaxis: { visible: false }, yaxis: { visible: false } } };

describe("figure export through Chromium", () => {
  let exporter: FigureExporter;
  let dir: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "molcache-export-"));
    exporter = await createFigureExporter();
  });
  after(async () => {
    await exporter?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("a blank figure renders as (almost) one colour: the baseline the non-blank checks compare with", async () => {
    const stats = pngPixelStats(await exporter.toPng(BLANK, { width: 320, height: 200 }));
    assert.deepEqual([stats.width, stats.height], [320, 200]);
    assert.ok(stats.distinctColors <= 2 && stats.inkFraction === 0, JSON.stringify(stats));
  });

  for (const [name, fig] of Object.entries(figures)) {
    it(`${name}: PNG of the requested size with drawn content, and SVG`, async () => {
      const png = await exporter.toPng(fig, { width: 640, height: 420 });
      const stats = pngPixelStats(png);
      assert.deepEqual([stats.width, stats.height], [640, 420]);
      assert.ok(stats.distinctColors > 40, `${name}: only ${stats.distinctColors} colours`);
      assert.ok(stats.inkFraction > 0.01, `${name}: ink ${stats.inkFraction}`);
      const svg = await exporter.toSvg(fig, { width: 640, height: 420 });
      assert.match(svg, /^<svg[^>]*width="640"[^>]*height="420"/);
      const title = ((fig.layout.title as { text: string }).text).slice(0, 20).replace(/&/g, "&amp;").replace(/'/g, "&#39;");
      assert.ok(svg.includes(title) || svg.includes(title.replace(/&#39;/g, "'")), `${name}: title missing from the SVG`);
    });
  }

  it("uses the figure's own size by default and multiplies pixels by scale", async () => {
    const fig = figures.predictability;
    assert.deepEqual(pngHeader(await exporter.toPng(fig)), { width: 900, height: 480, bitDepth: 8, colorType: 6 });
    const h = pngHeader(await exporter.toPng(fig, { width: 300, height: 200, scale: 2 }));
    assert.deepEqual([h.width, h.height], [600, 400]);
  });

  it("writeFigure picks the format from the extension and leaves no temporary files", async () => {
    await exporter.writeFigure(figures.similarity_heatmap, path.join(dir, "sub", "heat.png"), { width: 400, height: 300 });
    await exporter.writeFigure(figures.similarity_heatmap, path.join(dir, "sub", "heat.svg"));
    assert.deepEqual(fs.readdirSync(path.join(dir, "sub")).sort(), ["heat.png", "heat.svg"]);
    assert.equal(pngHeader(fs.readFileSync(path.join(dir, "sub", "heat.png"))).width, 400);
    assert.match(fs.readFileSync(path.join(dir, "sub", "heat.svg"), "utf8"), /^<svg/);
    await assert.rejects(exporter.writeFigure(figures.molecule, path.join(dir, "m.jpg")), /unsupported figure file extension: "\.jpg".*use \.png or \.svg/);
  });

  it("rejects bad sizes and non-figures before rendering; concurrent calls are serialised", async () => {
    await assert.rejects(exporter.toPng(figures.molecule, { width: 0 }), /invalid width: 0/);
    await assert.rejects(exporter.toPng(figures.molecule, { dpi: 300 } as never), /unknown image option: dpi/);
    await assert.rejects(exporter.toPng({ data: "x" } as never), /invalid figure/);
    const [a, b] = await Promise.all([
      exporter.toPng(figures.pca_trajectory, { width: 300, height: 200 }),
      exporter.toPng(figures.similarity_heatmap, { width: 310, height: 210 }),
    ]);
    assert.deepEqual([pngHeader(a).width, pngHeader(b).width], [300, 310]);
  });

  it("reports timings", (t) => {
    const tm = exporter.timings;
    assert.ok(tm.launchMs > 0 && tm.pngCount >= 10 && tm.svgCount >= 7);
    t.diagnostic(`launch ${tm.launchMs} ms; ${tm.pngCount} PNG ${(tm.pngMs / tm.pngCount).toFixed(0)} ms each; ` +
      `${tm.svgCount} SVG ${(tm.svgMs / tm.svgCount).toFixed(0)} ms each`);
  });
});

describe("figure exporter without Chromium", () => {
  it("MOLCACHE_CHROMIUM pointing nowhere gives the install hint", async () => {
    const saved = process.env.MOLCACHE_CHROMIUM;
    process.env.MOLCACHE_CHROMIUM = "/nonexistent/chromium";
    try {
      await assert.rejects(createFigureExporter(), (err: Error) => {
        assert.equal(err.message, "Chromium not found at /nonexistent/chromium; install it with " +
          "`apt-get install --no-install-recommends chromium` or set MOLCACHE_CHROMIUM");
        return true;
      });
    } finally {
      if (saved === undefined) delete process.env.MOLCACHE_CHROMIUM;
      else process.env.MOLCACHE_CHROMIUM = saved;
    }
  });

  it("a closed exporter refuses work; unknown options are errors", async () => {
    await assert.rejects(createFigureExporter({ headless: false } as never), /unknown createFigureExporter option: headless/);
    const ex = await createFigureExporter();
    await ex.close();
    await ex.close();
    await assert.rejects(ex.toPng(figures.molecule), /figure exporter is closed/);
  });
});
