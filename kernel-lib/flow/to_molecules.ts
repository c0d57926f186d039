/**
 * Turn the sampler's final prediction into molecules: coordinates times the coordinate std (Å), and the argmax of
 * the type, bond and charge logits. A real atom predicted as `<PAD>`/`<MASK>` gets element 0, which the metrics
 * report as an unknown element (the molecule is kept, never dropped).
 */
import { makeMolecule, Molecule } from "../chem/molecule";
import { CHARGE_VALUES, CLASS_TO_Z } from "../data/featurize";
import { Prediction } from "./integrate";
import { moleculeSize, SamplerState } from "./prior";

function argmax(values: ArrayLike<number>, offset: number, k: number): number {
  let best = 0;
  for (let c = 1; c < k; c++) if (values[offset + c] > values[offset + best]) best = c;
  return best;
}

/**
 * Decode every molecule of a batch (real atoms first in each row, as the prior lays them out).
 * @param coordStd Å per normalised unit.
 */
export function predictionToMolecules(
  prediction: Prediction,
  layout: Pick<SamplerState, "B" | "N" | "mask">,
  options: { vocabSize: number; bondClasses: number; chargeClasses: number; coordStd: number },
): Molecule[] {
  const { B, N } = layout;
  const { vocabSize: v, bondClasses: e, chargeClasses: q, coordStd } = options;
  const out: Molecule[] = [];
  for (let b = 0; b < B; b++) {
    const n = moleculeSize(layout as SamplerState, b);
    const elements: number[] = [];
    const charges: number[] = [];
    const positions: number[] = [];
    for (let i = 0; i < n; i++) {
      const a = b * N + i;
      elements.push(CLASS_TO_Z[argmax(prediction.typeLogits, a * v, v)] ?? 0);
      charges.push(CHARGE_VALUES[argmax(prediction.chargeLogits, a * q, q)]);
      for (let d = 0; d < 3; d++) positions.push(prediction.coords[a * 3 + d] * coordStd);
    }
    const bonds: [number, number, number][] = [];
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const cls = argmax(prediction.bondLogits, ((b * N + i) * N + j) * e, e);
        if (cls > 0) bonds.push([i, j, cls]);
      }
    }
    out.push(makeMolecule({ elements, positions, charges, bonds }));
  }
  return out;
}
