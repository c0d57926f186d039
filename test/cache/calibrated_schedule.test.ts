/**
 * The calibrated schedule: the DP is exactly optimal for an additive interval cost (checked against brute force over
 * every schedule of a small run), hits the NFE budget with the first and final step, puts its calls where the cost
 * is, and is deterministic.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { calibratedSchedule, IntervalCosts, scheduleCost } from "../../kernel-lib/cache/calibrated_schedule";
import { computeSchedule, computedSteps, effectiveSteps } from "../../kernel-lib/cache/schedule";
import { Rng } from "../../kernel-lib/util/rng";

/** A cost table from a per-step density: each skipped step s of (c, n) costs (s − c)·e[s] (grows with the gap). */
function densityCosts(e: readonly number[]): number[][] {
  return e.map((_, c) => Array.from({ length: e.length - 1 - c }, (_, i) => {
    let total = 0;
    for (let s = c + 1; s < c + 1 + i; s++) total += (s - c) * e[s];
    return total;
  }));
}

describe("calibrated schedule", () => {
  it("scheduleCost sums the table's entries of the computed intervals", () => {
    const costs: IntervalCosts = [[0, 1, 5, 9], [0, 2, 7], [0, 3], [0], []];
    assert.equal(scheduleCost(costs, [true, false, true, false, true]), 1 + 3);
    assert.equal(scheduleCost(costs, [true, false, false, false, true]), 9);
    assert.deepEqual(calibratedSchedule(costs, 3), [true, false, true, false, true]);
  });

  it("is the exact optimum: equal to brute force over all schedules (K = 9, every budget, random tables)", () => {
    const rng = new Rng(3);
    const K = 9;
    for (let trial = 0; trial < 4; trial++) {
      const u = rng.uniforms(K * K);
      const costs = Array.from({ length: K }, (_, c) => Array.from({ length: K - 1 - c }, (_, i) => (i === 0 ? 0 : u[c * K + i] * (i + 1) * (c < 3 ? 5 : 1))));
      for (let nfe = 2; nfe <= K; nfe++) {
        let best = Infinity;
        for (let mask = 0; mask < 1 << (K - 2); mask++) {
          const s = [true, ...Array.from({ length: K - 2 }, (_, i) => Boolean(mask & (1 << i))), true];
          if (effectiveSteps(s) === nfe) best = Math.min(best, scheduleCost(costs, s));
        }
        const got = calibratedSchedule(costs, nfe);
        assert.equal(effectiveSteps(got), nfe);
        assert.ok(got[0] && got[K - 1], "first and final step compute");
        assert.ok(Math.abs(scheduleCost(costs, got) - best) <= 1e-9 * Math.max(1, best), `nfe ${nfe}: ${scheduleCost(costs, got)} vs ${best}`);
      }
    }
  });

  it("computes densely where the cost is large, never costs more than uniform, and is deterministic", () => {
    const costs = densityCosts(Array.from({ length: 100 }, (_, k) => (k < 25 ? 1 : 0.1)));
    const s = calibratedSchedule(costs, 26);
    const early = computedSteps(s).filter((k) => k < 25).length;
    assert.ok(early > 26 / 4 + 2, `${early} of 26 calls in the first quarter`);
    assert.ok(scheduleCost(costs, s) < scheduleCost(costs, computeSchedule(100, { interval: 4 })));
    assert.deepEqual(calibratedSchedule(costs, 26), s);
    // Flat density: the optimum is (nearly) uniform spacing.
    const flat = computedSteps(calibratedSchedule(densityCosts(new Array(100).fill(1)), 26));
    const gaps = flat.slice(1).map((k, i) => k - flat[i]);
    assert.ok(Math.max(...gaps) - Math.min(...gaps) <= 1, `gaps ${gaps.join(",")}`);
  });

  it("rejects bad budgets and tables with the fix", () => {
    const ok = [[0, 1], [0], []];
    assert.throws(() => calibratedSchedule(ok, 4), /invalid nfe: 4; a 3-step run has at most 3 network calls/);
    assert.throws(() => calibratedSchedule(ok, 1), /invalid nfe: 1; must be an integer >= 2/);
    assert.throws(() => calibratedSchedule([[0, NaN], [0], []], 2), /interval costs must be finite and >= 0/);
    assert.throws(() => calibratedSchedule([[0], [0], []], 2), /interval cost row 0 has 1 entries, expected 2/);
  });
});
