/**
 * Scoring of one molecule: every per-molecule metric in one flat row (the columns of the CLI's CSV). A metric that
 * cannot score a molecule leaves its columns `null` and records why in `reason`; nothing is dropped.
 * Batch metrics (uniqueness, novelty, averages) are computed from these rows in summary.ts.
 */
import { Molecule } from "../chem/molecule";
import { moleculeProblem } from "../chem/graph";
import { mmffRelax } from "../chem/mmff";
import { kabschRmsd } from "../chem/kabsch";
import { RDKitMol } from "../chem/rdkit";
import { atomStability, ChargeFallback } from "./stability";
import { moleculeValidity } from "./validity";
import { poseBustersChecks, PB_CHECKS, PoseBustersResult } from "./posebusters";

/** Which metric groups to compute and how (a plain object: it is sent to worker threads). */
export interface ScoreOptions {
  /** MMFF94 energy, strain and opt-RMSD; default true. */
  energy: boolean;
  /** PoseBusters-style checks; default true. */
  posebusters: boolean;
  /** Rule for charges missing from the valence table; default "semlaflow". */
  stabilityFallback: ChargeFallback;
  /** MMFF94 relaxation iterations; default 1000. */
  mmffIterations: number;
}

/** Defaults for {@link ScoreOptions}. */
export const DEFAULT_SCORE_OPTIONS: ScoreOptions = {
  energy: true,
  posebusters: true,
  stabilityFallback: "semlaflow",
  mmffIterations: 1000,
};

/** One molecule's metrics. Numbers and booleans are `null` when the metric could not score the molecule. */
export interface MoleculeScore {
  index: number;
  name: string;
  n_atoms: number;
  /** Why the molecule could not be scored at all (malformed input), else null. */
  problem: string | null;
  n_stable_atoms: number | null;
  mol_stable: boolean | null;
  valid: boolean;
  n_fragments: number | null;
  connected_valid: boolean;
  valid_largest_fragment: boolean;
  smiles: string | null;
  largest_fragment_smiles: string | null;
  novelty_key: string | null;
  energy: number | null;
  energy_per_atom: number | null;
  relaxed_energy: number | null;
  strain: number | null;
  strain_per_atom: number | null;
  opt_rmsd: number | null;
  mmff_converged: boolean | null;
  pb_loaded: boolean | null;
  pb_sanitization: boolean | null;
  pb_inchi_convertible: boolean | null;
  pb_all_atoms_connected: boolean | null;
  pb_bond_lengths: boolean | null;
  pb_bond_angles: boolean | null;
  pb_internal_steric_clash: boolean | null;
  pb_aromatic_ring_flatness: boolean | null;
  pb_non_aromatic_ring_non_flatness: boolean | null;
  pb_double_bond_flatness: boolean | null;
  pb_internal_energy: boolean | null;
  /** PRC validity: connected, sanitises and passes every check (a check that could not run counts as a fail). */
  pb_valid: boolean | null;
  pb_energy_ratio: number | null;
  /** Reasons for every null above, "metric: why" joined with "; " (null when everything scored). */
  reason: string | null;
}

/** The score columns in CSV order. */
export const SCORE_COLUMNS: readonly (keyof MoleculeScore)[] = [
  "index", "name", "n_atoms", "problem", "n_stable_atoms", "mol_stable", "valid", "n_fragments", "connected_valid",
  "valid_largest_fragment", "smiles", "largest_fragment_smiles", "energy", "energy_per_atom", "relaxed_energy", "strain",
  "strain_per_atom", "opt_rmsd", "mmff_converged", ...PB_CHECKS.map((c) => c.column), "pb_valid", "pb_energy_ratio",
  "reason",
];

function emptyScore(index: number, mol: Molecule): MoleculeScore {
  return {
    index,
    name: mol.name ?? "",
    n_atoms: mol.elements.length,
    problem: null,
    n_stable_atoms: null,
    mol_stable: null,
    valid: false,
    n_fragments: null,
    connected_valid: false,
    valid_largest_fragment: false,
    smiles: null,
    largest_fragment_smiles: null,
    novelty_key: null,
    energy: null,
    energy_per_atom: null,
    relaxed_energy: null,
    strain: null,
    strain_per_atom: null,
    opt_rmsd: null,
    mmff_converged: null,
    pb_loaded: null,
    pb_sanitization: null,
    pb_inchi_convertible: null,
    pb_all_atoms_connected: null,
    pb_bond_lengths: null,
    pb_bond_angles: null,
    pb_internal_steric_clash: null,
    pb_aromatic_ring_flatness: null,
    pb_non_aromatic_ring_non_flatness: null,
    pb_double_bond_flatness: null,
    pb_internal_energy: null,
    pb_valid: null,
    pb_energy_ratio: null,
    reason: null,
  };
}

