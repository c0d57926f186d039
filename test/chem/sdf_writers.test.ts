/**
 * readSdf on SDF files written by RDKit, openchemlib and Open Babel, named and unnamed (a blank first line), and on
 * a file with one mangled record among good ones.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { readSdf } from "../../kernel-lib/chem/sdf";
import { REPO_ROOT } from "../helpers/paths";

const DIR = path.join(REPO_ROOT, "test", "fixtures", "sdf_writers");
const NAMES = ["qm9_55022_dft", "qm9_25369_dft"];

describe("readSdf on files from other toolkits", () => {
  for (const writer of ["rdkit", "openchemlib", "openbabel"]) {
    for (const named of [true, false]) {
      const file = `${writer}_${named ? "named" : "unnamed"}.sdf`;
      it(`reads ${file}: both molecules, their atoms, bonds, coordinates and names`, () => {
        const records = readSdf(fs.readFileSync(path.join(DIR, file), "utf8"));
        assert.equal(records.length, 2);
        assert.deepEqual(records.map((r) => r.issues), [[], []]);
        assert.deepEqual(records.map((r) => r.molecule.elements.length), [18, 12]);
        assert.deepEqual(records.map((r) => r.molecule.bondI.length), [19, 12]);
        assert.deepEqual(records.map((r) => r.molecule.name), named ? NAMES : ["", ""]);
        assert.deepEqual(Array.from(records[0].molecule.positions.slice(0, 3)), [0.5744, 1.014, 0.4127].map(Math.fround));
        assert.equal(records[1].molecule.elements[0], 8);
      });
    }
  }

  it("keeps the other records when one has a mangled counts line, marking that one", () => {
    const good = fs.readFileSync(path.join(DIR, "rdkit_named.sdf"), "utf8");
    const [first, second] = good.split("$$$$\n");
    const lines = second.split("\n");
    lines[3] = "garbage";
    const records = readSdf(first + "$$$$\n" + lines.join("\n") + "$$$$\n" + first + "$$$$\n");
    assert.equal(records.length, 3);
    assert.deepEqual(records.map((r) => r.unreadable ?? false), [false, true, false]);
    assert.match(records[1].issues[0], /^SDF record 2: molblock "qm9_25369_dft": unreadable counts line "garbage"/);
    assert.equal(records[1].molecule.elements.length, 0);
    assert.equal(records[2].molecule.elements.length, 18);
  });
});
