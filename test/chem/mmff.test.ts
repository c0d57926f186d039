import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { loadFixtures } from "../metrics/fixture_helpers";
import { mmffRelax } from "../../kernel-lib/chem/mmff";
import { kabschRmsd } from "../../kernel-lib/chem/kabsch";

describe("MMFF94 through openchemlib", () => {
  it("reproduces RDKit's energy, strain and opt-RMSD on a fixture subset (one in three)", () => {
    const { records, reference } = loadFixtures();
    let n = 0;
    let okE = 0;
    let okS = 0;
    let okR = 0;
    for (let i = 0; i < records.length; i += 3) {
      const ref = reference[i];
      if (ref.mmff94_energy === null || ref.strain === null || ref.opt_rmsd === null) continue;
      const r = mmffRelax(records[i].molecule);
      n++;
      if (Math.abs(r.energy - ref.mmff94_energy) < 0.1) okE++;
      if (Math.abs(r.energy - r.relaxedEnergy - ref.strain) < 1) okS++;
      if (Math.abs(kabschRmsd(records[i].molecule.positions, r.relaxedPositions) - ref.opt_rmsd) < 0.1) okR++;
    }
    assert.ok(n >= 70);
    assert.equal(okE, n, "energy within 0.1 kcal/mol on every molecule of the subset");
    assert.ok(okS >= 0.95 * n, `strain within 1 kcal/mol: ${okS}/${n}`);
    assert.ok(okR >= 0.9 * n, `opt-RMSD within 0.1 Å: ${okR}/${n}`);
  });
});
