/**
 * Ctrl-C during a parallel run: the pool terminates its workers, the run fails with a clear message, and the process
 * exits by itself (a leftover worker thread would keep it alive). Runs the run in a child process and sends it SIGINT.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as path from "node:path";
import { REPO_ROOT } from "../helpers/paths";

describe("SIGINT", () => {
  it("stops the pool without orphans: the child exits on its own with every worker gone", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(__dirname, "sigint_child.ts")], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let sent = false;
    child.stderr.on("data", (d) => (err += d));
    const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    child.stdout.on("data", (d) => {
      out += d;
      // Interrupt once the workers are busy and at least one batch has been delivered.
      if (!sent && /delivered/.test(out)) {
        sent = true;
        child.kill("SIGINT");
      }
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    const code = await exit;
    clearTimeout(timer);
    assert.ok(sent, `the run never delivered a batch:\n${out}\n${err}`);
    assert.match(out, /started 2 workers/);
    assert.match(out, /stopped: sampling interrupted by Ctrl-C \(SIGINT\); workers stopped; \d+ of 400 molecules were delivered/);
    assert.match(out, /live=0/);
    assert.doesNotMatch(out, /finished without interruption/);
    assert.equal(code, 130, `exit code ${code} (SIGKILL after 60 s means the process hung)\n${err}`);
  });
});
