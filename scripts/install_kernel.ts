/**
 * Register the tslab (TypeScript) Jupyter kernel for this checkout without IPython: write the kernelspec into
 * `jupyter-data/kernels/tslab/kernel.json`, pointing at this checkout's tslab, started from the repository root.
 * Jupyter finds it through `JUPYTER_PATH=<repo>/jupyter-data` (the notebook test helper sets it).
 */
import * as fs from "node:fs";
import * as path from "node:path";

const root = path.resolve(__dirname, "..");
const tslab = path.join(root, "node_modules", "tslab", "dist", "main.js");
if (!fs.existsSync(tslab)) {
  console.error(`molcache: ${tslab} is missing; run \`npm ci\` first`);
  process.exit(1);
}
const dir = path.join(root, "jupyter-data", "kernels", "tslab");
fs.mkdirSync(dir, { recursive: true });
// The kernel runs tslab from the repository root (scripts/tslab_kernel.cjs) so notebooks import "./kernel-lib".
const launcher = path.join(root, "scripts", "tslab_kernel.cjs");
const spec = { argv: [process.execPath, launcher, "{connection_file}"], display_name: "TypeScript (molcache)", language: "typescript" };
fs.writeFileSync(path.join(dir, "kernel.json"), JSON.stringify(spec, null, 1));
console.log(`registered the tslab kernel in ${dir}; use JUPYTER_PATH=${path.join(root, "jupyter-data")}`);
