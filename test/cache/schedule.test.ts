/** The compute/forecast schedule: the paper's effective step counts, warm-up, end step, the final step, errors. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { computeSchedule, computedSteps, effectiveSteps, plannedNetworkCalls } from "../../kernel-lib/cache/schedule";
import { parseCacheSpec } from "../../kernel-lib/cache/config";

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

  it("turns an nfe target into the uniform interval giving exactly that many calls, or names the nearest ones", () => {
    assert.deepEqual(computeSchedule(100, { nfe: 26 }), computeSchedule(100, { interval: 4 }));
    assert.deepEqual(computeSchedule(100, { nfe: 18 }), computeSchedule(100, { interval: 6 }));
    assert.equal(effectiveSteps(computeSchedule(100, { nfe: 51 })), 51);
    assert.throws(() => computeSchedule(100, { nfe: 30 }), /no uniform interval gives 30 network calls at 100 steps \(D=3 gives 34, D=4 gives 26\); use one of those nfe values or schedule=calibrated/);
    assert.throws(() => computeSchedule(100, {}), /a uniform schedule needs an interval D or an nfe target/);
  });

  it("plans the network calls of every schedule kind", () => {
    assert.equal(plannedNetworkCalls(100, parseCacheSpec("none")), 100);
    assert.equal(plannedNetworkCalls(100, parseCacheSpec("taylor:m=2,D=3")), 34);
    assert.equal(plannedNetworkCalls(100, parseCacheSpec("taylor:m=2,schedule=calibrated,nfe=26")), 26);
    assert.equal(plannedNetworkCalls(100, parseCacheSpec("ab:j=2,schedule=adaptive,nfe=18")), 18);
    assert.ok(Number.isNaN(plannedNetworkCalls(100, parseCacheSpec("ab:j=2,schedule=adaptive,threshold=0.3"))));
    assert.deepEqual(computedSteps([true, false, true, true]), [0, 2, 3]);
  });
});
