/**
 * The Universal Force Field (Rappé et al. 1992) as RDKit builds it (UFF Builder: bond stretch, angle bend,
 * torsion, inversion and van der Waals terms; no electrostatics): energies in kcal/mol of a pose, used by the
 * PoseBusters internal-energy check. Energy only; no gradients.
 */
import { Molecule } from "./molecule";
import { Perception, bondBetween } from "./perception";
import { UffParams, uffAtomParams, uffBondRestLength } from "./uff_params";

const G = 332.06;

interface Terms {
  bonds: { i: number; j: number; r0: number; k: number }[];
  angles: { i: number; j: number; k: number; kf: number; order: number; c0: number; c1: number; c2: number }[];
  torsions: { i: number; j: number; k: number; l: number; v: number; n: number; cosTerm: number }[];
  inversions: { i: number; j: number; k: number; l: number; kf: number; c0: number; c1: number; c2: number }[];
  vdw: { i: number; j: number; x: number; d: number; thresh: number }[];
}

/** A UFF force field set up for one molecule (topology fixed; evaluate any pose of it). */
export interface UffForceField {
  /** Total energy of a pose (N×3, Å) in kcal/mol. */
  energy(positions: ArrayLike<number>): number;
  /** Local relaxation from `positions` (L-BFGS, default 200 iterations as RDKit's `UFFOptimizeMolecule`). */
  minimise(positions: ArrayLike<number>, maxIterations?: number): { energy: number; positions: Float64Array };
  /** Number of terms by kind (for tests and diagnostics). */
  counts: { bonds: number; angles: number; torsions: number; inversions: number; vdw: number };
}

const isGroup16 = (z: number) => z === 8 || z === 16 || z === 34 || z === 52 || z === 84;
const equation17 = (bo: number, a: UffParams, b: UffParams) => 5 * Math.sqrt(a.U1 * b.U1) * (1 + 4.18 * Math.log(bo));

function angleForceConstant(theta0: number, bo12: number, bo23: number, p1: UffParams, p2: UffParams, p3: UffParams): number {
  const c = Math.cos(theta0);
  const r12 = uffBondRestLength(bo12, p1, p2);
  const r23 = uffBondRestLength(bo23, p2, p3);
  const r13 = Math.sqrt(r12 * r12 + r23 * r23 - 2 * r12 * r23 * c);
  const beta = (2 * G) / (r12 * r23);
  const pre = (beta * p1.Z1 * p3.Z1) / r13 ** 5;
  const rTerm = r12 * r23;
  return pre * rTerm * (3 * rTerm * (1 - c * c) - r13 * r13 * c);
}

/**
 * Set up UFF for a sanitised, perceived molecule; `undefined` when an atom has no UFF type (RDKit's
 * `UFFHasAllMoleculeParams` would be false). `vdwThreshold` is RDKit's `vdwThresh` (default 10, pairs are kept when
 * closer than 10 × their vdW minimum in `positions`).
 * @example
 * const ff = uffForceField(mol, perception, mol.positions); ff?.energy(mol.positions); // 704.8
 */
