/** Atomic file writes: write to a temporary file in the same folder, then rename over the target. */
import * as fs from "node:fs";
import * as path from "node:path";

/** Write `data` to `file` atomically (readers see the old file or the whole new one, never a partial one). */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}
