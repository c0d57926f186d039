/**
 * The display glue in a real tslab kernel: a notebook that shows figures, a molecule, a table and a progress bar is
 * executed headless; the saved notebook holds one bundle per figure (Plotly MIME as a JSON object + small HTML) and
 * Plotly.js once; its nbconvert HTML export, opened in Chromium, draws every figure with no script errors.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { chromiumPath, CHROMIUM_ARGS } from "../../kernel-lib/viz/export";
import { executeNotebook, joined, makeNotebook, notebookToHtml, writeKernelSpec, type Notebook, type NotebookOutput } from "./jupyter";

const PLOTLY_MIME = "application/vnd.plotly.v1+json";

const CELLS = [
  `import { showFigure, showMolecule } from "./kernel-lib/notebook/show_figure";
import { showTable } from "./kernel-lib/notebook/show_table";
import { progressBar } from "./kernel-lib/util/progress";
import { sampleFigures, furanMolecule } from "./test/viz/sample_figures";
const figs = sampleFigures();`,
  `showFigure(figs.pca_trajectory);
showFigure(figs.acceleration);`,
  `showMolecule(furanMolecule(), { showHydrogens: false });`,
  `showTable([{ config: "Base 100", validity: 95.71234 }, { config: "Taylor m=1, D=2", validity: 94.9 }], { title: "Quality" });`,
  `const bar = progressBar(5, "work", { minIntervalMs: 0 });
for (let i = 0; i < 5; i++) bar.tick();
bar.finish();`,
];
const FIGURES = 3;

describe("notebook display in a tslab kernel", { timeout: 240_000 }, () => {
  let dir: string;
  let executed: Notebook;
  let outputs: NotebookOutput[];
  let nbFile: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "molcache-nb-"));
    const jupyterPath = writeKernelSpec(path.join(dir, "jupyter"));
    const input = path.join(dir, "display.ipynb");
    fs.writeFileSync(input, JSON.stringify(makeNotebook(CELLS)));
    nbFile = path.join(dir, "display.out.ipynb");
    executed = executeNotebook(input, nbFile, jupyterPath);
    outputs = executed.cells.flatMap((c) => c.outputs ?? []);
  });
  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("runs with no errors and loads Plotly.js exactly once", () => {
    assert.deepEqual(outputs.filter((o) => o.output_type === "error" || o.name === "stderr").map((o) => joined(o.text) || o.evalue), []);
    const big = outputs.filter((o) => joined(o.data?.["text/html"]).length > 1e6);
    assert.equal(big.length, 1);
    assert.match(joined(big[0].data!["text/html"]), /molcache: plotly\.js/);
    assert.ok(fs.statSync(nbFile).size < 6e6, `saved notebook is ${fs.statSync(nbFile).size} bytes`);
  });

  it("each figure is one output: Plotly MIME as a JSON object, a small HTML fallback and a text line", () => {
    const figs = outputs.filter((o) => o.data && PLOTLY_MIME in o.data);
    assert.equal(figs.length, FIGURES);
    for (const o of figs) {
      const fig = o.data![PLOTLY_MIME] as { data: unknown[]; layout: object };
      assert.equal(typeof fig, "object");
      assert.ok(Array.isArray(fig.data) && fig.data.length > 0);
      assert.ok(joined(o.data!["text/html"]).length < 20_000);
      assert.match(joined(o.data!["text/plain"]), /^\[figure\] /);
    }
  });

  it("the table is HTML and the progress bar ends at 100% in a single output", () => {
    const table = outputs.find((o) => joined(o.data?.["text/html"]).includes("molcache-table"));
    assert.ok(table && joined(table.data!["text/html"]).includes("95.71"));
    const last = executed.cells[CELLS.length - 1].outputs ?? [];
    assert.equal(last.length, 1, "progress updates replace one output");
    assert.match(joined(last[0].data?.["text/plain"]), /^work: 5\/5 \(100%\)/);
  });

  it("the HTML export draws every figure in Chromium without script errors", async () => {
    const html = notebookToHtml(nbFile, path.join(dir, "display.html"));
    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({ executablePath: chromiumPath(), args: [...CHROMIUM_ARGS] });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const problems: string[] = [];
      page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
      // nbconvert's template links Debian's require.js/MathJax files, absent here: only those may fail to load.
      page.on("console", (m) => {
        if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) problems.push(m.text());
      });
      await page.goto(`file://${html}`, { waitUntil: "load" });
      await page.waitForFunction((n) => document.querySelectorAll(".molcache-plotly .main-svg").length >= n, FIGURES * 2, { timeout: 30_000 });
      const drawn = await page.evaluate(() => ({
        plots: document.querySelectorAll(".molcache-plotly.js-plotly-plot").length,
        fallbackNotes: Array.from(document.querySelectorAll(".molcache-plotly")).filter((d) => d.textContent?.includes("not loaded")).length,
        glCanvases: document.querySelectorAll(".molcache-plotly canvas").length,
      }));
      assert.deepEqual({ plots: drawn.plots, fallbackNotes: drawn.fallbackNotes }, { plots: FIGURES, fallbackNotes: 0 });
      assert.ok(drawn.glCanvases > 0, "the 3-D molecule has its WebGL canvas");
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
    }
  });
});