export function uffForceField(
  mol: Molecule,
  p: Perception,
  positions: ArrayLike<number>,
  vdwThreshold = 10,
): UffForceField | undefined {
  const params = uffAtomParams(mol, p);
  if (params.some((x) => x === undefined)) return undefined;
  const P = params as UffParams[];
  const n = mol.elements.length;
  const nbrs = p.adj.nbrs;
  const hyb = p.hybridization;
  const t: Terms = { bonds: [], angles: [], torsions: [], inversions: [], vdw: [] };
  const inRing = (a: number, size: number) => p.atomRings.some((r) => r.length === size && r.includes(a));

  for (let b = 0; b < mol.bondI.length; b++) {
    const i = mol.bondI[b];
    const j = mol.bondJ[b];
    const r0 = uffBondRestLength(p.bondTypeAsDouble[b], P[i], P[j]);
    t.bonds.push({ i, j, r0, k: (2 * G * P[i].Z1 * P[j].Z1) / r0 ** 3 });
  }
  for (let j = 0; j < n; j++) {
    if (nbrs[j].length === 1) continue;
    for (let x = 0; x < nbrs[j].length; x++) {
      for (let y = x + 1; y < nbrs[j].length; y++) {
        const i = nbrs[j][x];
        const k = nbrs[j][y];
        if (hyb[j] === 4 && nbrs[j].length === 5) continue;
        let order = 0;
        if (hyb[j] === 1) order = 1;
        else if (hyb[j] === 2) {
          order = 3;
          if (inRing(j, 3)) {
            if (inRing(i, 3) !== inRing(k, 3)) order = 30;
            else if (inRing(i, 3) && inRing(k, 3)) order = 35;
          } else if (inRing(j, 4)) {
            if (inRing(i, 4) !== inRing(k, 4)) order = 40;
            else if (inRing(i, 4) && inRing(k, 4)) order = 45;
          }
        } else if (hyb[j] === 5) order = 4;
        let theta0 = P[j].theta0;
        if (order >= 30) {
          theta0 = ({ 30: 150, 35: 60, 40: 135, 45: 90 } as Record<number, number>)[order] * (Math.PI / 180);
          order = 0;
        }
        const bo1 = p.bondTypeAsDouble[bondBetween(p, i, j)];
        const bo2 = p.bondTypeAsDouble[bondBetween(p, k, j)];
        const kf = angleForceConstant(theta0, bo1, bo2, P[i], P[j], P[k]);
        let c0 = 0;
        let c1 = 0;
        let c2 = 0;
        if (order === 0) {
          const s = Math.sin(theta0);
          const c = Math.cos(theta0);
          c2 = 1 / (4 * Math.max(s * s, 1e-8));
          c1 = -4 * c2 * c;
          c0 = c2 * (2 * c * c + 1);
        }
        t.angles.push({ i, j, k, kf, order, c0, c1, c2 });
      }
    }
  }
  // Torsions about every bond between non-terminal atoms not in a triple bond, both ends sp2 or sp3.
  const inTriple = (a: number) => p.adj.bondIdx[a].some((b) => mol.bondOrder[b] === 3 && !p.aromaticBonds.has(b));
  for (let b = 0; b < mol.bondI.length; b++) {
    const j = mol.bondI[b];
    const k = mol.bondJ[b];
    if (nbrs[j].length < 2 || nbrs[k].length < 2 || inTriple(j) || inTriple(k)) continue;
    if (!((hyb[j] === 2 || hyb[j] === 3) && (hyb[k] === 2 || hyb[k] === 3))) continue;
    const bo = p.bondTypeAsDouble[b];
    const here: Terms["torsions"] = [];
    for (const i of nbrs[j]) {
      if (i === k) continue;
      for (const l of nbrs[k]) {
        if (l === j || l === i) continue;
        const endSp2 = hyb[i] === 2 || hyb[l] === 2;
        let v: number;
        let nn: number;
        let cosTerm: number;
        if (hyb[j] === 3 && hyb[k] === 3) {
          v = Math.sqrt(P[j].V1 * P[k].V1);
          nn = 3;
          cosTerm = -1;
          if (bo === 1 && isGroup16(mol.elements[j]) && isGroup16(mol.elements[k])) {
            const v2 = mol.elements[j] === 8 ? 2 : 6.8;
            const v3 = mol.elements[k] === 8 ? 2 : 6.8;
            v = Math.sqrt(v2 * v3);
            nn = 2;
          }
        } else if (hyb[j] === 2 && hyb[k] === 2) {
          v = equation17(bo, P[j], P[k]);
          nn = 2;
          cosTerm = 1;
        } else {
          v = 1;
          nn = 6;
          cosTerm = 1;
          if (bo === 1) {
            const zj = mol.elements[j];
            const zk = mol.elements[k];
            if ((hyb[j] === 3 && isGroup16(zj) && !isGroup16(zk)) || (hyb[k] === 3 && isGroup16(zk) && !isGroup16(zj))) {
              v = equation17(bo, P[j], P[k]);
              nn = 2;
              cosTerm = -1;
            } else if (endSp2) {
              v = 2;
              nn = 3;
              cosTerm = -1;
            }
          }
        }
        here.push({ i, j, k, l, v, n: nn, cosTerm });
      }
    }
    for (const term of here) term.v /= here.length;
    t.torsions.push(...here);
  }
  // Inversions (out-of-plane) at sp2 C/N/O and at P, As, Sb, Bi with three neighbours.
  for (let c = 0; c < n; c++) {
    const z = mol.elements[c];
    if (![6, 7, 8, 15, 33, 51, 83].includes(z) || nbrs[c].length !== 3) continue;
    if ((z === 6 || z === 7 || z === 8) && hyb[c] !== 2) continue;
    const [a0, a2, a3] = nbrs[c];
    const boundToSp2O = z === 6 && nbrs[c].some((x) => mol.elements[x] === 8 && hyb[x] === 2);
    let kf: number;
    let c0: number;
    let c1: number;
    let c2: number;
    if (z === 6 || z === 7 || z === 8) {
      c0 = 1;
      c1 = -1;
      c2 = 0;
      kf = boundToSp2O ? 50 : 6;
    } else {
      const w0 = ({ 15: 84.4339, 33: 86.9735, 51: 87.7047, 83: 90 } as Record<number, number>)[z] * (Math.PI / 180);
      c2 = 1;
      c1 = -4 * Math.cos(w0);
      c0 = -(c1 * Math.cos(w0) + c2 * Math.cos(2 * w0));
      kf = 22 / (c0 + c1 + c2);
    }
    kf /= 3;
    for (const [i, k, l] of [
      [a0, a2, a3],
      [a0, a3, a2],
      [a2, a3, a0],
    ]) {
      t.inversions.push({ i, j: c, k, l, kf, c0, c1, c2 });
    }
  }
  // van der Waals between atoms more than two bonds apart.
  const close = new Uint8Array(n * n);
  for (let a = 0; a < n; a++) {
    for (const b of nbrs[a]) {
      close[a * n + b] = 1;
      for (const c of nbrs[b]) close[a * n + c] = 1;
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (close[i * n + j]) continue;
      const x = Math.sqrt(P[i].x1 * P[j].x1);
      const thresh = vdwThreshold * x;
      const d = Math.hypot(positions[3 * i] - positions[3 * j], positions[3 * i + 1] - positions[3 * j + 1], positions[3 * i + 2] - positions[3 * j + 2]);
      if (d < thresh) t.vdw.push({ i, j, x, d: Math.sqrt(P[i].D1 * P[j].D1), thresh });
    }
  }
  return {
    energy: (pos) => uffEnergy(t, pos),
    minimise: (pos, maxIterations = 200) => uffMinimise(t, pos, maxIterations),
    counts: { bonds: t.bonds.length, angles: t.angles.length, torsions: t.torsions.length, inversions: t.inversions.length, vdw: t.vdw.length },
  };
}

