/**
 * Every element of the SemlaFlow vocabulary (the 16 of GEOM-Drugs, formal charges included) goes through what a
 * sampled molecule goes through: decoded from its class, written to SDF and read back, scored for stability and
 * RDKit validity, MMFF94 (scored, or left out with a reason where MMFF94 has no parameters), the PoseBusters checks,
 * and drawn with its own CPK colour.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeMolecule, Molecule } from "../../kernel-lib/chem/molecule";
import { readSdf, writeSdf } from "../../kernel-lib/chem/sdf";
import { elementSymbol } from "../../kernel-lib/chem/elements";
import { CLASS_TO_Z } from "../../kernel-lib/data/featurize";
import { datasetPreset } from "../../kernel-lib/data/dataset_preset";
import { evaluate } from "../../kernel-lib/metrics/evaluate";
import { CPK_UNKNOWN, cpkColor } from "../../kernel-lib/viz/cpk";

/** A hydride `XH_k` (plus charge) with the hydrogens spread over a sphere at bond length `r` Å. */
function hydride(z: number, k: number, r: number, charge = 0): Molecule {
  // Directions of linear, trigonal, tetrahedral arrangements.
  const dirs: Record<number, number[][]> = {
    1: [[1, 0, 0]],
    2: [[1, 0, 0], [-0.25, 0.97, 0]],
    3: [[1, 0, 0], [-0.33, 0.94, 0], [-0.33, -0.47, 0.82]],
    4: [[0.577, 0.577, 0.577], [0.577, -0.577, -0.577], [-0.577, 0.577, -0.577], [-0.577, -0.577, 0.577]],
  };
  const pos = [0, 0, 0];
  for (const d of dirs[k]) pos.push(...d.map((x) => (x * r) / Math.hypot(...d)));
  return makeMolecule({
    elements: [z, ...new Array(k).fill(1)], positions: pos, charges: [charge, ...new Array(k).fill(0)],
    bonds: dirs[k].map((_, i) => [0, i + 1, 1] as const), name: `${elementSymbol(z)}H${k}`,
  });
}

/** A methyl halide `CH3X` with C–X length `r` Å. */
function methyl(z: number, r: number): Molecule {
  const h = [[-0.36, 1.03, 0], [-0.36, -0.51, 0.89], [-0.36, -0.51, -0.89]];
  return makeMolecule({
    elements: [6, z, 1, 1, 1], positions: [0, 0, 0, r, 0, 0, ...h.flat()],
    bonds: [[0, 1, 1], [0, 2, 1], [0, 3, 1], [0, 4, 1]], name: `CH3${elementSymbol(z)}`,
  });
}

// One small molecule per heavy element, with RDKit-allowed valences; charged ones test the charge rows of the table.
const MOLECULES: Molecule[] = [
  hydride(5, 3, 1.19), hydride(6, 4, 1.09), hydride(7, 3, 1.01), hydride(8, 2, 0.96), methyl(9, 1.38),
  hydride(13, 3, 1.58), hydride(14, 4, 1.48), hydride(15, 3, 1.42), hydride(16, 2, 1.34), methyl(17, 1.78),
  hydride(33, 3, 1.52), methyl(35, 1.94), methyl(53, 2.14), hydride(80, 2, 1.6), hydride(83, 3, 1.8),
  hydride(7, 4, 1.03, +1), hydride(8, 1, 0.97, -1), hydride(16, 3, 1.35, +1), hydride(15, 4, 1.40, +1),
];

describe("every vocabulary element", () => {
  it("has a class, a symbol and its own CPK colour", () => {
    const elements = datasetPreset("geom-drugs").elements;
    for (const z of elements) {
      assert.ok(CLASS_TO_Z.includes(z), `element ${z} has no vocabulary class`);
      assert.notEqual(cpkColor(z), CPK_UNKNOWN, `${elementSymbol(z)} has no CPK colour`);
    }
    assert.equal(new Set(elements.map(cpkColor)).size, elements.length, "two elements share a colour");
    assert.deepEqual([...new Set(CLASS_TO_Z.filter((z) => z > 0))].sort((a, b) => a - b), [...elements]);
  });

  it("survives SDF, is stable (charges included) and valid, gets MMFF94 or a reason, and PoseBusters checks", async () => {
    const back = readSdf(writeSdf(MOLECULES)).map((r) => {
      assert.deepEqual(r.issues, []);
      return r.molecule;
    });
    back.forEach((m, i) => {
      assert.deepEqual(Array.from(m.elements), Array.from(MOLECULES[i].elements));
      assert.deepEqual(Array.from(m.charges), Array.from(MOLECULES[i].charges));
    });
    const res = await evaluate(back, { workers: 1 });
    const mmff = new Set(["C", "N", "O", "F", "Si", "P", "S", "Cl", "Br", "I"]);
    for (const row of res.rows) {
      const name = String(row.name);
      assert.equal(row.problem ?? null, null, `${name}: ${row.problem}`);
      assert.equal(row.mol_stable, true, `${name} unstable`);
      assert.equal(row.valid, true, `${name} invalid: ${row.reason}`);
      assert.equal(row.pb_loaded, true, `${name} not loaded by the PoseBusters checks`);
      const heavy = name.startsWith("CH3") ? name.slice(3) : name.replace(/H\d$/, "");
      if (mmff.has(heavy)) assert.ok(Number.isFinite(row.energy), `${name}: no MMFF94 energy (${row.reason})`);
      else assert.ok(row.energy === null || Number.isFinite(row.energy), `${name}: energy ${row.energy}`);
      if (row.energy === null) assert.match(String(row.reason), /\S/, `${name}: no energy and no reason`);
    }
  });
});
