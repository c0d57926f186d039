/**
 * Atom and molecule stability (MiDi / SemlaFlow): an atom is stable when its bond-order valence is allowed for its
 * element and formal charge. Computed on the raw generated graph, before sanitisation; hydrogens are atoms of the
 * graph and aromatic bonds count 1 (the codebases truncate 1.5 on integer tensors). See docs/metrics.md §3.1.
 */
import { Molecule } from "../chem/molecule";
import { integerValences } from "../chem/graph";

/** Allowed valences: one list for the element (charge ignored) or one list per formal charge. */
type ValenceRule = readonly number[] | Readonly<Record<number, readonly number[]>>;

/** The MiDi/SemlaFlow valence table (docs/metrics.md §3.1), keyed by atomic number. */
export const ALLOWED_VALENCES: Readonly<Record<number, ValenceRule>> = {
  1: { 0: [1], 1: [0], [-1]: [0] },
  6: { 0: [3, 4], 1: [3], [-1]: [3] },
  7: { 0: [2, 3], 1: [2, 3, 4], [-1]: [2] },
  8: { 0: [2], 1: [3], [-1]: [1] },
  9: { 0: [1], [-1]: [0] },
  15: { 0: [3, 5], 1: [4] },
  16: { 0: [2, 6], 1: [2, 3], 2: [4], 3: [5], [-1]: [3] },
  35: { 0: [1], 1: [2] },
  5: [3],
  13: [3],
  14: [4],
  17: [1],
  33: [3],
  53: [1],
  80: [1, 2],
  83: [3, 5],
  34: [2, 4, 6],
};

/**
 * What to do when an element's table is per charge and the atom's charge is not listed:
 * `"semlaflow"` calls the atom unstable, `"midi"` falls back to the neutral entry.
 */
export type ChargeFallback = "semlaflow" | "midi";

/** Per-molecule stability result. */
export interface StabilityResult {
  /** Stable flag per atom. */
  stableAtoms: boolean[];
  nStable: number;
  nAtoms: number;
  /** All atoms stable. */
  moleculeStable: boolean;
}

/**
 * Whether one atom with `valence` bonds-worth and formal `charge` is stable for element `z`.
 * Elements missing from the table are unstable.
 * @example
 * isAtomStable(6, 4, 0); // true
 * isAtomStable(7, 4, 0); // false (neutral N allows 2 or 3)
 */
export function isAtomStable(z: number, valence: number, charge: number, fallback: ChargeFallback = "semlaflow"): boolean {
  const rule = ALLOWED_VALENCES[z];
  if (rule === undefined) return false;
  if (Array.isArray(rule)) return (rule as readonly number[]).includes(valence);
  const perCharge = rule as Readonly<Record<number, readonly number[]>>;
  const allowed = perCharge[charge] ?? (fallback === "midi" ? perCharge[0] : undefined);
  return allowed !== undefined && allowed.includes(valence);
}

/**
 * Atom stability of every atom of one molecule, and molecule stability.
 * @example
 * atomStability(water); // { nStable: 3, nAtoms: 3, moleculeStable: true, ... }
 */
export function atomStability(mol: Molecule, fallback: ChargeFallback = "semlaflow"): StabilityResult {
  const valences = integerValences(mol);
  const stableAtoms: boolean[] = [];
  let nStable = 0;
  for (let a = 0; a < mol.elements.length; a++) {
    const ok = isAtomStable(mol.elements[a], valences[a], mol.charges[a], fallback);
    stableAtoms.push(ok);
    if (ok) nStable++;
  }
  return { stableAtoms, nStable, nAtoms: mol.elements.length, moleculeStable: nStable === mol.elements.length };
}
