/**
 * Validity, connectivity and canonical SMILES of one molecule (docs/metrics.md §3.2):
 * SemlaFlow validity (the whole molecule, hydrogens included, sanitises), connected validity (also one fragment)
 * and MiDi validity (the largest fragment sanitises). RDKit.js must be loaded (`await loadRDKit()`).
 */
import { Molecule, makeMolecule } from "../chem/molecule";
import { connectedComponents } from "../chem/graph";
import { RDKitMol, canonicalSmiles, heavyAtomKey, sanitizeMolecule } from "../chem/rdkit";

/** Per-molecule validity result. */
export interface ValidityResult {
  /** The whole molecule sanitises (SemlaFlow `validity`). */
  valid: boolean;
  /** Number of connected fragments. */
  nFragments: number;
  /** Valid and exactly one fragment (SemlaFlow `connected-validity`). */
  connectedValid: boolean;
  /** The largest fragment sanitises (MiDi validity). */
  validLargestFragment: boolean;
  /** Canonical SMILES of the whole molecule with explicit H, no stereo; `null` when invalid. */
  smiles: string | null;
  /** Canonical SMILES of the largest fragment (MiDi uniqueness/novelty); `null` when it does not sanitise. */
  largestFragmentSmiles: string | null;
  /** Canonical heavy-atom SMILES of the whole molecule (the novelty key); `null` when invalid. */
  noveltyKey: string | null;
  /** RDKit's sanitisation error for the whole molecule, when invalid. */
  error?: string;
}

/** The sub-molecule of atoms with `labels[a] === label`, atom order kept. */
export function fragment(mol: Molecule, labels: Int32Array, label: number): Molecule {
  const keep: number[] = [];
  const newIndex = new Int32Array(mol.elements.length).fill(-1);
  labels.forEach((l, a) => {
    if (l === label) {
      newIndex[a] = keep.length;
      keep.push(a);
    }
  });
  const bonds: [number, number, number][] = [];
  for (let k = 0; k < mol.bondI.length; k++) {
    if (labels[mol.bondI[k]] === label) bonds.push([newIndex[mol.bondI[k]], newIndex[mol.bondJ[k]], mol.bondOrder[k]]);
  }
  return makeMolecule({
    elements: keep.map((a) => mol.elements[a]),
    positions: keep.flatMap((a) => [mol.positions[3 * a], mol.positions[3 * a + 1], mol.positions[3 * a + 2]]),
    charges: keep.map((a) => mol.charges[a]),
    bonds,
    name: mol.name,
  });
}

/**
 * Validity, fragments and SMILES of one well-formed molecule (check it with `moleculeProblem` first).
 * When `keep` is given and the molecule is valid, the sanitised RDKit molecule is passed to it instead of being
 * deleted (the PoseBusters checks reuse it; the callee must `delete()` it).
 * @example
 * const v = moleculeValidity(mol); v.valid; v.smiles;
 */
export function moleculeValidity(mol: Molecule, keep?: (m: RDKitMol) => void): ValidityResult {
  const comps = connectedComponents(mol);
  const whole = sanitizeMolecule(mol);
  let smiles: string | null = null;
  let noveltyKey: string | null = null;
  let error: string | undefined;
  // `in` narrows without strictNullChecks too (tslab compiles notebook imports non-strict).
  if ("error" in whole) {
    error = whole.error;
  } else {
    smiles = canonicalSmiles(whole.mol);
    noveltyKey = heavyAtomKey(smiles) ?? null;
  }
  let largestFragmentSmiles: string | null = null;
  if (comps.count === 1) {
    largestFragmentSmiles = smiles;
  } else {
    // Largest by atom count; ties go to the first fragment, as max() over RDKit's fragment list does.
    let best = 0;
    comps.sizes.forEach((s, i) => {
      if (s > comps.sizes[best]) best = i;
    });
    const frag = sanitizeMolecule(fragment(mol, comps.labels, best));
    if (frag.ok) {
      largestFragmentSmiles = canonicalSmiles(frag.mol);
      frag.mol.delete();
    }
  }
  if (whole.ok) {
    if (keep) keep(whole.mol);
    else whole.mol.delete();
  }
  return {
    valid: whole.ok,
    nFragments: comps.count,
    connectedValid: whole.ok && comps.count === 1,
    validLargestFragment: largestFragmentSmiles !== null,
    smiles,
    largestFragmentSmiles,
    noveltyKey,
    error,
  };
}
