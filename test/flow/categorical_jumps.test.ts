/**
 * `jumps=computed`: the atom and bond types jump only on computed steps, once over the whole interval to the next
 * computed step. With the reuse forecaster that is exactly the base sampler on the grid of the computed steps
 * (the coordinates' Euler steps on a held prediction compose into one step), which is what this test checks; with
 * the default (`every`) the types also jump on the forecast steps, and the result differs.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { initBackend } from "../../kernel-lib/env";
import { SemlaGenerator } from "../../kernel-lib/model/generator";
import { integrate, UniformSource } from "../../kernel-lib/flow/integrate";
import { timeGrid, TimeGrid } from "../../kernel-lib/flow/time_grid";
import { drawPrior } from "../../kernel-lib/flow/prior";
import { CachedBackbone } from "../../kernel-lib/cache/cached_backbone";
import { parseCacheSpec } from "../../kernel-lib/cache/config";
import { Rng } from "../../kernel-lib/util/rng";
import { loadFixtureModel } from "../model/semla_fixture";

let model: SemlaGenerator;
before(async () => {
  await initBackend();
  model = loadFixtureModel();
});
after(() => model.dispose());

const STEPS = 12;
const grid = timeGrid(STEPS, "log");
const uniforms: UniformSource = (step, kind, count) => Rng.derive(7, step, kind === "atomics" ? 0 : 1).uniforms(count);

/** The grid of the computed steps: their times, each step spanning to the next computed one. */
function subGrid(computed: readonly number[]): TimeGrid {
  const dt = computed.map((k, i) => {
    let span = 0;
    for (let q = k; q < (computed[i + 1] ?? STEPS); q++) span += grid.dt[q];
    return span;
  });
  return { kind: grid.kind, t: Float32Array.from(computed, (k) => grid.t[k]), dt: Float64Array.from(dt) };
}

describe("categorical jumps on computed steps only (jumps=computed)", () => {
  const prior = drawPrior([7, 5], new Rng(21), { vocabSize: 18, bondClasses: 5 });
  const cached = (spec: string, observe?: Parameters<typeof integrate>[1]["observers"]) =>
    integrate(prior, { grid, uniforms, backbone: new CachedBackbone(model, parseCacheSpec(spec), grid.t), observers: observe });

  it("with reuse, equals the base sampler on the grid of the computed steps; the default jumps differ", () => {
    const lumped = cached("reuse:D=3,jumps=computed");
    assert.deepEqual(lumped.computedSteps, [0, 3, 6, 9, 11]);
    const sub = subGrid(lumped.computedSteps);
    const base = integrate(prior, {
      grid: sub, backbone: new CachedBackbone(model, { kind: "none" }, sub.t),
      uniforms: (s, kind, count) => uniforms(lumped.computedSteps[s], kind, count),
    });
    assert.equal(base.networkCalls, 5);
    assert.deepEqual(lumped.state.atomClasses, base.state.atomClasses);
    assert.deepEqual(lumped.state.bondClasses, base.state.bondClasses);
    let worst = 0;
    for (let i = 0; i < base.final.coords.length; i++) worst = Math.max(worst, Math.abs(lumped.final.coords[i] - base.final.coords[i]));
    assert.ok(worst <= 1e-4, `coordinates off by ${worst}`);
    // The paper's jumps (every step, from the held logits) give another sample.
    const every = cached("reuse:D=3");
    const changed = every.state.atomClasses.some((c, i) => c !== lumped.state.atomClasses[i]) ||
      every.state.bondClasses.some((c, i) => c !== lumped.state.bondClasses[i]);
    assert.ok(changed, "jumps=every and jumps=computed gave the same types and bonds");
  });

  it("with a forecaster, types and bonds stay put on forecast steps while the coordinates move", () => {
    let forecastSteps = 0;
    const result = cached("ab:j=2,D=3,jumps=computed", [(e) => {
      if (e.computed) return;
      forecastSteps++;
      assert.deepEqual(e.next.atomClasses, e.state.atomClasses, `step ${e.step}: atom types jumped`);
      assert.deepEqual(e.next.bondClasses, e.state.bondClasses, `step ${e.step}: bonds jumped`);
      assert.ok(e.next.coords.some((x, i) => x !== e.state.coords[i]), `step ${e.step}: coordinates did not move`);
    }]);
    assert.equal(forecastSteps, STEPS - result.networkCalls);
    assert.ok(forecastSteps > 0);
  });
});