function vec(pos: ArrayLike<number>, a: number, b: number): [number, number, number] {
  return [pos[3 * a] - pos[3 * b], pos[3 * a + 1] - pos[3 * b + 1], pos[3 * a + 2] - pos[3 * b + 2]];
}
const dot = (u: number[], v: number[]) => u[0] * v[0] + u[1] * v[1] + u[2] * v[2];
const cross = (u: number[], v: number[]): [number, number, number] => [
  u[1] * v[2] - u[2] * v[1],
  u[2] * v[0] - u[0] * v[2],
  u[0] * v[1] - u[1] * v[0],
];
const norm = (u: number[]) => Math.sqrt(dot(u, u));

type Bond = Terms["bonds"][number];
type Angle = Terms["angles"][number];
type Torsion = Terms["torsions"][number];
type Inversion = Terms["inversions"][number];
type Vdw = Terms["vdw"][number];

function bondE(b: Bond, pos: ArrayLike<number>): number {
  const d = norm(vec(pos, b.i, b.j)) - b.r0;
  return 0.5 * b.k * d * d;
}

function angleE(a: Angle, pos: ArrayLike<number>): number {
  const u = vec(pos, a.i, a.j);
  const v = vec(pos, a.k, a.j);
  let c = dot(u, v) / (norm(u) * norm(v));
  c = Math.max(-1, Math.min(1, c));
  const s2 = 1 - c * c;
  if (a.order === 0) return a.kf * (a.c0 + a.c1 * c + a.c2 * (c * c - s2));
  let r: number;
  if (a.order === 1) r = -c;
  else if (a.order === 2) r = c * c - s2;
  else if (a.order === 3) r = c * (c * c - 3 * s2);
  else r = c ** 4 - 6 * c * c * s2 + s2 * s2;
  return (a.kf * (1 - r)) / (a.order * a.order);
}

