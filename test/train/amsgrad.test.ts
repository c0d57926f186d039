import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { amsGradStep, DEFAULT_AMSGRAD, emaUpdate, initAmsGrad } from "../../kernel-lib/train/amsgrad";
import { learningRate } from "../../kernel-lib/train/lr_schedule";

describe("AMSGrad", () => {
  it("matches torch.optim.Adam(amsgrad=True) worked by hand for two steps", () => {
    const o = { ...DEFAULT_AMSGRAD, lr: 0.1, warmupSteps: 0, clipNorm: 0 };
    const p = Float32Array.from([1, -2]);
    const s = initAmsGrad(2);
    amsGradStep(p, Float32Array.from([0.5, -1]), s, o);
    // Step 1: m = 0.1 g, v = 0.001 g², m̂ = g, v̂ = g² → p -= lr · sign(g) (up to eps).
    assert.ok(Math.abs(p[0] - 0.9) < 1e-6 && Math.abs(p[1] + 1.9) < 1e-6, `${p}`);
    amsGradStep(p, Float32Array.from([0.1, -1]), s, o);
    // Step 2 for p0: m = 0.9·0.05 + 0.1·0.1 = 0.055; v = 0.999·0.00025 + 0.001·0.01 = 0.00025975; vmax = 0.00025975.
    const m = 0.055, v = 0.00025975;
    const expected = 0.9 - (0.1 / (1 - 0.9 ** 2)) * m / (Math.sqrt(v) / Math.sqrt(1 - 0.999 ** 2) + 1e-8);
    assert.ok(Math.abs(p[0] - expected) < 1e-6, `${p[0]} vs ${expected}`);
  });

  it("keeps the running maximum of the second moment", () => {
    const o = { ...DEFAULT_AMSGRAD, warmupSteps: 0, clipNorm: 0 };
    const s = initAmsGrad(1);
    const p = new Float32Array(1);
    amsGradStep(p, Float32Array.from([10]), s, o);
    const peak = s.vMax[0];
    amsGradStep(p, Float32Array.from([0]), s, o);
    assert.equal(s.vMax[0], peak);
    assert.ok(s.v[0] < peak);
  });

  it("clips the global gradient norm and warms the learning rate up linearly from 1%", () => {
    const o = { ...DEFAULT_AMSGRAD, clipNorm: 1, warmupSteps: 100, warmupStart: 0.01, lr: 1e-3 };
    const g = Float32Array.from([30, 40]);
    const r = amsGradStep(new Float32Array(2), g, initAmsGrad(2), o);
    assert.equal(r.gradNorm, 50);
    assert.ok(Math.abs(learningRate(1, o) - 1e-3 * (0.01 + 0.99 / 100)) < 1e-12);
    assert.ok(Math.abs(learningRate(100, o) - 1e-3) < 1e-12);
    assert.equal(learningRate(5000, o), 1e-3);
  });

  it("EMA moves a fraction 1 − decay towards the parameters", () => {
    const ema = Float32Array.from([0, 10]);
    emaUpdate(ema, Float32Array.from([1, 0]), 0.9);
    assert.ok(Math.abs(ema[0] - 0.1) < 1e-7 && Math.abs(ema[1] - 9) < 1e-6);
  });
});

describe("EMA warm-up", () => {
  it("tracks the parameters early and reaches the reference decay later", async () => {
    const { emaDecayAt } = await import("../../kernel-lib/train/amsgrad");
    assert.ok(Math.abs(emaDecayAt(1, 0.999) - 2 / 11) < 1e-12);
    assert.ok(emaDecayAt(100, 0.999) < 0.93);
    assert.equal(emaDecayAt(100000, 0.999), 0.999);
  });
});
