/**
 * A lock that keeps two processes from working in one folder at once (two `train` runs in one run folder would
 * interleave their log rows and checkpoints): a {@link FileLock} whose lock file lives inside the folder.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { FileLock } from "./file_lock";

/** The lock file's name inside the locked folder. */
export const LOCK_FILE = ".molcache.lock";

/**
 * Lock `dir` (created if missing) for `what` (e.g. `"train"`), or throw one line naming the process that holds it.
 * @example
 * const lock = lockFolder("runs/qm9", "train");
 * try { … } finally { lock.release(); }
 */
export function lockFolder(dir: string, what: string): FileLock {
  fs.mkdirSync(dir, { recursive: true });
  return FileLock.acquire(dir, `molcache ${what}`, path.join(dir, LOCK_FILE));
}
