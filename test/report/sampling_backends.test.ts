/**
 * The report's sampling on workers and backends: for one backend the molecules (and so the SDF files) are the same
 * whatever the number of workers, and the TF.js ones are exactly those of the calling thread's `sample()` (what the
 * report did before it sampled on workers); `molcache report --backend onnx --workers 2` writes ONNX's 1-worker
 * molecules and says how it ran. (Across backends only float rounding differs, which can flip a near-tie of a random
 * model's atom-type draw: backends are not compared here; test/onnx/onnx_sampler.test.ts compares them on the fixtures.)
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { initBackend } from "../../kernel-lib/env";
import { TINY_CONFIG } from "../../kernel-lib/model/config";
import { createRandomModel, LoadedModel } from "../../kernel-lib/model/model_io";
import type { InferenceBackend } from "../../kernel-lib/parallel/network";
import { parseCacheList } from "../../kernel-lib/report/configurations";
import { samplingLine } from "../../kernel-lib/report/run_report";
import { sampleConfigurations } from "../../kernel-lib/report/sample_runs";
import { molcacheReport } from "./run_command";
import { testTempDir } from "../helpers/temp_dir";

const tmp = testTempDir("molcache-report-backends-");
let model: LoadedModel;
// The model `--model random:tiny` loads; 12 molecules of the tiny model's sizes make several batches per run.
const RUN = { n: 12, seeds: [0], batchCost: 48 };
const CONFIGURATIONS = parseCacheList("base,taylor:m=2,D=3", 6);

before(async () => {
  await initBackend();
  model = createRandomModel(TINY_CONFIG, { seed: 0, name: "random:tiny" });
});
after(() => {
  model.generator.dispose();
});

/** Sample both configurations; the SDF texts by configuration slug, and the CPU seconds reported. */
async function sdfTexts(backend: InferenceBackend, workers: number): Promise<{ sdf: Record<string, string>; cpu: number[] | undefined; batches: number }> {
  const dir = path.join(tmp, `${backend}-${workers}`);
  let cpu: number[] | undefined;
  const runs = await sampleConfigurations(model, CONFIGURATIONS, {
    ...RUN, backend, workers, sdfPath: (c) => path.join(dir, `${c.slug}.sdf`), onWorkerCpu: (s) => (cpu = s),
  });
  const sdf = Object.fromEntries(CONFIGURATIONS.map((c) => [c.slug, fs.readFileSync(path.join(dir, `${c.slug}.sdf`), "utf8")]));
  return { sdf, cpu, batches: runs[0].batches };
}

describe("report sampling: same molecules whatever the workers, for one backend", () => {
  it("TF.js: the calling thread, 1 and 2 workers write identical SDF files", async () => {
    const thread = await sdfTexts("tfjs", 0);
    assert.ok(thread.batches >= 2, `the run has ${thread.batches} batches; the test needs several to spread over workers`);
    assert.equal(thread.cpu, undefined, "no worker CPU on the calling thread");
    for (const workers of [1, 2]) {
      const r = await sdfTexts("tfjs", workers);
      assert.deepEqual(r.sdf, thread.sdf, `${workers} worker(s)`);
      assert.equal(r.cpu?.length, workers);
      r.cpu!.forEach((c, w) => assert.ok(c > 0, `worker ${w} on-CPU seconds ${c}`));
    }
  });

  it("samplingLine says the backend, the workers and the time they saved", () => {
    assert.equal(samplingLine({ backend: "onnx", workers: 2, wallSeconds: 10, cpuSeconds: 19 }),
      "ONNX Runtime on 2 worker threads: 10.0 s for 19.0 s of worker CPU (1.90× from the workers, 9.0 s saved)");
    assert.equal(samplingLine({ backend: "tfjs", workers: 0, wallSeconds: 20, cpuSeconds: NaN }), "TF.js on the calling thread: 20.0 s");
  });
});

describe("molcache report --backend --workers", () => {
  it("ONNX on 2 workers: the molecules of 1 worker, and the line saying the time the workers saved", async () => {
    const reference = await sdfTexts("onnx", 1);
    const out = path.join(tmp, "cli");
    const r = molcacheReport([
      "--model", "random:tiny", "--n", "12", "--steps", "6", "--batch-cost", "48", "--caches", "base,taylor:m=2,D=3",
      "--backend", "onnx", "--workers", "2", "--no-trajectories", "--no-images", "--no-novelty", "--no-energy", "--no-posebusters", "--out", out,
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /sampling: ONNX Runtime on 2 worker threads: [\d.]+ s for [\d.]+ s of worker CPU \([\d.]+× from the workers, [\d.]+ s saved\)/);
    for (const c of CONFIGURATIONS) {
      assert.equal(fs.readFileSync(path.join(out, "sdf", `${c.slug}.sdf`), "utf8"), reference.sdf[c.slug], c.slug);
    }
    const run = JSON.parse(fs.readFileSync(path.join(out, "run.json"), "utf8"));
    assert.equal(run.sampling.backend, "onnx");
    assert.equal(run.sampling.workers, 2);
    assert.match(fs.readFileSync(path.join(out, "report.html"), "utf8"), /ONNX Runtime on 2 worker threads/);
  });

  it("refuses an unknown backend before the model loads", () => {
    const r = molcacheReport(["--model", "random:tiny", "--backend", "cuda", "--out", path.join(tmp, "bad")]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^molcache: invalid --backend: cuda; use tfjs or onnx$/m);
    assert.ok(!fs.existsSync(path.join(tmp, "bad")));
  });
});
