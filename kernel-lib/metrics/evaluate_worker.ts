/**
 * The task module of the scoring pool (worker_pool.ts, run by piscina): each thread loads RDKit.js once, as it starts,
 * then scores the chunks of molecules it is given.
 */
import { loadRDKit } from "../chem/rdkit";
import { Molecule } from "../chem/molecule";
import { MoleculeScore, scoreMolecule, ScoreOptions, unscorableScore } from "./score";

/** One task: score `molecules`, whose batch indices start at `start`; `problems[k]` marks unreadable inputs. */
export interface ScoreChunk {
  start: number;
  molecules: Molecule[];
  problems: (string | null)[];
  options: ScoreOptions;
}

/** Score one chunk (RDKit.js loaded). */
export function scoreChunk(chunk: ScoreChunk): MoleculeScore[] {
  return chunk.molecules.map((m, k) => {
    const problem = chunk.problems[k];
    return problem ? unscorableScore(m, chunk.start + k, problem, chunk.options) : scoreMolecule(m, chunk.start + k, chunk.options);
  });
}

// Piscina awaits a promised handler before the thread takes tasks: RDKit.js loads once per thread, up front.
export default loadRDKit().then(() => scoreChunk);
