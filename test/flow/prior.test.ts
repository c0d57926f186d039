/** The sampler prior: shapes, padding, per-molecule centring, class ranges, determinism, validation. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { cloneState, drawPrior, moleculeSize } from "../../kernel-lib/flow/prior";
import { Rng } from "../../kernel-lib/util/rng";

const OPTS = { vocabSize: 18, bondClasses: 5 };

describe("prior", () => {
  it("has the right shapes, zero padding and per-molecule centred coordinates", () => {
    const p = drawPrior([5, 7, 1], new Rng(0), OPTS);
    assert.equal(p.B, 3);
    assert.equal(p.N, 7);
    assert.equal(p.mask.length, 21);
    assert.equal(p.coords.length, 63);
    assert.equal(p.atomClasses.length, 21);
    assert.equal(p.bondClasses.length, 147);
    assert.deepEqual([0, 1, 2].map((b) => moleculeSize(p, b)), [5, 7, 1]);
    for (let b = 0; b < 3; b++) {
      const n = moleculeSize(p, b);
      const mean = [0, 0, 0];
      let spread = 0;
      for (let i = 0; i < 7; i++) {
        const real = i < n;
        assert.equal(p.mask[b * 7 + i], real ? 1 : 0);
        for (let d = 0; d < 3; d++) {
          const x = p.coords[(b * 7 + i) * 3 + d];
          if (real) { mean[d] += x / n; spread += x * x; } else assert.equal(x, 0);
        }
        if (!real) assert.equal(p.atomClasses[b * 7 + i], 0);
        for (let j = 0; j < 7; j++) if (!real || j >= n) assert.equal(p.bondClasses[(b * 7 + i) * 7 + j], 0);
      }
      for (const m of mean) assert.ok(Math.abs(m) < 1e-6, `molecule ${b} not centred: ${mean}`);
      if (n > 1) assert.ok(spread > 0.1, "coordinates look Gaussian, not zero");
    }
  });

  it("draws classes over the whole vocabulary and unsymmetric bonds", () => {
    const p = drawPrior(new Array(20).fill(20), new Rng(1), OPTS);
    const atoms = new Set(p.atomClasses);
    assert.ok(atoms.size === 18, `atom classes seen: ${[...atoms]}`);
    assert.ok(Math.max(...p.bondClasses) === 4 && Math.min(...p.bondClasses) === 0);
    let asymmetric = 0;
    for (let i = 0; i < 20; i++) for (let j = 0; j < i; j++) if (p.bondClasses[i * 20 + j] !== p.bondClasses[j * 20 + i]) asymmetric++;
    assert.ok(asymmetric > 50, "prior bond states are drawn per ordered pair");
  });

  it("is deterministic for a seed and pads to padTo", () => {
    assert.deepEqual(drawPrior([4, 6], new Rng(5), OPTS), drawPrior([4, 6], new Rng(5), OPTS));
    assert.notDeepEqual(drawPrior([4, 6], new Rng(5), OPTS).coords, drawPrior([4, 6], new Rng(6), OPTS).coords);
    assert.equal(drawPrior([4, 6], new Rng(5), { ...OPTS, padTo: 12 }).N, 12);
    const p = drawPrior([3], new Rng(2), OPTS);
    const c = cloneState(p);
    c.coords[0] = 99;
    assert.notEqual(p.coords[0], 99);
  });

  it("rejects empty batches and bad sizes", () => {
    assert.throws(() => drawPrior([], new Rng(0), OPTS), /zero molecules/);
    assert.throws(() => drawPrior([3, 0], new Rng(0), OPTS), /invalid molecule size: 0/);
    assert.throws(() => drawPrior([2.5], new Rng(0), OPTS), /invalid molecule size: 2.5/);
  });
});
