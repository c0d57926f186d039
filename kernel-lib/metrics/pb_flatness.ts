/**
 * PoseBusters' flatness checks (v0.4.x `mol` configuration): aromatic 5- and 6-rings and C=C double bonds with
 * their substituents must be flat (≤ 0.25 Å from their common plane), non-aromatic 6-rings must not be
 * (≥ 0.05 Å). Patterns are PoseBusters' SMARTS, matched by RDKit.js on the sanitised molecule.
 *
 * PoseBusters takes the largest *signed* distance to the plane, with the plane normal's sign as numpy's SVD
 * happens to return it; that sign is arbitrary, so exact parity is impossible. molcache uses the largest absolute
 * distance, the quantity the check intends (see the README for the agreement this gives on the fixtures).
 */
import { Matrix, EigenvalueDecomposition } from "ml-matrix";
import { Molecule } from "../chem/molecule";
import { RDKitMol, matchSmarts } from "../chem/rdkit";

export const FLAT_RING_SMARTS = [
  "[ar5^2]1[ar5^2][ar5^2][ar5^2][ar5^2]1",
  "[ar6^2]1[ar6^2][ar6^2][ar6^2][ar6^2][ar6^2]1",
] as const;
export const FLAT_BOND_SMARTS = ["[C;X3;^2](*)(*)=[C;X3;^2](*)(*)"] as const;
export const NONFLAT_RING_SMARTS = [
  "[C,O,S,N;R1]~1[C,O,S,N;R1][C,O,S,N;R1][C,O,S,N;R1][C,O,S,N;R1][C,O,S,N;R1]1",
  "[C;R1]~1[C;R1][C,O,S,N;R1]~[C,O,S,N;R1][C;R1][C;R1]1",
  "[C;R1]~1[C;R1][C;R1]~[C;R1][C,O,S,N;R1][C;R1]1",
  "[C;R1]~1[C;R1][C;R1][C,O,S,N;R1]~[C,O,S,N;R1][C;R1]1",
  "[C;R1]~1[C;R1][C,O,S,N;R1][C;R1]~[C;R1][C;R1]1",
] as const;

/** Thresholds of the `mol` configuration, in Å. */
export const PB_FLATNESS_THRESHOLDS = { aromaticRing: 0.25, doubleBond: 0.25, nonAromaticRing: 0.05 } as const;

/**
 * Largest absolute distance (Å) of the given atoms from their least-squares plane.
 * @example
 * maxDistanceToPlane(mol.positions, [0, 1, 2, 3, 4, 5]); // 0.01 for benzene
 */
export function maxDistanceToPlane(positions: ArrayLike<number>, atoms: readonly number[]): number {
  const k = atoms.length;
  const c = [0, 0, 0];
  for (const a of atoms) for (let d = 0; d < 3; d++) c[d] += positions[3 * a + d] / k;
  const cov = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  for (const a of atoms) {
    const x = [0, 1, 2].map((d) => positions[3 * a + d] - c[d]);
    for (let r = 0; r < 3; r++) for (let s = 0; s < 3; s++) cov[r][s] += x[r] * x[s];
  }
  // The plane normal is the eigenvector of XᵀX with the smallest eigenvalue (= SVD's last right singular vector).
  const eig = new EigenvalueDecomposition(new Matrix(cov), { assumeSymmetric: true });
  const values = eig.realEigenvalues;
  let m = 0;
  for (let i = 1; i < 3; i++) if (values[i] < values[m]) m = i;
  const normal = eig.eigenvectorMatrix.getColumn(m);
  let best = 0;
  for (const a of atoms) {
    let dot = 0;
    for (let d = 0; d < 3; d++) dot += (positions[3 * a + d] - c[d]) * normal[d];
    best = Math.max(best, Math.abs(dot));
  }
  return best;
}

/** Result of one flatness check: pass/fail, how many groups were checked, and the extreme distance. */
export interface FlatnessResult {
  passes: boolean;
  nChecked: number;
  /** Largest distance for flat checks, smallest for the non-flat check; NaN when nothing matched. */
  extremeDistance: number;
}

function check(mol: Molecule, rd: RDKitMol, patterns: readonly string[], threshold: number, nonFlat: boolean): FlatnessResult {
  const groups: number[][] = [];
  for (const s of patterns) groups.push(...matchSmarts(rd, s));
  const dists = groups.map((g) => maxDistanceToPlane(mol.positions, g));
  const passes = dists.every((d) => (nonFlat ? d >= threshold : d <= threshold));
  const extremeDistance = dists.length ? (nonFlat ? Math.min(...dists) : Math.max(...dists)) : NaN;
  return { passes, nChecked: groups.length, extremeDistance };
}

/**
 * The three flatness checks of a sanitised molecule.
 * @example
 * const f = checkFlatness(mol, rdMol); f.aromaticRings.passes;
 */
export function checkFlatness(
  mol: Molecule,
  rd: RDKitMol,
): { aromaticRings: FlatnessResult; doubleBonds: FlatnessResult; nonAromaticRings: FlatnessResult } {
  return {
    aromaticRings: check(mol, rd, FLAT_RING_SMARTS, PB_FLATNESS_THRESHOLDS.aromaticRing, false),
    doubleBonds: check(mol, rd, FLAT_BOND_SMARTS, PB_FLATNESS_THRESHOLDS.doubleBond, false),
    nonAromaticRings: check(mol, rd, NONFLAT_RING_SMARTS, PB_FLATNESS_THRESHOLDS.nonAromaticRing, true),
  };
}
