/**
 * Forecasters against hand-worked values and the exact recursions of caching.md: TaylorSeer (including
 * f = k², full steps 0, 2, 4, m = 2 → 23 at 5 and 32 at 6; order ramp-up; the time axis), Adams–Bashforth
 * (coefficients; AB2 on a line lands on the midpoint; ramp-up; variable-step coefficients on the time axis), reuse;
 * ownership and leaks.
 */
import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../kernel-lib/env";
import { TaylorSeerForecaster } from "../../kernel-lib/cache/taylorseer";
import { AdamsBashforthForecaster, ADAMS_BASHFORTH_COEFFICIENTS, variableStepCoefficients } from "../../kernel-lib/cache/adams_bashforth";
import { ReuseForecaster } from "../../kernel-lib/cache/reuse";
import { Forecaster } from "../../kernel-lib/cache/forecaster";

before(async () => {
  await initBackend();
});

/** Feed scalar outputs f(x) at the given full steps, then forecast at `at` (scalar values). */
function forecast(f: Forecaster, fn: (x: number) => number, full: number[], at: number[]): number[] {
  for (const x of full) {
    const t = tf.scalar(fn(x));
    f.update(x, { y: t });
    t.dispose();
  }
  return at.map((x) => {
    const out = f.predict(x);
    const v = out.y.dataSync()[0];
    out.y.dispose();
    return v;
  });
}

/** The recursion of caching.md in plain numbers. */
function taylorReference(order: number, full: number[], values: number[], at: number): number {
  let diffs: number[] = [];
  let lastX = NaN;
  full.forEach((x, n) => {
    const fresh = [values[n]];
    for (let i = 0; i < order && i < diffs.length; i++) fresh.push((fresh[i] - diffs[i]) / (x - lastX));
    diffs = fresh;
    lastX = x;
  });
  let sum = 0, fact = 1;
  diffs.forEach((d, i) => {
    if (i > 0) fact *= i;
    sum += (d * (at - lastX) ** i) / fact;
  });
  return sum;
}

const close = (a: number, b: number, tol = 1e-4) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

describe("TaylorSeer", () => {
  it("caching.md's example: f = k², full steps 0, 2, 4, m = 2 → 23 at 5 and 32 at 6 (true 25, 36)", () => {
    const [at5, at6] = forecast(new TaylorSeerForecaster(2), (k) => k * k, [0, 2, 4], [5, 6]);
    close(at5, 23);
    close(at6, 32);
  });

  it("orders ramp up: the first forecast is reuse, the second linear", () => {
    const f = new TaylorSeerForecaster(3);
    assert.deepEqual(forecast(f, (k) => k * k, [0], [1, 2]), [0, 0]);
    assert.equal(f.heldCopies(), 1);
    close(forecast(f, (k) => k * k, [3], [4])[0], 9 + 3 * 1); // Δ¹ = 9/3 = 3
    assert.equal(f.heldCopies(), 2);
    f.reset();
    assert.equal(f.heldCopies(), 0);
  });

  it("matches the recursion for every order on a non-polynomial signal with mixed spacings", () => {
    const fn = (x: number) => Math.sin(0.3 * x) + 0.05 * x * x;
    const full = [0, 1, 2, 5, 8, 11];
    for (let m = 1; m <= 4; m++) {
      for (const at of [12, 13]) {
        const got = forecast(new TaylorSeerForecaster(m), fn, full, [at])[0];
        close(got, taylorReference(m, full, full.map(fn), at), 1e-5);
      }
    }
    // Exact on polynomials of degree ≤ m with equal spacing.
    close(forecast(new TaylorSeerForecaster(1), (x) => 2 * x + 1, [0, 3, 6], [8])[0], 17);
  });

  it("the time axis uses t values as positions (non-integer spacing)", () => {
    const ts = [0, 0.37, 0.6, 0.75];
    const fn = (t: number) => 3 * t - 1;
    const got = forecast(new TaylorSeerForecaster(2), fn, ts, [0.84])[0];
    close(got, fn(0.84), 1e-5);
    close(got, taylorReference(2, ts, ts.map(fn), 0.84), 1e-5);
  });

  it("works key by key on tensors of any shape, keeps copies, and rejects bad use", () => {
    const f = new TaylorSeerForecaster(1);
    const a = tf.tensor2d([[1, 2], [3, 4]]);
    f.update(0, { a, b: tf.scalar(5) });
    a.dispose(); // the forecaster keeps its own copy
    const p = f.predict(1);
    assert.deepEqual(Array.from(p.a.dataSync()), [1, 2, 3, 4]);
    assert.deepEqual(p.a.shape, [2, 2]);
    tf.dispose(p);
    assert.throws(() => f.update(0, { a: tf.zeros([2, 2]), b: tf.scalar(0) }), /must differ from the previous full step 0/);
    assert.throws(() => new TaylorSeerForecaster(0), /invalid order: 0; TaylorSeer supports orders 1 to 4/);
    assert.throws(() => new TaylorSeerForecaster(5), /invalid order: 5/);
    assert.throws(() => new TaylorSeerForecaster(1).predict(3), /cannot forecast before the first full step/);
    f.reset();
  });
});

