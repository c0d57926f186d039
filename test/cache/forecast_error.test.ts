/**
 * The calibrated schedule's error model: the forecast weights come from the real forecasters, the Gram-matrix error
 * equals the relative error of the forecast computed on the data, a schedule's summed error equals running the
 * forecaster through it on the data, the interval table is zero where the forecaster is exact, and nothing leaks.
 */
import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../kernel-lib/env";
import { parseCacheSpec, createForecaster, ResolvedCachingConfig } from "../../kernel-lib/cache/config";
import { forecasterKey, forecastWeights, intervalCostTable, predictionInfluence, scheduleForecastError, TrajectoryGrams } from "../../kernel-lib/cache/forecast_error";
import { computeSchedule } from "../../kernel-lib/cache/schedule";
import { Rng } from "../../kernel-lib/util/rng";
import { timeGrid } from "../../kernel-lib/flow/time_grid";

before(async () => {
  await initBackend();
});

const spec = (s: string) => parseCacheSpec(s) as ResolvedCachingConfig;
const STEPS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const INFLUENCE = predictionInfluence(timeGrid(10, "log"));
const ONES = new Array(10).fill(1);

/** Two series (e.g. two molecules) of smooth-plus-noise rows, K = 10. */
function trajectory(seed: number): { rows: Float32Array[]; weight: number }[] {
  const rng = new Rng(seed);
  return [0.5, 0.5].map((weight, m) => {
    const u = rng.uniforms(10 * 7);
    const rows = STEPS.map((k) => Float32Array.from({ length: 7 }, (_, i) => Math.sin(0.3 * k + i + m) * (1 + 0.1 * k * k) + 0.05 * u[k * 7 + i]));
    return { rows, weight };
  });
}

/** Σ weight · ‖forecast − F(s)‖ / ‖F(s)‖ with the forecaster run on the data itself through `schedule`. */
function directScheduleError(series: ReturnType<typeof trajectory>, config: ResolvedCachingConfig, x: number[], influence: ArrayLike<number>, schedule: boolean[]): number {
  let total = 0;
  for (const { rows, weight } of series) {
    const f = createForecaster(config);
    schedule.forEach((computed, s) => {
      if (computed) {
        const t = tf.tensor1d(rows[s]);
        f.update(x[s], { y: t });
        t.dispose();
        return;
      }
      const out = f.predict(x[s]);
      const y = out.y.dataSync();
      out.y.dispose();
      let num = 0;
      let den = 0;
      for (let i = 0; i < y.length; i++) { num += (y[i] - rows[s][i]) ** 2; den += rows[s][i] ** 2; }
      total += influence[s] * weight * Math.sqrt(num) / (Math.sqrt(den) + 1e-8);
    });
    f.reset();
  }
  return total;
}

describe("forecast error", () => {
  it("weights come from the real recursions (TaylorSeer m=1 and m=2, AB j=2)", () => {
    const [w1] = forecastWeights(spec("taylor:m=1,D=2"), STEPS, [0, 2], [3]);
    assert.deepEqual(Array.from(w1), [-0.5, 1.5]);
    // caching.md: f = k², full steps 0, 2, 4, m = 2 → 23 at 5 and 32 at 6.
    const [a, b] = forecastWeights(spec("taylor:m=2,D=2"), STEPS, [0, 2, 4], [5, 6]);
    assert.ok(Math.abs(a[1] * 4 + a[2] * 16 - 23) < 1e-5 && Math.abs(b[1] * 4 + b[2] * 16 - 32) < 1e-5);
    const [ab] = forecastWeights(spec("ab:j=2,D=2"), STEPS, [0, 2], [3]);
    assert.deepEqual(Array.from(ab), [-0.5, 1.5]);
  });

  it("the Gram-matrix error and a schedule's summed error equal the forecaster run on the data", () => {
    const series = trajectory(1);
    const grams = new TrajectoryGrams(series);
    const times = STEPS.map((k) => 1 - Math.exp(-0.3 * k));
    for (const [s, x] of [["taylor:m=2,D=3", STEPS], ["ab:j=2,D=3,axis=time", times], ["reuse:D=3", STEPS]] as const) {
      const config = spec(s);
      for (const schedule of [computeSchedule(10, { interval: 3 }), [true, true, false, false, true, false, true, false, false, true]]) {
        const expected = directScheduleError(series, config, [...x], INFLUENCE, schedule);
        const got = scheduleForecastError(grams, config, x, INFLUENCE, schedule);
        assert.ok(expected > 0 && Math.abs(got - expected) < 1e-4 * expected, `${s}: ${got} vs ${expected}`);
      }
    }
  });

  it("the interval table sums the real error of each interval's skipped steps, zero where the forecaster is exact", () => {
    // A trajectory linear in the step: TaylorSeer m=1 is exact once it has two points (c > 0).
    const linear = [{ rows: STEPS.map((k) => Float32Array.from([1 + k, 2 - 0.5 * k, 3])), weight: 1 }];
    const before = tf.memory().numTensors;
    const table = intervalCostTable(new TrajectoryGrams(linear), spec("taylor:m=1,D=2"), STEPS, ONES);
    assert.equal(tf.memory().numTensors, before, "no tensor leaks");
    assert.equal(table.length, 10);
    table.forEach((row, c) => {
      assert.equal(row.length, 9 - c);
      assert.equal(row[0] ?? 0, 0, "adjacent computed steps skip nothing");
      row.forEach((v, i) => (c > 0 ? assert.ok(v < 1e-5, `(${c}, ${c + i + 1}): ${v}`) : i > 0 && assert.ok(v > 0.01, "from step 0 alone it reuses")));
    });
    // On a uniform schedule the table's sum is the schedule's real error (same spacing before every interval).
    const series = trajectory(2);
    const grams = new TrajectoryGrams(series);
    const costs = intervalCostTable(grams, spec("taylor:m=2,D=3"), STEPS, INFLUENCE);
    const uniform = computeSchedule(10, { interval: 3 });
    const fromTable = costs[0][2] + costs[3][2] + costs[6][2];
    assert.ok(Math.abs(fromTable - scheduleForecastError(grams, spec("taylor:m=2,D=3"), STEPS, INFLUENCE, uniform)) < 1e-9 * fromTable);
  });

  it("late predictions weigh more on the log grid (the sampler moves a constant fraction toward each)", () => {
    const w = predictionInfluence(timeGrid(100, "log"));
    assert.ok(Math.abs(w.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    const alpha = 1 - Math.pow(100, -1 / 100);
    assert.ok(Math.abs(w[97] / w[98] - (1 - alpha)) < 1e-3 && w[98] / w[0] > 80, `${w[98] / w[0]}`);
    const linear = predictionInfluence(timeGrid(10, "linear"));
    assert.ok(linear.every((v, k) => k === 0 || v >= linear[k - 1]) && linear.every((v) => v > 0));
  });

  it("keys name the forecaster and its axis", () => {
    assert.deepEqual(["taylor:m=2,D=3", "ab:j=3,D=2,axis=time", "reuse:D=2"].map((s) => forecasterKey(spec(s))), ["taylor:m=2", "ab:j=3,axis=time", "reuse"]);
  });
});
