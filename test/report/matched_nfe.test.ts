/**
 * The matched-NFE study: the `matched-nfe` entries of `--caches` (Base@NFE, uniform Taylor/AB on both axes where an
 * interval gives the budget, calibrated, adaptive, Heun, DPM-Solver++(2M)), grouping by budget, and the verdict rule
 * (better or worse only beyond the sum of the two stds over seeds), on hand-made numbers.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseCacheList } from "../../kernel-lib/report/configurations";
import { compareToBase, matchedGroups, matchedNfeFigure, matchedNfeTable, MATCHED_NFE_METRICS, pairedDifference, pairedVerdict, samplerFamily } from "../../kernel-lib/report/matched_nfe";
import type { EvaluatedRun } from "../../kernel-lib/report/tables";
import type { ReportConfiguration } from "../../kernel-lib/report/configurations";

/** A run with given validity and strain (mean, std over 3 seeds) and throughput; per-seed values when `seeds` is given. */
function fake(c: ReportConfiguration, validity: [number, number], strain: [number, number], calls = c.networkCalls,
  seeds?: { validity: number[]; strain: number[] }): EvaluatedRun {
  const agg = (mean: number | null, std: number | null) => ({ mean, std, n: 3 });
  const aggregate: Record<string, unknown> = Object.fromEntries(MATCHED_NFE_METRICS.map((m) => [m.metric, agg(null, null)]));
  aggregate.validity = agg(validity[0], validity[1]);
  aggregate.strain = agg(strain[0], strain[1]);
  return {
    run: { configuration: c, molecules: [], seeds: [0, 1, 2], wallSeconds: [1, 1, 1], moleculesPerSecond: [5, 5, 5], peakTensorBytes: [0, 0, 0],
      networkCalls: calls, stepsComputed: [], batches: 1, sdfFile: undefined },
    evaluation: { aggregate, replicates: seeds ? seeds.validity.map((v, r) => ({ validity: v, strain: seeds.strain[r] })) : [] } as unknown as EvaluatedRun["evaluation"],
  };
}

