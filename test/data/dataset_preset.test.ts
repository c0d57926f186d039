/**
 * Dataset presets (qm9, geom-drugs): the shipped GEOM-Drugs histogram equals the one derived from the shipped
 * molecules; sampling draws the dataset's sizes into its buckets (from the option, the model's recorded dataset or a
 * random preset); import records the dataset; bad input (unknown dataset, histogram beyond maxAtoms, an imported
 * model with no histogram, a dataset that contradicts the checkpoint) fails with one clear line before any work.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { sharedPath } from "../helpers/paths";
import { initBackend } from "../../kernel-lib/env";
import { DATASET_PRESETS, datasetPreset, GEOM_DRUGS_BUCKETS } from "../../kernel-lib/data/dataset_preset";
import { GEOM_DRUGS_HISTOGRAM_FILE, geomDrugsHistogramFile, readGeomDrugsFallback } from "../../kernel-lib/data/geom_drugs";
import { QM9_BUCKETS } from "../../kernel-lib/data/batching";
import { resolveSampleOptions } from "../../kernel-lib/flow/sample";
import { createRandomModel, LoadedModel, loadModel } from "../../kernel-lib/model/model_io";
import { resolveConfig, TINY_CONFIG } from "../../kernel-lib/model/config";
import { importSemlaCheckpoint } from "../../kernel-lib/model/checkpoint/import";
import { runSampleCommand } from "../../kernel-lib/cli/sample";
import { resolveModelArgument } from "../../kernel-lib/cli/model_argument";
import { testTempDir } from "../helpers/temp_dir";

const CKPT = sharedPath("fixtures", "semla", "tiny_semla_lightning.ckpt");
const tmp = testTempDir("molcache-dataset-");
let tiny: LoadedModel;
let wide: LoadedModel; // the tiny architecture with room for drug-size molecules
before(async () => {
  await initBackend();
  tiny = createRandomModel(TINY_CONFIG, { seed: 0 });
  wide = createRandomModel(resolveConfig({ maxAtoms: 256 }), { seed: 0 });
});
after(() => {
  tiny.generator.dispose();
  wide.generator.dispose();
});

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe("dataset presets", () => {
  it("ships the GEOM-Drugs histogram derived from the 999 shipped test molecules (mean 44.4 atoms)", () => {
    const mols = readGeomDrugsFallback();
    assert.equal(mols.length, 999);
    const shipped = JSON.parse(fs.readFileSync(GEOM_DRUGS_HISTOGRAM_FILE, "utf8"));
    assert.deepEqual(shipped, JSON.parse(JSON.stringify(geomDrugsHistogramFile(mols))));
    const hist = datasetPreset("geom-drugs").sizeHistogram();
    assert.equal(hist.total, 999);
    assert.ok(Math.abs(shipped.meanAtoms - 44.42) < 0.01);
    // Every element and charge of the molecules is in the preset.
    const preset = datasetPreset("geom-drugs");
    for (const m of mols) {
      for (const z of m.elements) assert.ok(preset.elements.includes(z), `element ${z} missing from the preset`);
      for (const q of m.charges) assert.ok(preset.charges.includes(q), `charge ${q} missing from the preset`);
    }
    assert.equal(preset.elements.length, 16);
    assert.equal(DATASET_PRESETS.qm9.coordStd.toFixed(4), "1.7233");
    assert.equal(preset.coordStd.toFixed(4), "2.4070");
  });

  it("sampling draws the dataset's sizes into its buckets (option, recorded dataset, random preset)", () => {
    const o = resolveSampleOptions(wide, { n: 64, dataset: "geom-drugs" });
    assert.deepEqual(o.buckets, GEOM_DRUGS_BUCKETS);
    assert.ok(mean(o.drawnSizes) >= 35, `mean ${mean(o.drawnSizes)}`);
    const recorded = resolveSampleOptions({ ...wide, meta: { dataset: "geom-drugs" } }, { n: 64 });
    assert.deepEqual(recorded.drawnSizes, o.drawnSizes);
    const qm9 = resolveSampleOptions(wide, { n: 64 });
    assert.deepEqual(qm9.buckets, QM9_BUCKETS);
    assert.ok(mean(qm9.drawnSizes) < 25);
    const random = resolveModelArgument("random:geom-drugs");
    try {
      assert.equal(random.coordStd, datasetPreset("geom-drugs").coordStd);
      assert.equal(random.meta.dataset, "geom-drugs");
      assert.deepEqual(resolveSampleOptions(random, { n: 64 }).drawnSizes, o.drawnSizes);
    } finally {
      random.generator.dispose();
    }
  });

  it("bad input fails with one clear line before any work", async () => {
    assert.throws(() => datasetPreset("drugs"), /^Error: unknown dataset: drugs; use qm9 or geom-drugs$/);
    assert.throws(() => resolveSampleOptions(tiny, { dataset: "zinc" }), /unknown dataset: zinc; use qm9 or geom-drugs/);
    assert.throws(
      () => resolveSampleOptions(tiny, { dataset: "geom-drugs" }),
      /a molecule of 118 atoms is too large for this model \(maxAtoms 32\): the geom-drugs size histogram reaches it/,
    );
    assert.throws(() => resolveSampleOptions({ ...wide, meta: { source: "lightning-checkpoint" } }, { n: 4 }),
      /records no size histogram and no dataset; pass the dataset it was trained on \(--dataset qm9 or geom-drugs\)/);
    await assert.rejects(
      () => runSampleCommand({ model: "random:tiny", n: 2, steps: 2, grid: "log", cache: "none", seed: 0, batchCost: 1152,
        dataset: "geom", out: path.join(tmp, "x.sdf"), quiet: true }),
      /unknown dataset: geom; use qm9 or geom-drugs/,
    );
    assert.ok(!fs.existsSync(path.join(tmp, "x.sdf.partial")));
    assert.throws(() => importSemlaCheckpoint(CKPT, path.join(tmp, "mismatch"), { dataset: "geom-drugs" }),
      /was trained on qm9 \(its hyperparameters say so\) but --dataset geom-drugs was given/);
    assert.throws(() => importSemlaCheckpoint(CKPT, path.join(tmp, "unknown"), { dataset: "qm7" }), /unknown dataset: qm7/);
    assert.ok(!fs.existsSync(path.join(tmp, "mismatch")));
  });

  it("import records the checkpoint's dataset and its size histogram, so sampling needs no --dataset", () => {
    const dir = path.join(tmp, "imported");
    importSemlaCheckpoint(CKPT, dir);
    const model = loadModel(dir);
    try {
      assert.equal(model.meta.dataset, "qm9");
      assert.equal(model.sizeHistogram!["19"], DATASET_PRESETS.qm9.sizeHistogram().counts[19]);
      assert.deepEqual(resolveSampleOptions(model, { n: 3 }).buckets, QM9_BUCKETS);
    } finally {
      model.generator.dispose();
    }
  });
});
