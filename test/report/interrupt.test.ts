/**
 * Ctrl-C during `molcache report`: one line on stderr, the hidden `.<out>.partial-<pid>-<time>/` folder (with its
 * SDF files being streamed) removed, exit code 130 — run as users run it, in a child process sent SIGINT mid-sampling.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../helpers/paths";
import { testTempDir } from "../helpers/temp_dir";

const tmp = testTempDir("molcache-report-stop-");

describe("molcache report interrupted by Ctrl-C", () => {
  it("says so in one line, removes its partial folder and exits 130", async () => {
    const out = path.join(tmp, "run");
    const child = spawn(process.execPath, [
      "--import", "tsx", path.join(REPO_ROOT, "kernel-lib", "cli", "main.ts"), "report", "--model", "random:tiny", "--n", "48",
      "--steps", "200", "--caches", "base,taylor:m=2,D=3", "--workers", "1", "--backend", "tfjs", "--batch-cost", "40", "--no-images", "--out", out,
    ], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    let stdout = "";
    let partialSeen: string[] = [];
    let sent = false;
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => {
      stderr += d;
      // Interrupt once sampling has delivered a batch: the partial folder holds a streamed SDF by then.
      if (!sent && /sampling: [1-9]\d*\/96/.test(stderr)) {
        partialSeen = fs.readdirSync(tmp).filter((n) => n.startsWith(".run.partial-"));
        sent = true;
        child.kill("SIGINT");
      }
    });
    const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    const code = await exit;
    clearTimeout(timer);
    assert.ok(sent, `sampling never delivered a batch:\n${stderr}`);
    assert.equal(partialSeen.length, 1, `the partial folder existed while sampling: ${partialSeen.join(", ")}`);
    assert.equal(code, 130, `exit code ${code} (SIGKILL after 120 s means it hung)\n${stderr}`);
    const lines = stderr.trim().split("\n");
    const last = lines[lines.length - 1];
    assert.match(last, new RegExp(`^molcache report: interrupted \\(Ctrl-C\\); removed the unfinished report folder .*${partialSeen[0]}$`));
    assert.equal(lines.filter((l) => /interrupt|SIGINT|Ctrl-C/i.test(l)).length, 1, `one line about the interruption:\n${stderr}`);
    assert.equal(stdout, "", "no table: the report did not finish");
    assert.deepEqual(fs.readdirSync(tmp), [], "no partial folder and no report left");
  });
});
