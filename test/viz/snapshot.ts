/**
 * Snapshot harness for figure JSON (after Observable Plot's test/plot-snapshot.js): normalise (floats rounded to 4
 * significant digits, object keys sorted), compare with test/snapshots/<name>.json; a missing snapshot is created,
 * a mismatch writes <name>-changed.json beside it and fails.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../helpers/paths";

/** Where the committed snapshots live. */
export const SNAPSHOT_DIR = path.join(REPO_ROOT, "test", "snapshots");

/** Round numbers to 4 significant digits and sort object keys, recursively (typed arrays become plain arrays). */
export function normalise(value: unknown): unknown {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return String(value);
    const r = Number(value.toPrecision(4));
    return Object.is(r, -0) ? 0 : r;
  }
  if (ArrayBuffer.isView(value)) return normalise(Array.from(value as unknown as ArrayLike<number>));
  if (Array.isArray(value)) return value.map(normalise);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = normalise(v);
    }
    return out;
  }
  return value;
}

/** The first path where two JSON values differ, for a readable failure message. */
function firstDifference(a: unknown, b: unknown, at = "$"): string | undefined {
  if (JSON.stringify(a) === JSON.stringify(b)) return undefined;
  if (a && b && typeof a === "object" && typeof b === "object") {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const k of keys) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`);
      if (d) return d;
    }
  }
  return `${at}: expected ${JSON.stringify(b)?.slice(0, 120)}, got ${JSON.stringify(a)?.slice(0, 120)}`;
}

/** What {@link assertSnapshot} did. */
export type SnapshotOutcome = "matched" | "created";

/**
 * Compare `value` (normalised) with `<dir>/<name>.json`.
 * @returns `"created"` when there was no snapshot yet (it is written), `"matched"` otherwise.
 * @throws AssertionError on a mismatch, after writing `<name>-changed.json`.
 */
export function assertSnapshot(name: string, value: unknown, dir = SNAPSHOT_DIR): SnapshotOutcome {
  const text = JSON.stringify(normalise(value), null, 1) + "\n";
  const file = path.join(dir, `${name}.json`);
  const changed = path.join(dir, `${name}-changed.json`);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, text);
    return "created";
  }
  const expected = fs.readFileSync(file, "utf8");
  if (expected === text) {
    fs.rmSync(changed, { force: true });
    return "matched";
  }
  fs.writeFileSync(changed, text);
  const where = firstDifference(JSON.parse(text), JSON.parse(expected));
  assert.fail(`snapshot ${name} changed (${where}); new output written to ${changed}. ` +
    `If the change is intended, move it over ${file}.`);
}
