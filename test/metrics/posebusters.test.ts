import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import { loadFixtures } from "./fixture_helpers";
import { loadRDKit, sanitizeMolecule } from "../../kernel-lib/chem/rdkit";
import { perceiveMolecule } from "../../kernel-lib/chem/perception";
import { uffForceField } from "../../kernel-lib/chem/uff";
import { uffAtomParams } from "../../kernel-lib/chem/uff_params";
import { moleculeBoundsMatrix } from "../../kernel-lib/chem/bounds_matrix";
import { maxDistanceToPlane } from "../../kernel-lib/metrics/pb_flatness";
import { scoreMolecule, MoleculeScore } from "../../kernel-lib/metrics/score";
import { fixtureAgreement } from "../../scripts/metrics_agreement";

describe("PoseBusters-style checks against the 223 fixtures (PoseBusters 0.4.1)", () => {
  let scores: MoleculeScore[] = [];
  before(async () => {
    await loadRDKit();
    scores = loadFixtures().records.map((r, i) => scoreMolecule(r.molecule, i));
  });

  it("agrees on every metric of the acceptance list", () => {
    const { reference } = loadFixtures();
    const byName = new Map(fixtureAgreement(scores, reference as unknown as Record<string, any>[]).map((a) => [a.metric, a]));
    const rate = (m: string) => {
      const a = byName.get(m);
      assert.ok(a, `metric ${m} missing`);
      return a.agree / a.n;
    };
    for (const m of ["atom stability (n stable atoms)", "molecule stability", "validity", "fragments", "canonical SMILES (canonicalised reference)"]) {
      assert.equal(rate(m), 1, m);
    }
    assert.ok(rate("MMFF94 energy ±0.1 kcal/mol") >= 0.95);
    assert.ok(rate("strain ±1 kcal/mol") >= 0.95);
    assert.ok(rate("opt-RMSD ±0.1 Å") >= 0.9);
    for (const m of [...byName.keys()].filter((k) => k.startsWith("PB "))) assert.ok(rate(m) >= 0.95, `${m}: ${rate(m)}`);
    assert.ok(rate("PRC validity (PB-valid)") >= 0.95, `PRC validity ${rate("PRC validity (PB-valid)")}`);
  });

  it("reproduces PoseBusters' bond and angle extremes, i.e. RDKit's bounds matrix, on the QM9 DFT fixtures", () => {
    const { reference } = loadFixtures();
    let exact = 0;
    for (let i = 0; i < 100; i++) {
      const pb = reference[i]["posebusters_mol_v0.4.1"] as Record<string, number>;
      const s = loadFixtures().records[i].molecule;
      const r = sanitizeMolecule(s);
      assert.ok(r.ok);
      const p = perceiveMolecule(s, r.mol);
      const b = moleculeBoundsMatrix(s, p, uffAtomParams(s, p));
      r.mol.delete();
      let minBond = Infinity;
      for (let k = 0; k < s.bondI.length; k++) {
        const x = s.bondI[k];
        const y = s.bondJ[k];
        if (s.elements[x] === 1 || s.elements[y] === 1) continue;
        const d = Math.hypot(s.positions[3 * x] - s.positions[3 * y], s.positions[3 * x + 1] - s.positions[3 * y + 1], s.positions[3 * x + 2] - s.positions[3 * y + 2]);
        minBond = Math.min(minBond, d / b.lower[x * b.n + y]);
      }
      if (Math.abs(minBond - pb.shortest_bond_relative_length) < 1e-3) exact++;
    }
    assert.ok(exact >= 99, `shortest relative bond length reproduced on ${exact}/100`);
  });

  it("computes UFF pose energies equal to RDKit's (PoseBusters' mol_pred_energy)", () => {
    const { records, reference } = loadFixtures();
    for (let i = 0; i < records.length; i += 11) {
      const r = sanitizeMolecule(records[i].molecule);
      assert.ok(r.ok);
      const p = perceiveMolecule(records[i].molecule, r.mol);
      r.mol.delete();
      const e = uffForceField(records[i].molecule, p, records[i].molecule.positions)!.energy(records[i].molecule.positions);
      const ref = (reference[i]["posebusters_mol_v0.4.1"] as Record<string, number>).mol_pred_energy;
      assert.ok(Math.abs(e - ref) <= 1e-4 * Math.max(1, Math.abs(ref)), `fixture ${i}: ${e} vs ${ref}`);
    }
  });

  it("measures distance to a plane", () => {
    // A square in z=0 with one corner lifted by 0.4 Å: the least-squares plane splits it (0.1 Å each).
    const pos = [0, 0, 0, 1, 0, 0, 1, 1, 0.4, 0, 1, 0];
    assert.ok(Math.abs(maxDistanceToPlane(pos, [0, 1, 2, 3]) - 0.1) < 0.01);
    assert.ok(maxDistanceToPlane([0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0], [0, 1, 2, 3]) < 1e-9);
  });
});
