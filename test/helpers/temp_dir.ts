/** Temporary folders for tests, removed when the tests that use them are done, whatever happens. */
import { after } from "node:test";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * A fresh folder under the system temp folder, removed after the tests of the enclosing suite (or file, when
 * called at the top level).
 * @example
 * const tmp = testTempDir("molcache-sample-"); // then path.join(tmp, "mols.sdf") in the tests
 */
export function testTempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Run `fn` with a fresh temporary folder, removed afterwards whatever happens.
 * @example
 * await withTempDir("molcache-par-", async (dir) => { saveModel(model, dir); … });
 */
export async function withTempDir<T>(prefix: string, fn: (dir: string) => T | Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  try {
    return await fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
