/**
 * Equivariance of the CACHED sampler (TaylorSeer and Adams–Bashforth forecasts are affine combinations, so they
 * commute with rotations, translations and atom permutations): rotating and translating the prior rotates the sampled
 * coordinates and leaves types and bonds identical; permuting the prior's atoms (and the uniforms with them) permutes
 * the result. Also for every schedule kind (the adaptive gate reads invariant features, so it takes the same
 * decisions), AB on the time axis, jumps on computed steps only, and the Heun and DPM-Solver++(2M) solvers. `integrate` is driven directly with explicit uniforms.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { initBackend } from "../../kernel-lib/env";
import { SemlaGenerator } from "../../kernel-lib/model/generator";
import { integrate, IntegrateResult, UniformSource } from "../../kernel-lib/flow/integrate";
import { timeGrid } from "../../kernel-lib/flow/time_grid";
import { drawPrior, SamplerState, cloneState } from "../../kernel-lib/flow/prior";
import { CachedBackbone } from "../../kernel-lib/cache/cached_backbone";
import { parseCacheSpec } from "../../kernel-lib/cache/config";
import { Rng } from "../../kernel-lib/util/rng";
import { SolverKind } from "../../kernel-lib/flow/integrate";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadFixtureModel, randomRotation, rotateArray } from "../model/semla_fixture";
import { testTempDir } from "../helpers/temp_dir";

let model: SemlaGenerator;
before(async () => {
  await initBackend();
  model = loadFixtureModel();
});
after(() => model.dispose());

const SIZES = [7, 5];
const STEPS = 12;
const grid = timeGrid(STEPS, "log");

/** Uniforms fixed per (step, kind), so two runs see the same draws. */
function fixedUniforms(seed: number): (step: number, kind: string, count: number) => Float32Array {
  const cache = new Map<string, Float32Array>();
  return (step, kind, count) => {
    const key = `${step}/${kind}`;
    if (!cache.has(key)) cache.set(key, Rng.derive(seed, step, kind === "atomics" ? 0 : 1).uniforms(count));
    return cache.get(key)!;
  };
}

/** An interval cost table from a per-step error density: skipped step s of interval (c, n) costs (s − c)·e[s]. */
const densityCosts = (e: readonly (number | null)[]) => e.map((_, c) => Array.from({ length: e.length - 1 - c }, (_, i) => {
  let total = 0;
  for (let s = c + 1; s < c + 1 + i; s++) total += (s - c) * (e[s] ?? e[2] ?? 0);
  return total;
}));
/** A calibration profile for a 12-step run whose error is largest early (written once, read by the calibrated spec). */
const profileFile = path.join(testTempDir("molcache-eq-"), "profile.json");
const stepsArray = (f: (k: number) => number | null) => Array.from({ length: STEPS }, (_, k) => f(k));
fs.writeFileSync(profileFile, JSON.stringify({
  format: "molcache-cache-profile/1", model: "fixture", steps: STEPS, grid: "log", molecules: 2, seed: 0, quantity: "test",
  error: { step: stepsArray((k) => (k < 2 ? null : 1 / k)), time: stepsArray((k) => (k < 2 ? null : 1 / k)) },
  gate: stepsArray((k) => (k < 1 ? null : 0.35)),
  forecastCost: { "taylor:m=2": densityCosts(stepsArray((k) => (k < 2 ? null : 1 / k))) },
}));

/** A spec, optionally followed by `@heun` or `@dpm2m` for another solver. */
function run(prior: SamplerState, specAndSolver: string, uniforms: UniformSource): IntegrateResult & { classes: Int32Array[] } {
  const [spec, solver = "euler"] = specAndSolver.split("@");
  const classes: Int32Array[] = [];
  const result = integrate(prior, {
    grid, backbone: new CachedBackbone(model, parseCacheSpec(spec.replace("PROFILE", profileFile)), grid.t), uniforms, solver: solver as SolverKind,
    observers: [(ev) => classes.push(ev.next.atomClasses.slice(), ev.next.bondClasses.slice())],
  });
  return { ...result, classes };
}

function argmax(values: ArrayLike<number>, offset: number, k: number): number {
  let best = 0;
  for (let c = 1; c < k; c++) if (values[offset + c] > values[offset + best]) best = c;
  return best;
}

