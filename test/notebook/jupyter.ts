/**
 * Running notebooks headless in tests: a throw-away tslab kernel spec, `jupyter nbconvert --execute`, and the HTML
 * export. Needs Debian's `jupyter-nbconvert jupyter-client python3-nbclient` (/usr/bin/jupyter).
 *
 * tslab compiles cells and the .ts files they import with `rootDir` = the kernel's working directory, so a file
 * outside that folder fails with "is not under 'rootDir'". The kernel spec below therefore starts tslab in the
 * repository root, and notebook cells import `./kernel-lib/...` wherever the notebook file is.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../helpers/paths";

/** The Jupyter launcher (Debian's, which runs on /usr/bin/python3 whatever python3 is on PATH). */
export const JUPYTER = process.env.MOLCACHE_JUPYTER || "/usr/bin/jupyter";

/** A notebook as nbformat 4 JSON (only what the tests read). */
export interface Notebook {
  cells: { cell_type: string; source: string | string[]; outputs?: NotebookOutput[] }[];
  metadata: Record<string, unknown>;
}

/** One cell output. */
export interface NotebookOutput {
  output_type: "stream" | "display_data" | "execute_result" | "error";
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
}

/** Join nbformat's multi-line strings. */
export const joined = (v: unknown): string => (Array.isArray(v) ? v.join("") : String(v ?? ""));

/** Write a tslab kernel spec that starts in the repository root under `<dir>/kernels/tslab`; returns `dir` for JUPYTER_PATH. */
export function writeKernelSpec(dir: string): string {
  const tslab = path.join(REPO_ROOT, "node_modules", ".bin", "tslab");
  if (!fs.existsSync(tslab)) throw new Error(`tslab not found at ${tslab}; run npm ci`);
  const spec = {
    argv: ["/bin/sh", "-c", `cd '${REPO_ROOT}' && exec '${tslab}' kernel --config-path "$0"`, "{connection_file}"],
    display_name: "TypeScript (molcache tests)",
    language: "typescript",
  };
  fs.mkdirSync(path.join(dir, "kernels", "tslab"), { recursive: true });
  fs.writeFileSync(path.join(dir, "kernels", "tslab", "kernel.json"), JSON.stringify(spec, null, 1));
  return dir;
}

/** A notebook of TypeScript code cells for the tslab kernel. */
export function makeNotebook(cells: string[]): Notebook {
  return {
    cells: cells.map((source, i) => ({ cell_type: "code", id: `cell-${i}`, metadata: {}, source, outputs: [], execution_count: null })),
    metadata: { kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" } },
    nbformat: 4,
    nbformat_minor: 5,
  } as Notebook;
}

function runJupyter(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): void {
  if (!fs.existsSync(JUPYTER)) {
    throw new Error(`${JUPYTER} not found; install it with \`apt-get install --no-install-recommends jupyter-nbconvert jupyter-client python3-nbclient\``);
  }
  const r = spawnSync(JUPYTER, args, { env, encoding: "utf8", timeout: timeoutMs });
  if (r.status !== 0) {
    const tail = `${r.stderr ?? ""}`.split("\n").slice(-25).join("\n");
    throw new Error(`jupyter ${args.slice(0, 3).join(" ")} failed (status ${r.status}${r.signal ? `, ${r.signal}` : ""}):\n${tail}`);
  }
}

/**
 * Execute `input` (an .ipynb path) headless and return the executed notebook (written to `output`).
 * A cell error fails with nbconvert's message.
 */
export function executeNotebook(input: string, output: string, jupyterPath: string, timeoutMs = 120_000): Notebook {
  runJupyter(
    ["nbconvert", "--to", "notebook", "--execute", `--ExecutePreprocessor.timeout=${Math.ceil(timeoutMs / 1000)}`,
      input, "--output", path.resolve(output)],
    { ...process.env, JUPYTER_PATH: jupyterPath },
    timeoutMs,
  );
  return JSON.parse(fs.readFileSync(output, "utf8")) as Notebook;
}

/** Export an executed notebook to HTML (nbconvert's default template); returns the HTML path. */
export function notebookToHtml(notebook: string, html: string, timeoutMs = 60_000): string {
  runJupyter(["nbconvert", "--to", "html", notebook, "--output", path.resolve(html)], process.env, timeoutMs);
  return html;
}
