/** Cache configuration: spec strings, defaults, validation errors, labels. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { cacheLabel, parseCacheSpec, resolveCacheConfig, CacheConfig } from "../../kernel-lib/cache/config";

describe("cache config", () => {
  it("parses every spec form and fills defaults", () => {
    assert.deepEqual(parseCacheSpec("none"), { kind: "none" });
    assert.deepEqual(parseCacheSpec("base"), { kind: "none" });
    assert.deepEqual(parseCacheSpec("reuse:D=2"), { kind: "reuse", interval: 2, startStep: 0, endStep: undefined, axis: "step", level: "output" });
    assert.deepEqual(parseCacheSpec("taylor:m=2,D=3"), { kind: "taylor", order: 2, interval: 3, startStep: 0, endStep: undefined, axis: "step", level: "output" });
    assert.deepEqual(parseCacheSpec(" AB:j=2, D=4 "), { kind: "ab", steps: 2, interval: 4, startStep: 0, endStep: undefined, axis: "step", level: "output" });
    assert.deepEqual(
      parseCacheSpec("taylor:order=1,interval=2,start=3,end=90,axis=time,level=lastBlock"),
      { kind: "taylor", order: 1, interval: 2, startStep: 3, endStep: 90, axis: "time", level: "lastBlock" },
    );
    assert.deepEqual(resolveCacheConfig({ kind: "ab", steps: 3, interval: 2 }), parseCacheSpec("ab:j=3,D=2"));
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
    ];
    for (const [spec, re] of bad) assert.throws(() => parseCacheSpec(spec), re, spec);
    assert.throws(() => resolveCacheConfig({ kind: "taylor", order: 2, interval: 3, foo: 1 } as unknown as CacheConfig), /unknown key foo for cache kind taylor/);
    assert.throws(() => resolveCacheConfig({ kind: "none", interval: 2 } as unknown as CacheConfig), /unknown key interval for cache kind none/);
    assert.throws(() => resolveCacheConfig({} as CacheConfig), /unknown cache kind: undefined/);
  });

  it("labels configs for tables", () => {
    assert.equal(cacheLabel(parseCacheSpec("none")), "Base");
    assert.equal(cacheLabel(parseCacheSpec("taylor:m=2,D=3")), "Taylor m=2 D=3");
    assert.equal(cacheLabel(parseCacheSpec("ab:j=2,D=4")), "AB j=2 D=4");
    assert.equal(cacheLabel(parseCacheSpec("reuse:D=2")), "Reuse D=2");
  });
});
