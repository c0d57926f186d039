/** `--distance-loss`: parsing, its form in refusals, the steps it covers, and what counts as rewriting the past. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { distanceLossAt, distanceLossesAgree, formatDistanceLoss, parseDistanceLoss } from "../../kernel-lib/train/distance_loss_schedule";

describe("distance loss schedule", () => {
  it("parses weight, start and tmin (default 0.75), and formats back", () => {
    const s = parseDistanceLoss("weight=10,start=22301");
    assert.deepEqual(s, { weight: 10, startStep: 22301, minT: 0.75 });
    assert.equal(formatDistanceLoss(s), "weight=10,start=22301,tmin=0.75");
    assert.deepEqual(parseDistanceLoss(formatDistanceLoss(parseDistanceLoss("weight=2.5,start=1,tmin=0.5"))), { weight: 2.5, startStep: 1, minT: 0.5 });
    assert.equal(parseDistanceLoss("none"), undefined);
    assert.equal(formatDistanceLoss(undefined), "none");
  });

  it("refuses bad specs, naming the form", () => {
    assert.throws(() => parseDistanceLoss("weight=10"), /needs start=S .*weight=W,start=S\[,tmin=0\.75\]/);
    assert.throws(() => parseDistanceLoss("start=5"), /needs weight=W > 0/);
    assert.throws(() => parseDistanceLoss("weight=1,start=5,alpha=2"), /bad distance-loss part "alpha=2"/);
    assert.throws(() => parseDistanceLoss("weight=1,start=5,tmin=1"), /tmin must be in \[0, 1\)/);
    assert.throws(() => parseDistanceLoss("weight=-1,start=5"), /weight=W > 0/);
  });

  it("is on from its start step", () => {
    const s = parseDistanceLoss("weight=10,start=5");
    assert.equal(distanceLossAt(4, s), undefined);
    assert.deepEqual(distanceLossAt(5, s), { weight: 10, minT: 0.75 });
    assert.equal(distanceLossAt(100, undefined), undefined);
  });

  it("agrees with the recorded one when steps taken are trained the same way", () => {
    const s = parseDistanceLoss("weight=10,start=5");
    assert.ok(distanceLossesAgree(undefined, undefined, 100));
    assert.ok(distanceLossesAgree(undefined, s, 4), "switching it on from a step not yet taken");
    assert.ok(!distanceLossesAgree(undefined, s, 5), "switching it on for a step already taken");
    assert.ok(distanceLossesAgree(s, undefined, 4), "switching it off before it started");
    assert.ok(!distanceLossesAgree(s, undefined, 5));
    assert.ok(distanceLossesAgree(s, parseDistanceLoss("weight=10,start=5,tmin=0.75"), 50));
    assert.ok(!distanceLossesAgree(s, parseDistanceLoss("weight=5,start=5"), 50));
    assert.ok(!distanceLossesAgree(s, parseDistanceLoss("weight=10,start=6"), 50));
  });
});