describe("matched-NFE study", () => {
  it("expands matched-nfe[@budgets] into every sampler family per budget, grouped by network calls", () => {
    const c = parseCacheList("matched-nfe@26+18", 100);
    assert.deepEqual(c.map((x) => x.label), [
      "Base (26 steps)", "Taylor m=2 uniform nfe=26", "AB j=2 uniform nfe=26", "Taylor m=2 uniform nfe=26 (axis=time)",
      "AB j=2 uniform nfe=26 (axis=time)", "AB j=2 uniform nfe=26 (jumps=computed)", "Taylor m=2 uniform nfe=26 (axis=time, jumps=computed)",
      "Taylor m=2 calibrated nfe=26", "Taylor m=2 adaptive nfe=26", "DPM-Solver++(2M) (26 steps)",
      "Heun (13 steps)",
      "Base (18 steps)", "Taylor m=2 uniform nfe=18", "AB j=2 uniform nfe=18", "Taylor m=2 uniform nfe=18 (axis=time)",
      "AB j=2 uniform nfe=18 (axis=time)", "AB j=2 uniform nfe=18 (jumps=computed)", "Taylor m=2 uniform nfe=18 (axis=time, jumps=computed)",
      "Taylor m=2 calibrated nfe=18", "Taylor m=2 adaptive nfe=18", "DPM-Solver++(2M) (18 steps)",
      "Heun (9 steps)",
    ]);
    assert.deepEqual(c.filter((x) => x.solver !== "euler").map((x) => [x.solver, x.networkCalls]), [["dpm2m", 26], ["heun", 26], ["dpm2m", 18], ["heun", 18]]);
    assert.equal(parseCacheList("matched-nfe", 100).length, 4 * 11);
    // 30 calls: no uniform interval gives it, so no uniform entries.
    assert.deepEqual(parseCacheList("matched-nfe@30", 100).map((x) => samplerFamily(x)), ["Base", "Taylor m=2 calibrated", "Taylor m=2 adaptive", "DPM-Solver++(2M)", "Heun"]);
    assert.throws(() => parseCacheList("matched-nfe@26+200", 100), /NFE budgets are integers from 2 to 100, joined by \+, e.g. matched-nfe@26\+18/);
    assert.throws(() => parseCacheList("heun@0", 100), /steps must be an integer >= 1, e.g. heun@13/);
  });

  it("says better or worse only beyond the sum of the two stds, and writes one verdict per NFE", () => {
    const [base, uniform, , , , , , calibrated, adaptive, , heun] = parseCacheList("matched-nfe@26", 100);
    const b = fake(base, [0.80, 0.01], [150, 5]);
    const better = fake(calibrated, [0.84, 0.01], [150, 5]); // +4 points > 1 + 1
    const within = fake(uniform, [0.815, 0.01], [140, 6]); // +1.5 < 2; −10 < 11
    const worse = fake(adaptive, [0.80, 0.01], [170, 5], 27.3); // strain +20 > 10
    const h = fake(heun, [0.78, 0.02], [150, 5]);
    assert.equal(compareToBase(better, b, MATCHED_NFE_METRICS[0]), "better");
    assert.equal(compareToBase(within, b, MATCHED_NFE_METRICS[0]), "≈");
    assert.equal(compareToBase(within, b, MATCHED_NFE_METRICS[2]), "≈");
    assert.equal(compareToBase(worse, b, MATCHED_NFE_METRICS[2]), "worse");
    const groups = matchedGroups([b, better, within, worse, h]);
    assert.equal(groups.length, 1);
    assert.equal(groups[0].nfe, 26);
    const t = matchedNfeTable([b, better, within, worse, h]);
    assert.deepEqual(t.verdicts, [
      "NFE 26: beats Base (26 steps) on validity or strain beyond the seeds' spread: Taylor m=2 calibrated nfe=26; " +
        "worse beyond the spread: Taylor m=2 adaptive nfe=26.",
    ]);
    assert.match(t.markdown, /\| 26 \| Taylor m=2 adaptive nfe=26 \| 27\.3 \| 80\.0 ± 1\.0 \| – \| 170\.0 ± 5\.0 \| – \| 5\.00 \| ≈, worse \| – \|/);
    const fig = matchedNfeFigure([b, better, within, worse, h]);
    assert.equal(fig.data.length, 5 * 3 * 2, "one trace per family, metric and row");
  });

  it("pairs the seeds: a small difference that every seed shows is resolved, one that flips sign is not", () => {
    const [base, uniform, ab] = parseCacheList("matched-nfe@26", 100);
    // Seed-to-seed spread (±2 points) hides a +1 point gain under the spread rule; the paired differences do not.
    const b = fake(base, [0.80, 0.016], [100, 8], undefined, { validity: [0.78, 0.80, 0.82], strain: [90, 100, 110] });
    const steady = fake(uniform, [0.81, 0.016], [96, 8], undefined, { validity: [0.79, 0.81, 0.83], strain: [87, 95, 106] });
    const noisy = fake(ab, [0.81, 0.02], [100, 8], undefined, { validity: [0.76, 0.84, 0.83], strain: [90, 100, 110] });
    assert.equal(compareToBase(steady, b, MATCHED_NFE_METRICS[0]), "≈");
    const d = pairedDifference(steady, b, MATCHED_NFE_METRICS[0])!;
    assert.ok(Math.abs(d.mean - 1) < 1e-9 && d.se < 1e-9 && d.seeds === 3, JSON.stringify(d));
    assert.equal(pairedVerdict(steady, b, MATCHED_NFE_METRICS[0]), "better");
    const strain = pairedDifference(steady, b, MATCHED_NFE_METRICS[2])!; // −3, −5, −4: mean −4, se 0.58
    assert.ok(Math.abs(strain.mean + 4) < 1e-9 && Math.abs(strain.se - Math.sqrt(1 / 3)) < 1e-9);
    assert.equal(pairedVerdict(steady, b, MATCHED_NFE_METRICS[2]), "better", "lower strain is better");
    assert.equal(pairedVerdict(noisy, b, MATCHED_NFE_METRICS[0]), "≈", "−2, +4, +1 points: within 2 standard errors");
    assert.equal(pairedDifference(fake(ab, [0.8, 0], [100, 0]), b, MATCHED_NFE_METRICS[0]), undefined, "no per-seed values");
    const t = matchedNfeTable([b, steady, noisy]);
    assert.match(t.markdown, /\| Taylor m=2 uniform nfe=26 \| .* \| ≈, ≈ \| \+1\.0 ± 0\.0, −4\.0 ± 0\.6 \|/);
    assert.match(t.verdicts[0], /better in the paired comparison over seeds \(> 2 standard errors\): Taylor m=2 uniform nfe=26\.$/);
  });
});
