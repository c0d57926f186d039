/**
 * Die with the parent: a `molcache` process started by another program (a test, a benchmark) with
 * `MOLCACHE_EXIT_WITH_PARENT=<that program's pid>` stops when that program dies, even by kill -9, instead of living on
 * as an orphan (a queue worker would keep taking jobs for ever). Every second it compares its parent process id with
 * the one given: an orphan is re-parented, so the id differs (also when the parent died before this process got
 * going), and it sends itself SIGTERM (the command's normal way to stop; a queue worker's unfinished batch goes back
 * through BullMQ's stalled-job check). Off by default: a worker started from a shell with nohup must outlive the shell.
 */

/** The environment variable that turns the watchdog on: the parent's process id. */
export const EXIT_WITH_PARENT_ENV = "MOLCACHE_EXIT_WITH_PARENT";

/**
 * The environment entry a parent gives a child process that must die with it.
 * @example
 * spawn(process.execPath, args, { env: { ...process.env, ...exitWithParentEnv() } });
 */
export function exitWithParentEnv(): Record<string, string> {
  return { [EXIT_WITH_PARENT_ENV]: String(process.pid) };
}

/**
 * Start the watchdog when `MOLCACHE_EXIT_WITH_PARENT` names a process id (a no-op otherwise). The timer does not keep
 * the process alive.
 * @param periodMs how often the parent is checked (default 1000).
 * @example
 * exitWithParentWhenAsked(); // first thing in a CLI's main
 */
export function exitWithParentWhenAsked(periodMs = 1000): void {
  const parent = Number(process.env[EXIT_WITH_PARENT_ENV]);
  if (!(Number.isInteger(parent) && parent > 0)) return;
  const check = () => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    process.stderr.write(`molcache: the parent process (pid ${parent}) is gone; stopping\n`);
    process.kill(process.pid, "SIGTERM");
  };
  const timer = setInterval(check, periodMs);
  timer.unref();
  check();
}
