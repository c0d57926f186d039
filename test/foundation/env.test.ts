import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { REPO_ROOT } from "../helpers/paths";

/** Run a one-liner in a fresh Node process (the backend is process-global state). */
function backendIn(env: Record<string, string>): { stdout: string; stderr: string; status: number | null } {
  const code = `require("${path.join(REPO_ROOT, "kernel-lib", "env.ts")}").initBackend().then((r) => console.log(JSON.stringify(r)), (e) => { console.error(e.message); process.exit(3); });`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "-e", code], { encoding: "utf8", env: { ...process.env, ...env } });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

describe("backend choice", () => {
  it("defaults to wasm here and reports the missing native package in one line", () => {
    const r = backendIn({ MOLCACHE_BACKEND: "" });
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.backend, "wasm");
    assert.match(report.summary, /^molcache backend: wasm \(tensorflow: package not installed\)$/);
    assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at /, "no stack trace");
  });

  it("MOLCACHE_BACKEND=cpu selects cpu", () => {
    const r = backendIn({ MOLCACHE_BACKEND: "cpu" });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).backend, "cpu");
  });

  it("an unknown MOLCACHE_BACKEND is a clear error", () => {
    const r = backendIn({ MOLCACHE_BACKEND: "gpu" });
    assert.equal(r.status, 3);
    assert.match(r.stderr, /invalid MOLCACHE_BACKEND: gpu; use one of tensorflow, wasm, cpu/);
  });

  it("forcing tensorflow where it is not installed fails instead of falling back", () => {
    const code = `require("${path.join(REPO_ROOT, "kernel-lib", "env.ts")}").initBackend("tensorflow").catch((e) => { console.error(e.message); process.exit(3); });`;
    const r = spawnSync(process.execPath, ["--import", "tsx", "-e", code], { encoding: "utf8" });
    assert.equal(r.status, 3);
    assert.match(r.stderr, /no TensorFlow.js backend could start: tensorflow: package not installed/);
  });
});
