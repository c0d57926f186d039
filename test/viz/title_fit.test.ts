/**
 * Figure titles are never clipped: a title too long for the figure is wrapped (a SMILES between characters) and the
 * top margin grows to hold it. Checked where it matters, in headless Chromium with Plotly.js as the exporter renders
 * (same executable, flags, library and static plot): the title's bounding box lies inside the figure and above the
 * plot area; the same title unwrapped overflows both sides (so the check can fail).
 */
import * as assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { chromiumPath, CHROMIUM_ARGS, createFigureExporter } from "../../kernel-lib/viz/export";
import { moleculeFigure } from "../../kernel-lib/viz/molecule_3d";
import { readPlotlyLibrary } from "../../kernel-lib/viz/plotly_library";
import { predictabilityFigure } from "../../kernel-lib/viz/predictability";
import { baseLayout, fitTitle, THEME } from "../../kernel-lib/viz/theme";
import type { PlotlyFigure } from "../../kernel-lib/viz/types";
import { furanMolecule, sampleFigures } from "./sample_figures";

// A report's molecule title with a drug-sized heavy-atom SMILES (82 characters, no spaces to break at).
const SMILES = "CC(C)Cc1ccc(C(C)C(=O)NCCN2CCN(c3ncccn3)CC2)cc1OC1CC(N)C(O)C(O)C1OC(=O)c1ccc(F)c(Cl)c1";
const LONG = `Base (100 steps), molecule 0, valid: ${SMILES}`;

interface TitleBox { x: number; y: number; width: number; height: number; marginTop: number; figureWidth: number }

describe("fitTitle: wrapping titles to the figure width", () => {
  it("keeps a title that fits as it is (one line), and the layout of every figure unchanged then", () => {
    assert.deepEqual(fitTitle("Speed vs quality", 900), { text: "Speed vs quality", lines: 1 });
    const layout = baseLayout("Speed vs quality");
    assert.deepEqual(layout.title, { text: "Speed vs quality", x: 0.5, xanchor: "center", font: { size: THEME.titleSize } });
    assert.deepEqual(layout.margin, THEME.margin);
  });

  it("breaks at spaces first, then inside a token too long for a line, keeping <br> and every character", () => {
    const fitted = fitTitle(LONG, 640);
    assert.ok(fitted.lines >= 2, fitted.text);
    assert.equal(fitted.text.replace(/<br>/g, "").replace(/\s/g, ""), LONG.replace(/\s/g, ""));
    assert.ok(fitted.text.startsWith("Base (100 steps), molecule 0, valid:"), fitted.text);
    assert.equal(fitTitle("a<br>b", 640).lines, 2);
    const narrow = fitTitle(SMILES, 200);
    assert.ok(narrow.lines >= 4 && narrow.text.split("<br>").every((l) => l.length > 0), narrow.text);
  });

  it("grows the top margin by one line per extra line", () => {
    const layout = moleculeFigure(furanMolecule(), { title: LONG }).layout as { margin: { t: number }; title: { text: string } };
    const lines = layout.title.text.split("<br>").length;
    assert.ok(lines >= 2);
    assert.equal(layout.margin.t, 60 + (lines - 1) * Math.ceil(1.3 * THEME.titleSize));
  });
});

describe("titles rendered in Chromium stay inside the figure", () => {
  let browser: Browser;
  let page: Page;
  before(async () => {
    const { chromium } = require("playwright-core") as typeof import("playwright-core");
    browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: [...CHROMIUM_ARGS] });
    page = await browser.newPage();
    await page.setContent('<!DOCTYPE html><html><body style="margin:0"><div id="plot"></div></body></html>');
    await page.addScriptTag({ content: readPlotlyLibrary() });
  });
  after(async () => {
    await browser?.close();
  });

  /** Draw `fig` as the exporter does and measure its title. */
  async function titleBox(fig: PlotlyFigure): Promise<TitleBox> {
    return page.evaluate(async (figure) => {
      type El = { getBBox(): { x: number; y: number; width: number; height: number } };
      const g = globalThis as unknown as {
        Plotly: { purge(gd: unknown): void; newPlot(gd: unknown, d: unknown, l: unknown, c: unknown): Promise<unknown> };
        document: { getElementById(id: string): unknown; querySelector(s: string): El | null };
      };
      const gd = g.document.getElementById("plot");
      g.Plotly.purge(gd);
      await g.Plotly.newPlot(gd, figure.data, figure.layout, { staticPlot: true });
      const box = g.document.querySelector(".g-gtitle .gtitle")!.getBBox();
      const layout = figure.layout as { margin: { t: number }; width: number };
      return { x: box.x, y: box.y, width: box.width, height: box.height, marginTop: layout.margin.t, figureWidth: layout.width };
    }, JSON.parse(JSON.stringify(fig)) as PlotlyFigure);
  }

  const inside = (b: TitleBox) => b.x >= 0 && b.x + b.width <= b.figureWidth && b.y >= 0 && b.y + b.height <= b.marginTop;

  it("the report's molecule figure with a drug-sized SMILES: wrapped inside, unwrapped it overflows both sides", async () => {
    for (const width of [640, 420]) {
      const fig = moleculeFigure(furanMolecule(), { title: LONG, width, height: 480 });
      const box = await titleBox(fig);
      assert.ok(inside(box), `width ${width}: title box ${JSON.stringify(box)}`);
      const raw = { ...fig, layout: { ...fig.layout, title: { ...(fig.layout.title as object), text: LONG } } };
      const rawBox = await titleBox(raw);
      assert.ok(rawBox.x < 0 && rawBox.x + rawBox.width > width, `unwrapped: ${JSON.stringify(rawBox)}`);
    }
  });

  it("every sample figure as it is, and a 2-D figure with the long title", async () => {
    const longPredictability = predictabilityFigure({
      quantity: "predicted coordinates",
      series: [{ label: "step axis (r = 1)", steps: [2, 3, 4, 5], mean: [0.2, 0.1, 0.3, 0.2], lower: [0.1, 0.05, 0.2, 0.1], upper: [0.3, 0.2, 0.4, 0.3] }],
    }, { title: LONG, width: 500 });
    for (const [name, fig] of Object.entries({ ...sampleFigures(), longPredictability })) {
      const box = await titleBox(fig);
      assert.ok(inside(box), `${name}: title box ${JSON.stringify(box)}`);
    }
  });

  it("the exporter's SVG carries the wrapped title, one text line per wrapped line", async () => {
    const exporter = await createFigureExporter();
    try {
      const fig = moleculeFigure(furanMolecule(), { title: LONG, width: 420, height: 480 });
      const lines = (fig.layout.title as { text: string }).text.split("<br>");
      const svg = await exporter.toSvg(fig);
      const title = /<text class="gtitle"[^]*?<\/text>/.exec(svg)?.[0] ?? "";
      assert.equal((title.match(/<tspan class="line"/g) ?? []).length, lines.length, title);
      for (const l of lines) assert.ok(title.includes(l.slice(0, 12)), `${l} in ${title}`);
    } finally {
      await exporter.close();
    }
  });
});
