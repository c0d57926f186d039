/**
 * Equivariant optimal-transport alignment of a prior sample to a data molecule (the reference trainer's default):
 * permute the prior's atoms by a minimum-cost assignment on squared distances (Hungarian algorithm), then rotate the
 * prior onto the data by the best rotation (Kabsch). Both act on centred coordinates.
 */
import { kabschRotation } from "../chem/kabsch";

/**
 * Minimum-cost assignment of an n×n cost matrix (Hungarian algorithm with potentials, O(n³)).
 * @returns `assignment[row] = column`.
 */
export function linearSumAssignment(cost: Float64Array, n: number): Int32Array {
  const INF = Number.POSITIVE_INFINITY;
  const u = new Float64Array(n + 1);
  const v = new Float64Array(n + 1);
  const p = new Int32Array(n + 1); // p[col] = row matched to col (1-based; 0 = none)
  const way = new Int32Array(n + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(n + 1).fill(INF);
    const used = new Uint8Array(n + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = INF;
      let j1 = 0;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const cur = cost[(i0 - 1) * n + (j - 1)] - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0);
  }
  const assignment = new Int32Array(n);
  for (let j = 1; j <= n; j++) assignment[p[j] - 1] = j - 1;
  return assignment;
}

/**
 * Align prior coordinates to data coordinates in place (both centred, n×3): permute the prior's atoms to the data's
 * by minimum squared distance, then rotate the prior onto the data.
 */
export function alignPriorToData(prior: Float32Array, data: ArrayLike<number>, n: number): void {
  const cost = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let d2 = 0;
      for (let k = 0; k < 3; k++) d2 += (data[i * 3 + k] - prior[j * 3 + k]) ** 2;
      cost[i * n + j] = d2;
    }
  }
  const assign = linearSumAssignment(cost, n); // data atom i ← prior atom assign[i]
  const permuted = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) permuted[i * 3 + k] = prior[assign[i] * 3 + k];
  const R = kabschRotation(permuted, data, n);
  for (let i = 0; i < n; i++) {
    const x = permuted[i * 3], y = permuted[i * 3 + 1], z = permuted[i * 3 + 2];
    for (let r = 0; r < 3; r++) prior[i * 3 + r] = R[r * 3] * x + R[r * 3 + 1] * y + R[r * 3 + 2] * z;
  }
}
