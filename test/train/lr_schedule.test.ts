import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { learningRate, LrSchedule, NO_DECAY, parseLrDecay, schedulesAgree } from "../../kernel-lib/train/lr_schedule";

const base: LrSchedule = { lr: 1e-3, warmupSteps: 10, warmupStart: 0.01, decay: NO_DECAY };

describe("learning-rate schedule", () => {
  it("cosine decay runs from the peak at start to final × peak at end, then stays", () => {
    const s = { ...base, decay: parseLrDecay("cosine:start=100,end=200,final=0.1") };
    assert.equal(learningRate(99, s), 1e-3);
    assert.equal(learningRate(100, s), 1e-3);
    assert.ok(Math.abs(learningRate(150, s) - 1e-3 * 0.55) < 1e-12);
    assert.ok(Math.abs(learningRate(200, s) - 1e-4) < 1e-12);
    assert.ok(Math.abs(learningRate(5000, s) - 1e-4) < 1e-12);
    for (let step = 100; step < 200; step++) assert.ok(learningRate(step + 1, s) <= learningRate(step, s));
  });

  it("step decay drops once", () => {
    const s = { ...base, decay: parseLrDecay("step:start=50,final=0.25") };
    assert.equal(learningRate(49, s), 1e-3);
    assert.equal(learningRate(50, s), 2.5e-4);
  });

  it("a decay added after the steps taken agrees with the past; one starting earlier does not", () => {
    const later = { ...base, decay: parseLrDecay("cosine:start=101,end=300") };
    const earlier = { ...base, decay: parseLrDecay("cosine:start=80,end=300") };
    assert.equal(schedulesAgree(base, later, 100), true);
    assert.equal(schedulesAgree(base, earlier, 100), false);
    assert.equal(schedulesAgree(base, { ...base, lr: 2e-3 }, 100), false);
  });

  it("rejects malformed decays with the accepted forms", () => {
    assert.throws(() => parseLrDecay("linear:start=1"), /unknown learning-rate decay: linear.*cosine:start=S,end=E/);
    assert.throws(() => parseLrDecay("cosine:start=10"), /needs end=E > start/);
    assert.throws(() => parseLrDecay("cosine:start=10,end=20,final=2"), /final must be in \(0, 1\]/);
    assert.throws(() => parseLrDecay("step:begin=3"), /bad learning-rate decay part "begin=3"/);
  });
});
