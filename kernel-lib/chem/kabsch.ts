/**
 * Optimal superposition (Kabsch) and RMSD with the atom order fixed, as scipy's `align_vectors` after centring:
 * the metric SemlaFlow reports as opt-RMSD. Uses ml-matrix's SVD.
 */
import { determinant, Matrix, SingularValueDecomposition } from "ml-matrix";

/**
 * RMSD in Å between two conformers of the same atoms (N×3 row-major), after centring both on their mean and
 * rotating `b` onto `a` by the best proper rotation. All atoms count equally.
 * @example
 * kabschRmsd(pose, relaxed); // 0.22
 */
export function kabschRmsd(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length || a.length % 3 !== 0) {
    throw new Error(`kabschRmsd: coordinate arrays differ (${a.length} vs ${b.length}); pass N×3 arrays of one molecule`);
  }
  const n = a.length / 3;
  if (n === 0) return 0;
  const ca = [0, 0, 0];
  const cb = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < 3; d++) {
      ca[d] += a[3 * i + d] / n;
      cb[d] += b[3 * i + d] / n;
    }
  }
  // Cross-covariance H = Bᵀ A (3×3) of the centred sets.
  const h = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  let ssA = 0;
  let ssB = 0;
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < 3; r++) {
      const br = b[3 * i + r] - cb[r];
      ssB += br * br;
      const ar = a[3 * i + r] - ca[r];
      ssA += ar * ar;
      for (let c = 0; c < 3; c++) h[r][c] += br * (a[3 * i + c] - ca[c]);
    }
  }
  const svd = new SingularValueDecomposition(new Matrix(h), { autoTranspose: false });
  const s = svd.diagonal;
  const u = svd.leftSingularVectors;
  const v = svd.rightSingularVectors;
  // A reflection would lower the RMSD illegally: flip the smallest singular value's sign when det(U Vᵀ) < 0.
  const r = u.mmul(v.transpose()).to2DArray();
  const det =
    r[0][0] * (r[1][1] * r[2][2] - r[1][2] * r[2][1]) -
    r[0][1] * (r[1][0] * r[2][2] - r[1][2] * r[2][0]) +
    r[0][2] * (r[1][0] * r[2][1] - r[1][1] * r[2][0]);
  const trace = s[0] + s[1] + (det < 0 ? -s[2] : s[2]);
  const msd = Math.max(0, (ssA + ssB - 2 * trace) / n);
  return Math.sqrt(msd);
}

/**
 * The rotation R (3×3, row-major) minimising Σ‖R·aᵢ − bᵢ‖² for centred point sets a, b (n×3 row-major), with a
 * reflection correction so det R = +1.
 */
export function kabschRotation(a: ArrayLike<number>, b: ArrayLike<number>, n: number): number[] {
  const h = new Matrix(3, 3);
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) h.set(r, c, h.get(r, c) + a[i * 3 + r] * b[i * 3 + c]);
  }
  const svd = new SingularValueDecomposition(h);
  const U = svd.leftSingularVectors;
  const V = svd.rightSingularVectors;
  const d = Math.sign(determinant(V.mmul(U.transpose()))) || 1;
  const D = Matrix.diag([1, 1, d]);
  const R = V.mmul(D).mmul(U.transpose());
  return R.to1DArray();
}