function torsionE(tt: Torsion, pos: ArrayLike<number>): number {
  const r1 = vec(pos, tt.i, tt.j);
  const r2 = vec(pos, tt.k, tt.j);
  const r3 = vec(pos, tt.j, tt.k);
  const r4 = vec(pos, tt.l, tt.k);
  const t1 = cross(r1, r2);
  const t2 = cross(r3, r4);
  const d1 = norm(t1);
  const d2 = norm(t2);
  if (d1 < 1e-10 || d2 < 1e-10) return 0;
  let cp = dot(t1, t2) / (d1 * d2);
  cp = Math.max(-1, Math.min(1, cp));
  const s2 = 1 - cp * cp;
  let cn: number;
  if (tt.n === 2) cn = 1 - 2 * s2;
  else if (tt.n === 3) cn = cp * (cp * cp - 3 * s2);
  else cn = 1 + s2 * (-32 * s2 * s2 + 48 * s2 - 18);
  return (tt.v / 2) * (1 - tt.cosTerm * cn);
}

function inversionE(iv: Inversion, pos: ArrayLike<number>): number {
  const rji = vec(pos, iv.i, iv.j);
  const rjk = vec(pos, iv.k, iv.j);
  const rjl = vec(pos, iv.l, iv.j);
  const nrm = cross(rji, rjk);
  const nn = norm(nrm);
  const nl = norm(rjl);
  if (nn < 1e-10 || nl < 1e-10) return 0;
  let cosY = dot(nrm, rjl) / (nn * nl);
  cosY = Math.max(-1, Math.min(1, cosY));
  const sinY = Math.sqrt(Math.max(0, 1 - cosY * cosY));
  const cos2W = 2 * sinY * sinY - 1;
  return iv.kf * (iv.c0 + iv.c1 * sinY + iv.c2 * cos2W);
}

function vdwE(w: Vdw, pos: ArrayLike<number>): number {
  const d = norm(vec(pos, w.i, w.j));
  if (d > w.thresh) return 0;
  const r6 = (w.x / d) ** 6;
  return w.d * (r6 * r6 - 2 * r6);
}

function uffEnergy(t: Terms, pos: ArrayLike<number>): number {
  let e = 0;
  for (const b of t.bonds) e += bondE(b, pos);
  for (const a of t.angles) e += angleE(a, pos);
  for (const tt of t.torsions) e += torsionE(tt, pos);
  for (const iv of t.inversions) e += inversionE(iv, pos);
  for (const w of t.vdw) e += vdwE(w, pos);
  return e;
}

