/**
 * A cheap check, before RDKit, that a graph cannot be sanitised: an atom whose bonds already exceed every valence
 * RDKit could allow it. A badly trained or random-weight network can predict hundreds of bonds per molecule, and
 * RDKit.js takes tens of seconds to reject such a graph, or crashes on it (measured on 57 atoms with ~1,200 bonds:
 * 23–30 s, or "memory access out of bounds" in its wasm, which would take an evaluation worker down). The bound is safe by construction — it never rejects a graph RDKit would accept:
 * * the valence counted is a lower bound of RDKit's: single, double and triple bonds between non-metals (an
 *   aromatic bond counts 0 — RDKit accepts, e.g., a hydrogen with an aromatic and a single bond — and a bond to a
 *   metal, which RDKit may make dative, counts 0 too);
 * * the limit is an upper bound of RDKit's: a charged atom may take the valences of the isoelectronic element
 *   (N⁺ those of C, Cl⁺ those of S), so the limit is the largest valence among the elements within |charge| of
 *   it, plus |charge|; metals, and atoms that could be isoelectronic with a metal or with RDKit's dummy atom
 *   (H⁺), are never rejected.
 */
import { elementByZ, elementSymbol } from "./elements";
import { Molecule } from "./molecule";

/**
 * The first atom whose bonds exceed every valence RDKit could allow, as RDKit words it, or `undefined`.
 * @example
 * impossibleValence(makeMolecule({ elements: [6, 1, 1, 1, 1, 1], positions: new Array(18).fill(0),
 *   bonds: [[0, 1, 1], [0, 2, 1], [0, 3, 1], [0, 4, 1], [0, 5, 1]] }));
 * // "Explicit valence for atom # 0 C, 5, is greater than permitted (at most 4 for any charge)"
 */
export function impossibleValence(mol: Molecule): string | undefined {
  const n = mol.elements.length;
  const valence = new Int32Array(n);
  for (let k = 0; k < mol.bondOrder.length; k++) {
    // RDKit may turn a bond to a metal into a dative one, which adds no valence: such bonds are not counted.
    if (!CHECKED.has(mol.elements[mol.bondI[k]]) || !CHECKED.has(mol.elements[mol.bondJ[k]])) continue;
    const least = mol.bondOrder[k] === 4 ? 0 : mol.bondOrder[k];
    valence[mol.bondI[k]] += least;
    valence[mol.bondJ[k]] += least;
  }
  for (let a = 0; a < n; a++) {
    const limit = valenceLimit(mol.elements[a], mol.charges[a]);
    if (valence[a] > limit) {
      return `Explicit valence for atom # ${a} ${elementSymbol(mol.elements[a])}, ${valence[a]}, is greater than permitted (at most ${limit} for any charge)`;
    }
  }
  return undefined;
}

/**
 * The elements checked: hydrogen and the main-group non-metals of the QM9 and GEOM-Drugs vocabularies and their
 * neighbours. RDKit's rules for metals (Li with two bonds, Mg with three, …) are looser than its table, so an atom
 * that is, or could be isoelectronic with, a metal is never rejected.
 */
const CHECKED = new Set([1, 5, 6, 7, 8, 9, 14, 15, 16, 17, 33, 34, 35, 52, 53]);

/** An upper bound of the valences RDKit allows element `z` with formal charge `charge` (Infinity: any). */
function valenceLimit(z: number, charge: number): number {
  const c = Math.abs(charge);
  let most = -Infinity;
  for (let other = z - c; other <= z + c; other++) {
    // H⁺ is isoelectronic with RDKit's dummy atom, which takes any valence.
    if (!CHECKED.has(other)) return Infinity;
    most = Math.max(most, ...elementByZ(other)!.valences);
  }
  return most + c;
}
