/**
 * MMFF94 energies through openchemlib's `ForceFieldMMFF94` (which reproduces RDKit's and openbabel's MMFF94 to
 * about 0.01 kcal/mol, docs/environment.md §7): the energy of a pose as given, and a local relaxation.
 */
import OCL from "openchemlib";
import { Molecule } from "./molecule";
import { writeMolblock } from "./sdf";

let registered = false;

function ensureResources(): void {
  if (!registered) {
    OCL.Resources.registerFromNodejs();
    registered = true;
  }
}

/** Options for {@link mmffRelax}. */
export interface MmffOptions {
  /** Force-field variant; default "MMFF94" (SemlaFlow's choice). */
  variant?: "MMFF94" | "MMFF94s";
  /** Relaxation iterations; default 1000 (SemlaFlow's `MMFFOptimizeMolecule(maxIters=1000)`). */
  maxIterations?: number;
}

/** Result of {@link mmffRelax}: energies in kcal/mol and the relaxed coordinates in the molecule's atom order. */
export interface MmffResult {
  /** Energy of the pose as given. */
  energy: number;
  /** Energy after the local relaxation. */
  relaxedEnergy: number;
  /** Relaxed coordinates, N×3 in the input atom order. */
  relaxedPositions: Float64Array;
  /** openchemlib's return code: 0 converged, otherwise the iteration limit or a line-search stop. */
  returnCode: number;
}

function toOcl(mol: Molecule): { oclMol: OCL.Molecule; map: Int32Array } {
  ensureResources();
  // Valences locked so openchemlib adds no implicit hydrogens either: the force field sees the generated graph.
  const oclMol = OCL.Molecule.fromMolfile(writeMolblock(mol, { lockValence: true }));
  const n = mol.elements.length;
  if (oclMol.getAllAtoms() !== n) {
    throw new Error(`openchemlib read ${oclMol.getAllAtoms()} atoms for a ${n}-atom molecule`);
  }
  // openchemlib may move hydrogens behind heavy atoms; map its atoms back to ours by coordinates.
  const map = new Int32Array(n).fill(-1);
  const used = new Uint8Array(n);
  for (let o = 0; o < n; o++) {
    // openchemlib stores molfile coordinates with y and z negated (screen convention).
    const x = oclMol.getAtomX(o);
    const y = -oclMol.getAtomY(o);
    const z = -oclMol.getAtomZ(o);
    let best = -1;
    let bestD = Infinity;
    const start = o; // identity is the usual answer: try it first
    for (let t = 0; t < n; t++) {
      const a = (start + t) % n;
      if (used[a] || mol.elements[a] !== oclMol.getAtomicNo(o)) continue;
      const dx = mol.positions[3 * a] - x;
      const dy = mol.positions[3 * a + 1] - y;
      const dz = mol.positions[3 * a + 2] - z;
      const d = dx * dx + dy * dy + dz * dz;
      if (d < bestD) {
        bestD = d;
        best = a;
        if (d < 1e-8) break;
      }
    }
    if (best < 0 || bestD > 1e-4) throw new Error("openchemlib atom order could not be matched to the molecule");
    map[o] = best;
    used[best] = 1;
  }
  return { oclMol, map };
}

/**
 * MMFF94 energy of the pose (kcal/mol). Throws when openchemlib cannot type the molecule (the caller records
 * the reason and leaves the molecule out of energy averages).
 * @example
 * mmffEnergy(mol); // 46.08
 */
export function mmffEnergy(mol: Molecule, variant: "MMFF94" | "MMFF94s" = "MMFF94"): number {
  const { oclMol } = toOcl(mol);
  const ff = new OCL.ForceFieldMMFF94(oclMol, variant);
  return ff.getTotalEnergy();
}

/**
 * MMFF94 energy of the pose and after a local relaxation of a copy (default 1,000 iterations), with the relaxed
 * coordinates in the molecule's atom order. Throws when the force field cannot be set up.
 * @example
 * const r = mmffRelax(mol); const strain = r.energy - r.relaxedEnergy;
 */
export function mmffRelax(mol: Molecule, options: MmffOptions = {}): MmffResult {
  const { oclMol, map } = toOcl(mol);
  const ff = new OCL.ForceFieldMMFF94(oclMol, options.variant ?? "MMFF94");
  const energy = ff.getTotalEnergy();
  const returnCode = ff.minimise({ maxIts: options.maxIterations ?? 1000 });
  const relaxedEnergy = ff.getTotalEnergy();
  const n = mol.elements.length;
  const relaxedPositions = new Float64Array(3 * n);
  for (let o = 0; o < n; o++) {
    const a = map[o];
    relaxedPositions[3 * a] = oclMol.getAtomX(o);
    relaxedPositions[3 * a + 1] = -oclMol.getAtomY(o);
    relaxedPositions[3 * a + 2] = -oclMol.getAtomZ(o);
  }
  return { energy, relaxedEnergy, relaxedPositions, returnCode };
}
