/**
 * Small deterministic inputs for every figure builder (closed-form curves, no clock, no RNG), and one real
 * molecule from the shared evaluation fixtures. Used by the snapshot tests and the export tests.
 */
import * as fs from "node:fs";
import type { Molecule } from "../../kernel-lib/chem/molecule";
import { readSdf } from "../../kernel-lib/chem/sdf";
import { accelerationFigure } from "../../kernel-lib/viz/acceleration";
import { atomTrajectoryFigure } from "../../kernel-lib/viz/atom_trajectory";
import { moleculeFigure } from "../../kernel-lib/viz/molecule_3d";
import { pcaTrajectoryFigure } from "../../kernel-lib/viz/pca_trajectory";
import { predictabilityFigure } from "../../kernel-lib/viz/predictability";
import { similarityHeatmapFigure } from "../../kernel-lib/viz/similarity_heatmap";
import { speedQualityFrontierFigure } from "../../kernel-lib/viz/speed_quality_frontier";
import type { FrontierInput, PlotlyFigure } from "../../kernel-lib/viz/types";
import { sharedPath } from "../helpers/paths";

const K = 21;
const range = (n: number, start = 0) => Array.from({ length: n }, (_, i) => i + start);

/** One molecule of the shared evaluation fixtures, by its title line. */
export function readFixtureMolecule(name: string): Molecule {
  const records = readSdf(fs.readFileSync(sharedPath("data", "eval_fixtures", "fixtures.sdf"), "utf8"));
  const found = records.find((r) => r.molecule.name === name);
  if (!found) throw new Error(`fixture molecule ${name} not found in fixtures.sdf`);
  return found.molecule;
}

/** 5-formylfuran-2-carbonitrile (qm9_25369) from the fixtures with its furan ring marked aromatic (all four bond orders). */
export function furanMolecule(): Molecule {
  const mol = readFixtureMolecule("qm9_25369_dft");
  const ring = new Set([2, 3, 4, 5, 6]);
  const bondOrder = Uint8Array.from(mol.bondOrder, (o, k) => (ring.has(mol.bondI[k]) && ring.has(mol.bondJ[k]) ? 4 : o));
  return { ...mol, bondOrder, name: "qm9_25369 (furan ring drawn aromatic)" };
}

/** Frontier input in the Tables 1/2 layout: Base at 100/51/34/26 steps, Taylor m=1,2 / AB j=2,3 at D = 2, 3, 4. */
export function frontierInput(): FrontierInput {
  const metrics = (steps: number, penalty: number) => ({
    validity: 96 - 30 / steps - penalty,
    atomStability: 99.5 - 12 / steps - penalty / 3,
    strain: 8 + 200 / steps + 4 * penalty,
  });
  const base = [100, 51, 34, 26].map((steps) => ({
    steps, throughput: 200 / steps, throughputStd: 0.05, metrics: metrics(steps, 0),
    metricStd: { validity: 0.4, atomStability: 0.1, strain: 0.3 },
  }));
  const caches = ["Taylor m=1", "Taylor m=2", "AB j=2", "AB j=3"].flatMap((forecaster, f) =>
    [2, 3, 4].map((interval) => ({
      forecaster, interval,
      throughput: (200 / 100) * interval * 0.93,
      metrics: metrics(100, 0.2 * interval + 0.3 * f),
    })));
  return {
    base, caches,
    metrics: [
      { key: "validity", title: "Validity (%)" },
      { key: "atomStability", title: "Atom stability (%)" },
      { key: "strain", title: "Strain (kcal/mol)" },
    ],
  };
}

/** Every builder on its sample input, by snapshot name. */
export function sampleFigures(): Record<string, PlotlyFigure> {
  const steps = range(K);
  const spiral = steps.map((k) => {
    const r = 3 * Math.exp(-k / 8);
    return [r * Math.cos(k / 3), r * Math.sin(k / 3), 0.1 * k];
  });
  const types = steps.map((k) => [2 / (1 + Math.exp(k - 8)), 0.5 * Math.sin(k / 4)]);
  const baseTraj = steps.map((k) => [2 * (1 - Math.exp(-k / 5)), Math.cos(k / 6), 0.3 * Math.sin(k / 4)]);
  const cachedRun = (interval: number, amp: number) => {
    const computed = steps.map((k) => k % interval === 0 || k === K - 1);
    const positions = baseTraj.map((p, k) => p.map((v, a) => v + (computed[k] ? 0 : amp * Math.sin(k + a))));
    return { computed, positions };
  };
  const predSteps = range(K - 2, 2);
  return {
    pca_trajectory: pcaTrajectoryFigure({
      panels: [
        { label: "Coordinates", points: spiral, explainedVariance: [0.62, 0.21, 0.08] },
        { label: "Atom types", points: types, explainedVariance: [0.81, 0.12] },
      ],
      times: steps.map((k) => k / (K - 1)),
    }),
    atom_trajectory: atomTrajectoryFigure({
      atomLabel: "atom 3 (C)",
      base: { label: "Base (K = 21)", positions: baseTraj },
      cached: [
        { label: "Taylor m=1, D=2", forecaster: "Taylor m=1", ...cachedRun(2, 0.05) },
        { label: "Taylor m=2, D=4", forecaster: "Taylor m=2", ...cachedRun(4, 0.15) },
        { label: "AB j=2, D=4", forecaster: "AB j=2", ...cachedRun(4, 0.2) },
      ],
    }),
    predictability: predictabilityFigure({
      quantity: "predicted coordinates",
      series: [
        { label: "step axis (r = 1)", steps: predSteps, mean: predSteps.map((k) => 0.6 * Math.exp(-k / 4) + 0.01),
          std: predSteps.map((k) => 0.2 * Math.exp(-k / 4) + 0.004) },
        { label: "time axis", steps: predSteps, mean: predSteps.map((k) => 0.3 * Math.exp(-k / 4) + 0.008),
          lower: predSteps.map((k) => 0.15 * Math.exp(-k / 4) + 0.004), upper: predSteps.map((k) => 0.5 * Math.exp(-k / 4) + 0.012) },
      ],
    }),
    acceleration: accelerationFigure({
      numMolecules: 100,
      rows: ["cpu", "wasm", "wasm + buckets", "wasm + 2 workers"].flatMap((setting, s) => {
        const t = [600, 60, 45, 26][s];
        return [
          { setting, variant: "no cache", timeS: t, timeStdS: t * 0.03, peakMemoryMB: 800 + 40 * s, peakMemoryStdMB: 10 },
          { setting, variant: "Taylor m=1, D=3", timeS: t / 2.7, timeStdS: t * 0.02, peakMemoryMB: 860 + 40 * s },
          { setting, variant: "AB j=2, D=3", timeS: t / 2.8, peakMemoryMB: 850 + 40 * s },
        ];
      }),
    }),
    speed_quality_frontier: speedQualityFrontierFigure(frontierInput()),
    similarity_heatmap: similarityHeatmapFigure({
      similarity: range(6).map((b) => range(K - 1, 1).map((k) => 1 - 0.6 * Math.exp(-k / (2 + b)) - 0.01 * b)),
      blockLabels: [...range(5).map((b) => `layer ${b}`), "head"],
    }),
    molecule: moleculeFigure(furanMolecule()),
  };
}
