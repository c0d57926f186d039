/** The training SMILES set: the shipped cache is current, a missing or stale cache is rebuilt atomically. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { buildSmilesList, loadSmilesSet, readSmilesFile, resolveSmilesSetOptions } from "../../kernel-lib/data/smiles_set";
import { withTempDir } from "../helpers/temp_dir";

describe("smiles set", () => {
  it("the shipped MiDi-train cache matches the records", async () => {
    const shipped = resolveSmilesSetOptions().cacheFile;
    assert.ok(fs.existsSync(shipped), `${shipped} is committed`);
    const before = fs.statSync(shipped).mtimeMs;
    const set = await loadSmilesSet();
    assert.equal(fs.statSync(shipped).mtimeMs, before, "an up-to-date cache is read, not rewritten");
    const list = await buildSmilesList();
    assert.equal(set.size, list.length);
    assert.ok(list.every((s) => set.has(s)));
    assert.ok(set.has("C") && set.has("N"), "methane and ammonia are MiDi train molecules");
    assert.ok(!set.has("O"), "water is a MiDi test molecule");
    assert.ok(set.size > 95000 && set.size <= 96166, `${set.size} unique SMILES`);
  });

  it("builds a missing cache, and rebuilds a stale or corrupt one", async () => {
    await withTempDir("smiles-", async (dir) => {
      const cacheFile = path.join(dir, "midi_test_smiles.txt.gz");
      const a = await loadSmilesSet({ split: "test", cacheFile });
      assert.ok(fs.existsSync(cacheFile));
      const text = zlib.gunzipSync(fs.readFileSync(cacheFile)).toString("utf8");
      assert.match(text.split("\n")[0], /^# molcache-smiles-set v1 scheme=midi split=test .*source-md5=[0-9a-f]{32} count=\d+$/);
      assert.ok(a.has("O"));
      assert.deepEqual(fs.readdirSync(dir), ["midi_test_smiles.txt.gz"], "no temporary files left");
      // Stale: same split, another source checksum → rebuilt to the real contents.
      fs.writeFileSync(cacheFile, zlib.gzipSync(text.replace(/source-md5=[0-9a-f]+/, "source-md5=0000").replace("\nO\n", "\n")));
      const b = await loadSmilesSet({ split: "test", cacheFile });
      assert.deepEqual([...b].sort(), [...a].sort());
      assert.ok(zlib.gunzipSync(fs.readFileSync(cacheFile)).toString("utf8").includes("\nO\n"));
      fs.writeFileSync(cacheFile, "not gzip");
      assert.equal((await loadSmilesSet({ split: "test", cacheFile })).size, a.size);
      // A cache of another split is never used for this one.
      const val = await loadSmilesSet({ split: "val", cacheFile });
      assert.notEqual(val.size, a.size);
    });
  });

  it("rejects bad options", async () => {
    await assert.rejects(loadSmilesSet({ split: "all" as "train" }), /invalid split: all/);
    await assert.rejects(loadSmilesSet({ scheme: "x" as "midi" }), /invalid scheme: x/);
    await assert.rejects(loadSmilesSet({ splt: "train" } as never), /unknown smiles set option: splt/);
  });

  it("readSmilesFile reads the shipped gzip file (header skipped) and plain files, and rejects a truncated one", async () => {
    const shipped = resolveSmilesSetOptions().cacheFile;
    const lines = readSmilesFile(shipped);
    const set = await loadSmilesSet();
    assert.equal(lines.length, set.size);
    assert.ok(lines.every((s) => set.has(s)), "every line is a training SMILES: no header, no binary");
    await withTempDir("smiles-file-", async (dir) => {
      const plain = path.join(dir, "train.smi");
      fs.writeFileSync(plain, "# a comment\nCCO\n\n  c1ccccc1  \n");
      assert.deepEqual(readSmilesFile(plain), ["CCO", "c1ccccc1"]);
      const truncated = path.join(dir, "train.smi.gz");
      fs.writeFileSync(truncated, fs.readFileSync(shipped).subarray(0, 1000));
      assert.throws(() => readSmilesFile(truncated), /looks gzip-compressed but does not decompress .*; is it truncated\?/);
      assert.throws(() => readSmilesFile(path.join(dir, "missing.smi")), /no such SMILES file: .*missing\.smi/);
    });
  });
});
