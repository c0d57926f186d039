/**
 * Distance bounds from the molecular graph, re-implementing RDKit's `GetMoleculeBoundsMatrix` (BoundsMatrixBuilder
 * + triangle smoothing) as PoseBusters calls it: `set15bounds`, `scaleVDW`, `doTriangleSmoothing`, no macrocycle
 * 1-4 rules, trans amides forced (RDKit's default).
 *
 * Where this can differ from RDKit: stereo bonds are never set (molcache molecules carry no E/Z labels, and
 * PoseBusters loads without stereo perception), rings are RDKit.js's current symmetrised SSSR, and RDKit versions
 * differ in small refinements (larger-atom tolerances, an H-bond lower bound, extra flex in conjugated 5-rings with
 * heavy heteroatoms); those are options here, set to match the fixtures computed with RDKit 2022.09.
 */
import { Molecule } from "./molecule";
import { Perception, bondBetween } from "./perception";
import { UffParams, uffBondRestLength } from "./uff_params";
import { elementByZ } from "./elements";
import { topologicalDistances } from "./graph";

const DIST12_DELTA = 0.01;
const DIST13_TOL = 0.04;
const GEN_DIST_TOL = 0.06;
const DIST15_TOL = 0.08;
const VDW_SCALE_15 = 0.7;
const MAX_UPPER = 1000.0;
const H_BOND_LENGTH = 1.8;

/** Version-dependent refinements of RDKit's builder (see the file comment). */
export interface BoundsOptions {
  /** Double the 1-3 tolerance per ring sp2 atom beyond the first row (RDKit ≥ 2020). Default true. */
  largerSp2Tolerance: boolean;
  /** Lower bound 1.8 Å between a polar H and an N/O acceptor (newer RDKit). Default false. */
  hBondLowerBound: boolean;
  /** ±0.2 Å extra on bonds of heavy heteroatoms in conjugated 5-rings (newer RDKit). Default false. */
  squishConjugated5Rings: boolean;
  /**
   * Skip 1-3 bounds for atom pairs that are already bonded (newer RDKit). RDKit 2022.09 does not skip them, so in
   * 3-rings the bond bounds are widened by the 60° 1-3 rule. Default false.
   */
  skipBonded13: boolean;
  /** Apply triangle smoothing. Default true. */
  triangleSmoothing: boolean;
}

/** Defaults for {@link BoundsOptions}. */
export const DEFAULT_BOUNDS_OPTIONS: BoundsOptions = {
  largerSp2Tolerance: true,
  hBondLowerBound: false,
  squishConjugated5Rings: false,
  skipBonded13: false,
  triangleSmoothing: true,
};

/** A symmetric bounds matrix: `lower[i*n+j]` and `upper[i*n+j]` in Å. */
export interface BoundsMatrix {
  n: number;
  lower: Float64Array;
  upper: Float64Array;
  /** False when triangle smoothing met inconsistent bounds (RDKit stops smoothing there, as here). */
  smoothed: boolean;
}

type Torsion = "cis" | "trans" | "flexible" | "custom" | "none";

