/**
 * `molcache import` never replaces or mixes an existing model folder's files, and the zip reader never inflates an
 * entry past its declared size (a zip bomb fails at once, in bounded memory).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { zipSync } from "fflate";
import { importSemlaCheckpoint } from "../../kernel-lib/model/checkpoint/import";
import { ZipReader } from "../../kernel-lib/model/checkpoint/zip_reader";
import { runMolcache } from "../helpers/molcache";
import { sharedPath } from "../helpers/paths";
import { testTempDir } from "../helpers/temp_dir";

const CKPT = sharedPath("fixtures", "semla", "tiny_semla_lightning.ckpt");

const tmp = testTempDir("molcache-import-safety-");

/** A one-entry DEFLATE zip of `zeros` zero bytes whose directory (local and central) declares `declared` bytes. */
function bomb(file: string, zeros: number, declared: number): void {
  const zip = Buffer.from(zipSync({ "archive/data.pkl": [new Uint8Array(zeros), { level: 9 }] }));
  assert.equal(zip.readUInt32LE(0), 0x04034b50);
  zip.writeUInt32LE(declared, 22);
  const central = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  zip.writeUInt32LE(declared, central + 24);
  fs.writeFileSync(file, zip);
}

describe("import safety", () => {
  it("import --out onto a non-empty model folder is refused in one line, leaving the folder as it was", () => {
    const out = path.join(tmp, "model");
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, "config.json"), "{\"keep\": true}");
    fs.writeFileSync(path.join(out, "weights.bin"), "old weights");
    const r = runMolcache(["import", CKPT, "--out", out]);
    assert.notEqual(r.status, 0);
    assert.deepEqual(r.stderr.trim().split("\n"), [`molcache: output folder ${out} already exists and is not empty; choose another --out (or --force to replace a model there), or remove it`]);
    assert.deepEqual(fs.readdirSync(out).sort(), ["config.json", "weights.bin"]);
    assert.equal(fs.readFileSync(path.join(out, "weights.bin"), "utf8"), "old weights");
  });

  it("replace (--force) replaces a folder holding only a model, never one with other files", () => {
    const out = path.join(tmp, "replaced");
    importSemlaCheckpoint(CKPT, out, { name: "first" });
    importSemlaCheckpoint(CKPT, out, { name: "second", replace: true });
    assert.equal(JSON.parse(fs.readFileSync(path.join(out, "config.json"), "utf8")).name, "second");
    assert.deepEqual(fs.readdirSync(out).sort(), ["config.json", "weights.bin", "weights.json"]);
    fs.writeFileSync(path.join(out, "notes.txt"), "mine");
    assert.throws(() => importSemlaCheckpoint(CKPT, out, { replace: true }), /cannot replace the model in .*replaced: it also holds notes\.txt; choose another --out/);
    assert.equal(JSON.parse(fs.readFileSync(path.join(out, "config.json"), "utf8")).name, "second");
  });

  it("stops inflating an entry at its declared size (100 MB of zeros declared as 1 MB)", () => {
    const file = path.join(tmp, "liar.zip");
    bomb(file, 100e6, 1e6);
    const zip = ZipReader.open(file);
    try {
      assert.throws(() => zip.readEntry("archive/data.pkl"),
        /entry archive\/data\.pkl inflates to more than the 1000000 bytes its directory declares \(a zip bomb, or a corrupt file\)/);
    } finally {
      zip.close();
    }
  });

  it("refuses a large entry with an implausible compression ratio before inflating it (4 GB declared)", () => {
    const file = path.join(tmp, "bomb.ckpt");
    bomb(file, 10e6, 4e9);
    const zip = ZipReader.open(file);
    try {
      assert.throws(() => zip.readEntry("archive/data.pkl"), /entry archive\/data\.pkl declares 4000000000 bytes from \d+ compressed \(\d+:1, a zip bomb\?\); refusing to inflate it/);
    } finally {
      zip.close();
    }
    const r = runMolcache(["import", file, "--out", path.join(tmp, "from-bomb")]);
    assert.notEqual(r.status, 0);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, /^molcache: .*(zip bomb|refusing)/);
    assert.equal(fs.existsSync(path.join(tmp, "from-bomb")), false);
  });
});
