/**
 * Parallel sampling: molecules identical to `sample()` whatever the number of workers (TF.js and ONNX backends),
 * batches delivered in batch order, a failing worker (exception, abrupt exit, uncaught crash) reported with its
 * error while the molecules already delivered are kept, an abort stopping every worker, and clear option errors.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { initBackend } from "../../kernel-lib/env";
import { Molecule } from "../../kernel-lib/chem/molecule";
import { sample } from "../../kernel-lib/flow/sample";
import { TINY_CONFIG } from "../../kernel-lib/model/config";
import { createRandomModel, LoadedModel, saveModel } from "../../kernel-lib/model/model_io";
import { registerHook, removeHook } from "../../kernel-lib/hooks/registry";
import { sampleParallel } from "../../kernel-lib/parallel/sample_parallel";
import { SamplingError, SamplingPool } from "../../kernel-lib/parallel/sampling_pool";
import { resolveSamplingPoolOptions } from "../../kernel-lib/parallel/pool_options";
import type { TestFault } from "../../kernel-lib/parallel/sample_worker";
import { withTempDir } from "../helpers/temp_dir";

let model: LoadedModel;
let clean: Awaited<ReturnType<typeof sample>>;
// 24 molecules in 8 batches of 3 (budget 36 atoms, sizes ≤ 12): enough batches to interleave two workers.
const RUN = { n: 24, steps: 5, seed: 7, batchCost: 36, buckets: [12], sizeHistogram: { 6: 1, 8: 2, 10: 2, 12: 1 } };

before(async () => {
  await initBackend();
  model = createRandomModel(TINY_CONFIG, { seed: 3 });
  clean = await sample(model, RUN);
});
after(() => model.generator.dispose());

function assertSameMolecules(a: readonly (Molecule | undefined)[], b: readonly (Molecule | undefined)[], label: string): void {
  assert.equal(a.length, b.length, `${label}: count`);
  a.forEach((m, i) => {
    const o = b[i];
    assert.ok(m && o, `${label}: molecule ${i} missing`);
    assert.deepEqual(o.elements, m.elements, `${label}: molecule ${i} elements`);
    assert.deepEqual(o.positions, m.positions, `${label}: molecule ${i} positions`);
    assert.deepEqual(o.charges, m.charges, `${label}: molecule ${i} charges`);
    assert.deepEqual([o.bondI, o.bondJ, o.bondOrder], [m.bondI, m.bondJ, m.bondOrder], `${label}: molecule ${i} bonds`);
  });
}

describe("sampleParallel: same molecules whatever the worker count", () => {
  it("TF.js: 1 and 2 workers (and the calling thread) give exactly sample()'s molecules, delivered in batch order", async () => {
    const reference = await sample(model, { ...RUN, cache: "taylor:m=2,D=3" });
    assert.equal(reference.batches, 8);
    for (const workers of [0, 1, 2]) {
      const order: number[][] = [];
      const progress: number[] = [];
      const r = await sampleParallel(model, {
        ...RUN, cache: "taylor:m=2,D=3", workers, onBatch: (_m, idx) => order.push(idx), onProgress: (done) => progress.push(done),
      });
      assertSameMolecules(reference.molecules, r.molecules, `${workers} workers`);
      assert.equal(r.networkCalls, reference.networkCalls);
      assert.equal(r.effectiveSteps, reference.effectiveSteps);
      assert.equal(r.workers, workers);
      assert.equal(r.batches, 8);
      // Batch order: the indices arrive as planned (bucket order, then index order), however workers interleave.
      assert.deepEqual(order, planOrder(reference), `${workers} workers: delivery order`);
      assert.deepEqual(progress, progress.slice().sort((x, y) => x - y));
      assert.equal(progress.at(-1), 24);
      assert.ok(r.peakRssBytes > 0 && r.moleculesPerSecond > 0);
      // Per-thread on-CPU time (Linux schedstat): one entry per worker, each worker did some of the work.
      assert.equal(r.workerCpuSeconds.length, Math.max(1, workers));
      r.workerCpuSeconds.forEach((c, w) => assert.ok(c > 0, `worker ${w} on-CPU time ${c}`));
    }
  });

  it("a model folder works as well as a loaded model (loaded once, shared with the workers)", async () => {
    await withTempDir("molcache-par-", async (dir) => {
      saveModel(model, dir);
      const r = await sampleParallel(dir, { ...RUN, workers: 1 });
      assertSameMolecules(clean.molecules, r.molecules, "from a folder");
    });
  });

  it("Heun and DPM-Solver++(2M) run on the workers too, with sample()'s molecules and network calls", async () => {
    for (const solver of ["heun", "dpm2m"] as const) {
      const alone = await sample(model, { ...RUN, solver });
      const two = await sampleParallel(model, { ...RUN, solver, workers: 2 });
      assertSameMolecules(alone.molecules, two.molecules, `${solver} on 2 workers`);
      assert.equal(two.networkCalls, alone.networkCalls, `${solver}: network calls`);
      assert.equal(two.effectiveSteps, alone.effectiveSteps, `${solver}: effective steps`);
    }
  });

  it("ONNX: 2 workers give the molecules of the calling thread's ONNX run", async () => {
    const one = await sampleParallel(model, { ...RUN, workers: 0, backend: "onnx" });
    const two = await sampleParallel(model, { ...RUN, workers: 2, backend: "onnx" });
    assertSameMolecules(one.molecules, two.molecules, "onnx 2 workers");
    assert.equal(two.backend, "onnx");
  });
});

/** The order `sample()` delivers batches in, recovered from a run's onBatch calls. */
function planOrder(reference: { molecules: Molecule[] }): number[][] {
  // With one bucket the plan is index order in chunks of 3.
  return Array.from({ length: reference.molecules.length / 3 }, (_, b) => [3 * b, 3 * b + 1, 3 * b + 2]);
}

