/**
 * The `molcache` CLI as a real child process (`node --import tsx kernel-lib/cli/main.ts …`, so signals reach it
 * directly), for tests that kill runs, resume them and read their one-line errors.
 */
import { ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import { REPO_ROOT } from "./paths";
import { exitWithParentEnv } from "../../kernel-lib/util/parent_watchdog";

/** A running CLI process. */
export interface CliProcess {
  child: ChildProcess;
  /** Resolves when the process has exited (never rejects). */
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  /** Output so far. */
  output(): { stdout: string; stderr: string };
}

/** Start `molcache <args…>`. */
export function startCli(args: string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(REPO_ROOT, "kernel-lib", "cli", "main.ts"), ...args], {
    // Killed from outside, a test must not leave its CLI processes running (a worker would serve jobs for ever).
    cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...exitWithParentEnv(), ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    child.on("exit", (code, signal) => {
      // Let the pipes drain before reporting the output.
      setTimeout(() => resolve({ code, signal, stdout, stderr }), 20);
    });
  });
  return { child, exit, output: () => ({ stdout, stderr }) };
}

/** Run `molcache <args…>` to the end (killed after `timeoutMs`). */
export async function runCli(args: string[], timeoutMs = 120_000, env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = startCli(args, env);
  const timer = setTimeout(() => p.child.kill("SIGKILL"), timeoutMs);
  const r = await p.exit;
  clearTimeout(timer);
  return r;
}

/** Poll `condition` every 20 ms until it holds (true) or `timeoutMs` passes (false). */
export async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return condition();
}

/** The stderr lines of a failed CLI run (the `molcache: …` error is one of them). */
export function errorLines(stderr: string): string[] {
  return stderr.split("\n").filter((l) => l.startsWith("molcache:"));
}