/**
 * The row of a molecule that cannot be scored at all (e.g. a record the SDF reader could not read), with the reason.
 * @example
 * unscorableScore(mol, 3, "unknown element symbol \"Xx\" at atom 2").valid; // false
 */
export function unscorableScore(mol: Molecule, index: number, problem: string, options: ScoreOptions = DEFAULT_SCORE_OPTIONS): MoleculeScore {
  const row = emptyScore(index, mol);
  row.problem = problem;
  row.reason = `input: ${problem}`;
  if (options.posebusters) {
    row.pb_loaded = false;
    row.pb_valid = false;
  }
  return row;
}

function setColumn(row: MoleculeScore, column: (typeof PB_CHECKS)[number]["column"], value: boolean | null): void {
  row[column] = value;
}

/**
 * Score one molecule (RDKit.js must be loaded: `await loadRDKit()`). Never throws for bad chemistry or bad input:
 * a malformed molecule (no atoms, unknown element, NaN coordinates, dangling bond) is invalid with `problem` set.
 * @example
 * await loadRDKit(); const row = scoreMolecule(mol, 0); row.valid; row.strain; row.pb_valid;
 */
export function scoreMolecule(mol: Molecule, index: number, options: ScoreOptions = DEFAULT_SCORE_OPTIONS): MoleculeScore {
  const row = emptyScore(index, mol);
  const reasons: string[] = [];
  const problem = moleculeProblem(mol);
  if (problem) {
    row.problem = problem;
    row.reason = `input: ${problem}`;
    if (options.posebusters) row.pb_loaded = false;
    if (options.posebusters) row.pb_valid = false;
    return row;
  }
  const stab = atomStability(mol, options.stabilityFallback);
  row.n_stable_atoms = stab.nStable;
  row.mol_stable = stab.moleculeStable;

  let rdMol: RDKitMol | undefined;
  const v = moleculeValidity(mol, (m) => (rdMol = m));
  row.valid = v.valid;
  row.n_fragments = v.nFragments;
  row.connected_valid = v.connectedValid;
  row.valid_largest_fragment = v.validLargestFragment;
  row.smiles = v.smiles;
  row.largest_fragment_smiles = v.largestFragmentSmiles;
  row.novelty_key = v.noveltyKey;
  if (!v.valid) reasons.push(`sanitization: ${v.error ?? "failed"}`);

  let relaxed: Float64Array | undefined;
  try {
    if (options.energy) {
      if (!v.valid) {
        reasons.push("energy: not computed for a molecule that does not sanitise");
      } else {
        try {
          const r = mmffRelax(mol, { maxIterations: options.mmffIterations });
          const n = mol.elements.length;
          if (!Number.isFinite(r.energy)) throw new Error(`MMFF94 energy is ${r.energy}`);
          row.energy = r.energy;
          row.energy_per_atom = r.energy / n;
          row.relaxed_energy = r.relaxedEnergy;
          row.strain = r.energy - r.relaxedEnergy;
          row.strain_per_atom = row.strain / n;
          row.opt_rmsd = kabschRmsd(mol.positions, r.relaxedPositions);
          row.mmff_converged = r.returnCode === 0;
          relaxed = r.relaxedPositions;
        } catch (err) {
          // openchemlib's messages carry a transpiled class prefix ("Class$S188: ..."); keep the sentence.
          const msg = (err as Error).message.split("\n")[0].replace(/^Class\$\S+:\s*/, "");
          reasons.push(`energy: MMFF94 setup failed (${msg})`);
        }
      }
    }
    if (options.posebusters) {
      const pb: PoseBustersResult = poseBustersChecks(mol, rdMol, v, relaxed);
      for (const c of PB_CHECKS) setColumn(row, c.column, pb.checks[c.key]);
      row.pb_valid = pb.valid;
      row.pb_energy_ratio = pb.energyRatio;
      reasons.push(...pb.reasons.map((r) => `posebusters: ${r}`));
    }
  } finally {
    (rdMol as RDKitMol | undefined)?.delete();
  }
  row.reason = reasons.length ? reasons.join("; ") : null;
  return row;
}
