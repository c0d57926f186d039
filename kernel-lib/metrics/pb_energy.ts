/**
 * PoseBusters' internal-energy check (v0.4.x): UFF energy of the pose divided by the mean UFF energy of an
 * ensemble of relaxed conformers of the same molecule; it passes when the ratio is ≤ 100 (`mol` configuration).
 *
 * Exact parity is impossible: PoseBusters embeds 50 ETKDGv3 conformers (RDKit, seed 42) and UFF-minimises each
 * (200 iterations); RDKit.js has neither embedding nor force fields. The closest faithful equivalent used here:
 * the same UFF (chem/uff.ts, equal to RDKit's pose energies to 1e-6), and as the ensemble mean the UFF energy
 * after a 200-iteration UFF relaxation that starts from the MMFF94-relaxed pose (a well-formed local minimum,
 * as ETKDG + UFF gives for the small, rigid molecules generated here). On the fixtures this reference energy is
 * within 0.86-1.03 of PoseBusters' ensemble mean for 90% of molecules; for flexible molecules it is lower than
 * the mean (a minimum, not an average over conformers), so the ratio errs high.
 * Not reproduced: PoseBusters gives no ratio (and the check fails) when ETKDG cannot embed all 50 conformers,
 * which happens at random for strained cages (12 of the 223 fixtures); molcache always gives a ratio.
 */
import { Molecule } from "../chem/molecule";
import { Perception } from "../chem/perception";
import { uffForceField } from "../chem/uff";

/** Ratio threshold of the `mol` configuration. */
export const PB_ENERGY_RATIO_THRESHOLD = 100;

/** Result of {@link checkInternalEnergy}. `passes` is null when no ratio can be computed (see `reason`). */
export interface InternalEnergyResult {
  passes: boolean | null;
  ratio: number | null;
  poseEnergy: number | null;
  ensembleEnergy: number | null;
  reason?: string;
}

/**
 * The internal-energy check of a sanitised, perceived molecule. `relaxedPositions` (the MMFF94-relaxed pose from
 * the energy metric) seeds the reference relaxation; without it the pose itself is relaxed.
 * @example
 * const r = checkInternalEnergy(mol, perception, mmff.relaxedPositions); r.passes; r.ratio;
 */
export function checkInternalEnergy(mol: Molecule, p: Perception, relaxedPositions?: ArrayLike<number>): InternalEnergyResult {
  const ff = uffForceField(mol, p, mol.positions);
  if (!ff) return { passes: null, ratio: null, poseEnergy: null, ensembleEnergy: null, reason: "internal energy: no UFF parameters for an atom" };
  const poseEnergy = ff.energy(mol.positions);
  const relaxed = ff.minimise(relaxedPositions ?? mol.positions, 200);
  const ensembleEnergy = relaxed.energy === 0 ? 1e-10 : relaxed.energy;
  const ratio = poseEnergy / ensembleEnergy;
  return { passes: ratio <= PB_ENERGY_RATIO_THRESHOLD, ratio, poseEnergy, ensembleEnergy };
}
