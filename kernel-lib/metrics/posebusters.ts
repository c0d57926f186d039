/**
 * PoseBusters-style intramolecular validity ("PRC validity" = connected, sanitises and passes every check), the
 * `mol` configuration of PoseBusters v0.4.x re-implemented on RDKit.js, openchemlib-free TypeScript geometry and
 * UFF (docs/metrics.md §3.4). The individual checks live in pb_geometry.ts, pb_flatness.ts and pb_energy.ts;
 * what could not be made identical to PoseBusters is written there and in this folder's README.
 */
import { Molecule } from "../chem/molecule";
import { RDKitMol, matchSmarts } from "../chem/rdkit";
import { perceiveMolecule } from "../chem/perception";
import { uffAtomParams } from "../chem/uff_params";
import { moleculeBoundsMatrix } from "../chem/bounds_matrix";
import { ValidityResult } from "./validity";
import { checkGeometry } from "./pb_geometry";
import { checkFlatness } from "./pb_flatness";
import { checkInternalEnergy } from "./pb_energy";

/** PoseBusters check names (as in its report) and the molcache column for each. */
export const PB_CHECKS = [
  { key: "mol_pred_loaded", column: "pb_loaded" },
  { key: "sanitization", column: "pb_sanitization" },
  { key: "inchi_convertible", column: "pb_inchi_convertible" },
  { key: "all_atoms_connected", column: "pb_all_atoms_connected" },
  { key: "bond_lengths", column: "pb_bond_lengths" },
  { key: "bond_angles", column: "pb_bond_angles" },
  { key: "internal_steric_clash", column: "pb_internal_steric_clash" },
  { key: "aromatic_ring_flatness", column: "pb_aromatic_ring_flatness" },
  { key: "non-aromatic_ring_non-flatness", column: "pb_non_aromatic_ring_non_flatness" },
  { key: "double_bond_flatness", column: "pb_double_bond_flatness" },
  { key: "internal_energy", column: "pb_internal_energy" },
] as const;

/** A PoseBusters check name. */
export type PbCheckKey = (typeof PB_CHECKS)[number]["key"];

/** Result of {@link poseBustersChecks}: each check true/false, or null when it could not run (see `reasons`). */
export interface PoseBustersResult {
  checks: Record<PbCheckKey, boolean | null>;
  /** PRC validity: every check true (a check that could not run counts as a failure, as in PoseBusters). */
  valid: boolean;
  energyRatio: number | null;
  reasons: string[];
}

/**
 * Run all checks on a well-formed molecule. `rd` is its sanitised RDKit molecule (undefined when it does not
 * sanitise), `validity` its validity result, `relaxedPositions` the MMFF94-relaxed pose when available (it seeds
 * the internal-energy reference).
 * @example
 * const pb = poseBustersChecks(mol, rdMol, validity, mmff.relaxedPositions); pb.valid; pb.checks.bond_lengths;
 */
export function poseBustersChecks(
  mol: Molecule,
  rd: RDKitMol | undefined,
  validity: ValidityResult,
  relaxedPositions?: ArrayLike<number>,
): PoseBustersResult {
  const checks = Object.fromEntries(PB_CHECKS.map((c) => [c.key, null])) as Record<PbCheckKey, boolean | null>;
  const reasons: string[] = [];
  let energyRatio: number | null = null;
  checks.mol_pred_loaded = true;
  checks.sanitization = validity.valid;
  checks.all_atoms_connected = validity.nFragments <= 1;
  if (!rd || !validity.valid) {
    reasons.push("geometry, flatness and energy checks need a molecule that sanitises");
  } else {
    try {
      checks.inchi_convertible = (rd as RDKitMol & { get_inchi(): string }).get_inchi().startsWith("InChI=");
    } catch {
      checks.inchi_convertible = false;
    }
    const p = perceiveMolecule(mol, rd);
    const bounds = moleculeBoundsMatrix(mol, p, uffAtomParams(mol, p));
    const terminal = matchSmarts(rd, "[O,N;D1;$([O,N;D1]-[*]=[O,N;D1]),$([O,N;D1]=[*]-[O,N;D1])]~[*]").map(
      (m) => [m[0], m[1]] as [number, number],
    );
    const g = checkGeometry(mol, p, bounds, terminal);
    checks.bond_lengths = g.bondLengths;
    checks.bond_angles = g.bondAngles;
    checks.internal_steric_clash = g.internalStericClash;
    const f = checkFlatness(mol, rd);
    checks.aromatic_ring_flatness = f.aromaticRings.passes;
    checks.double_bond_flatness = f.doubleBonds.passes;
    checks["non-aromatic_ring_non-flatness"] = f.nonAromaticRings.passes;
    const e = checkInternalEnergy(mol, p, relaxedPositions);
    checks.internal_energy = e.passes;
    energyRatio = e.ratio;
    if (e.reason) reasons.push(e.reason);
  }
  const valid = PB_CHECKS.every((c) => checks[c.key] === true);
  return { checks, valid, energyRatio, reasons };
}
