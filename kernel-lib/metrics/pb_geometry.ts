/**
 * PoseBusters' intramolecular distance-geometry checks (v0.4.x `mol` configuration): bond lengths, bond angles and
 * internal steric clash, judged against the distance bounds of `chem/bounds_matrix.ts`. Pairs involving hydrogen
 * are dropped after the bounds are built (the bounds themselves are smoothed over all atoms), as in PoseBusters.
 */
import { Molecule } from "../chem/molecule";
import { BoundsMatrix } from "../chem/bounds_matrix";
import { Perception } from "../chem/perception";

/** Thresholds of the `mol` configuration (relative errors). */
export const PB_GEOMETRY_THRESHOLDS = { bondLength: 0.25, bondAngle: 0.25, clash: 0.3 } as const;

/** Result of {@link checkGeometry}, with PoseBusters' summary numbers. */
export interface GeometryResult {
  bondLengths: boolean;
  bondAngles: boolean;
  internalStericClash: boolean;
  nBonds: number;
  shortestBondRelativeLength: number;
  longestBondRelativeLength: number;
  nAngles: number;
  mostExtremeRelativeAngle: number;
  nNoncovalentPairs: number;
  shortestNoncovalentRelativeDistance: number;
  nClashes: number;
}

/**
 * Bond-length, bond-angle and clash checks of a pose against its bounds matrix. `terminalGroupBonds` are the
 * bonds PoseBusters symmetrises (conjugated terminal O/N such as carboxylates and nitro groups): their bounds are
 * widened to the min/max over matched bonds of the same element pair.
 * @example
 * const g = checkGeometry(mol, perception, bounds, []); g.bondLengths; g.internalStericClash;
 */
export function checkGeometry(
  mol: Molecule,
  p: Perception,
  bounds: BoundsMatrix,
  terminalGroupBonds: readonly (readonly [number, number])[],
): GeometryResult {
  const n = mol.elements.length;
  const res: GeometryResult = {
    bondLengths: true,
    bondAngles: true,
    internalStericClash: true,
    nBonds: 0,
    shortestBondRelativeLength: NaN,
    longestBondRelativeLength: NaN,
    nAngles: 0,
    mostExtremeRelativeAngle: NaN,
    nNoncovalentPairs: 0,
    shortestNoncovalentRelativeDistance: NaN,
    nClashes: 0,
  };
  if (n === 1) return res;
  const isBond = new Uint8Array(n * n);
  for (let b = 0; b < mol.bondI.length; b++) {
    isBond[mol.bondI[b] * n + mol.bondJ[b]] = 1;
    isBond[mol.bondJ[b] * n + mol.bondI[b]] = 1;
  }
  const isAngle = new Uint8Array(n * n);
  for (let c = 0; c < n; c++) {
    const nb = p.adj.nbrs[c];
    for (let x = 0; x < nb.length; x++) for (let y = x + 1; y < nb.length; y++) {
      isAngle[nb[x] * n + nb[y]] = 1;
      isAngle[nb[y] * n + nb[x]] = 1;
    }
  }
  const lower = bounds.lower.slice();
  const upper = bounds.upper.slice();
  // Symmetrise terminal-group bonds per sorted element pair.
  const groups = new Map<string, { lb: number; ub: number; pairs: [number, number][] }>();
  for (const [i, j] of terminalGroupBonds) {
    const key = [mol.elements[i], mol.elements[j]].sort((a, b) => a - b).join("-");
    const g = groups.get(key) ?? { lb: Infinity, ub: -Infinity, pairs: [] };
    g.lb = Math.min(g.lb, lower[i * n + j]);
    g.ub = Math.max(g.ub, upper[i * n + j]);
    g.pairs.push([i, j]);
    groups.set(key, g);
  }
  for (const g of groups.values()) {
    for (const [i, j] of g.pairs) {
      lower[i * n + j] = lower[j * n + i] = g.lb;
      upper[i * n + j] = upper[j * n + i] = g.ub;
    }
  }
  const pos = mol.positions;
  let minBond = Infinity;
  let maxBond = -Infinity;
  let minAngleRatio = Infinity;
  let maxAngleRatio = -Infinity;
  let minNoncov = Infinity;
  for (let i = 0; i < n; i++) {
    if (mol.elements[i] === 1) continue;
    for (let j = i + 1; j < n; j++) {
      if (mol.elements[j] === 1) continue;
      const d = Math.hypot(pos[3 * i] - pos[3 * j], pos[3 * i + 1] - pos[3 * j + 1], pos[3 * i + 2] - pos[3 * j + 2]);
      const lb = lower[i * n + j];
      const ub = upper[i * n + j];
      if (isBond[i * n + j]) {
        res.nBonds++;
        const pe = d < lb ? (d - lb) / lb : d > ub ? (d - ub) / ub : 0;
        if (pe < -PB_GEOMETRY_THRESHOLDS.bondLength || pe > PB_GEOMETRY_THRESHOLDS.bondLength) res.bondLengths = false;
        minBond = Math.min(minBond, d / lb);
        maxBond = Math.max(maxBond, d / ub);
      } else if (isAngle[i * n + j]) {
        res.nAngles++;
        const ape = d < lb ? Math.abs((d - lb) / lb) : d > ub ? Math.abs((d - ub) / ub) : 0;
        if (ape > PB_GEOMETRY_THRESHOLDS.bondAngle) res.bondAngles = false;
        minAngleRatio = Math.min(minAngleRatio, d / lb);
        maxAngleRatio = Math.max(maxAngleRatio, d / ub);
      } else {
        res.nNoncovalentPairs++;
        const pe = d >= lb ? 0 : (d - lb) / lb;
        if (pe < -PB_GEOMETRY_THRESHOLDS.clash) {
          res.internalStericClash = false;
          res.nClashes++;
        }
        minNoncov = Math.min(minNoncov, d / lb);
      }
    }
  }
  if (res.nBonds) {
    res.shortestBondRelativeLength = minBond;
    res.longestBondRelativeLength = maxBond;
  }
  if (res.nAngles) res.mostExtremeRelativeAngle = Math.max(2 - minAngleRatio, maxAngleRatio);
  if (res.nNoncovalentPairs) res.shortestNoncovalentRelativeDistance = minNoncov;
  return res;
}
