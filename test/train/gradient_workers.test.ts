/**
 * The gradient workers on the shared worker channel: each share of a batch comes back from its own thread with a
 * full-length gradient, and a share that fails names the worker, the step and the share's molecules.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { loadQm9Split, Qm9Split } from "../../kernel-lib/data/dataset";
import { CONFIG_PRESETS, resolveConfig } from "../../kernel-lib/model/config";
import { initParams } from "../../kernel-lib/model/init";
import { initBackend } from "../../kernel-lib/env";
import { DEFAULT_GRADIENT_OPTIONS } from "../../kernel-lib/train/gradients";
import { GradientPoolWorker, requestGradients, startGradientWorkers } from "../../kernel-lib/train/trainer";
import { Rng } from "../../kernel-lib/util/rng";

const TINY = resolveConfig(CONFIG_PRESETS.tiny as unknown as Record<string, unknown>);
let data: Qm9Split;
let pool: GradientPoolWorker[];
let params: Float32Array;

before(async () => {
  await initBackend();
  data = await loadQm9Split("train", { limit: 20, sharedMemory: true });
  const store = initParams(TINY, new Rng(0));
  params = store.flatten();
  store.dispose();
  pool = await startGradientWorkers(2, { seed: 0, config: TINY, packed: data.packed, gradientOptions: DEFAULT_GRADIENT_OPTIONS });
});
after(async () => {
  await Promise.all(pool.map((w) => w.terminate()));
});

describe("gradient workers", () => {
  it("answer every share of a batch with a full gradient and finite losses; the same request gives the same bytes", async () => {
    const first = await requestGradients(pool, 0, params, [0, 1, 2, 3, 4]);
    assert.deepEqual(first.map((r) => r.molecules), [3, 2]);
    for (const r of first) {
      assert.equal(r.grads.length, params.length);
      assert.ok(Number.isFinite(r.losses.total) && r.losses.total > 0, `loss ${r.losses.total}`);
    }
    // Randomness derives from (seed, step, share): asking again gives the same gradients.
    const again = await requestGradients(pool, 0, params, [0, 1, 2, 3, 4]);
    again.forEach((r, w) => assert.deepEqual(r.grads, first[w].grads, `share ${w}`));
  });

  it("a failing share names its worker, the step and its molecules; the workers keep serving", async () => {
    await assert.rejects(requestGradients(pool, 3, params, [0, 1, 2, 999]), /gradient worker 1 failed on step 3 \(molecules 1, 999\): /);
    assert.equal((await requestGradients(pool, 4, params, [0, 1])).length, 2);
  });
});
