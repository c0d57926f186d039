/**
 * `molcache report` end to end, as `npm start` runs it (a child process), kept small: the folder and every file in
 * it, and report.html rendered in Chromium with no console errors. Bad input: bad_input.test.ts.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { readSdf } from "../../kernel-lib/chem/sdf";
import { DEFAULT_MODEL_DIR } from "../../kernel-lib/model/model_io";
import { pngHeader, pngPixelStats } from "../helpers/png_info";
import { inspectHtml } from "./html_check";
import { molcacheReport as molcache } from "./run_command";
import { testTempDir } from "../helpers/temp_dir";

const tmp = testTempDir("molcache-report-");

/** The trained default model when it is there; a random tiny model otherwise (said in the test output). */
const haveDefault = fs.existsSync(path.join(DEFAULT_MODEL_DIR, "config.json"));
const MODEL_ARGS = haveDefault ? [] : ["--model", "random:tiny"];

describe("molcache report", () => {
  it("writes the report folder: SDFs, metrics.csv, summary.csv, table1.md, PNG/SVG figures, report.html", async (t) => {
    if (!haveDefault) t.diagnostic(`the default model (${DEFAULT_MODEL_DIR}) is missing: this run uses --model random:tiny`);
    const out = path.join(tmp, "runs", "small");
    const r = molcache([...MODEL_ARGS, "--n", "8", "--steps", "20", "--caches", "base,taylor:m=2,D=3", "--trajectory-molecules", "2", "--out", out]);
    assert.equal(r.status, 0, r.stderr);
    // Summary table on stdout, progress on stderr.
    assert.match(r.stdout, /\| Method \| Atom stab\. ↑ \(%\) \|/);
    assert.match(r.stdout, /\| Base \(20 steps\) \|/);
    assert.match(r.stdout, /\| Taylor m=2 D=3 \|/);
    assert.match(r.stdout, /report written to .*small/);
    assert.match(r.stderr, /sampling: 16\/16 \(100%\)/);
    assert.deepEqual(fs.readdirSync(path.dirname(out)), ["small"], "no temporary folder left beside the report");

    const files = fs.readdirSync(out).sort();
    assert.deepEqual(files, ["figures", "metrics.csv", "report.html", "run.json", "sdf", "summary.csv", "table1.md"]);
    assert.deepEqual(fs.readdirSync(path.join(out, "sdf")).sort(), ["base_k20.sdf", "taylor_m2_d3.sdf"]);
    for (const f of ["base_k20.sdf", "taylor_m2_d3.sdf"]) {
      const recs = readSdf(fs.readFileSync(path.join(out, "sdf", f), "utf8"));
      assert.equal(recs.length, 8, f);
      assert.deepEqual(recs.map((x) => Number(x.properties?.index)).sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7]);
    }
    // metrics.csv: one row per molecule per configuration, configuration columns first.
    const csv = fs.readFileSync(path.join(out, "metrics.csv"), "utf8").trim().split("\n");
    assert.equal(csv.length, 1 + 16);
    assert.match(csv[0], /^configuration,slug,steps,cache,seed,replicate,index,/);
    assert.equal(csv.filter((l) => l.startsWith("Base (20 steps),base_k20,20,none,0,")).length, 8);
    assert.equal(csv.filter((l) => l.startsWith('Taylor m=2 D=3,taylor_m2_d3,20,"taylor:m=2,D=3",0,')).length, 8);
    const summary = fs.readFileSync(path.join(out, "summary.csv"), "utf8").trim().split("\n");
    assert.equal(summary.length, 3);
    assert.match(summary[0], /^method,atom_stability_mean,atom_stability_std,.*,Steps,NFE,Time \(s\),Mol\/s,Speed-up,Peak MB$/);
    assert.match(fs.readFileSync(path.join(out, "table1.md"), "utf8"), /\| Taylor m=2 D=3 \| .* \| 20 \| 8 \|/);
    const run = JSON.parse(fs.readFileSync(path.join(out, "run.json"), "utf8"));
    assert.equal(run.format, "molcache-report/1");
    assert.deepEqual(run.configurations.map((c: { networkCalls: number }) => c.networkCalls), [20, 8]);
    assert.equal(run.trajectories.length, 1);
    assert.equal(run.trajectories[0].cache, "taylor:m=2,D=3");
    assert.equal(run.trajectories[0].rmsdMean[0], 0, "step 0 computes in both runs: no deviation yet");

    const figures = ["atom_trajectory", "molecule", "pca_trajectory", "predictability", "similarity_heatmap", "speed_quality_frontier", "timing_memory"];
    assert.deepEqual(fs.readdirSync(path.join(out, "figures")).sort(), figures.flatMap((f) => [`${f}.png`, `${f}.svg`]));
    for (const f of figures) {
      const png = new Uint8Array(fs.readFileSync(path.join(out, "figures", `${f}.png`)));
      const stats = pngPixelStats(png);
      assert.ok(pngHeader(png).width >= 1000, `${f}.png is rendered at scale 2`);
      assert.ok(stats.distinctColors > 20 && stats.inkFraction > 0.01, `${f}.png is not blank`);
      assert.match(fs.readFileSync(path.join(out, "figures", `${f}.svg`), "utf8"), /^<svg/);
    }

    // report.html: self-contained (Plotly inlined once), every figure drawn, no console errors.
    const html = fs.readFileSync(path.join(out, "report.html"), "utf8");
    assert.equal(html.match(/molcache: plotly\.js/g)?.length, 1, "Plotly.js inlined exactly once");
    assert.ok(!/<script[^>]+src=/.test(html), "no external scripts");
    const page = await inspectHtml(path.join(out, "report.html"), figures.length);
    assert.deepEqual(page.errors, []);
    assert.equal(page.plots, figures.length);
    assert.equal(page.plotsWithSvg, figures.length);
    assert.deepEqual(page.headings, [
      "Quality and speed (Table 1 layout)", "Speed vs quality", "Time and memory (Figure 3 layout)", "A generated molecule",
      "Trajectory in PCA space (Figure 1)", "One atom, base vs cached (Figure 2a)", "Linear predictability over the steps (Figure 2b)",
      "Feature similarity between consecutive steps", "Files",
    ]);
    assert.equal(page.plotsWithGl, 1, "the 3-D molecule has a WebGL scene");
    assert.ok(page.tableHeaders.includes("Speed-up"));
  });

});