describe("Adams–Bashforth", () => {
  it("uses the classical coefficients, most recent first, each set summing to 1", () => {
    assert.deepEqual(ADAMS_BASHFORTH_COEFFICIENTS[1], [1.5, -0.5]);
    assert.deepEqual(ADAMS_BASHFORTH_COEFFICIENTS[2], [23 / 12, -16 / 12, 5 / 12]);
    assert.deepEqual(ADAMS_BASHFORTH_COEFFICIENTS[5], [4277 / 1440, -7923 / 1440, 9982 / 1440, -7298 / 1440, 2877 / 1440, -475 / 1440]);
    for (const c of ADAMS_BASHFORTH_COEFFICIENTS) close(c.reduce((x, y) => x + y, 0), 1, 1e-12);
  });

  it("AB2 on a straight line lands on the midpoint kₙ + D/2, for every skipped step", () => {
    // F(k) = 2k + 1 at full steps 0, 4, 8 (D = 4): 1.5·17 − 0.5·9 = 21 = F(10) = F(8 + D/2).
    const got = forecast(new AdamsBashforthForecaster(2), (k) => 2 * k + 1, [0, 4, 8], [9, 10, 11]);
    for (const v of got) close(v, 21);
  });

  it("ramps up: one stored output is reused, then AB with min(stored, j) outputs", () => {
    const f = new AdamsBashforthForecaster(3);
    const fn = (k: number) => k * k;
    assert.deepEqual(forecast(f, fn, [0], [1]), [0]);
    close(forecast(f, fn, [2], [3])[0], 1.5 * 4 - 0.5 * 0);
    close(forecast(f, fn, [4], [5])[0], (23 * 16 - 16 * 4 + 5 * 0) / 12);
    close(forecast(f, fn, [6], [7])[0], (23 * 36 - 16 * 16 + 5 * 4) / 12);
    assert.equal(f.heldCopies(), 3);
    assert.throws(() => new AdamsBashforthForecaster(7), /invalid steps: 7; Adams–Bashforth supports 1 to 6 steps/);
    assert.throws(() => new AdamsBashforthForecaster(0), /invalid steps: 0/);
    f.reset();
  });
});

describe("reuse", () => {
  it("returns the last computed output", () => {
    const f = new ReuseForecaster();
    assert.deepEqual(forecast(f, (k) => k * 3, [0, 2, 5], [6, 9]), [15, 15]);
    assert.equal(f.heldCopies(), 1);
    f.reset();
    assert.throws(() => f.predict(1), /cannot forecast before the first full step/);
  });
});

describe("forecasters leak no tensors", () => {
  for (const [name, make] of [
    ["reuse", () => new ReuseForecaster()], ["taylor m=1", () => new TaylorSeerForecaster(1)],
    ["taylor m=4", () => new TaylorSeerForecaster(4)], ["ab j=2", () => new AdamsBashforthForecaster(2)],
    ["ab j=6", () => new AdamsBashforthForecaster(6)],
  ] as [string, () => Forecaster][]) {
    it(name, () => {
      const before = tf.memory().numTensors;
      const f = make();
      for (let k = 0; k < 12; k += 2) {
        const feats = { x: tf.randomNormal([3, 4]), y: tf.randomNormal([2]) };
        f.update(k, feats);
        tf.dispose(feats);
        tf.dispose(f.predict(k + 1));
      }
      assert.ok(tf.memory().numTensors > before, "it holds copies while alive");
      f.reset();
      assert.equal(tf.memory().numTensors, before);
    });
  }
});

describe("Adams–Bashforth on the time axis (variable step)", () => {
  it("reduces to the classical coefficients on equally spaced positions one spacing ahead, for every j", () => {
    for (let a = 1; a <= ADAMS_BASHFORTH_COEFFICIENTS.length; a++) {
      const h = 0.37;
      const positions = Array.from({ length: a }, (_, i) => 2 - i * h);
      const got = variableStepCoefficients(positions, 2 + h);
      got.forEach((c, i) => close(c, ADAMS_BASHFORTH_COEFFICIENTS[a - 1][i], 1e-9));
    }
  });

  it("forecasts each skipped position with its own coefficients (the mean of the interpolant over [xₙ, x]), summing to 1", () => {
    // Non-uniform positions 0, 0.5, 0.6 (most recent last); F = 2x + 1 is linear, so AB2 gives its mean over [0.6, x].
    const f = new AdamsBashforthForecaster(2, true);
    const got = forecast(f, (x) => 2 * x + 1, [0, 0.5, 0.6], [0.65, 0.7, 0.8]);
    [0.65, 0.7, 0.8].forEach((x, i) => close(got[i], 1 + (0.6 + x), 1e-5));
    assert.notEqual(got[0], got[2], "every skipped step gets its own value");
    for (const x of [0.61, 0.7, 1]) close(variableStepCoefficients([0.6, 0.5, 0], x).reduce((s, c) => s + c, 0), 1, 1e-12);
    // At xₙ itself it is the stored output.
    assert.deepEqual(variableStepCoefficients([0.6, 0.5], 0.6), [1, 0]);
    // The step-axis forecaster ignores the offset, as the official code.
    const classic = forecast(new AdamsBashforthForecaster(2), (x) => 2 * x + 1, [0, 4, 8], [9, 11]);
    assert.equal(classic[0], classic[1]);
    f.reset();
  });

  it("rejects a repeated update position", () => {
    const f = new AdamsBashforthForecaster(2, true);
    forecast(f, (x) => x, [0.1], []);
    assert.throws(() => forecast(f, (x) => x, [0.1], []), /invalid update position 0.1: it must differ from the previous full step 0.1/);
    f.reset();
  });
});
