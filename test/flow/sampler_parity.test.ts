/**
 * Sampler parity with the reference runs (sampler_log10, sampler_linear10) driven by the fixture's uniforms:
 * identical categorical states on real entries at every step, coordinates within 1e-3 at every step and in the
 * output (× coord_scale), the t values as fed, and the final argmax decoding.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../kernel-lib/env";
import { SemlaGenerator } from "../../kernel-lib/model/generator";
import { integrate } from "../../kernel-lib/flow/integrate";
import type { StepEvent } from "../../kernel-lib/model/observers";
import { timeGrid } from "../../kernel-lib/flow/time_grid";
import { CachedBackbone } from "../../kernel-lib/cache/cached_backbone";
import { parseCacheSpec } from "../../kernel-lib/cache/config";
import { argmaxRows, fixtureBundle, fixturePrior, fixtureTensor, loadFixtureModel } from "../model/semla_fixture";

let model: SemlaGenerator;
before(async () => {
  await initBackend();
  model = loadFixtureModel();
});
after(() => model.dispose());

for (const kind of ["log", "linear"] as const) {
  describe(`sampler parity: sampler_${kind}10`, () => {
    it("t as fed, categorical states identical, coordinates within 1e-3 at every step and in the output", () => {
      const f = fixtureBundle(`sampler_${kind}10`);
      const g = (name: string) => fixtureTensor(f, name).data;
      const prior = fixturePrior(f);
      const { B, N } = prior;
      const grid = timeGrid(10, kind);
      const meta = f.meta as { t_float32_as_fed: number[]; coord_scale: number; step_sizes_float64: number[] };
      assert.deepEqual(Array.from(grid.t), meta.t_float32_as_fed.map(Math.fround));
      grid.dt.forEach((dt, k) => assert.ok(Math.abs(dt - meta.step_sizes_float64[k]) < 1e-12, `dt[${k}]`));
      const real = (b: number, i: number) => prior.mask[b * N + i] > 0;
      const problems: string[] = [];
      let worstCoord = 0, worstPred = 0, steps = 0, categoricalChecked = 0;
      const check = (ev: StepEvent) => {
        steps++;
        const k = ev.step;
        const nextCoords = g(`step${k}/next.coords`);
        const nextAtoms = argmaxRows(g(`step${k}/next.atomics`), 18);
        const nextBonds = argmaxRows(g(`step${k}/next.bonds`), 5);
        const stateCoords = g(`step${k}/state.coords`);
        const predCoords = g(`step${k}/pred.coords`);
        for (let b = 0; b < B; b++) for (let i = 0; i < N; i++) {
          if (!real(b, i)) continue;
          const a = b * N + i;
          for (let d = 0; d < 3; d++) {
            worstCoord = Math.max(worstCoord, Math.abs(ev.next.coords[a * 3 + d] - nextCoords[a * 3 + d]),
              Math.abs(ev.state.coords[a * 3 + d] - stateCoords[a * 3 + d]));
            worstPred = Math.max(worstPred, Math.abs(ev.prediction.coords[a * 3 + d] - predCoords[a * 3 + d]));
          }
          categoricalChecked++;
          if (ev.next.atomClasses[a] !== nextAtoms[a]) problems.push(`step ${k} atom ${b}/${i}`);
          for (let j = 0; j < N; j++) {
            if (!real(b, j)) continue;
            categoricalChecked++;
            if (ev.next.bondClasses[a * N + j] !== nextBonds[a * N + j]) problems.push(`step ${k} bond ${b}/${i},${j}`);
          }
        }
        assert.equal(ev.t, grid.t[k]);
        assert.equal(ev.computed, true);
      };
      const before = tf.memory().numTensors;
      const result = integrate(prior, {
        grid, backbone: new CachedBackbone(model, { kind: "none" }, grid.t),
        uniforms: (k, which, count) => {
          const u = g(`step${k}/u.${which}`);
          assert.equal(u.length, count);
          return u;
        },
        observers: [check],
      });
      assert.equal(tf.memory().numTensors, before, "integrate leaked tensors");
      assert.equal(steps, 10);
      assert.equal(result.networkCalls, 10);
      assert.deepEqual(problems, [], "categorical mismatches");
      assert.ok(categoricalChecked > 100);
      assert.ok(worstCoord <= 1e-3, `coordinates off by ${worstCoord}`);
      assert.ok(worstPred <= 1e-3, `predicted coordinates off by ${worstPred}`);
      // Output: the last prediction, coordinates × coord_scale, argmax types/bonds.
      const finalCoords = g("final.coords");
      let worstFinal = 0;
      for (let a = 0; a < B * N; a++) {
        if (!prior.mask[a]) continue;
        for (let d = 0; d < 3; d++) worstFinal = Math.max(worstFinal, Math.abs(result.final.coords[a * 3 + d] * meta.coord_scale - finalCoords[a * 3 + d]));
      }
      assert.ok(worstFinal <= 1e-3, `final coordinates off by ${worstFinal}`);
      const refTypes = argmaxRows(g("final.atom_probs"), 18);
      const myTypes = argmaxRows(result.final.typeLogits, 18);
      for (let a = 0; a < B * N; a++) if (prior.mask[a]) assert.equal(myTypes[a], refTypes[a], `final type of atom ${a}`);
      // The prior is not modified.
      assert.deepEqual(prior.coords, fixturePrior(f).coords);
    });

    it("a cache with D = 1 reproduces the uncached run exactly", () => {
      const f = fixtureBundle(`sampler_${kind}10`);
      const grid = timeGrid(10, kind);
      const uniforms = (k: number, which: string) => fixtureTensor(f, `step${k}/u.${which}`).data;
      const run = (spec: string) => integrate(fixturePrior(f), { grid, backbone: new CachedBackbone(model, parseCacheSpec(spec), grid.t), uniforms });
      const base = run("none");
      for (const spec of ["taylor:m=2,D=1", "ab:j=3,D=1", "reuse:D=1", "taylor:m=1,D=1,level=lastBlock"]) {
        const cached = run(spec);
        assert.equal(cached.networkCalls, 10, spec);
        assert.deepEqual(cached.final, base.final, spec);
        assert.deepEqual(cached.state, base.state, spec);
      }
    });
  });
}
