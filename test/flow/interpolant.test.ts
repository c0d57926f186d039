import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { collate } from "../../kernel-lib/data/batching";
import { FeaturizedMolecule } from "../../kernel-lib/data/featurize";
import { DEFAULT_INTERPOLANT, makeTrainingExample } from "../../kernel-lib/flow/interpolant";
import { kabschRotation } from "../../kernel-lib/chem/kabsch";
import { alignPriorToData, linearSumAssignment } from "../../kernel-lib/flow/ot_align";
import { Rng } from "../../kernel-lib/util/rng";

function permutations(xs: number[]): number[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

function randomMolecule(rng: Rng, n: number): FeaturizedMolecule {
  const coords = rng.normals(n * 3);
  const bonds = new Int32Array(n * n);
  for (let i = 0; i + 1 < n; i++) bonds[i * n + i + 1] = bonds[(i + 1) * n + i] = 1;
  return { n, coords, atomTypes: Int32Array.from({ length: n }, () => 2 + rng.int(4)), charges: new Int32Array(n), bonds };
}

describe("optimal-transport alignment", () => {
  it("the Hungarian assignment reaches the brute-force optimum", () => {
    const rng = new Rng(7);
    for (let trial = 0; trial < 5; trial++) {
      const n = 6;
      const cost = Float64Array.from({ length: n * n }, () => rng.uniform());
      const a = linearSumAssignment(cost, n);
      assert.deepEqual([...a].sort(), [0, 1, 2, 3, 4, 5], "a permutation");
      const got = [...a].reduce((s, j, i) => s + cost[i * n + j], 0);
      const best = Math.min(...permutations([0, 1, 2, 3, 4, 5]).map((p) => p.reduce((s, j, i) => s + cost[i * n + j], 0)));
      assert.ok(Math.abs(got - best) < 1e-12, `${got} vs ${best}`);
    }
  });

  it("Kabsch recovers a known proper rotation", () => {
    const rng = new Rng(3);
    const pts = rng.normals(15);
    const th = 0.9;
    const R = [Math.cos(th), 0, Math.sin(th), 0, 1, 0, -Math.sin(th), 0, Math.cos(th)];
    const rotated = new Float32Array(15);
    for (let i = 0; i < 5; i++) for (let r = 0; r < 3; r++) rotated[i * 3 + r] = R[r * 3] * pts[i * 3] + R[r * 3 + 1] * pts[i * 3 + 1] + R[r * 3 + 2] * pts[i * 3 + 2];
    const found = kabschRotation(pts, rotated, 5);
    found.forEach((v, k) => assert.ok(Math.abs(v - R[k]) < 1e-5, `R[${k}] ${v} vs ${R[k]}`));
  });

  it("aligning lowers the prior-to-data squared distance and keeps the prior's point set", () => {
    const rng = new Rng(11);
    const n = 9;
    const data = rng.normals(n * 3);
    const prior = rng.normals(n * 3);
    const before = prior.reduce((s, v, k) => s + (v - data[k]) ** 2, 0);
    const norms = (x: Float32Array) => Array.from({ length: n }, (_, i) => Math.hypot(x[3 * i], x[3 * i + 1], x[3 * i + 2])).sort();
    const priorNorms = norms(prior);
    alignPriorToData(prior, data, n);
    const after = prior.reduce((s, v, k) => s + (v - data[k]) ** 2, 0);
    assert.ok(after < before, `${after} < ${before}`);
    norms(prior).forEach((v, i) => assert.ok(Math.abs(v - priorNorms[i]) < 1e-5), "rotation + permutation keep atom norms");
  });
});

describe("training interpolant", () => {
  it("builds noisy inputs with zero padding, classes in range and Beta(2,1) times", () => {
    const rng = new Rng(5);
    const batch = collate([randomMolecule(rng, 5), randomMolecule(rng, 8), randomMolecule(rng, 3)]);
    let tSum = 0;
    const draws = 300;
    for (let k = 0; k < draws; k++) {
      const ex = makeTrainingExample(batch, new Rng(k), DEFAULT_INTERPOLANT);
      ex.t.forEach((t) => (tSum += t));
      for (let b = 0; b < batch.B; b++) {
        for (let i = batch.sizes[b]; i < batch.N; i++) {
          assert.equal(ex.atomClasses[b * batch.N + i], 0);
          for (let d = 0; d < 3; d++) assert.equal(ex.coords[(b * batch.N + i) * 3 + d], 0);
        }
      }
      ex.atomClasses.forEach((c) => assert.ok(c >= 0 && c < 18));
      ex.bondClasses.forEach((c) => assert.ok(c >= 0 && c < 5));
    }
    const mean = tSum / (draws * batch.B);
    assert.ok(Math.abs(mean - 2 / 3) < 0.03, `E[t] = ${mean}, Beta(2,1) has 2/3`);
  });

  it("is deterministic for a seed, and near t = 1 the inputs approach the data", () => {
    const rng = new Rng(9);
    const batch = collate([randomMolecule(rng, 6)]);
    const a = makeTrainingExample(batch, new Rng(1));
    const b = makeTrainingExample(batch, new Rng(1));
    assert.deepEqual(a, b);
    const noiseless = { ...DEFAULT_INTERPOLANT, coordNoise: 0 };
    // Search seeds for a draw with t close to 1: atoms then mostly keep their data class.
    for (let s = 0; s < 200; s++) {
      const ex = makeTrainingExample(batch, new Rng(s), noiseless);
      if (ex.t[0] > 0.995) {
        const err = ex.coords.reduce((m, v, k) => Math.max(m, Math.abs(v - batch.coords[k])), 0);
        assert.ok(err < 0.05 * 4, `coordinates within a few % of the data at t=${ex.t[0]}: ${err}`);
        return;
      }
    }
    assert.fail("no draw with t > 0.995 in 200 seeds");
  });
});
