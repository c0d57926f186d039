/**
 * Notebook display glue without Jupyter: HTML for figures and tables, text fallbacks outside a kernel, and what is
 * sent to a kernel (a stand-in for tslab's display writer records the messages): one bundle per figure with
 * Plotly's MIME type as a JSON object, Plotly.js emitted once, progress updates replacing one output.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import * as os from "node:os";
import { afterEach, beforeEach, describe, it } from "node:test";
import { makeMolecule } from "../../kernel-lib/chem/molecule";
import { figureHtml, figureSummary, plotlyLoaderHtml, scriptJson } from "../../kernel-lib/viz/figure_html";
import { emitDisplay, inKernel } from "../../kernel-lib/util/kernel_display";
import { formatDuration, progressBar } from "../../kernel-lib/util/progress";
import { loadPlotly, PLOTLY_MIME, showFigure, showFigureImage, showMolecule } from "../../kernel-lib/notebook/show_figure";
import { formatCell, showTable, tableHtml, tableText } from "../../kernel-lib/notebook/show_table";
import type { FigureExporter } from "../../kernel-lib/viz/export";
import type { PlotlyFigure } from "../../kernel-lib/viz/types";

const FIG: PlotlyFigure = {
  data: [{ type: "scatter", x: [1, 2], y: [3, 4], name: "</script><b>x</b>" }],
  layout: { title: { text: "Demo <i>fig</i>" }, width: 500, height: 300 },
};
const WATER = makeMolecule({ name: "water", elements: [8, 1, 1], positions: [0, 0, 0, 0.96, 0, 0, -0.24, 0.93, 0], bonds: [[0, 1, 1], [0, 2, 1]] });

/** Capture console.log lines while `fn` runs. */
function captureLog(fn: () => void): string[] {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
  try {
    fn();
  } finally {
    console.log = original;
  }
  return lines;
}

type Sent = { data: Record<string, unknown>; transient: { display_id?: string }; update: boolean };

/** Stand in for a running tslab kernel: a module at .../tslab/dist/jupyter.js whose writer records messages. */
function fakeKernel(): { sent: Sent[]; remove(): void } {
  const file = path.join(os.tmpdir(), "molcache-fake", "node_modules", "tslab", "dist", "jupyter.js");
  const sent: Sent[] = [];
  const writer = (msg: { data: Record<string, unknown>; transient: { display_id?: string } }, update: boolean) =>
    void sent.push({ ...msg, update });
  require.cache[file] = { id: file, filename: file, loaded: true, exports: { lastWriteDisplayData: writer } } as unknown as NodeJS.Module;
  return { sent, remove: () => void delete require.cache[file] };
}

const resetPlotlyFlag = () => void delete (globalThis as unknown as Record<symbol, unknown>)[Symbol.for("molcache.notebook.plotlyLoaded")];

