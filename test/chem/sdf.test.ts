import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { sharedPath } from "../helpers/paths";
import { assertSameMolecule } from "../helpers/same_molecule";
import { readSdf, writeSdf, writeMolblock, parseMolblock } from "../../kernel-lib/chem/sdf";
import { writeXyz } from "../../kernel-lib/chem/xyz";
import { makeMolecule } from "../../kernel-lib/chem/molecule";
import { atomicNumber, elementSymbol, elementByZ } from "../../kernel-lib/chem/elements";

const FIXTURES = sharedPath("data", "eval_fixtures", "fixtures.sdf");

describe("elements", () => {
  it("maps symbols and numbers both ways with RDKit's radii", () => {
    assert.equal(atomicNumber("Cl"), 17);
    assert.equal(atomicNumber("cl"), 17);
    assert.equal(elementSymbol(35), "Br");
    assert.equal(elementByZ(6)?.rVdw, 1.7);
    assert.equal(elementByZ(8)?.rVdw, 1.55);
    assert.throws(() => atomicNumber("Xx"), /unknown element symbol: "Xx"/);
    assert.throws(() => elementSymbol(0), /unknown element: atomic number 0/);
  });
});

describe("SDF V2000", () => {
  const text = fs.readFileSync(FIXTURES, "utf8");
  const records = readSdf(text);

  it("reads all 223 fixtures without issues, with names and data items", () => {
    assert.equal(records.length, 223);
    assert.ok(records.every((r) => r.issues.length === 0));
    assert.equal(records[0].molecule.name, "qm9_55022_dft");
    assert.equal(records[0].molecule.elements.length, 18);
    assert.equal(records[0].molecule.bondI.length, 19);
    assert.equal(records[0].properties.fixture_group, "qm9_dft");
    assert.deepEqual(Array.from(records[0].molecule.positions.slice(0, 3)).map((v) => +v.toFixed(4)), [0.5744, 1.014, 0.4127]);
  });

  it("round-trips every fixture: write then read gives the same atoms, coordinates, charges, bonds and data", () => {
    const again = readSdf(
      writeSdf(
        records.map((r) => r.molecule),
        { properties: records.map((r) => r.properties) },
      ),
    );
    assert.equal(again.length, records.length);
    records.forEach((r, i) => {
      assertSameMolecule(again[i].molecule, r.molecule);
      assert.deepEqual(again[i].properties, r.properties);
    });
  });

  it("writes charges as M  CHG and locks valences on request", () => {
    const mol = makeMolecule({
      elements: [7, 1, 1, 1, 1],
      positions: [0, 0, 0, 1, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1, 0],
      charges: [1, 0, 0, 0, 0],
      bonds: [[0, 1, 1], [0, 2, 1], [0, 3, 1], [0, 4, 1]],
      name: "ammonium",
    });
    const block = writeMolblock(mol, { lockValence: true });
    assert.match(block, /M {2}CHG {2}1 {3}1 {3}1/);
    assert.equal(block.split("\n")[4].slice(48, 51), "  4");
    assert.equal(parseMolblock(block).molecule.charges[0], 1);
  });

  it("keeps going on bad records and lists the problems", () => {
    const bad = [
      "bad", "  x", "", "  2  2  0  0  0  0  0  0  0  0999 V2000",
      "    0.0000    0.0000    0.0000 Xx  0  0  0  0  0  0  0  0  0  0  0  0",
      "       nan    0.0000    0.0000 C   0  0  0  0  0  0  0  0  0  0  0  0",
      "  1  2  1  0", "  1  5  1  0", "M  END", "$$$$", "",
    ].join("\n");
    const [r] = readSdf(bad);
    assert.equal(r.molecule.elements[0], 0);
    assert.ok(r.issues.some((s) => /unknown element symbol "Xx"/.test(s)));
    assert.ok(r.issues.some((s) => /non-numeric coordinates at atom 2/.test(s)));
    assert.ok(r.issues.some((s) => /joins atoms 1 and 5/.test(s)));
  });
});

describe("XYZ", () => {
  it("writes count, comment and symbol lines", () => {
    const water = makeMolecule({ elements: [8, 1, 1], positions: [0, 0, 0, 0.96, 0, 0, -0.24, 0.93, 0], name: "water" });
    const lines = writeXyz(water).trim().split("\n");
    assert.equal(lines[0], "3");
    assert.equal(lines[1], "water");
    assert.match(lines[2], /^O +0\.00000 +0\.00000 +0\.00000$/);
    assert.match(lines[3], /^H +0\.96000/);
  });
});
