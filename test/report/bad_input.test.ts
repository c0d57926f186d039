/**
 * `molcache report` on bad input: one line on stderr (`molcache: …`), a non-zero exit, nothing on stdout and nothing
 * written (no report, no temporary folder) — also when it fails late, after sampling.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { molcacheReport as molcache } from "./run_command";
import { testTempDir } from "../helpers/temp_dir";

const tmp = testTempDir("molcache-report-bad-");

describe("molcache report on bad input", () => {
  it("leaves nothing behind when it fails after sampling (Chromium that cannot start)", () => {
    const parent = path.join(tmp, "failing");
    fs.mkdirSync(parent);
    const r = molcache(["--model", "random:tiny", "--n", "2", "--steps", "4", "--caches", "base", "--no-novelty", "--no-energy",
      "--no-posebusters", "--out", path.join(parent, "run")], { MOLCACHE_CHROMIUM: "/bin/false" });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /molcache: Chromium at \/bin\/false failed to start/);
    assert.deepEqual(fs.readdirSync(parent), [], "no report and no temporary folder");
  });

  it("refuses bad input with one line and a non-zero exit, writing nothing", () => {
    const parent = path.join(tmp, "bad");
    fs.mkdirSync(parent);
    const file = path.join(parent, "a-file");
    fs.writeFileSync(file, "x");
    const full = path.join(parent, "full");
    fs.mkdirSync(full);
    fs.writeFileSync(path.join(full, "keep.txt"), "x");
    const out = path.join(parent, "run");
    const cases: [string[], RegExp][] = [
      [["--caches", "base,tailor:m=2,D=3", "--out", out], /^molcache: unknown cache name: "tailor:m=2,D=3"; use base, /],
      [["--n", "0", "--out", out], /^molcache: invalid --n: 0; must be an integer >= 1$/],
      [["--n", "-3", "--out", out], /^molcache: invalid --n: -3; must be an integer >= 1$/],
      [["--model", path.join(parent, "no-such-model"), "--out", out], /^molcache: no model at .*no-such-model: .*config\.json is missing/],
      [["--model", file, "--out", out], /^molcache: no model at .*a-file/],
      [["--out", file], /^molcache: output folder .*a-file is a file; choose another --out$/],
      [["--out", full], /^molcache: output folder .*full already exists and is not empty/],
      [["--run", "../x"], /^molcache: invalid run name: "\.\.\/x"/],
    ];
    for (const [args, message] of cases) {
      // A case's own --model replaces the quick random one.
      const r = molcache(args.includes("--model") ? args : ["--model", "random:tiny", ...args]);
      assert.notEqual(r.status, 0, `${args.join(" ")} should fail`);
      const lines = r.stderr.trim().split("\n");
      assert.equal(lines.length, 1, `one line for ${args.join(" ")}: ${r.stderr}`);
      assert.match(lines[0], message);
      assert.equal(r.stdout, "");
    }
    assert.deepEqual(fs.readdirSync(parent).sort(), ["a-file", "full"], "nothing written");
    assert.deepEqual(fs.readdirSync(full), ["keep.txt"]);
  });
});
