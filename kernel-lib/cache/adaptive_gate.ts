/**
 * The adaptive schedule's gate (TeaCache-style, made E(3)-invariant): every step runs the network's first blocks
 * (embedding and layer 0) and measures how much layer 0's node features changed since the step before,
 * δ_k = Σ|h_k − h_{k−1}| / Σ|h_{k−1}| over the batch's real atoms. Node features are invariant to rotations and
 * translations and the sums are over atoms, so δ (and every decision) is the same for a rotated, translated or
 * permuted prior: the cached sampler stays equivariant. δ is accumulated; when the sum reaches the threshold the step
 * computes and the sum restarts, otherwise the output is forecast. Step 0 and the final step always compute.
 */

/** Relative L1 change of `[B, N, D]` node features over real atoms (mask `[B, N]`), summed in float64. */
export function relativeChange(previous: ArrayLike<number>, current: ArrayLike<number>, mask: ArrayLike<number>, width: number): number {
  if (previous.length !== current.length || current.length !== mask.length * width) {
    throw new Error(`gate features differ in shape: ${previous.length}, ${current.length} values for ${mask.length} atoms × ${width}`);
  }
  let num = 0;
  let den = 0;
  for (let a = 0; a < mask.length; a++) {
    if (!mask[a]) continue;
    for (let f = a * width; f < (a + 1) * width; f++) {
      num += Math.abs(current[f] - previous[f]);
      den += Math.abs(previous[f]);
    }
  }
  return den > 0 ? num / den : 0;
}

/** The accumulate-and-fire rule, shared by the online gate and the threshold tuning. */
export class GateAccumulator {
  private sum = 0;

  constructor(readonly threshold: number) {
    if (!(threshold > 0 && Number.isFinite(threshold))) throw new Error(`invalid threshold: ${threshold}; must be a number > 0`);
  }

  /** Add this step's change; true when the step should compute (then the sum restarts). `force` computes anyway. */
  decide(delta: number, force = false): boolean {
    this.sum += delta;
    if (force || this.sum >= this.threshold) {
      this.sum = 0;
      return true;
    }
    return false;
  }

  reset(): void {
    this.sum = 0;
  }
}

/** Computed steps of the gate on a recorded signal (step 0 and the final step forced). */
export function simulateGate(signal: readonly number[], threshold: number): number {
  const gate = new GateAccumulator(threshold);
  let calls = 0;
  signal.forEach((d, k) => (gate.decide(k === 0 ? 0 : d, k === 0 || k === signal.length - 1) ? calls++ : 0));
  return calls;
}

/**
 * The threshold at which the gate, run on a recorded signal, computes `nfe` steps (bisection on the monotone count;
 * the largest threshold reaching at least `nfe` calls, so the average stays at or just above the target).
 * @throws when `nfe` cannot be reached (more than the steps, or fewer than 2).
 */
export function tuneThreshold(signal: readonly number[], nfe: number): number {
  const K = signal.length;
  if (!(Number.isInteger(nfe) && nfe >= 2 && nfe <= K)) throw new Error(`invalid nfe: ${nfe}; must be an integer from 2 to ${K}`);
  let lo = 1e-12;
  let hi = signal.reduce((a, b) => a + b, 0) + 1;
  if (simulateGate(signal, lo) < nfe) return lo;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (simulateGate(signal, mid) >= nfe) lo = mid; else hi = mid;
  }
  return lo;
}
