/**
 * Turn the sampler's final prediction into molecules: coordinates times the coordinate std (Å), and the argmax of
 * the type, bond and charge logits. A real atom predicted as `<PAD>`/`<MASK>` gets element 0, which the metrics
 * report as an unknown element (the molecule is kept, never dropped).
 */
import { makeMolecule, Molecule } from "../chem/molecule";
import { CHARGE_VALUES, CLASS_TO_Z } from "../data/featurize";
import type { Prediction } from "../model/sampler_state";
import { moleculeSize, SamplerState } from "./prior";

function argmax(values: ArrayLike<number>, offset: number, k: number): number {
  let best = 0;
  for (let c = 1; c < k; c++) if (values[offset + c] > values[offset + best]) best = c;
  return best;
}

/**
 * Refuse a prediction with non-finite coordinates or type logits on a real atom: it would decode to `nan` positions
 * and `*` atoms that look like molecules. Seen with NaN weights, or a sampler that diverged.
 */
function checkFinite(prediction: Prediction, layout: Pick<SamplerState, "B" | "N" | "mask">, v: number): void {
  let bad = 0;
  for (let b = 0; b < layout.B; b++) {
    const n = moleculeSize(layout as SamplerState, b);
    for (let i = 0; i < n; i++) {
      const a = b * layout.N + i;
      let ok = Number.isFinite(prediction.coords[3 * a]) && Number.isFinite(prediction.coords[3 * a + 1]) && Number.isFinite(prediction.coords[3 * a + 2]);
      for (let c = 0; c < v && ok; c++) ok = Number.isFinite(prediction.typeLogits[a * v + c]);
      if (!ok) bad++;
    }
  }
  if (bad) {
    throw new Error(
      `the model produced non-finite coordinates or atom types (NaN or infinity) for ${bad} atoms; its weights hold ` +
        "NaN/Inf values or the sampling diverged: check the model (no molecules were made from this batch)",
    );
  }
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
  checkFinite(prediction, layout, v);
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
