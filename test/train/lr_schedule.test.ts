import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { formatLrDecays, learningRate, LrSchedule, parseLrDecays, recordedSchedule, schedulesAgree } from "../../kernel-lib/train/lr_schedule";

const base: LrSchedule = { lr: 1e-3, warmupSteps: 10, warmupStart: 0.01, decays: [] };
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);

describe("learning-rate schedule", () => {
  it("cosine decay runs from the peak at start to final × peak at end, then stays", () => {
    const s = { ...base, decays: parseLrDecays("cosine:start=100,end=200,final=0.1") };
    assert.equal(learningRate(99, s), 1e-3);
    assert.equal(learningRate(100, s), 1e-3);
    close(learningRate(150, s), 1e-3 * 0.55);
    close(learningRate(200, s), 1e-4);
    close(learningRate(5000, s), 1e-4);
    for (let step = 100; step < 200; step++) assert.ok(learningRate(step + 1, s) <= learningRate(step, s));
  });

  it("step decay drops once", () => {
    const s = { ...base, decays: parseLrDecays("step:start=50,final=0.25") };
    assert.equal(learningRate(49, s), 1e-3);
    assert.equal(learningRate(50, s), 2.5e-4);
  });

  it("a warm restart climbs back to from × peak at its start and decays again; the first segment is unchanged before it", () => {
    const first = { ...base, decays: parseLrDecays("cosine:start=100,end=200,final=0.1") };
    const restarted = { ...base, decays: parseLrDecays("cosine:start=100,end=200,final=0.1+cosine:start=181,end=281,from=0.4,final=0.05") };
    assert.equal(schedulesAgree(first, restarted, 180), true);
    assert.equal(schedulesAgree(first, restarted, 181), false);
    close(learningRate(181, restarted), 4e-4);
    close(learningRate(231, restarted), 1e-3 * (0.05 + 0.35 * 0.5));
    close(learningRate(281, restarted), 5e-5);
    close(learningRate(9999, restarted), 5e-5);
    for (let step = 181; step < 281; step++) assert.ok(learningRate(step + 1, restarted) <= learningRate(step, restarted));
  });

  it("a decay added after the steps taken agrees with the past; one starting earlier does not", () => {
    const later = { ...base, decays: parseLrDecays("cosine:start=101,end=300") };
    const earlier = { ...base, decays: parseLrDecays("cosine:start=80,end=300") };
    assert.equal(schedulesAgree(base, later, 100), true);
    assert.equal(schedulesAgree(base, earlier, 100), false);
    assert.equal(schedulesAgree(base, { ...base, lr: 2e-3 }, 100), false);
  });

  it("formats decays back into the --lr-decay form, and reads a checkpoint's single recorded decay", () => {
    for (const text of ["none", "step:start=50,final=0.25", "cosine:start=6200,end=10000,final=0.1+cosine:start=9498,end=16000,final=0.05,from=0.4"]) {
      assert.equal(formatLrDecays(parseLrDecays(text)), text);
    }
    const old = { lr: 5e-4, warmupSteps: 500, warmupStart: 0.01, decay: { kind: "cosine", startStep: 6200, endStep: 10000, finalFactor: 0.1 } };
    assert.deepEqual(recordedSchedule(old).decays, parseLrDecays("cosine:start=6200,end=10000,final=0.1"));
    assert.deepEqual(recordedSchedule({ ...old, decay: { kind: "none", startStep: 0, endStep: 0, finalFactor: 1 } }).decays, []);
  });

  it("rejects malformed decays with the accepted forms", () => {
    assert.throws(() => parseLrDecays("linear:start=1"), /unknown learning-rate decay: linear.*cosine:start=S,end=E/);
    assert.throws(() => parseLrDecays("cosine:start=10"), /needs end=E > start/);
    assert.throws(() => parseLrDecays("cosine:start=10,end=20,final=2"), /final must be in \(0, 1\]/);
    assert.throws(() => parseLrDecays("cosine:start=10,end=20,from=0"), /from must be in \(0, 1\]/);
    assert.throws(() => parseLrDecays("step:begin=3"), /bad learning-rate decay part "begin=3"/);
    assert.throws(() => parseLrDecays("step:start=3,from=0.5"), /bad learning-rate decay part "from=0.5"/);
    assert.throws(() => parseLrDecays("cosine:start=50,end=60+step:start=40"), /segments must start at increasing steps \(50, then 40\)/);
  });
});
