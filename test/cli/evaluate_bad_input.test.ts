/** `molcache evaluate` on an SDF with an element molcache does not support: one line says which, and it counts invalid. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { runEvaluateCommand } from "../../kernel-lib/cli/evaluate";
import { writeSdf } from "../../kernel-lib/chem/sdf";
import { makeMolecule } from "../../kernel-lib/chem/molecule";
import { testTempDir } from "../helpers/temp_dir";

const tmp = testTempDir("molcache-eval-bad-");

describe("molcache evaluate: unsupported element", () => {
  it("names the element in one line and scores the molecule invalid", async () => {
    const water = makeMolecule({ elements: [8, 1, 1], positions: [0, 0, 0, 0.96, 0, 0, -0.24, 0.93, 0], bonds: [[0, 1, 1], [0, 2, 1]], name: "water" });
    const text = writeSdf([water, { ...water, name: "uranium" }]);
    // The second record's oxygen becomes uranium (V2000 atom symbol columns 32-34).
    const records = text.split("$$$$\n");
    const lines = records[1].split("\n");
    lines[4] = `${lines[4].slice(0, 31)}U  ${lines[4].slice(34)}`;
    records[1] = lines.join("\n");
    const file = path.join(tmp, "bad.sdf");
    fs.writeFileSync(file, records.join("$$$$\n"));
    const out = await runEvaluateCommand(file, { workers: 1, energy: false, posebusters: false, quiet: true, out: path.join(tmp, "m.csv") });
    const malformed = out.split("\n").filter((l) => /^\d+ malformed/.test(l));
    assert.deepEqual(malformed, ['1 malformed, scored invalid: 1× unknown element symbol "U" at atom 1']);
    assert.match(fs.readFileSync(path.join(tmp, "m.csv"), "utf8"), /uranium/);
  });
});
