/**
 * The calibrated schedule: the DP is exactly optimal (checked against brute force over every schedule of a small
 * run), hits the NFE budget with the first and final step, puts its calls where the error is, and is deterministic.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { calibratedSchedule, intervalCost, scheduleCost } from "../../kernel-lib/cache/calibrated_schedule";
import { computeSchedule, computedSteps, effectiveSteps } from "../../kernel-lib/cache/schedule";
import { Rng } from "../../kernel-lib/util/rng";

describe("calibrated schedule", () => {
  it("interval cost follows cost(c, s) = Σ (s − i + 1)·e[i] summed over the skipped steps", () => {
    const e = [0, 1, 2, 3, 4];
    // c = 0, next = 4: s = 1: 1·1; s = 2: 2·1 + 1·2; s = 3: 3·1 + 2·2 + 1·3.
    assert.equal(intervalCost(e, 0, 4), 1 + 4 + 10);
    assert.equal(intervalCost(e, 2, 3), 0);
  });

  it("is the exact optimum: equal to brute force over all schedules (K = 9, every budget)", () => {
    const rng = new Rng(3);
    const K = 9;
    for (let trial = 0; trial < 4; trial++) {
      const e = Array.from(rng.uniforms(K), (u, k) => u * (k < 3 ? 5 : 1));
      for (let nfe = 2; nfe <= K; nfe++) {
        let best = Infinity;
        for (let mask = 0; mask < 1 << (K - 2); mask++) {
          const s = [true, ...Array.from({ length: K - 2 }, (_, i) => Boolean(mask & (1 << i))), true];
          if (effectiveSteps(s) === nfe) best = Math.min(best, scheduleCost(e, s));
        }
        const got = calibratedSchedule(e, nfe);
        assert.equal(effectiveSteps(got), nfe);
        assert.ok(got[0] && got[K - 1], "first and final step compute");
        assert.ok(Math.abs(scheduleCost(e, got) - best) <= 1e-9 * Math.max(1, best), `nfe ${nfe}: ${scheduleCost(e, got)} vs ${best}`);
      }
    }
  });

  it("computes densely where the error is large, never costs more than uniform, and is deterministic", () => {
    const e = Array.from({ length: 100 }, (_, k) => (k < 25 ? 1 : 0.1));
    const s = calibratedSchedule(e, 26);
    const steps = computedSteps(s);
    const early = steps.filter((k) => k < 25).length;
    assert.ok(early > 26 / 4 + 2, `${early} of 26 calls in the first quarter`);
    assert.ok(scheduleCost(e, s) < scheduleCost(e, computeSchedule(100, { interval: 4 })));
    assert.deepEqual(calibratedSchedule(e, 26), s);
    // Flat error: the optimum is (nearly) uniform spacing.
    const flat = computedSteps(calibratedSchedule(new Array(100).fill(1), 26));
    const gaps = flat.slice(1).map((k, i) => k - flat[i]);
    assert.ok(Math.max(...gaps) - Math.min(...gaps) <= 1, `gaps ${gaps.join(",")}`);
  });

  it("rejects bad budgets and profiles with the fix", () => {
    assert.throws(() => calibratedSchedule([1, 1, 1], 4), /invalid nfe: 4; a 3-step run has at most 3 network calls/);
    assert.throws(() => calibratedSchedule([1, 1, 1], 1), /invalid nfe: 1; must be an integer >= 2/);
    assert.throws(() => calibratedSchedule([1, NaN, 1], 2), /errors must be finite and >= 0/);
  });
});
