/**
 * An exclusive lock on an output file or a folder: a lock file created with O_EXCL and holding the owner's pid and
 * host. A second run on the same target is refused while the owner lives; the lock of a dead process (killed with
 * SIGKILL, say) on this host is detected and taken over. Used for `sample --out` files and `train` run folders.
 */
import * as fs from "node:fs";
import * as os from "node:os";

interface LockContent {
  pid: number;
  host: string;
  started: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A held lock; {@link FileLock.release} it when done (also released when the process exits normally). */
export class FileLock {
  private released = false;
  private readonly onExit = () => this.release();

  private constructor(readonly lockFile: string) {
    process.once("exit", this.onExit);
  }

  /**
   * Take the lock on `target`.
   * @param what names the owner in the refusal, e.g. "molcache sample".
   * @param lockFile the lock file (default `<target>.lock`; a folder's lives inside it).
   * @throws one line naming the live owner (pid, host, start time) and what to do.
   * @example
   * const lock = FileLock.acquire("mols.sdf"); try { … } finally { lock.release(); }
   */
  static acquire(target: string, what = "molcache run", lockFile = `${target}.lock`): FileLock {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = fs.openSync(lockFile, "wx");
        const content: LockContent = { pid: process.pid, host: os.hostname(), started: new Date().toISOString() };
        fs.writeSync(fd, JSON.stringify(content) + "\n");
        fs.closeSync(fd);
        return new FileLock(lockFile);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
      let owner: LockContent | undefined;
      try {
        owner = JSON.parse(fs.readFileSync(lockFile, "utf8")) as LockContent;
      } catch {
        owner = undefined; // being written right now, or damaged: retry, then treat as stale
      }
      if (owner && owner.host !== os.hostname()) {
        throw new Error(`${target} is locked by a ${what} on host ${owner.host} (pid ${owner.pid}, since ${owner.started}); if that run is gone, delete ${lockFile}`);
      }
      if (owner && alive(owner.pid)) {
        throw new Error(`${target} is in use by another ${what} (pid ${owner.pid}, since ${owner.started}); wait for it to finish or stop it`);
      }
      if (!owner && attempt === 0) continue;
      // Stale: move it aside under a unique name (only one of two racing takers succeeds), then retry the O_EXCL create.
      try {
        fs.renameSync(lockFile, `${lockFile}.stale.${process.pid}`);
        fs.rmSync(`${lockFile}.stale.${process.pid}`, { force: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      }
    }
    throw new Error(`cannot take the lock ${lockFile}: another run keeps taking it; retry`);
  }

  /** Remove the lock file (idempotent). */
  release(): void {
    if (this.released) return;
    this.released = true;
    process.removeListener("exit", this.onExit);
    try {
      const owner = JSON.parse(fs.readFileSync(this.lockFile, "utf8")) as LockContent;
      if (owner.pid === process.pid && owner.host === os.hostname()) fs.rmSync(this.lockFile, { force: true });
    } catch {
      // already gone
    }
  }
}
