/**
 * Quick sample quality for training: sample a few hundred molecules from a generator and report validity and
 * stability (the numbers the training log tracks). `score` = mean of validity and molecule stability.
 */
import { loadRDKit } from "../chem/rdkit";
import { QM9_COORD_STD } from "../data/featurize";
import { statsSizeHistogram, histogramToJson } from "../data/size_histogram";
import { sample } from "../flow/sample";
import { atomStability } from "../metrics/stability";
import { moleculeValidity } from "../metrics/validity";
import { SemlaGenerator } from "../model/generator";
import { loadedModel } from "../model/model_io";

/** Options of {@link sampleQuality}. */
export interface SampleQualityOptions {
  /** Molecules to sample (default 200). */
  n: number;
  /** Solver steps (default 100, log grid). */
  steps: number;
  seed: number;
}

/** Validity, atom and molecule stability of `n` samples. */
export async function sampleQuality(generator: SemlaGenerator, options: Partial<SampleQualityOptions> = {}): Promise<Record<string, number>> {
  const o: SampleQualityOptions = { n: 200, steps: 100, seed: 12345, ...options };
  await loadRDKit();
  const model = loadedModel({ generator, coordStd: QM9_COORD_STD, sizeHistogram: histogramToJson(statsSizeHistogram("train")), name: "training", meta: {} });
  const result = await sample(model, { n: o.n, steps: o.steps, seed: o.seed });
  let valid = 0, molStable = 0, stableAtoms = 0, atoms = 0;
  for (const mol of result.molecules) {
    const s = atomStability(mol);
    stableAtoms += s.nStable;
    atoms += s.nAtoms;
    if (s.moleculeStable) molStable++;
    if (isValid(mol)) valid++;
  }
  const n = result.molecules.length;
  const validity = valid / n;
  const moleculeStability = molStable / n;
  return { validity, atomStability: stableAtoms / atoms, moleculeStability, score: (validity + moleculeStability) / 2, samples: n, steps: o.steps };
}

/** Validity that treats molecules RDKit cannot even build (e.g. an atom predicted as `<PAD>`) as invalid. */
function isValid(mol: Parameters<typeof moleculeValidity>[0]): boolean {
  try {
    return moleculeValidity(mol).valid;
  } catch {
    return false;
  }
}