const compute13 = (d1: number, d2: number, ang: number) => Math.sqrt(d1 * d1 + d2 * d2 - 2 * d1 * d2 * Math.cos(ang));
function cis14(d1: number, d2: number, d3: number, a12: number, a23: number): number {
  const dx = d2 - d3 * Math.cos(a23) - d1 * Math.cos(a12);
  const dy = d3 * Math.sin(a23) - d1 * Math.sin(a12);
  return Math.sqrt(dx * dx + dy * dy);
}
function trans14(d1: number, d2: number, d3: number, a12: number, a23: number): number {
  const dx = d2 - d3 * Math.cos(a23) - d1 * Math.cos(a12);
  const dy = d3 * Math.sin(a23) + d1 * Math.sin(a12);
  return Math.sqrt(dx * dx + dy * dy);
}
function dist14_3d(d1: number, d2: number, d3: number, a12: number, a23: number, tors: number): number {
  const p1 = [d1 * Math.cos(a12), d1 * Math.sin(a12), 0];
  const p4 = [d2 - d3 * Math.cos(a23), d3 * Math.sin(a23) * Math.cos(tors), d3 * Math.sin(a23) * Math.sin(tors)];
  return Math.hypot(p1[0] - p4[0], p1[1] - p4[1], p1[2] - p4[2]);
}
function d15(d1: number, d2: number, d3: number, d4: number, a12: number, a23: number, a34: number, first: "cis" | "trans", second: "cis" | "trans"): number {
  const dx14 = d2 - d3 * Math.cos(a23) - d1 * Math.cos(a12);
  const dy14 = first === "cis" ? d3 * Math.sin(a23) - d1 * Math.sin(a12) : d3 * Math.sin(a23) + d1 * Math.sin(a12);
  const dd14 = Math.sqrt(dx14 * dx14 + dy14 * dy14);
  const c = first === "cis" ? Math.cos(a12 + a23) : Math.cos(a12 - a23);
  let cval = (d3 - d2 * Math.cos(a23) + d1 * c) / dd14;
  cval = Math.max(-1, Math.min(1, cval));
  const a143 = Math.acos(cval);
  // (cis,cis) and (trans,cis) subtract the 1-4-3 angle; (cis,trans) and (trans,trans) add it.
  const a145 = second === "cis" ? a34 - a143 : a34 + a143;
  return compute13(dd14, d4, a145);
}

/**
 * The bounds matrix of a sanitised, perceived molecule with UFF parameters per atom.
 * @example
 * const b = moleculeBoundsMatrix(mol, perception, uffAtomParams(mol, perception));
 * b.lower[i * b.n + j]; // lower bound between atoms i and j
 */
