/** Time grids: values, float32 accumulation of t, the linear grid's noiseless last step, validation. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { timeGrid } from "../../kernel-lib/flow/time_grid";

describe("time grids", () => {
  it("linear: t_k = k/K accumulated in float32; the last t is 0.90000010 for K = 10", () => {
    const g = timeGrid(10, "linear");
    assert.equal(g.kind, "linear");
    assert.equal(g.t.length, 10);
    assert.equal(g.dt.length, 10);
    for (let k = 0; k < 10; k++) assert.ok(Math.abs(g.t[k] - k / 10) < 1e-6, `t[${k}] = ${g.t[k]}`);
    for (const dt of g.dt) assert.ok(Math.abs(dt - 0.1) < 1e-15);
    assert.equal(g.t[9].toFixed(8), "0.90000010");
    assert.notEqual(g.t[9], Math.fround(0.9));
    // So t + dt is not < 1 in float32: the last step has no categorical noise (η = 0).
    assert.equal(Math.fround(g.t[9] + g.dt[9]) < 1, false);
    assert.equal(Math.fround(g.t[8] + g.dt[8]) < 1, true);
  });

  it("log (the default): t_k = 1 − 0.01·100^((K−k)/K), from 0 towards 0.99", () => {
    const g = timeGrid(100);
    assert.equal(g.kind, "log");
    assert.equal(g.t[0], 0);
    let end = 0;
    for (let k = 0; k < 100; k++) {
      const exact = 1 - 0.01 * Math.pow(100, (100 - k) / 100);
      assert.ok(Math.abs(g.t[k] - exact) < 1e-6, `t[${k}]`);
      assert.ok(g.dt[k] > 0);
      if (k > 0) assert.ok(g.dt[k] < g.dt[k - 1], "log steps shrink towards t = 1");
      end += g.dt[k];
    }
    assert.ok(Math.abs(end - 0.99) < 1e-12);
    const g10 = timeGrid(10, "log");
    assert.ok(Math.abs(g10.dt[0] - 0.36904265551980675) < 1e-15);
    assert.equal(g10.t[5], Math.fround(0.9000000357627869));
    // Every log step keeps categorical noise (t + dt stays below 1).
    for (let k = 0; k < 10; k++) assert.equal(Math.fround(g10.t[k] + g10.dt[k]) < 1, true);
  });

  it("rejects fewer than 2 steps and unknown kinds", () => {
    assert.throws(() => timeGrid(1), /invalid steps: 1; must be an integer >= 2/);
    assert.throws(() => timeGrid(2.5), /invalid steps: 2.5/);
    assert.throws(() => timeGrid(10, "cosine" as "log"), /unknown time grid: cosine; use "linear" or "log"/);
  });
});