describe("figure HTML", () => {
  it("escapes </script> inside the figure JSON and sizes the div from the layout", () => {
    const html = figureHtml(FIG, { divId: "fig1" });
    assert.match(html, /^<div id="fig1" class="molcache-plotly" style="width:500px;height:300px;max-width:100%;"><\/div>/);
    assert.equal((html.match(/<\/script>/g) ?? []).length, 1, "only the closing tag of our own script");
    assert.ok(html.includes("\\u003c/script>\\u003cb>x\\u003c/b>"));
    assert.equal(JSON.parse(scriptJson({ a: "</script>\u2028" })).a, "</script>\u2028");
    assert.throws(() => figureHtml(FIG, { divId: "1 bad" }), /invalid divId/);
    assert.throws(() => figureHtml({ data: {} } as never), /invalid figure/);
  });
  it("the loader inlines plotly.js once, guarded so a second copy does not redefine Plotly", () => {
    const html = plotlyLoaderHtml();
    assert.ok(html.length > 4e6 && html.length < 6e6, `loader is ${html.length} chars`);
    assert.match(html, /^<script type="text\/javascript">\/\* molcache: plotly\.js 4\.\d+\.\d+/);
    assert.match(html, /if \(typeof window\.Plotly === "undefined"\) \{/);
    assert.equal((html.match(/<\/script>/gi) ?? []).length, 1);
  });
  it("summarises a figure in one line without markup", () => {
    assert.equal(figureSummary(FIG), "[figure] Demo fig (1 traces: scatter)");
  });
});

describe("tables", () => {
  const rows = [{ config: "Base 100", validity: 95.71234, n: 100 }, { config: "Taylor m=1, D=2", validity: 94.9, n: 100, extra: null }];
  it("formats numbers with significant digits, integers unchanged", () => {
    assert.deepEqual([formatCell(95.71234, 4), formatCell(100, 4), formatCell(0.0000123, 3), formatCell(2.5e7 + 0.5, 3), formatCell(null, 4), formatCell(NaN, 4)],
      ["95.71", "100", "1.23e-5", "2.50e+7", "", "NaN"]);
  });
  it("renders rows of objects as aligned text and as an escaped HTML table", () => {
    assert.equal(tableText(rows, { title: "T" }), [
      "T",
      "config           validity    n  extra",
      "---------------  --------  ---  -----",
      "Base 100            95.71  100",
      "Taylor m=1, D=2      94.9  100",
    ].join("\n"));
    const html = tableHtml([{ "a<b": "<x>" }], { title: "Q&A" });
    assert.ok(html.includes("<caption") && html.includes("Q&amp;A") && html.includes("a&lt;b") && html.includes("&lt;x&gt;"));
    assert.match(tableHtml(rows), /<td style="text-align:right;padding:2px 8px">95\.71<\/td>/);
  });
  it("accepts { columns, rows } and a danfo.js DataFrame, and cuts long tables", async () => {
    assert.equal(tableText({ columns: ["a", "b"], rows: [[1, "x"], [2, "y"], [3, "z"]] }, { maxRows: 2 }).split("\n").pop(), "… 1 more rows");
    const dfd = await import("danfojs-node");
    const df = new dfd.DataFrame({ steps: [100, 51], validity: [95.71234, 93.2] });
    assert.equal(tableText(df as never), "steps  validity\n-----  --------\n  100     95.71\n   51      93.2");
    assert.throws(() => tableText({ columns: ["a"], rows: [[1, 2]] }), /invalid table row 0: 2 cells for 1 columns/);
    assert.throws(() => tableText(42 as never), /invalid table: pass a danfo DataFrame/);
    assert.throws(() => tableText(rows, { maxRows: 0 }), /invalid maxRows: 0/);
    assert.throws(() => tableText(rows, { colour: 1 } as never), /unknown table option: colour/);
  });
});

describe("outside a kernel", () => {
  it("nothing is emitted and the show functions print one text summary each", () => {
    assert.equal(inKernel(), false);
    assert.equal(emitDisplay({ "text/plain": "x" }), false);
    assert.equal(loadPlotly(), false);
    const lines = captureLog(() => {
      showFigure(FIG);
      showMolecule(WATER);
      showTable([{ a: 1 }]);
    });
    assert.deepEqual(lines, ["[figure] Demo fig (1 traces: scatter)", "[molecule] water: H2O, 3 atoms, 2 bonds", "a\n-\n1"]);
  });
  it("still validates its input", () => {
    assert.throws(() => showFigure({ layout: {} } as never), /invalid figure/);
    assert.throws(() => showMolecule({ ...WATER, bondOrder: Uint8Array.of(1, 9) }), /invalid bondOrder\[1\]: 9/);
    assert.throws(() => showFigure(FIG, { width: 3 } as never), /unknown showFigure option: width/);
  });
});

describe("inside a kernel (stand-in writer)", () => {
  let kernel: ReturnType<typeof fakeKernel>;
  beforeEach(() => {
    resetPlotlyFlag();
    kernel = fakeKernel();
  });
  afterEach(() => {
    kernel.remove();
    resetPlotlyFlag();
  });

  it("the first figure brings Plotly.js, every figure is one bundle with the Plotly MIME as a JSON object", () => {
    showFigure(FIG);
    showFigure(FIG, { divId: "second" });
    assert.equal(kernel.sent.length, 3);
    assert.deepEqual(Object.keys(kernel.sent[0].data), ["text/html", "text/plain"]);
    assert.ok((kernel.sent[0].data["text/html"] as string).length > 4e6);
    for (const msg of kernel.sent.slice(1)) {
      assert.deepEqual(Object.keys(msg.data).sort(), [PLOTLY_MIME, "text/html", "text/plain"].sort());
      assert.deepEqual(msg.data[PLOTLY_MIME], FIG);
      assert.ok((msg.data["text/html"] as string).length < 10_000);
      assert.equal(msg.update, false);
    }
    assert.match(kernel.sent[2].data["text/html"] as string, /^<div id="second"/);
    assert.equal(loadPlotly(), false, "already loaded in this kernel");
    assert.equal(loadPlotly({ force: true }), true);
  });
  it("showFigureImage sends the exporter's PNG (base64) with the Plotly MIME, and no library", async () => {
    const png = Uint8Array.of(0x89, 0x50, 0x4e, 0x47);
    const calls: unknown[] = [];
    const exporter = { toPng: async (fig: PlotlyFigure, opts: unknown) => (calls.push([fig, opts]), png) } as unknown as FigureExporter;
    await showFigureImage(FIG, exporter, { scale: 2 });
    assert.deepEqual(calls, [[FIG, { scale: 2 }]]);
    assert.equal(kernel.sent.length, 1);
    assert.deepEqual(Object.keys(kernel.sent[0].data).sort(), ["image/png", PLOTLY_MIME, "text/plain"].sort());
    assert.equal(kernel.sent[0].data["image/png"], Buffer.from(png).toString("base64"));
  });
  it("showTable sends HTML with a text alternative; showMolecule sends a 3-D figure", () => {
    showTable([{ a: 1.23456 }]);
    showMolecule(WATER);
    assert.deepEqual(Object.keys(kernel.sent[0].data), ["text/html", "text/plain"]);
    assert.equal(kernel.sent[0].data["text/plain"], "    a\n-----\n1.235");
    const mol = kernel.sent.find((m) => PLOTLY_MIME in m.data);
    assert.equal(((mol!.data[PLOTLY_MIME] as PlotlyFigure).data[1] as { type: string }).type, "scatter3d");
  });
  it("a notebook progress bar is one output updated in place, throttled", () => {
    let now = 0;
    const bar = progressBar(4, "sampling", { now: () => now, minIntervalMs: 1000 });
    bar.tick(); // within the interval: not drawn
    now = 1500;
    bar.tick();
    now = 1600;
    bar.finish();
    const ids = new Set(kernel.sent.map((m) => m.transient.display_id));
    assert.equal(ids.size, 1);
    assert.deepEqual(kernel.sent.map((m) => m.update), [false, true, true]);
    assert.deepEqual(kernel.sent.map((m) => m.data["text/plain"]), [
      "sampling: 0/4 (0%) 0 s", "sampling: 2/4 (50%) 2 s, ETA 2 s", "sampling: 2/4 (50%) 2 s"]);
    assert.match(kernel.sent[1].data["text/html"] as string, /<progress value="2" max="4"/);
  });
});

describe("progress bar in terminals and logs", () => {
  const stream = (isTTY: boolean) => {
    const out: string[] = [];
    return { out, stream: { isTTY, write: (s: string) => void out.push(s) } };
  };
  it("a TTY gets one \\r-redrawn line and a newline at the end", () => {
    const s = stream(true);
    let now = 0;
    const bar = progressBar(10, "eval", { stream: s.stream, now: () => now, width: 10, minIntervalMs: 0 });
    now = 2000;
    bar.update(5);
    bar.finish();
    bar.finish();
    assert.deepEqual(s.out, [
      "\reval [..........] 0/10 0% 0 s\x1b[K",
      "\reval [#####.....] 5/10 50% 2 s, ETA 2 s\x1b[K",
      "\reval [#####.....] 5/10 50% 2 s\x1b[K",
      "\n",
    ]);
  });
  it("a pipe gets a line per 10% (not per item) and the final state", () => {
    const s = stream(false);
    const bar = progressBar(100, "sdf", { stream: s.stream, now: () => 0 });
    for (let i = 0; i < 25; i++) bar.tick();
    bar.finish();
    assert.deepEqual(s.out, ["sdf: 0/100 (0%) 0 s\n", "sdf: 10/100 (10%) 0 s\n", "sdf: 20/100 (20%) 0 s\n", "sdf: 25/100 (25%) 0 s\n"]);
  });
  it("shows a status after the time (rates, workers alive), as the CLI's stderr progress does", () => {
    const s = stream(false);
    const bar = progressBar(4, "sampling", { stream: s.stream, now: () => 0, lineEveryPercent: 50 });
    bar.update(2, "2 workers alive");
    bar.update(4, "3.1 molecules/s");
    bar.finish();
    assert.deepEqual(s.out, ["sampling: 0/4 (0%) 0 s\n", "sampling: 2/4 (50%) 0 s, 2 workers alive\n", "sampling: 4/4 (100%) 0 s, 3.1 molecules/s\n"]);
  });
  it("rejects bad totals, ticks and options; formats durations", () => {
    assert.throws(() => progressBar(-1, "x"), /invalid total: -1/);
    assert.throws(() => progressBar(1, "x", { mode: "gui" as never }), /invalid mode: gui/);
    assert.throws(() => progressBar(1, "x", { colour: 1 } as never), /unknown progress option: colour/);
    assert.throws(() => progressBar(1, "x", { mode: "silent" }).tick(-1), /invalid tick: -1/);
    assert.deepEqual([formatDuration(42.4), formatDuration(185), formatDuration(3720)], ["42 s", "3 min 05 s", "1 h 02 min"]);
  });
});
