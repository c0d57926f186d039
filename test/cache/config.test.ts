/** Cache configuration: spec strings, defaults, validation errors, labels. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { cacheLabel, parseCacheSpec, resolveCacheConfig, CacheConfig } from "../../kernel-lib/cache/config";

describe("cache config", () => {
  it("parses every spec form and fills defaults", () => {
    assert.deepEqual(parseCacheSpec("none"), { kind: "none" });
    assert.deepEqual(parseCacheSpec("base"), { kind: "none" });
    assert.deepEqual(parseCacheSpec("reuse:D=2"), { kind: "reuse", interval: 2, startStep: 0, endStep: undefined, axis: "step", level: "output", jumps: "every", schedule: "uniform" });
    assert.deepEqual(parseCacheSpec("taylor:m=2,D=3"), { kind: "taylor", order: 2, interval: 3, startStep: 0, endStep: undefined, axis: "step", level: "output", jumps: "every", schedule: "uniform" });
    assert.deepEqual(parseCacheSpec(" AB:j=2, D=4 "), { kind: "ab", steps: 2, interval: 4, startStep: 0, endStep: undefined, axis: "step", level: "output", jumps: "every", schedule: "uniform" });
    assert.deepEqual(
      parseCacheSpec("taylor:order=1,interval=2,start=3,end=90,axis=time,level=lastBlock"),
      { kind: "taylor", order: 1, interval: 2, startStep: 3, endStep: 90, axis: "time", level: "lastBlock", jumps: "every", schedule: "uniform" },
    );
    assert.deepEqual(resolveCacheConfig({ kind: "ab", steps: 3, interval: 2 }), parseCacheSpec("ab:j=3,D=2"));
    // Schedules: an nfe target instead of D, calibrated and adaptive; AB on the time axis is accepted (it is used).
    assert.deepEqual(parseCacheSpec("taylor:m=2,nfe=26"), { kind: "taylor", order: 2, interval: undefined, startStep: 0, endStep: undefined, axis: "step", level: "output", jumps: "every", schedule: "uniform", nfe: 26 });
    assert.deepEqual(parseCacheSpec("taylor:m=2,schedule=calibrated,nfe=26,profile=p.json"),
      { kind: "taylor", order: 2, interval: undefined, startStep: 0, endStep: undefined, axis: "step", level: "output", jumps: "every", schedule: "calibrated", nfe: 26, profile: "p.json" });
    assert.deepEqual(parseCacheSpec("ab:j=2,schedule=adaptive,threshold=0.5,axis=time"),
      { kind: "ab", steps: 2, interval: undefined, startStep: 0, endStep: undefined, axis: "time", level: "output", jumps: "every", schedule: "adaptive", threshold: 0.5 });
    // Categorical jumps only on computed steps (fixed schedules).
    assert.deepEqual(parseCacheSpec("ab:j=2,nfe=18,jumps=computed"),
      { kind: "ab", steps: 2, interval: undefined, startStep: 0, endStep: undefined, axis: "step", level: "output", jumps: "computed", schedule: "uniform", nfe: 18 });
    assert.equal(parseCacheSpec("taylor:m=2,schedule=calibrated,nfe=26,jumps=computed").kind, "taylor");
    // A resolved config resolves to itself (the report passes resolved configs on).
    const cal = parseCacheSpec("taylor:m=2,schedule=calibrated,nfe=26");
    assert.deepEqual(resolveCacheConfig(cal), cal);
  });

  it("rejects unknown kinds and keys, missing and out-of-range parameters, with the fix in the message", () => {
    const bad: [string, RegExp][] = [
      ["magic:D=2", /unknown cache kind: magic; use one of none, reuse, taylor, ab/],
      ["taylor:D=3", /needs an order, e.g. taylor:m=2,D=3/],
      ["ab:D=3", /needs a step count, e.g. ab:j=2,D=3/],
      ["taylor:m=2", /needs an interval, e.g. taylor:D=3/],
      ["taylor:m=2,D=3,x=1", /invalid cache parameter "x=1"/],
      ["taylor:m=2,D", /invalid cache parameter "D"/],
      ["none:D=2", /cache none takes no parameters/],
      ["taylor:m=2,D=3,axis=space", /invalid axis: space; use "step" or "time"/],
      ["taylor:m=2,D=3,level=block", /invalid level: block; use "output" or "lastBlock"/],
      ["taylor:m=0,D=3", /invalid order: 0; TaylorSeer supports orders 1 to 4/],
      ["taylor:m=two,D=3", /invalid order: NaN/],
      ["ab:j=7,D=3", /invalid steps: 7; Adams–Bashforth supports 1 to 6 steps/],
      ["reuse:D=0", /invalid interval: 0; must be an integer >= 1/],
      ["reuse:D=2,start=-1", /invalid startStep: -1/],
      // Specs that would be silently ignored or would disable caching.
      ["taylor:m=2,D=3,start=8,end=2", /end=2 is not after start=8: every step would compute \(no caching\); use end > start or drop end/],
      ["taylor:m=2,D=3,start=4,end=4", /end=4 is not after start=4/],
      ["reuse:D=3,axis=time", /reuse repeats the last output, so axis=time would be ignored; drop axis=time/],
      ["taylor:m=2,D=3,nfe=26", /schedule=uniform needs exactly one of D \(interval\) or nfe/],
      ["taylor:m=2,nfe=26,start=3", /with nfe the uniform schedule starts at step 0; give D instead/],
      ["taylor:m=2,D=3,profile=x.json", /profile is not used by schedule=uniform/],
      ["taylor:m=2,schedule=calibrated", /schedule=calibrated needs an nfe target, e.g. taylor:schedule=calibrated,nfe=26/],
      ["taylor:m=2,schedule=calibrated,nfe=26,D=4", /interval is not used by schedule=calibrated; it chooses its own steps from nfe; drop them/],
      ["taylor:m=2,schedule=calibrated,nfe=26,end=50", /endStep is not used by schedule=calibrated/],
      ["ab:j=2,schedule=adaptive", /schedule=adaptive needs exactly one of nfe \(tuned on the profile\) or threshold/],
      ["ab:j=2,schedule=adaptive,nfe=26,threshold=0.5", /schedule=adaptive needs exactly one of nfe/],
      ["ab:j=2,schedule=calibrated,nfe=26,threshold=0.5", /threshold is not used by schedule=calibrated/],
      ["taylor:m=2,schedule=adaptive,threshold=-1", /invalid threshold: -1; must be a number > 0/],
      ["taylor:m=2,schedule=calibrated,nfe=1", /invalid nfe: 1; must be an integer >= 2/],
      ["taylor:m=2,schedule=sometimes,nfe=26", /invalid schedule: sometimes; use uniform, calibrated, adaptive/],
      ["taylor:m=2,schedule=adaptive,nfe=26,level=lastBlock", /schedule=adaptive is calibrated on the network output; drop level=lastBlock/],
      ["ab:j=2,nfe=18,jumps=sometimes", /invalid jumps: sometimes; use "every" or "computed"/],
      ["ab:j=2,schedule=adaptive,threshold=0.5,jumps=computed", /jumps=computed needs a fixed schedule .*; use schedule=uniform or calibrated, or drop jumps/],
    ];
    for (const [spec, re] of bad) assert.throws(() => parseCacheSpec(spec), re, spec);
    assert.throws(() => resolveCacheConfig({ kind: "taylor", order: 2, interval: 3, foo: 1 } as unknown as CacheConfig), /unknown taylor cache option: foo; known: kind, interval/);
    assert.throws(() => resolveCacheConfig({ kind: "none", interval: 2 } as unknown as CacheConfig), /unknown none cache option: interval; known: kind$/);
    assert.throws(() => resolveCacheConfig({} as CacheConfig), /unknown cache kind: undefined/);
  });

  it("labels configs for tables", () => {
    assert.equal(cacheLabel(parseCacheSpec("none")), "Base");
    assert.equal(cacheLabel(parseCacheSpec("taylor:m=2,D=3")), "Taylor m=2 D=3");
    assert.equal(cacheLabel(parseCacheSpec("ab:j=2,D=4")), "AB j=2 D=4");
    assert.equal(cacheLabel(parseCacheSpec("reuse:D=2")), "Reuse D=2");
    assert.equal(cacheLabel(parseCacheSpec("taylor:m=2,nfe=26")), "Taylor m=2 uniform nfe=26");
    assert.equal(cacheLabel(parseCacheSpec("taylor:m=2,schedule=calibrated,nfe=26")), "Taylor m=2 calibrated nfe=26");
    assert.equal(cacheLabel(parseCacheSpec("ab:j=2,schedule=adaptive,nfe=18")), "AB j=2 adaptive nfe=18");
  });
});
