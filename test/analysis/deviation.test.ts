/**
 * Deviation of a cached run from the base run, hand-worked: identical runs deviate by 0; a pure shift has RMSD 0
 * (centres removed); one changed atom type out of n is 1/n; one changed bond out of n(n−1)/2 pairs; RMSD scaled to
 * Å by the recording's coordinate std; mismatched runs are refused.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { cachedRunDeviation, centredRmsd } from "../../kernel-lib/analysis/deviation";
import { handRecording, HandSeries } from "./hand_recording";

const t = [0, 0.4, 0.7];
const series = (shift: number, typeFlip: boolean, bondFlip: boolean, move: number): HandSeries[] => [
  // 4 atoms; at step 2 atom 0 moves by `move` along x (in the cached run); everything shifts by `shift`.
  { block: "sampler", field: "prediction.coords", width: 3, value: (_m, k, i) => i + shift + (k === 2 && i === 0 ? move : 0) },
  // Type logits: class = atom % 4; at step 1 atom 1 becomes class 3 when typeFlip.
  { block: "sampler", field: "prediction.typeLogits", width: 4, value: (_m, k, i) => {
    const atom = Math.floor(i / 4);
    const cls = typeFlip && k === 1 && atom === 1 ? 3 : atom % 4;
    return i % 4 === cls ? 2 : 0;
  } },
  // Bond logits [4, 4, 3]: class 1 everywhere; at step 1 pair (0, 2) (both directions) becomes class 2 when bondFlip.
  { block: "sampler", field: "prediction.bondLogits", layout: "edge", width: 3, value: (_m, k, i) => {
    const pair = Math.floor(i / 3);
    const [a, b] = [Math.floor(pair / 4), pair % 4];
    const flip = bondFlip && k === 1 && ((a === 0 && b === 2) || (a === 2 && b === 0));
    return i % 3 === (flip ? 2 : 1) ? 1 : 0;
  } },
];

describe("cachedRunDeviation", () => {
  it("identical runs deviate by 0; a pure shift too (centres removed)", () => {
    const base = handRecording([4, 4], t, series(0, false, false, 0));
    const dev = cachedRunDeviation(base, handRecording([4, 4], t, series(3.5, false, false, 0)));
    assert.deepEqual(dev.steps, [0, 1, 2]);
    for (const k of [0, 1, 2]) {
      assert.ok(dev.rmsd[k].mean < 1e-6);
      assert.equal(dev.typeChanged[k].mean, 0);
      assert.equal(dev.bondChanged[k].mean, 0);
    }
    assert.equal(dev.coordScale, 1, "no coordStd in the recording: normalised units");
  });

  it("works out RMSD, atom-type and bond shares by hand, in Å with the recording's coordinate std", () => {
    const base = handRecording([4, 4], t, series(0, false, false, 0), { coordStd: 2 });
    const cached = handRecording([4, 4], t, series(0, true, true, 4), { coordStd: 2 });
    const dev = cachedRunDeviation(base, cached);
    // Atom 0 moves by 4 in x: centre moves by 1; displacements after centring: 3, −1, −1, −1 → RMSD = √(12/4) = √3.
    assert.ok(Math.abs(dev.rmsd[2].mean - 2 * Math.sqrt(3)) < 1e-5, `${dev.rmsd[2].mean}`);
    assert.equal(dev.rmsd[2].std, 0);
    assert.equal(dev.typeChanged[1].mean, 1 / 4);
    assert.equal(dev.bondChanged[1].mean, 1 / 6);
    assert.equal(dev.typeChanged[2].mean, 0);
    assert.equal(cachedRunDeviation(base, cached, { coordScale: 1 }).rmsd[2].count, 2);
    assert.deepEqual(dev.frame.columns.slice(0, 5), ["step", "t", "computed", "rmsd_mean", "rmsd_std"]);
    assert.deepEqual(dev.frame.shape, [3, 9]);
  });

  it("refuses runs whose molecules differ", () => {
    const base = handRecording([4, 4], t, series(0, false, false, 0));
    assert.throws(() => cachedRunDeviation(base, handRecording([4, 3], t, [])), /molecule 1 has 4 atoms in the base run and 3 in the cached run/);
    assert.throws(() => cachedRunDeviation(base, base, { coordScale: -1 }), /invalid coordScale/);
    assert.throws(() => centredRmsd([0, 0, 0], [0, 0]), /expected the same \[atoms, 3\]/);
  });
});
