/** The adaptive gate: invariant change measure, accumulate-and-fire rule, threshold tuning to an NFE target. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { GateAccumulator, relativeChange, simulateGate, tuneThreshold } from "../../kernel-lib/cache/adaptive_gate";

describe("adaptive gate", () => {
  it("measures the relative L1 change over real atoms only, the same for permuted atoms", () => {
    const prev = Float32Array.from([1, 2, 3, 4, 100, 100]); // 3 atoms × 2 features; atom 2 is padding
    const cur = Float32Array.from([1, 3, 3, 2, -5, 7]);
    assert.equal(relativeChange(prev, cur, [1, 1, 0], 2), 3 / 10);
    const perm = (a: Float32Array) => Float32Array.from([a[2], a[3], a[4], a[5], a[0], a[1]]);
    assert.equal(relativeChange(perm(prev), perm(cur), [1, 0, 1], 2), 3 / 10);
    assert.throws(() => relativeChange(prev, cur.slice(1), [1, 1, 0], 2), /gate features differ in shape/);
  });

  it("fires when the accumulated change reaches the threshold, then restarts; force always fires", () => {
    const g = new GateAccumulator(1);
    assert.deepEqual([0.4, 0.4, 0.4, 0.1, 0.5, 2].map((d) => g.decide(d)), [false, false, true, false, false, true]);
    assert.equal(g.decide(0, true), true);
    assert.throws(() => new GateAccumulator(0), /invalid threshold: 0; must be a number > 0/);
  });

  it("tunes the threshold so the gate makes the target number of calls on the recorded signal", () => {
    const signal = Array.from({ length: 100 }, (_, k) => 0.3 * Math.exp(-k / 30));
    for (const nfe of [51, 34, 26, 18]) {
      const tau = tuneThreshold(signal, nfe);
      const calls = simulateGate(signal, tau);
      assert.ok(calls >= nfe && calls <= nfe + 1, `nfe ${nfe}: ${calls} calls`);
    }
    // A decaying signal: calls bunch up early.
    assert.ok(simulateGate(signal.slice(0, 50), tuneThreshold(signal, 26)) > 13);
    assert.throws(() => tuneThreshold(signal, 101), /invalid nfe: 101; must be an integer from 2 to 100/);
  });
});
