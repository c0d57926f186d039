/**
 * MOLCACHE_EXIT_WITH_PARENT=<parent pid>: a molcache process whose parent is killed with SIGKILL stops by itself (tests and
 * benchmarks spawn workers with it, so a killed test run leaves no worker serving jobs for ever); without it, it lives on.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../helpers/paths";
import { EXIT_WITH_PARENT_ENV } from "../../kernel-lib/util/parent_watchdog";

const alive = (pid: number) => fs.existsSync(`/proc/${pid}`) && !/^\S+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));

async function waitFor(ok: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!ok() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  return ok();
}

/** A parent process that starts an endless `molcache sample` and prints its pid; returns both pids. */
async function parentWithChild(dir: string, watchdog: boolean): Promise<{ parent: number; child: number }> {
  const main = path.join(REPO_ROOT, "kernel-lib", "cli", "main.ts");
  const args = ["--import", "tsx", main, "sample", "--model", "random:tiny", "--n", "1000000000", "--steps", "2", "--out", path.join(dir, "m.sdf"), "--quiet"];
  const script = `const c = require("node:child_process").spawn(process.execPath, ${JSON.stringify(args)}, { stdio: "ignore", env: { ...process.env, ${watchdog ? `${EXIT_WITH_PARENT_ENV}: String(process.pid)` : `${EXIT_WITH_PARENT_ENV}: ""`} } });
console.log(c.pid); setInterval(() => undefined, 1000);`;
  const parent = spawn(process.execPath, ["-e", script], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "inherit"] });
  const child = await new Promise<number>((resolve) => parent.stdout.once("data", (d) => resolve(Number(String(d).trim()))));
  return { parent: parent.pid!, child };
}

describe("MOLCACHE_EXIT_WITH_PARENT", () => {
  it("a child started with it stops when its parent is killed with SIGKILL; one started without it does not", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "molcache-watchdog-"));
    const watched = await parentWithChild(dir, true);
    const free = await parentWithChild(fs.mkdtempSync(path.join(dir, "free-")), false);
    try {
      // Kill both parents at once: the watched child may not even have started its watchdog yet.
      assert.ok(alive(watched.child) && alive(free.child), "a child died before its parent was killed");
      process.kill(watched.parent, "SIGKILL");
      process.kill(free.parent, "SIGKILL");
      assert.ok(await waitFor(() => !alive(watched.child), 60_000), "the child with MOLCACHE_EXIT_WITH_PARENT outlived its killed parent");
      await new Promise((r) => setTimeout(r, 1500));
      assert.ok(alive(free.child), "the child without MOLCACHE_EXIT_WITH_PARENT stopped with its parent");
    } finally {
      for (const pid of [watched.child, free.child]) if (alive(pid)) process.kill(pid, "SIGKILL");
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
