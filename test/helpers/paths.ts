/** Paths the tests use: the repository root and the read-only reference material in `../shared`. */
import * as fs from "node:fs";
import * as path from "node:path";

/** The repository root (the folder holding package.json). */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** `../shared` beside the checkout: fixtures and staged data (read-only, tests only). */
export const SHARED = path.resolve(REPO_ROOT, "..", "shared");

/** A path inside `../shared`, failing with a clear message if the reference material is missing. */
export function sharedPath(...parts: string[]): string {
  const p = path.join(SHARED, ...parts);
  if (!fs.existsSync(p)) {
    throw new Error(`missing reference file ${p}: the tests need the shared/ folder beside the checkout`);
  }
  return p;
}
