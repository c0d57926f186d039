/**
 * The calibrated schedule: which steps to compute, for a budget of `nfe` network calls, so that the summed forecast
 * error over the skipped steps is smallest, given the cost of every interval between two computed steps (a table
 * measured on a recorded base trajectory with the real forecaster, see `forecast_error.ts`).
 *
 * The total is a sum over the intervals between computed steps, so dynamic programming over "j-th computed step is
 * c" finds the exact optimum in O(nfe · K²) (K = 100: ~0.5 M operations, a millisecond). A greedy "add the step that
 * helps most" is not optimal for such interval costs (an early choice can block a better pair of later ones), and
 * buys nothing here, so DP it is.
 */

/**
 * An interval cost table: `costs[c][n − c − 1]` is the cost of computing steps c and n and forecasting the steps
 * between them; one row per step (the last one empty).
 */
export type IntervalCosts = readonly (readonly number[])[];

/**
 * The schedule (one boolean per step) with exactly `nfe` computed steps, step 0 and the final step included, that
 * minimises the summed interval costs. Deterministic: ties go to the earliest step.
 * @param costs interval costs (K rows; finite, ≥ 0).
 * @example
 * calibratedSchedule([[0, 1, 5], [0, 1], [0], []], 3); // [true, true, false, true]
 */
export function calibratedSchedule(costs: IntervalCosts, nfe: number): boolean[] {
  const K = costs.length;
  if (!(K >= 2)) throw new Error(`invalid profile: ${K} steps; need at least 2`);
  if (!(Number.isInteger(nfe) && nfe >= 2)) throw new Error(`invalid nfe: ${nfe}; must be an integer >= 2`);
  if (nfe > K) throw new Error(`invalid nfe: ${nfe}; a ${K}-step run has at most ${K} network calls`);
  costs.forEach((row, c) => {
    if (!Array.isArray(row) || row.length !== K - 1 - c) throw new Error(`invalid profile: interval cost row ${c} has ${row?.length} entries, expected ${K - 1 - c}`);
    if (row.some((x) => !(x >= 0 && Number.isFinite(x)))) throw new Error("invalid profile: interval costs must be finite and >= 0");
  });
  // best[j][c]: least cost with j+1 computed steps, the last at c; from[j][c]: the computed step before it.
  const best: number[][] = [new Array<number>(K).fill(Infinity)];
  const from: number[][] = [new Array<number>(K).fill(-1)];
  best[0][0] = 0;
  for (let j = 1; j < nfe; j++) {
    const row = new Array<number>(K).fill(Infinity);
    const back = new Array<number>(K).fill(-1);
    for (let n = j; n < K; n++) {
      for (let c = j - 1; c < n; c++) {
        const v = best[j - 1][c] + costs[c][n - c - 1];
        if (v < row[n]) { row[n] = v; back[n] = c; }
      }
    }
    best.push(row);
    from.push(back);
  }
  const schedule = new Array<boolean>(K).fill(false);
  for (let j = nfe - 1, c = K - 1; j >= 0; c = from[j][c], j--) schedule[c] = true;
  return schedule;
}

/** The summed interval cost of a schedule under the same table (to compare schedules). */
export function scheduleCost(costs: IntervalCosts, schedule: readonly boolean[]): number {
  let total = 0;
  let last = 0;
  for (let k = 1; k < schedule.length; k++) {
    if (!schedule[k]) continue;
    total += costs[last][k - last - 1];
    last = k;
  }
  return total;
}
