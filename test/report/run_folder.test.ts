/** The all-or-nothing report folder and the streamed SDF file. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { prepareRunFolder, SdfStream } from "../../kernel-lib/report/run_folder";
import { makeMolecule } from "../../kernel-lib/chem/molecule";
import { readSdf } from "../../kernel-lib/chem/sdf";
import { testTempDir } from "../helpers/temp_dir";

const tmp = testTempDir("molcache-runfolder-");

const water = makeMolecule({ elements: [8, 1, 1], positions: [0, 0, 0, 0.96, 0, 0, -0.24, 0.93, 0], bonds: [[0, 1, 1], [0, 2, 1]] });

describe("prepareRunFolder", () => {
  it("writes into a hidden twin and renames it to the target on commit", () => {
    const target = path.join(tmp, "nested", "run1");
    const folder = prepareRunFolder(target);
    folder.write("a/b.txt", "hello");
    assert.ok(!fs.existsSync(target), "nothing at the target before commit");
    assert.equal(path.dirname(folder.temp), path.dirname(target));
    assert.match(path.basename(folder.temp), /^\.run1\.partial-/);
    folder.commit();
    assert.equal(fs.readFileSync(path.join(target, "a", "b.txt"), "utf8"), "hello");
    assert.deepEqual(fs.readdirSync(path.dirname(target)), ["run1"]);
    folder.abort(); // no-op after commit
    assert.ok(fs.existsSync(target));
    assert.throws(() => folder.write("c.txt", "x"), /report folder is committed/);
  });

  it("leaves nothing behind on abort", () => {
    const parent = path.join(tmp, "aborted");
    const folder = prepareRunFolder(path.join(parent, "run"));
    folder.write("x.txt", "partial");
    folder.abort();
    assert.deepEqual(fs.readdirSync(parent), []);
  });

  it("accepts an existing empty folder, refuses a file, a non-empty folder and a path through a file", () => {
    const empty = path.join(tmp, "empty");
    fs.mkdirSync(empty);
    const f = prepareRunFolder(empty);
    f.write("ok.txt", "1");
    f.commit();
    assert.ok(fs.existsSync(path.join(empty, "ok.txt")));
    const file = path.join(tmp, "a-file");
    fs.writeFileSync(file, "x");
    assert.throws(() => prepareRunFolder(file), /output folder .*a-file is a file; choose another --out/);
    assert.throws(() => prepareRunFolder(empty), /already exists and is not empty; choose another --out or --run/);
    assert.throws(() => prepareRunFolder(path.join(file, "run")), /is inside a file; choose another --out/);
  });
});

describe("SdfStream", () => {
  it("appends batches to <file>.partial with SD fields, renames on finish", () => {
    const file = path.join(tmp, "sdf", "water.sdf");
    const s = new SdfStream(file, { configuration: "Base (100 steps)" });
    s.append([water, water], [1, 0], { seed: "7" });
    assert.ok(fs.existsSync(`${file}.partial`) && !fs.existsSync(file));
    s.append([water], [2]);
    s.finish();
    assert.ok(fs.existsSync(file) && !fs.existsSync(`${file}.partial`));
    const recs = readSdf(fs.readFileSync(file, "utf8"));
    assert.equal(recs.length, 3);
    assert.deepEqual(recs.map((r) => r.properties?.index), ["1", "0", "2"]);
    assert.equal(recs[0].properties?.configuration, "Base (100 steps)");
    assert.equal(recs[0].properties?.seed, "7");
    assert.equal(recs[0].molecule.elements.length, 3);
    assert.throws(() => s.finish(), /already finished/);
  });
});
