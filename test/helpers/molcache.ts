/** Run the `molcache` command line in a child process (through bin/molcache.cjs, as `npx molcache` does) for the CLI tests. */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { REPO_ROOT } from "./paths";

/** The CLI's entry file (it finds tsx from the package, so it runs from any working folder). */
export const CLI_BIN = path.join(REPO_ROOT, "bin", "molcache.cjs");

/** Exit status and output of one run. */
export interface CommandRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `molcache <args>` with the repository root as working folder (unless `cwd` is given) and extra environment variables.
 * @example
 * const r = runMolcache(["evaluate", "mols.sdf"]); r.status; r.stderr;
 */
export function runMolcache(args: string[], options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): CommandRun {
  const r = spawnSync(process.execPath, [CLI_BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT, encoding: "utf8", env: { ...process.env, ...options.env }, timeout: options.timeoutMs ?? 300_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
