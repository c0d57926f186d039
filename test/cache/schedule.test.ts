/** The compute/forecast schedule: the paper's effective step counts, warm-up, end step, the final step, errors. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { computeSchedule, effectiveSteps } from "../../kernel-lib/cache/schedule";

const computed = (s: boolean[]) => s.flatMap((c, k) => (c ? [k] : []));

describe("cache schedule", () => {
  it("K = 100 gives 51 / 34 / 26 network calls for D = 2 / 3 / 4, and D = 1 computes every step", () => {
    assert.equal(effectiveSteps(computeSchedule(100, { interval: 2 })), 51);
    assert.equal(effectiveSteps(computeSchedule(100, { interval: 3 })), 34);
    assert.equal(effectiveSteps(computeSchedule(100, { interval: 4 })), 26);
    assert.ok(computeSchedule(100, { interval: 1 }).every(Boolean));
  });

  it("computes every D-th step from startStep, all steps before it, and always the final step", () => {
    assert.deepEqual(computed(computeSchedule(10, { interval: 3 })), [0, 3, 6, 9]);
    assert.deepEqual(computed(computeSchedule(11, { interval: 3 })), [0, 3, 6, 9, 10]);
    assert.deepEqual(computed(computeSchedule(12, { interval: 4, startStep: 3 })), [0, 1, 2, 3, 7, 11]);
    assert.deepEqual(computed(computeSchedule(8, { interval: 100 })), [0, 7]);
  });

  it("computes every step after endStep", () => {
    assert.deepEqual(computed(computeSchedule(12, { interval: 3, endStep: 7 })), [0, 3, 6, 8, 9, 10, 11]);
    assert.deepEqual(computed(computeSchedule(12, { interval: 3, startStep: 2, endStep: 5 })), [0, 1, 2, 5, 6, 7, 8, 9, 10, 11]);
  });

  it("rejects D < 1, negative or fractional steps, and fewer than 2 steps", () => {
    assert.throws(() => computeSchedule(10, { interval: 0 }), /invalid interval: 0; must be an integer >= 1/);
    assert.throws(() => computeSchedule(10, { interval: 1.5 }), /invalid interval: 1.5/);
    assert.throws(() => computeSchedule(10, { interval: 2, startStep: -1 }), /invalid startStep: -1; must be an integer >= 0/);
    assert.throws(() => computeSchedule(10, { interval: 2, endStep: 2.5 }), /invalid endStep: 2.5/);
    assert.throws(() => computeSchedule(1, { interval: 2 }), /invalid steps: 1; must be an integer >= 2/);
  });
});