export function moleculeBoundsMatrix(
  mol: Molecule,
  p: Perception,
  params: (UffParams | undefined)[],
  options: BoundsOptions = DEFAULT_BOUNDS_OPTIONS,
): BoundsMatrix {
  const n = mol.elements.length;
  const nb = mol.bondI.length;
  const lower = new Float64Array(n * n);
  const upper = new Float64Array(n * n).fill(MAX_UPPER);
  const getL = (i: number, j: number) => lower[i * n + j];
  const getU = (i: number, j: number) => upper[i * n + j];
  const setL = (i: number, j: number, v: number) => {
    lower[i * n + j] = v;
    lower[j * n + i] = v;
  };
  const setU = (i: number, j: number, v: number) => {
    upper[i * n + j] = v;
    upper[j * n + i] = v;
  };
  const checkAndSet = (i: number, j: number, lb: number, ub: number) => {
    const clb = getL(i, j);
    const cub = getU(i, j);
    if (clb <= DIST12_DELTA) setL(i, j, lb);
    else if (lb < clb && lb > DIST12_DELTA) setL(i, j, lb);
    if (cub >= MAX_UPPER) setU(i, j, ub);
    else if (ub > cub && ub < MAX_UPPER) setU(i, j, ub);
  };
  const dmat = topologicalDistances(mol, p.adj);
  const other = (b: number, a: number) => (mol.bondI[b] === a ? mol.bondJ[b] : mol.bondI[b]);
  const deg = (a: number) => p.adj.nbrs[a].length;
  const inRingOfSize = (a: number, size: number) => p.atomRings.some((r) => r.length === size && r.includes(a));
  const bondType = (b: number): "single" | "double" | "triple" | "aromatic" =>
    p.aromaticBonds.has(b) ? "aromatic" : mol.bondOrder[b] === 2 ? "double" : mol.bondOrder[b] === 3 ? "triple" : mol.bondOrder[b] === 4 ? "aromatic" : "single";
  const totalHs = (a: number) => p.adj.nbrs[a].filter((x) => mol.elements[x] === 1).length;

  const visited12 = new Uint8Array(n * n);
  const visited13 = new Uint8Array(n * n);
  const visited14 = new Uint8Array(n * n);
  const pidx = (i: number, j: number) => Math.min(i, j) * n + Math.max(i, j);
  const bondLengths = new Float64Array(nb);
  const bondAdj = new Int32Array(nb * nb).fill(-1);
  const bondAngles = new Float64Array(nb * nb).fill(-1);
  const setBA = (b1: number, b2: number, angle: number, center: number) => {
    bondAngles[b1 * nb + b2] = angle;
    bondAngles[b2 * nb + b1] = angle;
    bondAdj[b1 * nb + b2] = center;
    bondAdj[b2 * nb + b1] = center;
  };

  // ---- 1-2 bounds: UFF rest lengths ± 0.01 Å.
  const squish = new Uint8Array(n);
  if (options.squishConjugated5Rings) {
    for (let b = 0; b < nb; b++) {
      const in5 = p.bondRings.some((r) => r.length === 5 && r.includes(b));
      if (p.conjugatedBonds[b] && (mol.elements[mol.bondI[b]] > 10 || mol.elements[mol.bondJ[b]] > 10) && in5) {
        squish[mol.bondI[b]] = 1;
        squish[mol.bondJ[b]] = 1;
      }
    }
  }
  for (let b = 0; b < nb; b++) {
    const i = mol.bondI[b];
    const j = mol.bondJ[b];
    const pi = params[i];
    const pj = params[j];
    if (pi && pj) {
      const bl = uffBondRestLength(p.bondTypeAsDouble[b], pi, pj);
      const extra = squish[i] || squish[j] ? 0.2 : 0;
      bondLengths[b] = bl;
      setU(i, j, bl + extra + DIST12_DELTA);
      setL(i, j, bl - extra - DIST12_DELTA);
    } else {
      const bl = ((elementByZ(mol.elements[i])?.rVdw ?? 2) + (elementByZ(mol.elements[j])?.rVdw ?? 2)) / 2;
      bondLengths[b] = bl;
      setU(i, j, 1.5 * bl);
      setL(i, j, 0.5 * bl);
    }
    visited12[pidx(i, j)] = 1;
  }

  // ---- 1-3 bounds from bond lengths and ideal angles.
  const largerSp2 = (a: number) =>
    options.largerSp2Tolerance && mol.elements[a] > 13 && p.hybridization[a] === 2 && p.atomRingCount[a] > 0;
  const set13 = (a1: number, a: number, a3: number, angle: number) => {
    const b1 = bondBetween(p, a1, a);
    const b2 = bondBetween(p, a, a3);
    let tol = DIST13_TOL;
    if (largerSp2(a1)) tol *= 2;
    if (largerSp2(a)) tol *= 2;
    if (largerSp2(a3)) tol *= 2;
    const dl = compute13(bondLengths[b1], bondLengths[b2], angle) - tol;
    checkAndSet(a1, a3, dl, dl + 2 * tol);
  };
  const ringAngle = (a: number, size: number) => {
    const h = p.hybridization[a];
    if ((h === 2 && size <= 8) || size === 3 || size === 4) return Math.PI * (1 - 2 / size);
    if (h === 3) return ((size === 5 ? 104 : 109.5) * Math.PI) / 180;
    if (h === 4) return (105 * Math.PI) / 180;
    if (h === 5) return (90 * Math.PI) / 180;
    return (120 * Math.PI) / 180;
  };
  const rings = p.atomRings.map((r, k) => ({ r, k })).sort((x, y) => x.r.length - y.r.length || x.k - y.k);
  const visitedCenter = new Int32Array(n);
  const angleTaken = new Float64Array(n);
  const donePairs = new Uint8Array(nb * nb);
  for (const { r } of rings) {
    const size = r.length;
    let a1 = r[size - 1];
    for (let i = 0; i < size; i++) {
      const a2 = r[i];
      const a3 = r[(i + 1) % size];
      const b1 = bondBetween(p, a1, a2);
      const b2 = bondBetween(p, a2, a3);
      const key = Math.min(b1, b2) * nb + Math.max(b1, b2);
      if (!donePairs[key]) {
        const angle = ringAngle(a2, size);
        if (!options.skipBonded13 || !visited12[pidx(a1, a3)]) {
          set13(a1, a2, a3, angle);
          visited13[pidx(a1, a3)] = 1;
        }
        setBA(b1, b2, angle, a2);
        visitedCenter[a2]++;
        angleTaken[a2] += angle;
        donePairs[key] = 1;
      }
      a1 = a2;
    }
  }
  for (let a2 = 0; a2 < n; a2++) {
    const d = deg(a2);
    const n13 = (d * (d - 1)) / 2;
    if (n13 === visitedCenter[a2]) continue;
    const h = p.hybridization[a2];
    const bonds = p.adj.bondIdx[a2];
    const ringAtom = visitedCenter[a2] >= 1;
    for (let x = 0; x < bonds.length; x++) {
      const b1 = bonds[x];
      const a1 = other(b1, a2);
      for (let y = 0; y < x; y++) {
        const b2 = bonds[y];
        const a3 = other(b2, a2);
        let angle: number;
        if (ringAtom) {
          if (bondAngles[b1 * nb + b2] >= 0) continue;
          if (h === 2) angle = (2 * Math.PI - angleTaken[a2]) / (n13 - visitedCenter[a2]);
          else if (h === 3) {
            angle = (109.5 * Math.PI) / 180;
            if (inRingOfSize(a2, 3)) angle = (116 * Math.PI) / 180;
            else if (inRingOfSize(a2, 4)) angle = (112 * Math.PI) / 180;
          } else angle = ((d === 5 ? 105 : d === 6 ? 135 : 120) * Math.PI) / 180;
          if (!options.skipBonded13 || !visited12[pidx(a1, a3)]) {
            set13(a1, a2, a3, angle);
            visited13[pidx(a1, a3)] = 1;
          }
        } else {
          angle =
            h === 1 ? Math.PI : h === 2 ? (2 * Math.PI) / 3 : h === 3 ? (109.5 * Math.PI) / 180 : h === 4 ? (105 * Math.PI) / 180 : h === 5 ? (135 * Math.PI) / 180 : (120 * Math.PI) / 180;
          if (!options.skipBonded13 || !visited12[pidx(a1, a3)]) {
            if (d <= 4) set13(a1, a2, a3, angle);
            else checkAndSet(a1, a3, 1.0, (bondLengths[b1] + bondLengths[b2]) * 1.2);
            visited13[pidx(a1, a3)] = 1;
          }
        }
        setBA(b1, b2, angle, a2);
        angleTaken[a2] += angle;
        visitedCenter[a2]++;
      }
    }
  }

  // ---- 1-4 bounds from torsion types.
  const paths14: { b1: number; b2: number; b3: number; type: Torsion }[] = [];
  const cisPaths = new Set<number>();
  const transPaths = new Set<number>();
  const pathId = (b1: number, b2: number, b3: number) => (b1 < b3 ? (b1 * nb + b2) * nb + b3 : (b3 * nb + b2) * nb + b1);
  const inRing14 = (b1: number, b2: number, b3: number, a2: number, a3: number, ringSize: number): Torsion => {
    if (ringSize <= 8 && p.hybridization[a2] === 2 && p.hybridization[a3] === 2) {
      if (p.bondRingCount[b2] > 1) {
        if (p.bondRingCount[b1] === 1 && p.bondRingCount[b3] === 1) {
          for (const br of p.bondRings) {
            if (br.includes(b1)) {
              if (br.includes(b3)) return "cis";
              break;
            }
          }
        }
      } else return "cis";
    }
    return "flexible";
  };
  const amideEster14 = (b1: number, b3: number, a2: number, a3: number, a4: number) =>
    mol.elements[a3] === 6 && bondType(b3) === "double" && (mol.elements[a4] === 8 || mol.elements[a4] === 7) &&
    bondType(b1) === "single" && (mol.elements[a2] === 8 || (mol.elements[a2] === 7 && totalHs(a2) === 1));
  const isCarbonyl = (a: number) =>
    mol.elements[a] === 6 && deg(a) > 2 &&
    p.adj.nbrs[a].some((x, k) => (mol.elements[x] === 8 || mol.elements[x] === 7) && bondType(p.adj.bondIdx[a][k]) === "double");
  const amideEster15 = (b1: number, b3: number, a2: number, a3: number) =>
    (mol.elements[a2] === 8 || (mol.elements[a2] === 7 && totalHs(a2) === 1)) && bondType(b1) === "single" &&
    mol.elements[a3] === 6 && bondType(b3) === "single" && isCarbonyl(a3);
  const secondaryAmideH = (a1: number, a2: number) =>
    mol.elements[a1] === 1 && mol.elements[a2] === 7 && deg(a2) === 3 && totalHs(a2) === 1;
  const chain14 = (b1: number, b2: number, b3: number, a1: number, a2: number, a3: number, a4: number): Torsion => {
    const t2 = bondType(b2);
    if (t2 === "double") return bondType(b1) === "double" || bondType(b3) === "double" ? "cis" : "flexible";
    if (t2 !== "single") return "flexible";
    if (mol.elements[a2] === 16 && mol.elements[a3] === 16 && deg(a2) === 2 && deg(a3) === 2) return "custom";
    if (amideEster14(b1, b3, a2, a3, a4) || amideEster14(b3, b1, a3, a2, a1)) {
      return secondaryAmideH(a1, a2) || secondaryAmideH(a4, a3) ? "trans" : "cis";
    }
    if (amideEster15(b1, b3, a2, a3) || amideEster15(b3, b1, a3, a2)) {
      return secondaryAmideH(a1, a2) || secondaryAmideH(a4, a3) ? "cis" : "trans";
    }
    return "flexible";
  };
  type Kind = "chain" | "ring" | "twoSame" | "twoDiff" | "share";
  const set14 = (b1: number, b2: number, b3: number, kind: Kind, ringSize = 0) => {
    const a2 = bondAdj[b1 * nb + b2];
    const a3 = bondAdj[b2 * nb + b3];
    if (a2 < 0 || a3 < 0) return;
    const a1 = other(b1, a2);
    const a4 = other(b3, a3);
    const pid = pidx(a1, a4);
    if (visited12[pid] || visited13[pid] || dmat[a1 * n + a4] < 2.9) return;
    const bl1 = bondLengths[b1];
    const bl2 = bondLengths[b2];
    const bl3 = bondLengths[b3];
    const ba12 = bondAngles[b1 * nb + b2];
    const ba23 = bondAngles[b2 * nb + b3];
    let type: Torsion;
    if (kind === "chain") type = chain14(b1, b2, b3, a1, a2, a3, a4);
    else if (kind === "ring") type = inRing14(b1, b2, b3, a2, a3, ringSize);
    else if (kind === "twoSame") {
      if (bondBetween(p, a1, a3) >= 0 || bondBetween(p, a4, a2) >= 0) type = "none";
      else type = p.hybridization[a2] === 2 && p.hybridization[a3] === 2 ? "trans" : "flexible";
    } else type = inRing14(b1, b2, b3, a2, a3, 0);
    let dl: number;
    let du: number;
    if (type === "cis") {
      dl = cis14(bl1, bl2, bl3, ba12, ba23) - GEN_DIST_TOL;
      du = dl + 2 * GEN_DIST_TOL;
      cisPaths.add(pathId(b1, b2, b3));
    } else if (type === "trans") {
      dl = trans14(bl1, bl2, bl3, ba12, ba23) - GEN_DIST_TOL;
      du = dl + 2 * GEN_DIST_TOL;
      transPaths.add(pathId(b1, b2, b3));
    } else if (type === "flexible") {
      dl = cis14(bl1, bl2, bl3, ba12, ba23);
      du = trans14(bl1, bl2, bl3, ba12, ba23);
      if (du < dl) [dl, du] = [du, dl];
      if (Math.abs(du - dl) < DIST12_DELTA) {
        dl -= GEN_DIST_TOL;
        du += GEN_DIST_TOL;
      }
    } else if (type === "custom") {
      dl = dist14_3d(bl1, bl2, bl3, ba12, ba23, Math.PI / 2) - GEN_DIST_TOL;
      du = dl + 2 * GEN_DIST_TOL;
    } else return;
    checkAndSet(a1, a4, dl, du);
    paths14.push({ b1, b2, b3, type });
    visited14[pid] = 1;
  };
  const ringBondPairs = new Set<number>();
  const donePaths = new Set<number>();
  for (const br of p.bondRings) {
    const size = br.length;
    if (size < 3) continue;
    let b1 = br[size - 1];
    for (let i = 0; i < size; i++) {
      const b2 = br[i];
      const b3 = br[(i + 1) % size];
      ringBondPairs.add(Math.min(b1, b2) * nb + Math.max(b1, b2));
      donePaths.add(pathId(b1, b2, b3));
      if (size > 5) set14(b1, b2, b3, "ring", size);
      else {
        const a2 = bondAdj[b1 * nb + b2];
        const a3 = bondAdj[b2 * nb + b3];
        const type: Torsion = a2 >= 0 && a3 >= 0 && p.hybridization[a2] === 2 && p.hybridization[a3] === 2 ? "cis" : "flexible";
        if (type === "cis") cisPaths.add(pathId(b1, b2, b3));
        paths14.push({ b1, b2, b3, type });
      }
      b1 = b2;
    }
  }
  for (let b2 = 0; b2 < nb; b2++) {
    const a2 = mol.bondI[b2];
    const a3 = mol.bondJ[b2];
    for (const b1 of p.adj.bondIdx[a2]) {
      if (b1 === b2) continue;
      for (const b3 of p.adj.bondIdx[a3]) {
        if (b3 === b2 || donePaths.has(pathId(b1, b2, b3))) continue;
        const k1 = Math.min(b1, b2) * nb + Math.max(b1, b2);
        const k2 = Math.min(b2, b3) * nb + Math.max(b2, b3);
        if (ringBondPairs.has(k1) || ringBondPairs.has(k2)) set14(b1, b2, b3, "twoSame");
        else if ((p.bondRingCount[b1] > 0 && p.bondRingCount[b2] > 0) || (p.bondRingCount[b2] > 0 && p.bondRingCount[b3] > 0)) {
          set14(b1, b2, b3, "twoDiff");
        } else if (p.bondRingCount[b2] > 0) set14(b1, b2, b3, "share");
        else set14(b1, b2, b3, "chain");
      }
    }
  }

  // ---- 1-5 bounds along recorded 1-4 paths.
  const set15Atoms = new Uint8Array(n * n);
  const rvdw = (a: number) => elementByZ(mol.elements[a])?.rVdw ?? 2;
  const set15 = (b1: number, b2: number, b3: number, type: Torsion) => {
    const a2 = bondAdj[b1 * nb + b2];
    const a3 = bondAdj[b2 * nb + b3];
    if (a2 < 0 || a3 < 0) return;
    const a1 = other(b1, a2);
    const a4 = other(b3, a3);
    const dd1 = bondLengths[b1];
    const dd2 = bondLengths[b2];
    const dd3 = bondLengths[b3];
    const a12 = bondAngles[b1 * nb + b2];
    const a23 = bondAngles[b2 * nb + b3];
    for (let i = 0; i < nb; i++) {
      if (bondAdj[b3 * nb + i] !== a4) continue;
      const a5 = other(i, a4);
      const pid = pidx(a1, a5);
      if (visited12[pid] || visited13[pid] || visited14[pid]) return;
      if (dmat[a1 * n + a5] < 3.9) continue;
      if (a1 === a5) continue;
      if (!(getL(a1, a5) < DIST12_DELTA || set15Atoms[pid])) continue;
      const dd4 = bondLengths[i];
      const a34 = bondAngles[b3 * nb + i];
      const id = pathId(b2, b3, i);
      let dl = 0;
      let du = -1;
      const cis = cisPaths.has(id);
      const trans = transPaths.has(id);
      if (type === "cis") {
        if (cis) {
          dl = d15(dd1, dd2, dd3, dd4, a12, a23, a34, "cis", "cis");
          du = dl + DIST15_TOL;
          dl -= DIST15_TOL;
        } else if (trans) {
          dl = d15(dd1, dd2, dd3, dd4, a12, a23, a34, "cis", "trans");
          du = dl + DIST15_TOL;
          dl -= DIST15_TOL;
        } else {
          dl = d15(dd1, dd2, dd3, dd4, a12, a23, a34, "cis", "cis") - DIST15_TOL;
          du = d15(dd1, dd2, dd3, dd4, a12, a23, a34, "cis", "trans") + DIST15_TOL;
        }
      } else if (type === "trans") {
        if (cis) {
          dl = d15(dd1, dd2, dd3, dd4, a12, a23, a34, "trans", "cis");
          du = dl + DIST15_TOL;
          dl -= DIST15_TOL;
        } else if (trans) {
          dl = d15(dd1, dd2, dd3, dd4, a12, a23, a34, "trans", "trans");
          du = dl + DIST15_TOL;
          dl -= DIST15_TOL;
        } else {
          dl = d15(dd1, dd2, dd3, dd4, a12, a23, a34, "trans", "cis") - DIST15_TOL;
          du = d15(dd1, dd2, dd3, dd4, a12, a23, a34, "trans", "trans") + DIST15_TOL;
        }
      } else if (cis) {
        dl = d15(dd4, dd3, dd2, dd1, a34, a23, a12, "cis", "cis") - DIST15_TOL;
        du = d15(dd4, dd3, dd2, dd1, a34, a23, a12, "cis", "trans") + DIST15_TOL;
      } else if (trans) {
        dl = d15(dd4, dd3, dd2, dd1, a34, a23, a12, "trans", "cis") - DIST15_TOL;
        du = d15(dd4, dd3, dd2, dd1, a34, a23, a12, "trans", "trans") + DIST15_TOL;
      } else {
        dl = VDW_SCALE_15 * (rvdw(a1) + rvdw(a5));
      }
      if (du < 0) du = MAX_UPPER;
      checkAndSet(a1, a5, dl, du);
      set15Atoms[pid] = 1;
    }
  };
  for (const path of paths14) {
    set15(path.b1, path.b2, path.b3, path.type);
    set15(path.b3, path.b2, path.b1, path.type);
  }

  // ---- van der Waals lower bounds for everything else.
  const polarH = (a: number) => mol.elements[a] === 1 && p.adj.nbrs[a].some((x) => mol.elements[x] === 7 || mol.elements[x] === 8);
  const acceptor = (a: number) => mol.elements[a] === 7 || mol.elements[a] === 8;
  for (let i = 1; i < n; i++) {
    for (let j = 0; j < i; j++) {
      if (getL(i, j) >= DIST12_DELTA) continue;
      const sum = rvdw(i) + rvdw(j);
      const d = dmat[i * n + j];
      if (options.hBondLowerBound && ((polarH(i) && acceptor(j)) || (acceptor(i) && polarH(j)))) setL(i, j, H_BOND_LENGTH);
      else if (d === 4) setL(i, j, VDW_SCALE_15 * sum);
      else if (d === 5) setL(i, j, (VDW_SCALE_15 + 0.5 * (1 - VDW_SCALE_15)) * sum);
      else setL(i, j, sum);
    }
  }
  const smoothed = options.triangleSmoothing ? triangleSmooth(n, lower, upper) : true;
  return { n, lower, upper, smoothed };
}

/** RDKit's triangle smoothing (Floyd-style), stopping at the first inconsistent pair as RDKit does. */
export function triangleSmooth(n: number, lower: Float64Array, upper: Float64Array): boolean {
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < n - 1; i++) {
      if (i === k) continue;
      const uik = upper[i * n + k];
      const lik = lower[i * n + k];
      for (let j = i + 1; j < n; j++) {
        if (j === k) continue;
        const ujk = upper[j * n + k];
        const ljk = lower[j * n + k];
        let uij = upper[i * n + j];
        const s = uik + ujk;
        if (uij > s) {
          uij = s;
          upper[i * n + j] = s;
          upper[j * n + i] = s;
        }
        let lij = lower[i * n + j];
        const d1 = lik - ujk;
        const d2 = ljk - uik;
        if (lij < d1) {
          lij = d1;
          lower[i * n + j] = d1;
          lower[j * n + i] = d1;
        } else if (lij < d2) {
          lij = d2;
          lower[i * n + j] = d2;
          lower[j * n + i] = d2;
        }
        if (lij - uij > 0) return false;
      }
    }
  }
  return true;
}
