/**
 * The import order of kernel-lib/ (README "Layout"; lowest first): util/env → chem → data → model → flow's step loop →
 * cache → sample() → hooks → analysis, metrics → viz → train, onnx, parallel, distributed → report → notebook, cli.
 * Each rule names folders a folder must not import; a violation names the file and the import.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../helpers/paths";

const LIB = path.join(REPO_ROOT, "kernel-lib");

/** Folders each folder must not import (files listed under `except` are the documented exceptions). */
const FORBIDDEN: Record<string, { folders: string[]; except?: Record<string, string[]> }> = {
  util: { folders: ["chem", "data", "model", "flow", "cache", "hooks", "analysis", "metrics", "viz", "train", "onnx", "parallel", "distributed", "report", "notebook", "cli"] },
  chem: { folders: ["data", "model", "flow", "cache", "hooks", "analysis", "metrics", "viz", "train", "onnx", "parallel", "distributed", "report", "notebook", "cli"] },
  model: { folders: ["flow", "cache", "hooks", "analysis", "metrics", "viz", "train", "onnx", "parallel", "distributed", "report", "notebook", "cli"] },
  // sample() (flow/sample.ts) builds the cache from its options, so it sits above cache/ (architecture: "→ cache →
  // sample()"); the step loop and everything else in flow/ does not import cache/.
  flow: { folders: ["cache", "hooks", "analysis", "metrics", "viz", "train", "onnx", "parallel", "distributed", "report", "notebook", "cli"], except: { "sample.ts": ["cache"] } },
  cache: { folders: ["viz", "train", "onnx", "parallel", "distributed", "report", "notebook", "cli"] },
  hooks: { folders: ["analysis", "metrics", "viz", "train", "parallel", "distributed", "report", "notebook", "cli"] },
  analysis: { folders: ["metrics", "viz", "train", "onnx", "parallel", "distributed", "report", "notebook", "cli"] },
  metrics: { folders: ["flow", "cache", "hooks", "analysis", "viz", "train", "onnx", "parallel", "distributed", "report", "notebook", "cli"] },
  viz: { folders: ["train", "onnx", "parallel", "distributed", "report", "notebook", "cli"] },
  onnx: { folders: ["cache", "hooks", "analysis", "viz", "train", "parallel", "distributed", "report", "notebook", "cli"] },
  parallel: { folders: ["hooks", "analysis", "viz", "train", "distributed", "report", "notebook", "cli"] },
  distributed: { folders: ["hooks", "analysis", "viz", "train", "report", "notebook", "cli"] },
  train: { folders: ["cache", "hooks", "analysis", "viz", "parallel", "distributed", "report", "notebook", "cli"] },
  report: { folders: ["train", "notebook", "cli"] },
  notebook: { folders: ["cli"] },
};

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith(".ts") ? [p] : [];
  });
}

/** The kernel-lib top-level folders (or files) that `file` imports. */
function importedFolders(file: string): { folder: string; spec: string }[] {
  const text = fs.readFileSync(file, "utf8");
  const out: { folder: string; spec: string }[] = [];
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)) {
    const target = path.relative(LIB, path.resolve(path.dirname(file), m[1]));
    if (target.startsWith("..")) continue;
    out.push({ folder: target.split(path.sep)[0], spec: m[1] });
  }
  return out;
}

describe("kernel-lib layering", () => {
  it("no folder imports a folder above it", () => {
    const violations: string[] = [];
    for (const [folder, rule] of Object.entries(FORBIDDEN)) {
      for (const file of tsFiles(path.join(LIB, folder))) {
        const name = path.relative(path.join(LIB, folder), file);
        const allowed = rule.except?.[name] ?? [];
        for (const { folder: target, spec } of importedFolders(file)) {
          if (rule.folders.includes(target) && !allowed.includes(target)) violations.push(`${path.relative(LIB, file)} imports ${spec}`);
        }
      }
    }
    assert.deepEqual(violations, [], "imports against the layer order");
  });

  it("no library code imports the command line or the barrel", () => {
    const violations = tsFiles(LIB)
      .filter((f) => !path.relative(LIB, f).startsWith(`cli${path.sep}`))
      .flatMap((f) => importedFolders(f).filter((i) => i.folder === "cli" || i.folder === "index.ts" || i.folder === "index").map((i) => `${path.relative(LIB, f)} imports ${i.spec}`));
    assert.deepEqual(violations, []);
  });
});
