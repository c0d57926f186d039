/** `molcache bench`: the registry, and tiny runs of the forward and cache benchmarks (table + CSV). */
import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { Command } from "commander";
import { initBackend } from "../../kernel-lib/env";
import { BENCHES, registerBenchCommand } from "../../kernel-lib/cli/bench";
import { formatTable, median, toCsv } from "../../kernel-lib/cli/bench_format";
import { benchForward } from "../../kernel-lib/cli/bench_forward";
import { benchCache, DEFAULT_CACHE_BENCH_SPECS } from "../../kernel-lib/cli/bench_cache";
import { createRandomModel } from "../../kernel-lib/model/model_io";
import { TINY_CONFIG } from "../../kernel-lib/model/config";
import { buildProgram } from "../../kernel-lib/cli/main";
import { testTempDir } from "../helpers/temp_dir";

const tmp = testTempDir("molcache-bench-");
before(async () => {
  await initBackend();
});

describe("bench registry", () => {
  it("registers one subcommand per entry", () => {
    const program = new Command();
    registerBenchCommand(program);
    const bench = program.commands.find((c) => c.name() === "bench")!;
    assert.deepEqual(bench.commands.map((c) => c.name()), Object.keys(BENCHES));
    assert.ok(Object.keys(BENCHES).includes("forward") && Object.keys(BENCHES).includes("cache"));
  });

  it("formats tables and CSV; median", () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 2, 3]), 2.5);
    assert.equal(formatTable([["a", "bb"], ["ccc", "1"]]), "a    bb\n---  --\nccc   1");
    assert.equal(toCsv([["x", "y"], ["a,b", 2]]), 'x,y\n"a,b",2\n');
  });
});

describe("bench runs (tiny)", () => {
  it("forward: a median time per batch", async () => {
    const t = await benchForward("tiny", { batch: 2, atoms: 5, runs: 2, warmup: 1, profile: true });
    assert.equal(t.parameters, 215075);
    assert.ok(t.medianMs > 0 && t.minMs <= t.medianMs);
    assert.ok(t.kernels!.length > 0 && t.kernels!.some((k) => k.name === "BatchMatMul"));
    await assert.rejects(() => benchForward("tiny", { batch: 2, atoms: 40, runs: 1, warmup: 0 }), /too large for tiny/);
  });

  it("cache: rows for base and cached configs with effective steps, speedups and memory", async () => {
    const model = createRandomModel(TINY_CONFIG, { seed: 0 });
    try {
      const rows = await benchCache(model, { n: 3, steps: 6, seed: 0, batchCost: 1152, repeats: 1, specs: ["none", "taylor:m=1,D=2", "ab:j=2,D=3"] });
      assert.deepEqual(rows.map((r) => r.label), ["Base", "Taylor m=1 D=2", "AB j=2 D=3"]);
      assert.deepEqual(rows.map((r) => r.effectiveSteps), [6, 4, 3]);
      assert.equal(rows[0].speedup, 1);
      assert.deepEqual(rows.map((r) => r.idealSpeedup), [1, 1.5, 2]);
      for (const r of rows) assert.ok(r.moleculesPerSecond > 0 && Number.isFinite(r.efficiency) && r.cpuSeconds > 0 && Number.isFinite(r.cpuEfficiency));
      assert.ok(rows[1].extraBytes > 0, "the cache holds copies of the output");
      await assert.rejects(() => benchCache(model, { n: 3, steps: 6, seed: 0, batchCost: 1152, repeats: 1, specs: ["taylor:m=1,D=2"] }), /first configuration must be the base/);
    } finally {
      model.generator.dispose();
    }
    assert.equal(DEFAULT_CACHE_BENCH_SPECS.length, 13);
  });

  it("cache: the command writes a CSV atomically", async () => {
    const out = path.join(tmp, "cache.csv");
    await buildProgram().parseAsync(["node", "molcache", "bench", "cache", "--model", "random:tiny", "--n", "2", "--steps", "4",
      "--caches", "none;reuse:D=2", "--out", out]);
    const lines = fs.readFileSync(out, "utf8").trim().split("\n");
    assert.equal(lines.length, 3);
    assert.ok(lines[0].startsWith("config,spec,model,n,steps,molecules_per_s"));
    assert.ok(lines[2].startsWith("Reuse D=2,reuse:D=2,random:tiny,2,4,"));
  });
});
