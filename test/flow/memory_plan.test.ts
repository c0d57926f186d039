/**
 * Memory-aware batch planning: the estimate grows with B·N² (ONNX by layer, one arena per block session), the
 * largest batch under a budget is the largest whose estimate fits, sampling cuts batches to the budget, and a
 * molecule that cannot fit alone is one clear error before any work.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { initBackend } from "../../kernel-lib/env";
import { estimateBatchBytes, GIB, maxBatchForMemory } from "../../kernel-lib/flow/memory_plan";
import { GEOM_DRUGS_CONFIG, resolveConfig, TINY_CONFIG } from "../../kernel-lib/model/config";
import { resolveSampleOptions, sample } from "../../kernel-lib/flow/sample";
import { planBatches } from "../../kernel-lib/data/batching";
import { createRandomModel, LoadedModel } from "../../kernel-lib/model/model_io";

let wide: LoadedModel;
before(async () => {
  await initBackend();
  wide = createRandomModel(resolveConfig({ maxAtoms: 256 }), { seed: 0 });
});
after(() => wide.generator.dispose());

describe("memory plan", () => {
  it("estimates grow with B·N², more on ONNX (per-layer arenas), and match the GEOM-Drugs measurements", () => {
    const g = GEOM_DRUGS_CONFIG;
    for (const backend of ["tfjs", "onnx"] as const) {
      assert.ok(estimateBatchBytes(g, { batch: 16, atoms: 44, backend }) > estimateBatchBytes(g, { batch: 8, atoms: 44, backend }));
      assert.ok(estimateBatchBytes(g, { batch: 1, atoms: 120, backend }) > estimateBatchBytes(g, { batch: 1, atoms: 60, backend }));
    }
    assert.ok(estimateBatchBytes(g, { batch: 16, atoms: 44, backend: "onnx" }) > 1.5 * estimateBatchBytes(g, { batch: 16, atoms: 44, backend: "tfjs" }));
    // Peak RSS measured with `npm run bench -- memory` (MB): the estimate is within 25% of each.
    const measured: [string, number, number, number][] = [["onnx", 16, 44, 1513], ["onnx", 2, 120, 1352], ["onnx", 1, 180, 1528], ["tfjs", 16, 44, 788], ["tfjs", 2, 120, 695]];
    for (const [backend, B, N, mb] of measured) {
      const ratio = mb / (estimateBatchBytes(g, { batch: B, atoms: N, backend: backend as "tfjs" | "onnx" }) / 1e6);
      assert.ok(ratio > 0.75 && ratio < 1.25, `${backend} ${B}x${N}: peak / estimate ${ratio.toFixed(2)}`);
    }
  });

  it("the largest batch under a budget is the largest whose estimate fits", () => {
    const budget = 3 * GIB;
    for (const N of [20, 44, 120]) {
      const B = maxBatchForMemory(GEOM_DRUGS_CONFIG, { atoms: N, budgetBytes: budget, backend: "onnx" });
      assert.ok(B >= 1);
      assert.ok(estimateBatchBytes(GEOM_DRUGS_CONFIG, { batch: B, atoms: N, backend: "onnx" }) <= budget);
      assert.ok(estimateBatchBytes(GEOM_DRUGS_CONFIG, { batch: B + 1, atoms: N, backend: "onnx" }) > budget);
    }
    assert.equal(maxBatchForMemory(GEOM_DRUGS_CONFIG, { atoms: 180, budgetBytes: 1 * GIB, backend: "onnx" }), 0);
    // A 180-atom molecule fits the default budget (6 GiB per worker) on both backends.
    for (const backend of ["tfjs", "onnx"] as const) assert.ok(maxBatchForMemory(GEOM_DRUGS_CONFIG, { atoms: 180, budgetBytes: 6 * GIB, backend }) >= 1);
  });

  it("sampling cuts batches to the memory budget (the larger backend estimate), not only to the atoms budget", () => {
    const sizes = new Array(12).fill(40);
    const budget = estimateBatchBytes(wide.generator.config, { batch: 3, atoms: 40, backend: "any" }) + 1;
    assert.ok(estimateBatchBytes(wide.generator.config, { batch: 3, atoms: 40, backend: "any" }) >= estimateBatchBytes(wide.generator.config, { batch: 3, atoms: 40, backend: "tfjs" }));
    const o = resolveSampleOptions(wide, { sizes, memory: budget, batchCost: 100000, buckets: [40] });
    const stream = o.planStream();
    const plan: number[][] = [];
    for (let b = stream.next(); b; b = stream.next()) plan.push(b.indices);
    assert.deepEqual(plan.map((b) => b.length), [3, 3, 3, 3]);
    // Without the memory cap the atoms budget alone would take all 12 at once.
    assert.equal(planBatches(o.drawnSizes, { budget: 100000, buckets: [40] }).length, 1);
  });

  it("a molecule that cannot fit alone is one clear error before any work", async () => {
    const tiny = createRandomModel(TINY_CONFIG, { seed: 0 });
    try {
      await assert.rejects(() => sample(tiny, { sizes: [5, 30], memory: 1e6 }), /a molecule of 30 atoms needs about [\d.]+ GB \(estimated peak\), more than the memory budget of 0\.00 GB per worker; raise --memory/);
      assert.throws(() => resolveSampleOptions(tiny, { memory: -1 }), /invalid memory: -1/);
    } finally {
      tiny.generator.dispose();
    }
  });
});
