/**
 * PCA of trajectories, hand-worked: points on a line give one component with all the variance (the first
 * coordinate is the signed position along the line, last step >= 0); points in a plane split the variance in two;
 * constant rows project to 0; Figure 1 input from a recording (coordinates and atom types); bad input.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { moleculePca, pcaProject, trajectoryPca } from "../../kernel-lib/analysis/pca";
import { transformRow } from "../../kernel-lib/analysis/trajectory";
import { pcaTrajectoryFigure } from "../../kernel-lib/viz/pca_trajectory";
import { handRecording, LOG_TIMES } from "./hand_recording";
import { toPcaTrajectoryInput } from "../../kernel-lib/viz/analysis_inputs";

const close = (a: number, b: number, tol = 1e-9) => Math.abs(a - b) < tol;

describe("pcaProject", () => {
  it("points on a line: one component with all the variance, positions along the line", () => {
    const dir = [1, 2, 2]; // length 3
    const s = [-2, -1, 0, 1, 2, 4];
    const rows = s.map((v) => dir.map((d) => 5 + v * d));
    const { points, explainedVariance } = pcaProject(rows);
    assert.ok(close(explainedVariance[0], 1), `${explainedVariance}`);
    assert.ok(explainedVariance.slice(1).every((v) => close(v, 0)));
    const mean = s.reduce((a, b) => a + b, 0) / s.length;
    points.forEach((p, i) => {
      assert.ok(close(p[0], 3 * (s[i] - mean), 1e-9), `point ${i}: ${p}`);
      assert.ok(close(p[1], 0, 1e-9));
    });
    assert.ok(points[points.length - 1][0] >= 0, "sign fixed by the last step");
  });

  it("points in a plane: two components, variance 4:1, nothing in the third", () => {
    const rows = [[2, 0, 0], [-2, 0, 0], [0, 1, 0], [0, -1, 0]];
    const { explainedVariance, points } = pcaProject(rows, 3);
    assert.ok(close(explainedVariance[0], 0.8) && close(explainedVariance[1], 0.2) && close(explainedVariance[2], 0), `${explainedVariance}`);
    assert.equal(points[0].length, 3);
  });

  it("constant rows project to 0 with zero explained variance; one-feature rows are zero-padded", () => {
    const flat = pcaProject([[1, 2], [1, 2], [1, 2]]);
    assert.deepEqual(flat.points, [[0, 0], [0, 0], [0, 0]]);
    assert.deepEqual(flat.explainedVariance, [0, 0]);
    const one = pcaProject([[1], [2], [4]]);
    assert.deepEqual(one.explainedVariance, [1, 0]);
    assert.equal(one.points[2][1], 0);
  });

  it("rejects too few rows, ragged rows, non-finite values and bad component counts", () => {
    assert.throws(() => pcaProject([[1, 2]]), /at least 2 rows/);
    assert.throws(() => pcaProject([[1, 2], [1]]), /row 1 has 1 values, row 0 has 2/);
    assert.throws(() => pcaProject([[1, NaN], [1, 2]]), /non-finite/);
    assert.throws(() => pcaProject([[1], [2]], 0), /invalid components/);
  });
});

describe("trajectory PCA from a recording", () => {
  // Molecule 0: 2 atoms moving on a line (coordinates), type logits drifting from class 0 to class 3.
  const rec = handRecording([2, 3], LOG_TIMES, [
    { block: "sampler", field: "state.coords", width: 3, value: (m, k, i) => (i % 3 === 0 ? 0.5 * k : i + m) },
    { block: "sampler", field: "prediction.typeLogits", width: 4, value: (_m, k, i) => (i % 4 === 0 ? 5 - k : i % 4 === 3 ? k : 0) },
    { block: "sampler", field: "state.atomClasses", width: 1, value: (_m, k) => (k < 3 ? 1 : 2) },
  ]);

  it("Figure 1: coordinates on a line have one component; atom types are softmaxed; the figure builds", () => {
    const { coordinates, atomTypes } = moleculePca(rec, 0);
    assert.ok(close(coordinates.explainedVariance[0], 1, 1e-6));
    assert.deepEqual(coordinates.steps, [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(coordinates.t, LOG_TIMES);
    assert.equal(atomTypes.label, "Atom types");
    assert.ok(atomTypes.explainedVariance[0] > 0.5);
    const input = toPcaTrajectoryInput([coordinates, atomTypes]);
    assert.deepEqual(input.panels.map((p) => p.label), ["Coordinates", "Atom types"]);
    assert.deepEqual(input.times, LOG_TIMES);
    const fig = pcaTrajectoryFigure(input);
    assert.ok(fig.data.length >= 2);
    assert.deepEqual(coordinates.frame.columns, ["step", "t", "computed", "pc1", "pc2"]);
    assert.deepEqual(coordinates.frame.shape, [6, 5]);
  });

  it("class fields are one-hot encoded (auto), any recorded series can be projected", () => {
    const classes = trajectoryPca(rec, { field: "state.atomClasses", molecule: 1 });
    assert.ok(close(classes.explainedVariance[0], 1, 1e-9), "a single jump is one direction");
    assert.deepEqual(Array.from(transformRow([2, 0], 1, "onehot", 4)), [0, 0, 1, 0, 1, 0, 0, 0]);
    const sm = transformRow([0, 0, Math.log(2), 0], 2, "softmax");
    assert.ok(close(sm[0], 0.5) && close(sm[2], 2 / 3));
    assert.throws(() => trajectoryPca(rec, { field: "state.atomClasses", transform: "onehot", molecule: 5 }), /molecule 5 is not in the recording/);
    assert.throws(() => trajectoryPca(rec, { block: "layers.0", field: "nodeFeats" }), /was not recorded/);
    assert.throws(() => trajectoryPca(rec, { molecul: 0 } as never), /unknown trajectoryPca option: molecul/);
  });
});
