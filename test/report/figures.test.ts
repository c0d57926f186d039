/** The report's molecule figure: the first valid molecule, titled with its heavy-atom SMILES (no explicit [H]). */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeMolecule } from "../../kernel-lib/chem/molecule";
import { loadRDKit } from "../../kernel-lib/chem/rdkit";
import { evaluate } from "../../kernel-lib/metrics/evaluate";
import { parseCacheList } from "../../kernel-lib/report/configurations";
import { reportFigures, showcaseMolecule } from "../../kernel-lib/report/figures";
import type { ConfigurationRun } from "../../kernel-lib/report/sample_runs";
import { readFixtureMolecule } from "../viz/sample_figures";

describe("showcaseMolecule", () => {
  it("labels the first valid molecule with its heavy-atom SMILES, and the figure title carries it", async () => {
    await loadRDKit();
    const furan = readFixtureMolecule("qm9_25369_dft"); // 5-formylfuran-2-carbonitrile
    // A pentavalent carbon first: not valid, so the furan is shown.
    const broken = makeMolecule({
      elements: [6, 1, 1, 1, 1, 1], positions: [0, 0, 0, 1.1, 0, 0, -1.1, 0, 0, 0, 1.1, 0, 0, -1.1, 0, 0, 0, 1.1],
      bonds: [[0, 1, 1], [0, 2, 1], [0, 3, 1], [0, 4, 1], [0, 5, 1]],
    });
    const molecules = [broken, furan];
    const evaluation = await evaluate([molecules], { workers: 1, energy: false, posebusters: false });
    assert.deepEqual(evaluation.rows.map((r) => r.valid), [false, true]);
    assert.match(evaluation.rows[1].smiles ?? "", /\[H\]/, `the row's SMILES keeps explicit hydrogens: ${evaluation.rows[1].smiles}`);
    const [configuration] = parseCacheList("base", 20);
    const run: ConfigurationRun = {
      configuration, molecules: [molecules], seeds: [0], wallSeconds: [1], moleculesPerSecond: [2], peakTensorBytes: [0],
      networkCalls: 20, stepsComputed: [], batches: 1, sdfFile: undefined,
    };
    const shown = showcaseMolecule([{ run, evaluation }]);
    assert.equal(shown?.label, "Base (20 steps), molecule 1, valid: N#Cc1ccc(C=O)o1");
    const figure = reportFigures([{ run, evaluation }], { steps: 20, n: 2, setting: "test" }).find((f) => f.name === "molecule");
    assert.equal((figure?.figure.layout.title as { text: string }).text, "Base (20 steps), molecule 1, valid: N#Cc1ccc(C=O)o1");
  });
});
