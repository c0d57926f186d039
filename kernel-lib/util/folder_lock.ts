/**
 * A lock file that keeps two processes from working in one folder at once (two `train` runs in one run folder
 * would interleave their log rows and checkpoints). The lock records the holder's pid and host; a lock left by a
 * process that no longer runs (killed with SIGKILL) is taken over.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The lock file's name inside the locked folder. */
export const LOCK_FILE = ".molcache.lock";

/** A held lock; `release` removes the lock file (also done on process exit). */
export interface FolderLock {
  release(): void;
}

interface Holder {
  pid: number;
  host: string;
  what: string;
  since: string;
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Lock `dir` (created if missing) for `what` (e.g. `"train"`), or throw naming the process that holds it.
 * @example
 * const lock = lockFolder("runs/qm9", "train");
 * try { … } finally { lock.release(); }
 */
export function lockFolder(dir: string, what: string): FolderLock {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = fs.openSync(file, "wx");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      let holder: Holder | undefined;
      try {
        holder = JSON.parse(fs.readFileSync(file, "utf8"));
      } catch {
        holder = undefined; // being written this instant, or damaged
      }
      const ageMs = (() => {
        try {
          return Date.now() - fs.statSync(file).mtimeMs;
        } catch {
          return Infinity;
        }
      })();
      if (!holder && ageMs < 10_000) throw new Error(`${dir} is in use by another molcache process (lock file ${file}); wait for it to finish or stop it`);
      if (holder && holder.host !== os.hostname()) {
        throw new Error(`${dir} is in use by molcache ${holder.what} (process ${holder.pid} on ${holder.host}, since ${holder.since}); if that run is gone, delete ${file}`);
      }
      if (holder && running(holder.pid)) {
        throw new Error(`${dir} is in use by molcache ${holder.what} (process ${holder.pid}, since ${holder.since}); wait for it to finish or stop it, or use another folder`);
      }
      fs.rmSync(file, { force: true }); // left by a process that is gone: take it over
      continue;
    }
    const holder: Holder = { pid: process.pid, host: os.hostname(), what, since: new Date().toISOString() };
    fs.writeSync(fd, JSON.stringify(holder));
    fs.closeSync(fd);
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      process.removeListener("exit", release);
      fs.rmSync(file, { force: true });
    };
    process.on("exit", release);
    return { release };
  }
  throw new Error(`could not lock ${dir}: ${file} keeps reappearing; another process is starting there`);
}
