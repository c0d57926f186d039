/**
 * Linear-predictability error, hand-worked: 0 on a trajectory linear in the step index (step axis) and on one
 * linear in t (time axis), not 0 otherwise; exact values on small cases; mean and spread over molecules; gaps in
 * the recorded steps; the figure input; bad input.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { linearPredictability, predictabilityErrors, recordingPredictability } from "../../kernel-lib/analysis/predictability";
import { predictabilityFigure } from "../../kernel-lib/viz/predictability";
import { handRecording, LOG_TIMES } from "./hand_recording";
import { toPredictabilitySeries } from "../../kernel-lib/viz/analysis_inputs";

const TOL = 1e-6;
const steps = LOG_TIMES.map((_, k) => k);
const rowsOf = (f: (k: number, i: number) => number, width = 6) => steps.map((k) => Float64Array.from({ length: width }, (_, i) => f(k, i)));
const defined = (e: Float64Array) => Array.from(e).slice(2);

describe("predictabilityErrors", () => {
  it("works a small case by hand: NaN for the first two steps, then ‖y − ŷ‖ / ‖y‖", () => {
    const e = predictabilityErrors([[0], [1], [2], [4]], [0, 1, 2, 3], 0);
    assert.ok(Number.isNaN(e[0]) && Number.isNaN(e[1]));
    assert.equal(e[2], 0);
    assert.equal(e[3], 0.25); // ŷ = 2 + (2 − 1) = 3, |4 − 3| / |4|
    // Time axis with gaps 1 then 2: ŷ = 2 + 2·(2 − 1) = 4 → error 0 at k = 3.
    assert.equal(predictabilityErrors([[0], [1], [2], [4]], [0, 1, 2, 4], 0)[3], 0);
  });

  it("is 0 on a trajectory linear in the step index on the step axis, and not on the time axis", () => {
    const rows = rowsOf((k, i) => 1 + i + (0.5 - i) * k);
    const onSteps = defined(predictabilityErrors(rows, steps));
    const onTime = defined(predictabilityErrors(rows, LOG_TIMES));
    assert.ok(onSteps.every((v) => Math.abs(v) < TOL), `step axis: ${onSteps}`);
    assert.ok(onTime.every((v) => v > 1e-3), `time axis: ${onTime}`);
  });

  it("is 0 on a trajectory linear in t on the time axis, and not on the step axis", () => {
    const rows = rowsOf((k, i) => 2 - i + 3 * i * LOG_TIMES[k]);
    const onTime = defined(predictabilityErrors(rows, LOG_TIMES));
    const onSteps = defined(predictabilityErrors(rows, steps));
    assert.ok(onTime.every((v) => Math.abs(v) < TOL), `time axis: ${onTime}`);
    assert.ok(onSteps.every((v) => v > 1e-3), `step axis: ${onSteps}`);
  });

  it("is not 0 on a curved trajectory, on either axis", () => {
    const rows = rowsOf((k, i) => Math.sin(k + i) + k * k);
    for (const x of [steps, LOG_TIMES]) assert.ok(defined(predictabilityErrors(rows, x)).every((v) => v > 1e-3));
  });

  it("rejects axis positions that do not increase and mismatched lengths", () => {
    assert.throws(() => predictabilityErrors([[0], [1], [2]], [0, 1, 1]), /axis positions must increase/);
    assert.throws(() => predictabilityErrors([[0], [1]], [0]), /one position per row/);
  });
});

describe("linearPredictability over molecules", () => {
  it("gives mean, population std, quantiles and counts per step", () => {
    const res = linearPredictability([
      { molecule: 0, steps: [0, 1, 2], t: [0, 0.5, 0.7], computed: [true, true, true], rows: [[0], [1], [2]].map((r) => Float64Array.from(r)) },
      { molecule: 1, steps: [0, 1, 2], t: [0, 0.5, 0.7], computed: [true, true, true], rows: [[0], [1], [3]].map((r) => Float64Array.from(r)) },
    ], { eps: 0, lowerQuantile: 0, upperQuantile: 1 });
    assert.deepEqual(res.steps, [2]);
    assert.deepEqual(res.t, [0.7]);
    assert.ok(Math.abs(res.mean[0] - 1 / 6) < 1e-12); // errors 0 and 1/3
    assert.ok(Math.abs(res.std[0] - 1 / 6) < 1e-12);
    assert.deepEqual([res.lower[0], res.count[0]], [0, 2]);
    assert.ok(Math.abs(res.upper[0] - 1 / 3) < 1e-12);
    assert.deepEqual(res.molecules, [0, 1]);
    assert.deepEqual(res.frame.columns, ["step", "t", "mean", "std", "lower", "upper", "count"]);
    assert.deepEqual(res.frame.shape, [1, 7]);
    assert.ok(!Object.keys(res).includes("frame"), "the frame is not part of the plain result");
  });

  it("reads a recording on both axes, uses the previous recorded steps across gaps, and feeds predictabilityFigure", () => {
    const rec = handRecording([3, 2], LOG_TIMES, [
      { block: "sampler", field: "prediction.coords", width: 3, value: (m, k, i) => m + i - 0.25 * k * (i + 1) },
      { block: "layers.0", field: "nodeFeats", width: 2, value: (m, k, i) => 1 + m + i * k, steps: [0, 2, 3, 5] },
    ]);
    const step = recordingPredictability(rec);
    assert.deepEqual(step.steps, [2, 3, 4, 5]);
    assert.ok(step.mean.every((v) => v < TOL) && step.count.every((c) => c === 2));
    const time = recordingPredictability(rec, { axis: "time" });
    assert.ok(time.mean.every((v) => v > 1e-3));
    // Recorded at 0, 2, 3, 5: linear in k, so the gap ratios (1/2, 2/1) still extrapolate exactly on the step axis.
    const gaps = recordingPredictability(rec, { block: "layers.0", field: "nodeFeats" });
    assert.deepEqual(gaps.steps, [3, 5]);
    assert.ok(gaps.mean.every((v) => v < TOL), `${gaps.mean}`);
    const fig = predictabilityFigure({ series: [toPredictabilitySeries(step), toPredictabilitySeries(time, "time axis")], quantity: "predicted coordinates" });
    assert.ok(fig.data.length >= 2);
    assert.equal(toPredictabilitySeries(step).label, "step axis");
    assert.throws(() => recordingPredictability(rec, { axis: "steps" as never }), /invalid axis: steps/);
    assert.throws(() => recordingPredictability(rec, { axes: "time" } as never), /unknown recordingPredictability option: axes/);
    assert.throws(() => recordingPredictability(rec, { field: "state.coords" }), /series sampler\/state.coords was not recorded/);
  });
});
