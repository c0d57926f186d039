/**
 * The calibrated schedule: which steps to compute, for a budget of `nfe` network calls, so that the summed forecast
 * error over the skipped steps is smallest, given a per-step error density e[k] (the profile's linear-predictability
 * error: the size of the second difference at k relative to the output).
 *
 * Error model: a skipped step s forecast from the last computed step c accumulates the curvature it does not see,
 * cost(c, s) = Σ_{i=c+1..s} (s − i + 1) · e[i] (the remainder of a first-order extrapolation written as a sum of
 * second differences, bounded by the triangle inequality). The total is a sum over the intervals between computed
 * steps, so dynamic programming over "j-th computed step is c" finds the exact optimum in O(nfe · K²) (K = 100:
 * ~0.5 M operations, a millisecond). A greedy "add the step that helps most" is not optimal for such interval costs
 * (an early choice can block a better pair of later ones), and buys nothing here, so DP it is.
 */

/**
 * The cost of one interval: computed step `c`, next computed step `next`, skipped steps c+1 … next−1.
 * @param e error density per step.
 */
export function intervalCost(e: readonly number[], c: number, next: number): number {
  let total = 0;
  // Running sums: cost(c, s) = Σ_i (s − i + 1) e[i] = cost(c, s−1) + Σ_{i=c+1..s} e[i].
  let sumE = 0;
  let cost = 0;
  for (let s = c + 1; s < next; s++) {
    sumE += e[s];
    cost += sumE;
    total += cost;
  }
  return total;
}

/**
 * The schedule (one boolean per step) with exactly `nfe` computed steps, step 0 and the final step included, that
 * minimises the summed interval costs. Deterministic: ties go to the earliest step.
 * @param errors error density per step (length K, finite, ≥ 0).
 * @example
 * calibratedSchedule([1, 1, 1, 1, 0, 0, 0, 0, 0, 0], 4); // computes 0, 2 (dense where the error is), … and 9
 */
export function calibratedSchedule(errors: readonly number[], nfe: number): boolean[] {
  const K = errors.length;
  if (!(K >= 2)) throw new Error(`invalid profile: ${K} steps; need at least 2`);
  if (!(Number.isInteger(nfe) && nfe >= 2)) throw new Error(`invalid nfe: ${nfe}; must be an integer >= 2`);
  if (nfe > K) throw new Error(`invalid nfe: ${nfe}; a ${K}-step run has at most ${K} network calls`);
  if (errors.some((x) => !(x >= 0 && Number.isFinite(x)))) throw new Error("invalid profile: errors must be finite and >= 0");
  const seg: number[][] = Array.from({ length: K }, (_, c) => {
    const row = new Array<number>(K).fill(Infinity);
    for (let n = c + 1; n < K; n++) row[n] = intervalCost(errors, c, n);
    return row;
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
        const v = best[j - 1][c] + seg[c][n];
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

/** The summed interval cost of a schedule under the same error model (to compare schedules). */
export function scheduleCost(errors: readonly number[], schedule: readonly boolean[]): number {
  let total = 0;
  let last = 0;
  for (let k = 1; k < schedule.length; k++) {
    if (!schedule[k]) continue;
    total += intervalCost(errors, last, k);
    last = k;
  }
  return total;
}
