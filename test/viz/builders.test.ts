/**
 * Figure builders: snapshot of each builder's normalised Plotly JSON on small deterministic inputs, the structure
 * each figure promises (panels, markers, labels, bond styles), and clear errors on bad input.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { makeMolecule } from "../../kernel-lib/chem/molecule";
import { accelerationFigure } from "../../kernel-lib/viz/acceleration";
import { atomTrajectoryFigure } from "../../kernel-lib/viz/atom_trajectory";
import { moleculeFigure, hillFormula } from "../../kernel-lib/viz/molecule_3d";
import { pcaTrajectoryFigure } from "../../kernel-lib/viz/pca_trajectory";
import { predictabilityFigure } from "../../kernel-lib/viz/predictability";
import { similarityHeatmapFigure } from "../../kernel-lib/viz/similarity_heatmap";
import { speedQualityFrontierFigure } from "../../kernel-lib/viz/speed_quality_frontier";
import { subplotGrid } from "../../kernel-lib/viz/subplots";
import { forecasterColor, FORECASTER_COLORS } from "../../kernel-lib/viz/theme";
import type { PlotlyFigure, PlotlyTrace } from "../../kernel-lib/viz/types";
import { frontierInput, furanMolecule, sampleFigures } from "./sample_figures";
import { assertSnapshot, normalise } from "./snapshot";
import { withTempDir } from "../helpers/temp_dir";

/** True when the value is plain JSON (no typed arrays, functions, undefined inside arrays, NaN). */
function isPlainJson(v: unknown): boolean {
  if (v === null || typeof v === "string" || typeof v === "boolean") return true;
  if (typeof v === "number") return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(isPlainJson);
  if (typeof v === "object") return Object.getPrototypeOf(v) === Object.prototype && Object.values(v as object).every((x) => x === undefined || isPlainJson(x));
  return false;
}

const traces = (fig: PlotlyFigure, pred: (t: PlotlyTrace) => boolean) => fig.data.filter(pred);