for (const spec of [
  "taylor:m=2,D=3", "ab:j=2,D=4", "ab:j=2,D=4,axis=time", "taylor:m=2,schedule=calibrated,nfe=5,profile=PROFILE",
  "taylor:m=2,schedule=adaptive,threshold=0.8", "ab:j=2,schedule=adaptive,nfe=6,profile=PROFILE,axis=time", "taylor:m=1,D=3@heun", "taylor:m=2,D=3@dpm2m",
  "ab:j=2,D=4,jumps=computed", "taylor:m=2,schedule=calibrated,nfe=5,profile=PROFILE,jumps=computed",
]) {
  describe(`cached sampler equivariance (${spec})`, () => {
    it("rotating and translating the prior rotates the sample (≤ 1e-3) with identical types and bonds", () => {
      const prior = drawPrior(SIZES, new Rng(11), { vocabSize: 18, bondClasses: 5 });
      const uniforms = fixedUniforms(3);
      const base = run(prior, spec, uniforms);
      assert.ok(base.networkCalls < (spec.endsWith("@heun") ? 2 * STEPS : STEPS), "the cache skipped steps");
      const r = randomRotation(new Rng(4));
      const moved = cloneState(prior);
      const shifted = rotateArray(prior.coords, r, [1.5, -0.75, 2]);
      for (let a = 0; a < prior.B * prior.N; a++) if (prior.mask[a]) for (let d = 0; d < 3; d++) moved.coords[a * 3 + d] = shifted[a * 3 + d];
      const out = run(moved, spec, uniforms);
      assert.deepEqual(out.computedSteps, base.computedSteps, "the same steps compute");
      // The sample is the last prediction, which the network centres: the translation is gone.
      const expected = rotateArray(base.final.coords, r);
      let worst = 0;
      for (let a = 0; a < prior.B * prior.N; a++) {
        if (!prior.mask[a]) continue;
        for (let d = 0; d < 3; d++) worst = Math.max(worst, Math.abs(out.final.coords[a * 3 + d] - expected[a * 3 + d]));
      }
      assert.ok(worst <= 1e-3, `rotated sample off by ${worst}`);
      assert.ok(!out.final.coords.some(Number.isNaN));
      // Identical categorical states at every step, on real entries.
      const N = prior.N;
      base.classes.forEach((c, s) => {
        const isBonds = s % 2 === 1;
        for (let e = 0; e < c.length; e++) {
          const real = isBonds ? prior.mask[Math.floor(e / N)] && prior.mask[Math.floor(e / (N * N)) * N + (e % N)] : prior.mask[e];
          if (real) assert.equal(out.classes[s][e], c[e], `step ${s >> 1} ${isBonds ? "bond" : "atom"} ${e}`);
        }
      });
      // And the check can fail: without rotating back, the coordinates are far off.
      let unrotated = 0;
      for (let a = 0; a < prior.B * N; a++) for (let d = 0; d < 3; d++) unrotated = Math.max(unrotated, Math.abs(out.final.coords[a * 3 + d] - base.final.coords[a * 3 + d]));
      assert.ok(unrotated > 0.1);
    });

    it("permuting the prior's atoms (with their uniforms) permutes the sample", () => {
      const prior = drawPrior(SIZES, new Rng(12), { vocabSize: 18, bondClasses: 5 });
      const { B, N } = prior;
      // New atom i of molecule b is old atom src[b][i] (real atoms stay first).
      const src = [[4, 0, 6, 2, 1, 5, 3], [2, 4, 0, 3, 1, 5, 6]];
      const atomIndex = (b: number, i: number) => b * N + src[b][i];
      const permuted = cloneState(prior);
      for (let b = 0; b < B; b++) for (let i = 0; i < N; i++) {
        const o = atomIndex(b, i);
        permuted.mask[b * N + i] = prior.mask[o];
        permuted.atomClasses[b * N + i] = prior.atomClasses[o];
        for (let d = 0; d < 3; d++) permuted.coords[(b * N + i) * 3 + d] = prior.coords[o * 3 + d];
        for (let j = 0; j < N; j++) permuted.bondClasses[(b * N + i) * N + j] = prior.bondClasses[o * N + src[b][j]];
      }
      const uniforms = fixedUniforms(5);
      const permutedUniforms: UniformSource = (step, kind, count) => {
        const u = uniforms(step, kind, count);
        const out = new Float32Array(count);
        for (let b = 0; b < B; b++) for (let i = 0; i < N; i++) {
          if (kind === "atomics") out[b * N + i] = u[atomIndex(b, i)];
          else for (let j = 0; j < N; j++) out[(b * N + i) * N + j] = u[atomIndex(b, i) * N + src[b][j]];
        }
        return out;
      };
      const base = run(prior, spec, uniforms);
      const out = run(permuted, spec, permutedUniforms);
      assert.deepEqual(out.computedSteps, base.computedSteps, "the same steps compute");
      let worst = 0;
      for (let b = 0; b < B; b++) for (let i = 0; i < N; i++) {
        const o = atomIndex(b, i), a = b * N + i;
        if (!prior.mask[o]) continue;
        for (let d = 0; d < 3; d++) worst = Math.max(worst, Math.abs(out.final.coords[a * 3 + d] - base.final.coords[o * 3 + d]));
        assert.equal(argmax(out.final.typeLogits, a * 18, 18), argmax(base.final.typeLogits, o * 18, 18));
        assert.equal(out.state.atomClasses[a], base.state.atomClasses[o], `atom ${b}/${i}`);
        for (let j = 0; j < N; j++) {
          if (!prior.mask[b * N + src[b][j]]) continue;
          assert.equal(out.state.bondClasses[a * N + j], base.state.bondClasses[o * N + src[b][j]], `bond ${b}/${i},${j}`);
          assert.equal(argmax(out.final.bondLogits, (a * N + j) * 5, 5), argmax(base.final.bondLogits, (o * N + src[b][j]) * 5, 5));
        }
      }
      assert.ok(worst <= 1e-3, `permuted sample off by ${worst}`);
    });
  });
}
