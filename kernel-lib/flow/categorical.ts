/**
 * The "uniform-sample" categorical update of SemlaFlow's sampler (cat_noise_level 1), for atom types and for every
 * ordered bond pair. Given the predicted class probabilities p, the current class c, time t and step dt:
 *
 *   tc = clamp(t, 1e−5, 1 − 1e−5);  η = 1 if fround(t + dt) < 1 else 0
 *   w_k = min(1, dt·p_k·(1 + 2η(K−1)tc)/(1 − tc) + dt·η·p_c)   for k ≠ c
 *   w_c = max(0, 1 − Σ_{k≠c} w_k)
 *
 * and the new class is drawn by inverse CDF of the normalised w with a uniform u (the number of cumulative sums ≤ u,
 * clamped to K−1). Driving it with explicit uniforms is how parity with the reference is tested.
 */

const EPS_TIME = 1e-5;

/**
 * Update `classes` in place for the entries where `active` is 1.
 * @param logits `[count, K]` row-major logits (softmaxed here, in float64).
 * @param classes current class per entry (length count), overwritten with the new class.
 * @param uniforms one uniform in [0, 1) per entry.
 * @param t the float32 time of this step; `dt` its size.
 * @param active optional 0/1 per entry: inactive entries are left unchanged (padding).
 */
export function uniformSampleUpdate(
  logits: Float32Array,
  numClasses: number,
  classes: Int32Array,
  uniforms: ArrayLike<number>,
  t: number,
  dt: number,
  active?: ArrayLike<number>,
): void {
  const k = numClasses;
  const count = classes.length;
  if (logits.length !== count * k) throw new Error(`expected ${count * k} logits for ${count} entries, got ${logits.length}`);
  const tc = Math.min(Math.max(t, EPS_TIME), 1 - EPS_TIME);
  const eta = Math.fround(t + dt) < 1 ? 1 : 0;
  const rate = (dt * (1 + 2 * eta * (k - 1) * tc)) / (1 - tc);
  const stay = dt * eta;
  // This loop runs over every ordered atom pair of every step, so it is written flat (one buffer, no calls):
  // w first holds exp(logit − max), then the rates. The arithmetic is that of the formula above, in the same order.
  const w = new Float64Array(k);
  for (let e = 0; e < count; e++) {
    if (active !== undefined && active[e] === 0) continue;
    const offset = e * k;
    let max = -Infinity;
    for (let j = 0; j < k; j++) if (logits[offset + j] > max) max = logits[offset + j];
    let sum = 0;
    for (let j = 0; j < k; j++) {
      w[j] = Math.exp(logits[offset + j] - max);
      sum += w[j];
    }
    const c = classes[e];
    const pc = w[c] / sum;
    let others = 0;
    for (let j = 0; j < k; j++) {
      if (j === c) continue;
      w[j] = Math.min(1, rate * (w[j] / sum) + stay * pc);
      others += w[j];
    }
    w[c] = Math.max(0, 1 - others);
    let total = 0;
    for (let j = 0; j < k; j++) total += w[j];
    // Inverse CDF: the cumulative sums only grow (w ≥ 0), so the count of those ≤ u ends at the first one above u.
    const u = uniforms[e];
    let cumulative = 0;
    let index = 0;
    for (; index < k - 1; index++) {
      cumulative += w[index] / total;
      if (cumulative > u) break;
    }
    classes[e] = index;
  }
}
