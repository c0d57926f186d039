/** Run `molcache report …` in a child process, as `npm start` runs it (shared by the report tests). */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { REPO_ROOT } from "../helpers/paths";

/** Exit status and output of one `molcache report` run. */
export interface CommandRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `molcache report <args>` from the repository root, with extra environment variables. */
export function molcacheReport(args: string[], env: Record<string, string> = {}): CommandRun {
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(REPO_ROOT, "kernel-lib", "cli", "main.ts"), "report", ...args], {
    cwd: REPO_ROOT, encoding: "utf8", env: { ...process.env, ...env }, timeout: 300_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