describe("worker failures", () => {
  /** Runs the pool with a fault on batch 3; returns the error and the molecules `onBatch` received. */
  async function runWithFault(kind: TestFault["kind"], workers: number) {
    const received: (Molecule | undefined)[] = new Array(24);
    const pool = await SamplingPool.start(model, { workers, testFault: { batch: 3, kind } });
    let error: unknown;
    try {
      await pool.sample({ ...RUN, onBatch: (mols, idx) => idx.forEach((i, k) => (received[i] = mols[k])) });
    } catch (err) {
      error = err;
    }
    assert.ok(error instanceof SamplingError, `expected a SamplingError, got ${error}`);
    assert.equal(pool.liveWorkers(), 0, "workers still running after the failure");
    await assert.rejects(pool.sample(RUN), /this sampling pool is closed/);
    return { error, received, delivered: received.filter(Boolean).length };
  }

  for (const kind of ["throw", "exit", "crash"] as TestFault["kind"][]) {
    it(`a worker that fails (${kind}) on batch 3 is reported; delivered molecules are kept; every worker stops`, async () => {
      const { error, received, delivered } = await runWithFault(kind, 2);
      const expected = { throw: /worker \d failed on batch 3: injected failure on batch 3/, exit: /worker \d exited with code 3 while running batch 3/, crash: /worker \d crashed: injected crash on batch 3/ }[kind];
      assert.match(error.message, expected);
      assert.match(error.message, /\d+ of 24 molecules were delivered before the run stopped/);
      assert.equal(error.interrupted, false);
      // How many batches were done when batch 3 failed depends on how the two threads were scheduled (on a loaded
      // machine one thread can finish batches 1 and 2 while the other is still on batch 0). What holds in every
      // schedule: delivery is in batch order, so the delivered molecules are a prefix of whole batches, never
      // batch 3, each the clean run's, and the error keeps exactly them.
      assert.equal(error.delivered, delivered);
      assert.ok(delivered % 3 === 0 && delivered <= 9, `delivered ${delivered}`);
      assert.ok(received.slice(0, delivered).every(Boolean), "delivered molecules are a prefix");
      received.forEach((m, i) => {
        if (!m) return;
        assert.deepEqual(m.positions, clean.molecules[i].positions, `delivered molecule ${i} is the clean run's`);
        assert.equal(error.molecules[i], m);
      });
    });
  }

  it("with one worker, the three batches before the failing one are delivered and kept", async () => {
    const { error, received, delivered } = await runWithFault("throw", 1);
    assert.equal(delivered, 9);
    assert.equal(error.delivered, 9);
    for (let i = 0; i < 9; i++) assert.deepEqual(received[i]!.positions, clean.molecules[i].positions, `molecule ${i}`);
    assert.match(error.message, /9 of 24 molecules were delivered before the run stopped/);
  });

  it("an abort signal stops the run and every worker; nothing is delivered afterwards", async () => {
    const pool = await SamplingPool.start(model, { workers: 2 });
    const controller = new AbortController();
    let batches = 0;
    let afterAbort = 0;
    await assert.rejects(
      pool.sample({
        ...RUN, steps: 20, signal: controller.signal,
        onBatch: () => {
          if (controller.signal.aborted) afterAbort++;
          if (++batches === 1) controller.abort();
        },
      }),
      (err: unknown) => err instanceof SamplingError && err.interrupted && /stopped by its abort signal/.test(err.message),
    );
    assert.equal(afterAbort, 0, "batches delivered after the abort");
    assert.equal(pool.liveWorkers(), 0);
    await pool.close(); // idempotent
  });
});

describe("options", () => {
  it("bad options give errors that name the field and the fix", async () => {
    assert.throws(() => resolveSamplingPoolOptions({ workers: -1 }), /invalid workers: -1; must be an integer >= 0/);
    assert.throws(() => resolveSamplingPoolOptions({ backend: "torch" as "tfjs" }), /invalid backend: torch; use one of tfjs, onnx/);
    assert.throws(() => resolveSamplingPoolOptions({ threads: 2 } as never), /unknown sampling pool option: threads/);
    assert.throws(() => resolveSamplingPoolOptions({ onnx: { intraOpThreads: 1.5 } }), /invalid intraOpThreads: 1.5/);
    assert.equal(resolveSamplingPoolOptions().workers >= 1, true, "default: one worker per core");
    await assert.rejects(sampleParallel(model, { bogus: 1 } as never), /unknown sampleParallel option: bogus/);
    await assert.rejects(sampleParallel(model, { ...RUN, steps: 1, workers: 1 }), /invalid steps: 1/);
    registerHook(model, "test", { afterStep: () => undefined });
    await assert.rejects(sampleParallel(model, { ...RUN, workers: 1 }), /hooks registered on this model cannot run in worker threads; remove them or use workers: 0/);
    removeHook(model, "test");
    await assert.rejects(sampleParallel("/nonexistent/model", { workers: 1 }), /no model at \/nonexistent\/model/);
  });
});
