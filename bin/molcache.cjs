#!/usr/bin/env node
// Entry point for `npx molcache`: runs the TypeScript CLI through tsx, so no build step is needed. tsx is resolved
// from this package (not from the caller's working directory), so the command works from any folder.
// The CLI runs in a child process: signals sent to this wrapper are passed on to it, and the wrapper ends the way the
// child ended (its exit code, or the same signal), so `kill <pid>` and Ctrl-C stop the real work, never orphan it.
const fs = require("node:fs");
const path = require("node:path");
const { pathToFileURL } = require("node:url");
const { spawn } = require("node:child_process");
const main = path.join(__dirname, "..", "kernel-lib", "cli", "main.ts");
const tsx = pathToFileURL(require.resolve("tsx", { paths: [path.join(__dirname, "..")] })).href;
const child = spawn(process.execPath, ["--import", tsx, main, ...process.argv.slice(2)], { stdio: "inherit" });

/**
 * True when this process is in the foreground process group of a terminal: a Ctrl-C there reaches the child
 * directly (same group), and forwarding it would deliver it twice (a second SIGINT ends `train` without its checkpoint).
 */
function inTerminalForeground() {
  try {
    const stat = fs.readFileSync("/proc/self/stat", "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // state ppid pgrp session tty_nr tpgid …
    return Number(f[5]) > 0 && Number(f[5]) === Number(f[2]);
  } catch {
    return false; // no /proc (not Linux): forward
  }
}

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"];
for (const signal of SIGNALS) {
  process.on(signal, () => {
    if ((signal === "SIGINT" || signal === "SIGQUIT") && inTerminalForeground()) return;
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}
child.on("error", (err) => {
  console.error(`molcache: cannot start ${process.execPath}: ${err.message}`);
  process.exit(1);
});
child.on("exit", (code, signal) => {
  if (signal) {
    // End by the same signal, so the caller (a shell, a job runner) sees how the command ended.
    for (const s of SIGNALS) process.removeAllListeners(s);
    process.kill(process.pid, signal);
    setTimeout(() => process.exit(128 + (require("node:os").constants.signals[signal] || 0)), 1000).unref();
    return;
  }
  process.exit(code === null ? 1 : code);
});
