/**
 * V3000 molblocks: written automatically for molecules with more than 999 atoms or bonds (V2000's counts hold 999;
 * random-weight drug-size models make such graphs), read back by molcache and by RDKit.js.
 */
import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import { parseMolblock, readSdf, writeMolblock, writeSdf } from "../../kernel-lib/chem/sdf";
import { makeMolecule, Molecule } from "../../kernel-lib/chem/molecule";
import { canonicalSmiles, loadRDKit, rdkit, sanitizeMolecule } from "../../kernel-lib/chem/rdkit";
import { assertSameMolecule } from "../helpers/same_molecule";

/** 57 atoms joined by 1,224 bonds (the first pairs in order), as an untrained GEOM-size model can predict. */
function denseMolecule(): Molecule {
  const n = 57;
  const elements = Array.from({ length: n }, (_, a) => [6, 7, 8, 16, 9, 1][a % 6]);
  const positions = Array.from({ length: 3 * n }, (_, k) => Math.sin(k) * 3);
  const charges = Array.from({ length: n }, (_, a) => (a === 4 ? -1 : a === 10 ? 2 : 0));
  const bonds: [number, number, number][] = [];
  for (let i = 0; i < n && bonds.length < 1224; i++) for (let j = i + 1; j < n && bonds.length < 1224; j++) bonds.push([i, j, 1 + ((i + j) % 4)]);
  return makeMolecule({ elements, positions, charges, bonds, name: "dense" });
}

/** A straight-chain alkylammonium CH3(CH2)_(k-1) NH3+, explicit hydrogens: 3k + 5 atoms. */
function alkylammonium(k: number): Molecule {
  const elements: number[] = [];
  const positions: number[] = [];
  const bonds: [number, number, number][] = [];
  const charges: number[] = [];
  const add = (z: number, x: number, y: number, zz: number, charge = 0) => {
    elements.push(z);
    positions.push(x, y, zz);
    charges.push(charge);
    return elements.length - 1;
  };
  let prev = -1;
  for (let c = 0; c <= k; c++) {
    const heavy = add(c === k ? 7 : 6, 1.25 * c, c % 2 ? 0.8 : 0, 0, c === k ? 1 : 0);
    if (prev >= 0) bonds.push([prev, heavy, 1]);
    const hydrogens = c === k ? 3 : c === 0 ? 3 : 2;
    for (let h = 0; h < hydrogens; h++) bonds.push([heavy, add(1, 1.25 * c, c % 2 ? 1.8 : -1, h - 1), 1]);
    prev = heavy;
  }
  return makeMolecule({ elements, positions, charges, bonds, name: `C${k}H${2 * k}NH3+` });
}

before(async () => {
  await loadRDKit();
});

describe("SDF V3000", () => {
  it("writes V2000 up to 999 atoms and bonds, V3000 beyond, and reads both back", () => {
    const small = alkylammonium(3);
    assert.match(writeMolblock(small).split("\n")[3], /V2000$/);
    for (const mol of [denseMolecule(), alkylammonium(332)]) {
      const block = writeMolblock(mol, { lockValence: true });
      assert.match(block.split("\n")[3], /999 V3000$/);
      assert.ok(block.includes(`M  V30 COUNTS ${mol.elements.length} ${mol.bondI.length} 0 0 0\n`));
      const { molecule, issues } = parseMolblock(block);
      assert.deepEqual(issues, []);
      assertSameMolecule(molecule, mol);
    }
    // In an SDF between V2000 records, with data items.
    const mols = [small, denseMolecule(), small];
    const records = readSdf(writeSdf(mols, { properties: mols.map((_, i) => ({ index: String(i) })) }));
    assert.equal(records.length, 3);
    records.forEach((r, i) => {
      assert.deepEqual(r.issues, []);
      assert.deepEqual(r.properties, { index: String(i) });
      assertSameMolecule(r.molecule, mols[i]);
    });
  });

  it("RDKit.js reads what molcache writes: 1,001 atoms, 1,000 bonds, the charge and locked valences", () => {
    // (A dense graph such as denseMolecule() takes RDKit.js ~25 s to parse, even unsanitised: too slow for a test.)
    const chain = alkylammonium(332);
    const r = sanitizeMolecule(chain);
    assert.ok(r.ok, r.ok ? "" : r.error);
    if (!r.ok) return;
    assert.equal(r.mol.get_num_atoms(), 1001);
    const json = JSON.parse(r.mol.get_json()) as { molecules: { bonds: unknown[]; atoms: { chg?: number }[] }[] };
    assert.equal(json.molecules[0].bonds.length, 1000);
    assert.deepEqual(json.molecules[0].atoms.flatMap((a, i) => (a.chg ? [[i, a.chg]] : [])), [[Array.from(chain.charges).indexOf(1), 1]]);
    const heavy = rdkit().get_mol(canonicalSmiles(r.mol));
    r.mol.delete();
    assert.ok(heavy);
    assert.equal(heavy!.get_smiles(), `${"C".repeat(332)}[NH3+]`);
    heavy!.delete();
  });

  it("reads other writers' V3000: continuation lines, atom ids that are not 1..n, blocks it does not use, problems listed", () => {
    const block = [
      "other", "  RDKit          3D", "", "  0  0  0     0  0            999 V3000",
      "M  V30 BEGIN CTAB",
      "M  V30 COUNTS 3 3 1 0 0",
      "M  V30 BEGIN ATOM",
      "M  V30 10 N 0.0000 0.0000 0.0000 0 CHG=1 -",
      "M  V30 VAL=4",
      "M  V30 20 Xx 1.0000 0.0000 0.0000 0",
      "M  V30 30 C nan 0.0000 0.0000 0 RGROUPS=(1 1)",
      "M  V30 END ATOM",
      "M  V30 BEGIN BOND",
      "M  V30 1 1 10 20",
      "M  V30 2 9 20 30",
      "M  V30 3 1 30 99",
      "M  V30 END BOND",
      "M  V30 BEGIN SGROUP",
      "M  V30 1 SUP 0 ATOMS=(1 10) LABEL=\"a b\"",
      "M  V30 END SGROUP",
      "M  V30 END CTAB",
      "M  END",
    ].join("\n");
    const { molecule, issues } = parseMolblock(block);
    assert.deepEqual(Array.from(molecule.elements), [7, 0, 6]);
    assert.deepEqual(Array.from(molecule.charges), [1, 0, 0]);
    assert.deepEqual(Array.from(molecule.bondI.slice(0, 2)), [0, 1]);
    assert.deepEqual(Array.from(molecule.bondJ.slice(0, 2)), [1, 2]);
    assert.deepEqual(issues, [
      'unknown element symbol "Xx" at atom 2',
      "non-numeric coordinates at atom 3",
      "bond 2 has unsupported type 9 (expected 1-4)",
      "bond 3 joins atoms 30 and 99, but the molecule has no such atom",
    ]);
  });

  it("a V3000 record without a COUNTS line is one clear problem, and the other records are kept", () => {
    const bad = "broken\n\n\n  0  0  0     0  0            999 V3000\nM  V30 BEGIN CTAB\nM  V30 END CTAB\nM  END\n";
    assert.throws(() => parseMolblock(bad), /^Error: molblock "broken": V3000 connection table without a readable COUNTS line/);
    const good = writeSdf([denseMolecule()]);
    const records = readSdf(good + bad + "$$$$\n" + good);
    assert.deepEqual(records.map((r) => r.unreadable ?? false), [false, true, false]);
    assert.match(records[1].issues[0], /^SDF record 2: molblock "broken": V3000/);
  });
});