describe("figure snapshots", () => {
  const figures = sampleFigures();
  for (const [name, fig] of Object.entries(figures)) {
    it(`${name} matches test/snapshots/${name}.json and is plain JSON`, (t) => {
      assert.ok(isPlainJson(fig), `${name} holds non-JSON values`);
      const outcome = assertSnapshot(name, fig);
      if (outcome === "created") t.diagnostic(`created snapshot ${name}.json`);
    });
  }

  it("the harness fails on a change and writes <name>-changed.json", async () => {
    await withTempDir("molcache-snap-", async (dir) => {
      assert.equal(assertSnapshot("demo", { b: 1.234567, a: [0.1 + 0.2] }, dir), "created");
      assert.equal(fs.readFileSync(path.join(dir, "demo.json"), "utf8"), '{\n "a": [\n  0.3\n ],\n "b": 1.235\n}\n');
      assert.equal(assertSnapshot("demo", { a: [0.30000001], b: 1.23456 }, dir), "matched");
      assert.throws(() => assertSnapshot("demo", { a: [0.31], b: 1.235 }, dir), /snapshot demo changed \(\$\.a\.0/);
      assert.ok(fs.existsSync(path.join(dir, "demo-changed.json")));
    });
  });

  it("normalise rounds to 4 significant digits and sorts keys", () => {
    assert.deepEqual(normalise({ z: 123456.7, a: Float32Array.of(0.000123456), m: -0 }), { a: [0.0001235], m: 0, z: 123500 });
    assert.deepEqual(Object.keys(normalise({ z: 1, a: 2 }) as object), ["a", "z"]);
  });
});

describe("pcaTrajectoryFigure", () => {
  const input = {
    panels: [
      { label: "Coordinates", points: [[0, 0], [1, 1], [2, 0.5]], explainedVariance: [0.7, 0.2] },
      { label: "Atom types", points: [[3, 0], [2, 1], [0, 0]], explainedVariance: [0.9, 0.05] },
    ],
  };
  it("draws two panels coloured by step on one colour axis, with start and end marked once in the legend", () => {
    const fig = pcaTrajectoryFigure(input);
    const points = traces(fig, (t) => t.mode === "markers" && (t.marker as { coloraxis?: string }).coloraxis === "coloraxis");
    assert.equal(points.length, 2);
    assert.deepEqual(points.map((t) => [t.xaxis, t.yaxis]), [["x", "y"], ["x2", "y2"]]);
    assert.deepEqual((points[0].marker as { color: number[] }).color, [0, 1, 2]);
    assert.deepEqual(traces(fig, (t) => t.showlegend === true).map((t) => t.name), ["start (step 0)", "end (step 2)"]);
    assert.equal(((fig.layout.xaxis as { title: { text: string } }).title.text), "PC1 (70.0% of variance)");
    assert.equal(((fig.layout.yaxis2 as { title: { text: string } }).title.text), "PC2 (5.0% of variance)");
  });
  it("rejects mismatched lengths, bad variance ratios and unknown options", () => {
    assert.throws(() => pcaTrajectoryFigure({ ...input, steps: [0, 1] }), /invalid steps: length 2; expected 3/);
    assert.throws(() => pcaTrajectoryFigure({ panels: [{ ...input.panels[0], explainedVariance: [70, 20] }] }),
      /invalid panels\[0\]\.explainedVariance: \[70, 20\]; need at least 2 ratios in \[0, 1\]/);
    assert.throws(() => pcaTrajectoryFigure({ panels: [{ ...input.panels[0], points: [[0, 0], [1], [2, 2]] }] }),
      /invalid panels\[0\]\.points\[1\]: needs at least 2 columns/);
    assert.throws(() => pcaTrajectoryFigure(input, { colour: "red" } as never), /unknown pcaTrajectoryFigure option: colour/);
    assert.throws(() => pcaTrajectoryFigure({ panels: [] }), /empty panels/);
  });
});

describe("atomTrajectoryFigure", () => {
  const base = { label: "Base", positions: [[0, 0, 0], [1, 1, 1], [2, 2, 2], [3, 3, 3]] };
  it("puts x, y, z in three subplots and markers only on a cached run's computed steps", () => {
    const fig = atomTrajectoryFigure({ atomLabel: "atom 0", base, cached: [
      { label: "AB j=2, D=3", forecaster: "AB j=2", positions: base.positions, computed: [true, false, false, true] }] });
    assert.equal(fig.data.length, 3 * 2 + 3);
    const markers = traces(fig, (t) => t.mode === "markers");
    assert.deepEqual(markers.map((t) => t.x), [[0, 3], [0, 3], [0, 3]]);
    assert.deepEqual(markers.map((t) => t.yaxis), ["y", "y2", "y3"]);
    const cachedLine = traces(fig, (t) => t.name === "AB j=2, D=3" && t.mode === "lines")[0];
    assert.equal((cachedLine.line as { color: string }).color, FORECASTER_COLORS["ab j=2"]);
    assert.equal((cachedLine.line as { dash: string }).dash, "dash");
    assert.equal(((fig.layout.yaxis3 as { title: { text: string } }).title.text), "z (Å)");
  });
  it("rejects a computed mask of the wrong length and a missing base", () => {
    assert.throws(() => atomTrajectoryFigure({ atomLabel: "a", base, cached: [{ label: "c", positions: base.positions, computed: [true] }] }),
      /invalid cached\[0\]\.computed: length 1; expected 4/);
    assert.throws(() => atomTrajectoryFigure({ atomLabel: "a", cached: [] } as never), /missing base/);
  });
});

describe("predictabilityFigure", () => {
  it("draws a band then the mean per series, on a log axis by default", () => {
    const fig = predictabilityFigure({ quantity: "coordinates", series: [
      { label: "step", steps: [2, 3], mean: [0.2, 0.1], std: [0.3, 0.05] },
      { label: "time", steps: [2, 3], mean: [0.1, 0.05] }] });
    assert.deepEqual(fig.data.map((t) => t.name), ["step (spread)", "step", "time"]);
    assert.equal((fig.layout.yaxis as { type: string }).type, "log");
    // mean − std < 0 at step 2: clamped a decade below the smallest positive value for the log axis.
    assert.deepEqual(normalise(fig.data[0].y), [0.5, 0.15, 0.05, 0.01]);
  });
  it("rejects lower without upper, negative errors and length mismatches", () => {
    assert.throws(() => predictabilityFigure({ quantity: "q", series: [{ label: "a", steps: [2], mean: [1], lower: [0] }] }),
      /lower and upper go together/);
    assert.throws(() => predictabilityFigure({ quantity: "q", series: [{ label: "a", steps: [2], mean: [-1] }] }), /negative entries/);
    assert.throws(() => predictabilityFigure({ quantity: "q", series: [{ label: "a", steps: [2, 3], mean: [1] }] }),
      /invalid series\[0\]\.mean: length 1; expected 2/);
    assert.throws(() => predictabilityFigure({ quantity: "q", series: [{ label: "a", steps: [2], mean: [NaN] }] }),
      /invalid series\[0\]\.mean\[0\]: NaN; must be a finite number/);
  });
});

describe("accelerationFigure", () => {
  const rows = [
    { setting: "wasm", variant: "no cache", timeS: 60, peakMemoryMB: 900 },
    { setting: "wasm", variant: "Taylor m=1, D=3", timeS: 22, peakMemoryMB: 950 },
    { setting: "cpu", variant: "no cache", timeS: 600, peakMemoryMB: 700 },
  ];
  it("groups bars by setting, one trace per variant and panel, time bars labelled with the speedup", () => {
    const fig = accelerationFigure({ numMolecules: 10, rows });
    assert.equal(fig.layout.barmode, "group");
    assert.deepEqual(fig.data.map((t) => [t.name, t.yaxis]), [
      ["no cache", "y"], ["no cache", "y2"], ["Taylor m=1, D=3", "y"], ["Taylor m=1, D=3", "y2"]]);
    assert.deepEqual(fig.data[0].x, ["wasm", "cpu"]);
    assert.deepEqual(fig.data[0].text, ["1.00×", "0.100×"]);
    assert.deepEqual(fig.data[2].text, ["2.73×", ""]);
    assert.deepEqual(fig.data[2].y, [22, null]);
    const other = accelerationFigure({ numMolecules: 10, rows, baseline: { setting: "cpu", variant: "no cache" } });
    assert.deepEqual(other.data[2].text, ["27.3×", ""]);
  });
  it("rejects duplicates, an unknown baseline and non-positive times", () => {
    assert.throws(() => accelerationFigure({ numMolecules: 10, rows: [rows[0], rows[0]] }), /duplicate row: setting "wasm", variant "no cache"/);
    assert.throws(() => accelerationFigure({ numMolecules: 10, rows, baseline: { setting: "gpu", variant: "no cache" } }), /invalid baseline/);
    assert.throws(() => accelerationFigure({ numMolecules: 10, rows: [{ ...rows[0], timeS: 0 }] }), /invalid rows\[0\]\.timeS: 0/);
    assert.throws(() => accelerationFigure({ numMolecules: 0, rows }), /invalid numMolecules: 0/);
  });
});

describe("speedQualityFrontierFigure", () => {
  it("one subplot per metric, Base as a line sorted by steps, one marker trace per forecaster labelled by D", () => {
    const input = frontierInput();
    const fig = speedQualityFrontierFigure({ ...input, base: [...input.base].reverse() });
    assert.equal(fig.data.length, 3 * (1 + 4));
    const baseLine = fig.data[0];
    assert.deepEqual(baseLine.text, ["100", "51", "34", "26"]);
    assert.equal(baseLine.mode, "lines+markers+text");
    const taylor = traces(fig, (t) => t.name === "Taylor m=2" && t.xaxis === "x3")[0];
    assert.deepEqual(taylor.text, ["D=2", "D=3", "D=4"]);
    assert.equal((taylor.marker as { color: string }).color, FORECASTER_COLORS["taylor m=2"]);
    assert.ok((baseLine.error_y as { array: number[] }).array.every((v) => v === 0.4));
    assert.equal(traces(fig, (t) => t.showlegend === true).length, 5);
  });
  it("rejects a point without a metric and bad intervals", () => {
    const input = frontierInput();
    assert.throws(() => speedQualityFrontierFigure({ ...input, metrics: [{ key: "qed", title: "QED" }] }),
      /missing metric "qed" in base\[0\]/);
    assert.throws(() => speedQualityFrontierFigure({ ...input, caches: [{ ...input.caches[0], interval: 0 }] }),
      /invalid caches\[0\]\.interval: 0/);
  });
});

describe("similarityHeatmapFigure", () => {
  it("one heatmap row per block, NaN cells blank, steps from 1 by default", () => {
    const fig = similarityHeatmapFigure({ similarity: [[0.5, NaN, 1], [0.2, 0.9, 0.99]] });
    const [hm] = fig.data;
    assert.equal(hm.type, "heatmap");
    assert.deepEqual(hm.z, [[0.5, null, 1], [0.2, 0.9, 0.99]]);
    assert.deepEqual(hm.x, [1, 2, 3]);
    assert.deepEqual(hm.y, ["block 0", "block 1"]);
    assert.deepEqual([hm.zmin, hm.zmax], [0.2, 1]);
  });
  it("rejects ragged rows and values outside [-1, 1]", () => {
    assert.throws(() => similarityHeatmapFigure({ similarity: [[0.5, 0.6], [0.2]] }), /invalid similarity\[1\]: length 1; expected 2/);
    assert.throws(() => similarityHeatmapFigure({ similarity: [[1.5]] }), /a cosine similarity lies in \[-1, 1\]/);
    assert.throws(() => similarityHeatmapFigure({ similarity: [[0.5]] }, { zmin: 1, zmax: 0 }), /zmin must be below zmax/);
  });
});

describe("moleculeFigure", () => {
  it("draws each bond order with its own number of lines, and one atom trace per element", () => {
    const mol = furanMolecule();
    const fig = moleculeFigure(mol);
    const lineCount = (name: string) => traces(fig, (t) => t.legendgroup === name)
      .reduce((s, t) => s + (t.x as unknown[]).filter((v) => v === null).length, 0);
    // 12 atoms: 1 triple (C#N), 1 double (C=O), 5 aromatic ring bonds, 5 single bonds.
    assert.equal(lineCount("triple bond"), 3);
    assert.equal(lineCount("double bond"), 2);
    assert.equal(lineCount("aromatic bond"), 10);
    assert.equal(lineCount("single bond"), 5);
    assert.deepEqual(traces(fig, (t) => t.legendgroup === "aromatic bond").map((t) => (t.line as { dash: string }).dash), ["solid", "dash"]);
    assert.deepEqual(traces(fig, (t) => t.mode === "markers").map((t) => t.name), ["O", "C", "N", "H"]);
    assert.equal(traces(fig, (t) => t.name === "O")[0].marker && (traces(fig, (t) => t.name === "O")[0].marker as { color: string }).color, "#ff0d0d");
    // A double bond's two lines are parallel, 0.16 Å apart.
    const dbl = traces(fig, (t) => t.legendgroup === "double bond");
    const p = (t: PlotlyTrace, i: number) => [0, 1, 2].map((c) => (t[["x", "y", "z"][c]] as number[])[i]);
    const gap = Math.hypot(...p(dbl[0], 0).map((v, c) => v - p(dbl[1], 0)[c]));
    assert.ok(Math.abs(gap - 0.16) < 1e-3, `double-bond gap ${gap}`);
    assert.match((fig.layout.title as { text: string }).text, /\(12 atoms\)/);
  });
  it("hides hydrogens on request, names the formula, and rejects bad bond orders", () => {
    const water = makeMolecule({ elements: [8, 1, 1], positions: [0, 0, 0, 0.96, 0, 0, -0.24, 0.93, 0], bonds: [[0, 1, 1], [0, 2, 1]] });
    assert.deepEqual(moleculeFigure(water, { showHydrogens: false }).data.map((t) => t.name), ["O"]);
    assert.equal(hillFormula(furanMolecule().elements), "C6H3NO2");
    assert.equal(hillFormula(water.elements), "H2O");
    assert.throws(() => moleculeFigure({ ...water, bondOrder: Uint8Array.of(1, 5) }), /invalid bondOrder\[1\]: 5; use 1 single/);
    assert.throws(() => moleculeFigure({ ...water, positions: Float32Array.of(0, 0, 0) }), /3 coordinates for 3 atoms; expected 9/);
  });
});

describe("theme and layout helpers", () => {
  it("forecasterColor matches names and known prefixes, never a longer number", () => {
    assert.equal(forecasterColor("Taylor m=1"), FORECASTER_COLORS["taylor m=1"]);
    assert.equal(forecasterColor("AB j = 3, D=4"), FORECASTER_COLORS["ab j=3"]);
    assert.equal(forecasterColor("no cache"), FORECASTER_COLORS.base);
    assert.notEqual(forecasterColor("Taylor m=12", 2), FORECASTER_COLORS["taylor m=1"]);
  });
  it("subplotGrid gives row-major cells with disjoint domains", () => {
    const g = subplotGrid({ rows: 2, cols: 2, hGap: 0.1, vGap: 0.1, titles: ["a", "b", "c"] });
    assert.deepEqual(g.cells.map((c) => c.xref), ["x", "x2", "x3", "x4"]);
    assert.deepEqual((g.layout.xaxis2 as { domain: number[] }).domain, [0.55, 1]);
    assert.deepEqual((g.layout.yaxis3 as { domain: number[] }).domain, [0, 0.45]);
    assert.equal(g.layout.annotations.length, 3);
    assert.throws(() => subplotGrid({ rows: 0, cols: 1 }), /invalid rows: 0/);
  });
});
