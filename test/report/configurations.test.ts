/** `--caches` lists: presets, matched Base step counts, Table-1 ordering, de-duplication and clear errors. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { cacheSpec, CACHE_PRESETS, parseCacheList } from "../../kernel-lib/report/configurations";
import { parseCacheSpec } from "../../kernel-lib/cache/config";

describe("parseCacheList", () => {
  it("parses the brief's example, keeping commas inside a cache spec", () => {
    const c = parseCacheList("base,taylor:m=2,D=3", 20);
    assert.deepEqual(c.map((x) => x.label), ["Base (20 steps)", "Taylor m=2 D=3"]);
    assert.deepEqual(c.map((x) => x.slug), ["base_k20", "taylor_m2_d3"]);
    assert.deepEqual(c.map((x) => x.networkCalls), [20, 8]); // steps 0, 3, …, 18 and the final step 19
    assert.deepEqual(c.map((x) => x.forecaster), [null, "Taylor m=2"]);
  });

  it("orders as the paper's tables: Base at K, then groups by network calls with Base first", () => {
    const c = parseCacheList("ab:j=2,D=4 taylor:m=1,D=2;matched,base", 100);
    assert.deepEqual(c.map((x) => x.label), [
      "Base (100 steps)", "Base (51 steps)", "Taylor m=1 D=2", "Base (26 steps)", "AB j=2 D=4",
    ]);
  });

  it("expands the presets: paper = Base at 100/51/34/26 + Taylor m=1,2 and AB j=2,3 at D = 2, 3, 4", () => {
    const paper = parseCacheList("paper", 100);
    assert.equal(paper.length, 16);
    assert.deepEqual(paper.filter((x) => x.cache.kind === "none").map((x) => x.steps), [100, 51, 34, 26]);
    assert.deepEqual(paper.slice(1, 6).map((x) => x.label), ["Base (51 steps)", "Taylor m=1 D=2", "Taylor m=2 D=2", "AB j=2 D=2", "AB j=3 D=2"]);
    const def = parseCacheList("default", 100);
    assert.deepEqual(def.map((x) => x.label), [
      "Base (100 steps)", "Base (51 steps)", "Taylor m=2 D=2", "Base (34 steps)", "Taylor m=1 D=3", "Taylor m=2 D=3",
      "AB j=2 D=3", "AB j=3 D=3", "Base (26 steps)", "Taylor m=2 D=4",
    ]);
    assert.ok("quick" in CACHE_PRESETS);
  });

  it("accepts base@<steps>, none, reuse and optional cache parameters; drops duplicates", () => {
    const c = parseCacheList("none,base@34,base,reuse:D=2,taylor:m=2,D=3,start=5,axis=time,taylor:D=3,m=2", 100);
    assert.deepEqual(c.map((x) => x.label), ["Base (100 steps)", "Reuse D=2", "Taylor m=2 D=3 (start=5, axis=time)", "Base (34 steps)", "Taylor m=2 D=3"]);
    assert.equal(c[2].slug, "taylor_m2_d3_start5_axistime");
  });

  it("round-trips cacheSpec through parseCacheSpec", () => {
    for (const spec of ["none", "reuse:D=2", "taylor:m=2,D=3", "ab:j=3,D=4,start=2,end=90,level=lastBlock", "ab:j=2,nfe=18,jumps=computed"]) {
      assert.equal(cacheSpec(parseCacheSpec(spec)), spec);
    }
  });

  it("rejects unknown names, bad parameters and empty lists with what is accepted", () => {
    assert.throws(() => parseCacheList("base,tailor:m=2,D=3", 100), /unknown cache name: "tailor:m=2,D=3"; use base, base@<steps>, heun@<steps>, dpm@<steps>, matched/);
    assert.throws(() => parseCacheList("fast", 100), /unknown cache name: "fast"/);
    assert.throws(() => parseCacheList("taylor:m=9,D=3", 100), /invalid --caches entry "taylor:m=9,D=3": invalid order: 9/);
    assert.throws(() => parseCacheList("D=3", 100), /a parameter needs a cache before it/);
    assert.throws(() => parseCacheList("base@1", 100), /steps must be an integer >= 2, e\.g\. base@34/);
    assert.throws(() => parseCacheList(" ", 100), /empty --caches list/);
    assert.throws(() => parseCacheList("matched", 100), /names no configuration/);
    assert.throws(() => parseCacheList("base", 1), /invalid steps: 1/);
  });
});
