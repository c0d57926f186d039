/** The uniform-sample categorical update against hand-worked cases. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { uniformSampleUpdate } from "../../kernel-lib/flow/categorical";
import { Rng } from "../../kernel-lib/util/rng";

/** The update of one entry exactly as the module's doc comment states it, with no attention to speed. */
function plainDraw(logits: number[], c: number, u: number, t: number, dt: number): number {
  const k = logits.length;
  const max = Math.max(...logits);
  const exps = logits.map((l) => Math.exp(l - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  const p = exps.map((x) => x / sum);
  const tc = Math.min(Math.max(t, 1e-5), 1 - 1e-5);
  const eta = Math.fround(t + dt) < 1 ? 1 : 0;
  const rate = (dt * (1 + 2 * eta * (k - 1) * tc)) / (1 - tc);
  const w = p.map((pk, j) => (j === c ? 0 : Math.min(1, rate * pk + dt * eta * p[c])));
  w[c] = Math.max(0, 1 - w.reduce((a, b) => a + b, 0));
  const total = w.reduce((a, b) => a + b, 0);
  let cumulative = 0;
  let index = 0;
  for (const x of w) {
    cumulative += x / total;
    if (cumulative <= u) index++;
  }
  return Math.min(index, k - 1);
}

const logitsOf = (p: number[]) => Float32Array.from(p.map(Math.log));

/** Update one entry starting in class c with uniform u. */
function draw(p: number[], c: number, u: number, t: number, dt: number): number {
  const classes = Int32Array.of(c);
  uniformSampleUpdate(logitsOf(p), p.length, classes, [u], t, dt);
  return classes[0];
}

describe("uniform-sample categorical update", () => {
  it("with noise (η = 1): t = 0.5, dt = 0.1, p = [0.2, 0.3, 0.5], c = 0 → normalised w = [0.48, 0.2, 0.32]", () => {
    // rate = dt(1 + 2η(K−1)tc)/(1 − tc) = 0.1·3/0.5 = 0.6; w_k = 0.6·p_k + dt·p_c: w1 = 0.2, w2 = 0.32; w0 = 0.48.
    // CDF [0.48, 0.68, 1]: the new class is the number of cumulative sums ≤ u.
    assert.equal(draw([0.2, 0.3, 0.5], 0, 0.47, 0.5, 0.1), 0);
    assert.equal(draw([0.2, 0.3, 0.5], 0, 0.49, 0.5, 0.1), 1);
    assert.equal(draw([0.2, 0.3, 0.5], 0, 0.67, 0.5, 0.1), 1);
    assert.equal(draw([0.2, 0.3, 0.5], 0, 0.69, 0.5, 0.1), 2);
    assert.equal(draw([0.2, 0.3, 0.5], 0, 0.9999, 0.5, 0.1), 2);
  });

  it("without noise (t + dt ≥ 1 in float32): w_k = dt·p_k/(1 − t)", () => {
    const t = Math.fround(0.9000001);
    // rate ≈ 1 → w = [0.2, 0.3, 0.5] for c = 0: CDF [0.2, 0.5, 1].
    assert.equal(draw([0.2, 0.3, 0.5], 0, 0.19, t, 0.1), 0);
    assert.equal(draw([0.2, 0.3, 0.5], 0, 0.21, t, 0.1), 1);
    assert.equal(draw([0.2, 0.3, 0.5], 0, 0.49, t, 0.1), 1);
    assert.equal(draw([0.2, 0.3, 0.5], 0, 0.51, t, 0.1), 2);
    // With noise the same u lands elsewhere (the η term moves mass).
    assert.equal(draw([0.2, 0.3, 0.5], 0, 0.19, 0.5, 0.1), 0);
  });

  it("jump weights saturate at 1 and the stay weight at 0; t is clamped away from 0 and 1", () => {
    // K = 2, p = [0.1, 0.9], c = 0, dt = 0.5, t = 0.9, no noise: w1 = min(1, 5·0.9) = 1, w0 = 0 → always class 1.
    for (const u of [0, 0.3, 0.999]) assert.equal(draw([0.1, 0.9], 0, u, 0.9, 0.5), 1);
    // t = 0 uses tc = 1e−5: tiny dt keeps the state almost surely.
    assert.equal(draw([0.5, 0.5], 1, 0.9, 0, 1e-6), 1);
    // t = 1 would divide by zero; the clamp keeps it finite.
    const classes = Int32Array.of(0, 1);
    uniformSampleUpdate(logitsOf([0.3, 0.7, 0.6, 0.4]), 2, classes, [0.5, 0.5], 1, 0.01);
    assert.ok(classes.every((c) => c === 0 || c === 1));
  });

  it("softmax is computed from logits (shift invariant) and inactive entries are left alone", () => {
    const classes = Int32Array.of(0, 0, 0);
    const logits = new Float32Array([Math.log(0.2) + 5, Math.log(0.3) + 5, Math.log(0.5) + 5, 0, 0, 0, 1, 2, 3]);
    uniformSampleUpdate(logits, 3, classes, [0.69, 0.99, 0.99], 0.5, 0.1, [1, 0, 0]);
    assert.deepEqual(Array.from(classes), [2, 0, 0]);
  });

  it("draws exactly the classes of the formula written out plainly, on 50 random batches of 5-class entries", () => {
    const rng = new Rng(3);
    const k = 5;
    const count = 4 * 9 * 9;
    let changed = 0;
    for (let trial = 0; trial < 50; trial++) {
      const logits = Float32Array.from(rng.uniforms(count * k), (g) => (g - 0.5) * 12);
      const start = Int32Array.from(rng.uniforms(count), (u) => Math.floor(u * k));
      const uniforms = rng.uniforms(count);
      const active = Float32Array.from({ length: count }, (_, e) => (e % 7 === 0 ? 0 : 1));
      const t = trial / 50;
      const dt = 0.01 + trial / 500;
      const got = start.slice();
      uniformSampleUpdate(logits, k, got, uniforms, t, dt, active);
      const want = Array.from(start, (c, e) => (active[e] ? plainDraw(Array.from(logits.subarray(e * k, (e + 1) * k)), c, uniforms[e], t, dt) : c));
      assert.deepEqual(Array.from(got), want);
      changed += want.filter((c, e) => c !== start[e]).length;
    }
    assert.ok(changed > 1000, `only ${changed} entries changed class: the check would not see a wrong draw`);
  });

  it("rejects logits that do not match the entries", () => {
    assert.throws(() => uniformSampleUpdate(new Float32Array(5), 3, new Int32Array(2), [0, 0], 0.5, 0.1), /expected 6 logits for 2 entries, got 5/);
  });
});
