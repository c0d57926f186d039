import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../helpers/paths";
import { testTempDir } from "../helpers/temp_dir";

const BIN = path.join(REPO_ROOT, "bin", "molcache.cjs");

describe("molcache command line", () => {
  it("--help lists the subcommands", () => {
    const r = spawnSync(process.execPath, [BIN, "--help"], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    for (const cmd of ["backend", "import", "train"]) assert.match(r.stdout, new RegExp(`\\n  ${cmd}\\b`));
  });

  it("an unknown subcommand exits non-zero with a message", () => {
    const r = spawnSync(process.execPath, [BIN, "frobnicate"], { encoding: "utf8" });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /unknown command 'frobnicate'/);
  });
});

describe("molcache from another folder", () => {
  const cwdDir = testTempDir("molcache-cwd-");
  it("runs from any working directory (tsx resolved from the package, also inside worker threads)", () => {
    const dir = cwdDir;
    const r = spawnSync(process.execPath, [BIN, "sample", "--model", "random:tiny", "--n", "4", "--steps", "3", "--workers", "1", "--out", "m.sdf", "--quiet"],
      { encoding: "utf8", cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    assert.equal((fs.readFileSync(path.join(dir, "m.sdf"), "utf8").match(/\$\$\$\$/g) ?? []).length, 4);
  });
});
