/**
 * Chemical perception of a sanitised molecule, as RDKit sees it: hybridisation, aromaticity, conjugation, rings.
 * Hybridisation, aromaticity and rings come from RDKit.js itself (SMARTS `^n` queries and its JSON); conjugation,
 * which RDKit.js does not expose, is re-derived here with RDKit's rules (MolOps::setConjugation).
 */
import { Molecule } from "./molecule";
import { adjacency, Adjacency } from "./graph";
import { elementByZ } from "./elements";
import { RDKitMol, matchSmarts, perceive } from "./rdkit";

/** RDKit hybridisation codes as SMARTS `^n` numbers them: 0 S, 1 SP, 2 SP2, 3 SP3, 4 SP3D, 5 SP3D2, -1 other. */
export type Hybridization = -1 | 0 | 1 | 2 | 3 | 4 | 5;

/** Everything the distance-bounds builder and the UFF typer need about a molecule. */
export interface Perception {
  adj: Adjacency;
  hybridization: Int8Array;
  aromaticAtoms: Set<number>;
  aromaticBonds: Set<number>;
  conjugatedBonds: Uint8Array;
  /** Rings (RDKit's symmetrised SSSR) as atom lists; `bondRings[r][k]` joins `atomRings[r][k]` and the next atom. */
  atomRings: number[][];
  bondRings: number[][];
  /** Number of rings each atom / bond is in. */
  atomRingCount: Int32Array;
  bondRingCount: Int32Array;
  /** RDKit's `GetBondTypeAsDouble` after sanitisation: 1, 1.5 (aromatic), 2, 3. */
  bondTypeAsDouble: Float64Array;
  /** Explicit valence (sum of Kekulé bond orders) per atom. */
  valence: Float64Array;
}

/** Index of the bond between atoms a and b, or -1. */
export function bondBetween(p: Perception, a: number, b: number): number {
  const i = p.adj.nbrs[a].indexOf(b);
  return i < 0 ? -1 : p.adj.bondIdx[a][i];
}

function countAtomElec(mol: Molecule, p: Perception, a: number): number {
  const e = elementByZ(mol.elements[a]);
  if (!e) return -1;
  const dv = e.valences[0];
  if (dv <= 1) return -1;
  const degree = p.adj.nbrs[a].length;
  if (degree > 3) return -1;
  let nlp = e.nOuter - dv;
  nlp = Math.max(nlp - mol.charges[a], 0);
  const nRad = radicalElectrons(mol, p, a);
  let res = dv - degree + nlp - nRad;
  if (res > 1) {
    const nUnsat = Math.round(p.valence[a]) - degree;
    if (nUnsat > 1) res = 1;
  }
  return res;
}

/** Unpaired electrons RDKit assigns to an atom with no implicit hydrogens (its valence locked to the graph). */
export function radicalElectrons(mol: Molecule, p: Perception, a: number): number {
  const e = elementByZ(mol.elements[a]);
  if (!e) return 0;
  const effective = e.nOuter - mol.charges[a];
  const target = effective >= 4 ? 8 - effective : effective;
  return Math.max(0, target - Math.round(p.valence[a]));
}

function isConjugCandidate(mol: Molecule, p: Perception, a: number): boolean {
  const z = mol.elements[a];
  const nOuter = elementByZ(z)?.nOuter ?? 0;
  const degree = p.adj.nbrs[a].length;
  return (z <= 10 || (nOuter !== 5 && nOuter !== 6) || (nOuter === 6 && degree < 2)) && countAtomElec(mol, p, a) > 0;
}

function setConjugation(mol: Molecule, p: Perception): void {
  for (let k = 0; k < mol.bondI.length; k++) p.conjugatedBonds[k] = p.aromaticBonds.has(k) ? 1 : 0;
  for (let a = 0; a < mol.elements.length; a++) {
    if (!isConjugCandidate(mol, p, a)) continue;
    const sbo = p.adj.nbrs[a].length;
    if (sbo < 2 || sbo > 3) continue;
    p.adj.bondIdx[a].forEach((b1) => {
      if (p.bondTypeAsDouble[b1] < 1.5) return;
      p.adj.bondIdx[a].forEach((b2, j) => {
        if (b1 === b2) return;
        const a2 = p.adj.nbrs[a][j];
        if (p.adj.nbrs[a2].length > 3) return;
        if (isConjugCandidate(mol, p, a2)) {
          p.conjugatedBonds[b1] = 1;
          p.conjugatedBonds[b2] = 1;
        }
      });
    });
  }
}

/**
 * Perceive a sanitised molecule (the RDKit molecule must be the sanitised form of `mol`, same atom and bond order).
 * @example
 * const r = sanitizeMolecule(mol); if (r.ok) { const p = perceiveMolecule(mol, r.mol); p.hybridization; }
 */
export function perceiveMolecule(mol: Molecule, rd: RDKitMol): Perception {
  const n = mol.elements.length;
  const nb = mol.bondI.length;
  const adj = adjacency(mol);
  const rings = perceive(rd);
  const hybridization = new Int8Array(n).fill(-1);
  for (let h = 0; h <= 5; h++) for (const [a] of matchSmarts(rd, `[^${h}]`)) hybridization[a] = h as Hybridization;
  const valence = new Float64Array(n);
  const bondTypeAsDouble = new Float64Array(nb);
  for (let k = 0; k < nb; k++) {
    const o = mol.bondOrder[k] === 4 ? 1.5 : mol.bondOrder[k];
    valence[mol.bondI[k]] += o;
    valence[mol.bondJ[k]] += o;
    bondTypeAsDouble[k] = rings.aromaticBonds.has(k) ? 1.5 : o;
  }
  const p: Perception = {
    adj,
    hybridization,
    aromaticAtoms: rings.aromaticAtoms,
    aromaticBonds: rings.aromaticBonds,
    conjugatedBonds: new Uint8Array(nb),
    atomRings: rings.atomRings,
    bondRings: [],
    atomRingCount: new Int32Array(n),
    bondRingCount: new Int32Array(nb),
    bondTypeAsDouble,
    valence,
  };
  for (const ring of rings.atomRings) {
    const br: number[] = [];
    for (let k = 0; k < ring.length; k++) {
      p.atomRingCount[ring[k]]++;
      const b = bondBetween(p, ring[k], ring[(k + 1) % ring.length]);
      br.push(b);
      if (b >= 0) p.bondRingCount[b]++;
    }
    p.bondRings.push(br);
  }
  setConjugation(mol, p);
  return p;
}
