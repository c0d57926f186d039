/**
 * bin/molcache.cjs passes SIGTERM and SIGINT on to the CLI process it starts and ends the way that process ended:
 * no orphan keeps sampling (and writes its output later) after the wrapper was killed.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../helpers/paths";

const BIN = path.join(REPO_ROOT, "bin", "molcache.cjs");

const alive = (pid: number) => fs.existsSync(`/proc/${pid}`) && !/^\S+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, ok: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe("bin/molcache.cjs signals", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`${signal} to the wrapper stops the real process, and the wrapper ends by ${signal}`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "molcache-signal-"));
      const out = path.join(dir, "m.sdf");
      // A run far too long to finish by itself. Its own process group: a Ctrl-C in the terminal running the tests
      // must not reach it, and the wrapper must not take it for a terminal's Ctrl-C.
      const wrapper = spawn(process.execPath, [BIN, "sample", "--model", "random:tiny", "--n", "100000", "--steps", "20", "--out", out, "--quiet"],
        { cwd: REPO_ROOT, stdio: ["ignore", "ignore", "pipe"], detached: true });
      let stderr = "";
      wrapper.stderr.on("data", (d) => (stderr += d));
      const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => wrapper.on("exit", (code, sig) => resolve({ code, signal: sig })));
      const children = () => fs.readFileSync(`/proc/${wrapper.pid}/task/${wrapper.pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
      let child = 0;
      try {
        await waitFor("the CLI process to start", () => (child = children()[0] ?? 0) > 0, 30_000);
        await waitFor(`the first batch in ${out}.partial`, () => fs.existsSync(`${out}.partial`), 120_000);
        process.kill(wrapper.pid!, signal);
        const end = await exited;
        assert.equal(end.signal, signal, `wrapper exit ${JSON.stringify(end)}; ${stderr}`);
        await waitFor(`process ${child} to end after the wrapper's ${signal}`, () => !alive(child), 10_000);
        await sleep(500);
        assert.equal(fs.existsSync(out), false, "the stopped run wrote no final output");
      } finally {
        if (child && alive(child)) process.kill(child, "SIGKILL");
        if (wrapper.exitCode === null && wrapper.signalCode === null) wrapper.kill("SIGKILL");
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