/** Gradient by central differences, term by term (each term touches 2-4 atoms, so this stays cheap). */
function uffGradient(t: Terms, pos: Float64Array, grad: Float64Array): void {
  grad.fill(0);
  const h = 1e-5;
  const each = <T>(terms: T[], atoms: (x: T) => number[], f: (x: T, p: ArrayLike<number>) => number) => {
    for (const term of terms) {
      for (const a of atoms(term)) {
        for (let d = 0; d < 3; d++) {
          const k = 3 * a + d;
          const x0 = pos[k];
          pos[k] = x0 + h;
          const ep = f(term, pos);
          pos[k] = x0 - h;
          const em = f(term, pos);
          pos[k] = x0;
          grad[k] += (ep - em) / (2 * h);
        }
      }
    }
  };
  each(t.bonds, (b) => [b.i, b.j], bondE);
  each(t.angles, (a) => [a.i, a.j, a.k], angleE);
  each(t.torsions, (x) => [x.i, x.j, x.k, x.l], torsionE);
  each(t.inversions, (x) => [x.i, x.j, x.k, x.l], inversionE);
  each(t.vdw, (w) => [w.i, w.j], vdwE);
}

/**
 * Minimise with L-BFGS (memory 8, backtracking line search) from `start`; returns the final energy and pose.
 * Stops after `maxIterations` (RDKit's `UFFOptimizeMolecule` default is 200) or when the largest gradient
 * component is below `gradTol` kcal/mol/Å.
 */
function uffMinimise(t: Terms, start: ArrayLike<number>, maxIterations: number, gradTol = 1e-4): { energy: number; positions: Float64Array } {
  const n = start.length;
  const x = Float64Array.from(start);
  const g = new Float64Array(n);
  let e = uffEnergy(t, x);
  uffGradient(t, x, g);
  const m = 8;
  const sList: Float64Array[] = [];
  const yList: Float64Array[] = [];
  const rho: number[] = [];
  const dir = new Float64Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  const dotv = (a: Float64Array, b: Float64Array) => {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  };
  for (let it = 0; it < maxIterations; it++) {
    let gmax = 0;
    for (let i = 0; i < n; i++) gmax = Math.max(gmax, Math.abs(g[i]));
    if (gmax < gradTol) break;
    // Two-loop recursion for the search direction.
    for (let i = 0; i < n; i++) dir[i] = -g[i];
    const alpha: number[] = [];
    for (let k = sList.length - 1; k >= 0; k--) {
      const a = rho[k] * dotv(sList[k], dir);
      alpha[k] = a;
      for (let i = 0; i < n; i++) dir[i] -= a * yList[k][i];
    }
    if (sList.length) {
      const k = sList.length - 1;
      const gamma = dotv(sList[k], yList[k]) / dotv(yList[k], yList[k]);
      for (let i = 0; i < n; i++) dir[i] *= gamma;
    } else {
      // First step: at most 0.1 Å per coordinate.
      const scale = Math.min(1, 0.1 / gmax);
      for (let i = 0; i < n; i++) dir[i] *= scale;
    }
    for (let k = 0; k < sList.length; k++) {
      const b = rho[k] * dotv(yList[k], dir);
      for (let i = 0; i < n; i++) dir[i] += sList[k][i] * (alpha[k] - b);
    }
    let slope = dotv(dir, g);
    if (slope >= 0) {
      for (let i = 0; i < n; i++) dir[i] = -g[i] * Math.min(1, 0.1 / gmax);
      slope = dotv(dir, g);
      sList.length = 0;
      yList.length = 0;
      rho.length = 0;
    }
    let step = 1;
    let eNew = Infinity;
    for (let ls = 0; ls < 30; ls++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i] + step * dir[i];
      eNew = uffEnergy(t, xNew);
      if (eNew <= e + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(eNew < e)) break;
    uffGradient(t, xNew, gNew);
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i] - x[i];
      y[i] = gNew[i] - g[i];
    }
    const sy = dotv(s, y);
    if (sy > 1e-12) {
      sList.push(s);
      yList.push(y);
      rho.push(1 / sy);
      if (sList.length > m) {
        sList.shift();
        yList.shift();
        rho.shift();
      }
    }
    const converged = Math.abs(e - eNew) < 1e-6 * Math.max(1, Math.abs(e));
    x.set(xNew);
    g.set(gNew);
    e = eNew;
    if (converged) break;
  }
  return { energy: e, positions: x };
}
