/**
 * Execute a notebook headless with the molcache tslab kernel (`jupyter nbconvert --execute`) and fail on any cell
 * error. Writes the executed notebook next to nothing in the repository: the output goes to a temp folder (or
 * `outPath`), and the parsed result is returned for assertions on outputs.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "./paths";

/** A cell output as nbformat stores it. */
export interface NotebookOutput {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
}

/** An executed notebook (the parts tests look at). */
export interface ExecutedNotebook {
  cells: { cell_type: string; source: string | string[]; outputs?: NotebookOutput[] }[];
  /** Where the executed copy was written. */
  path: string;
}

function requireJupyter(): void {
  const probe = spawnSync("jupyter", ["nbconvert", "--version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      "jupyter nbconvert is not installed; install it with `apt-get install --no-install-recommends jupyter-nbconvert jupyter-client python3-nbclient`",
    );
  }
}

/** Register the kernel for this checkout if it is not there yet (what `npm run kernel:install` does). */
function ensureKernel(): string {
  const dataDir = path.join(REPO_ROOT, "jupyter-data");
  if (!fs.existsSync(path.join(dataDir, "kernels", "tslab", "kernel.json"))) {
    const r = spawnSync(process.execPath, ["--import", "tsx", path.join(REPO_ROOT, "scripts", "install_kernel.ts")], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`kernel registration failed: ${r.stderr}`);
  }
  return dataDir;
}

/**
 * Execute `notebook` and return the executed copy.
 * @param env extra environment variables (e.g. size knobs such as `MOLCACHE_NB_N=8`).
 * @throws with the failing cell's error when a cell throws or nbconvert fails.
 */
export function executeNotebook(notebook: string, options: { env?: Record<string, string>; timeoutSeconds?: number; outPath?: string } = {}): ExecutedNotebook {
  requireJupyter();
  const jupyterPath = ensureKernel();
  const outPath = options.outPath ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), "molcache-nb-")), path.basename(notebook));
  const timeout = options.timeoutSeconds ?? 600;
  const r = spawnSync(
    "jupyter",
    ["nbconvert", "--to", "notebook", "--execute", `--ExecutePreprocessor.timeout=${timeout}`,
      "--ExecutePreprocessor.kernel_name=tslab", "--output", outPath, notebook],
    { encoding: "utf8", env: { ...process.env, JUPYTER_PATH: jupyterPath, ...options.env }, timeout: (timeout + 120) * 1000 },
  );
  if (r.error) throw new Error(`nbconvert could not run ${notebook}: ${r.error.message}`);
  if (r.status !== 0) {
    const tail = (r.stderr || "").split("\n").filter((l) => !l.includes("Native kernel (python3)")).slice(-25).join("\n");
    throw new Error(`notebook ${path.basename(notebook)} failed (nbconvert exit ${r.status}):\n${tail}`);
  }
  const executed = JSON.parse(fs.readFileSync(outPath, "utf8"));
  return { cells: executed.cells, path: outPath };
}

/** All text a notebook's cells printed (stdout and stderr streams), for assertions. */
export function notebookText(nb: ExecutedNotebook): string {
  return nb.cells.flatMap((c) => c.outputs ?? []).map((o) => {
    const t = o.text ?? (o.data?.["text/plain"] as string | string[] | undefined) ?? "";
    return Array.isArray(t) ? t.join("") : t;
  }).join("");
}

/** Every MIME type a notebook's outputs carry. */
export function notebookMimeTypes(nb: ExecutedNotebook): Set<string> {
  return new Set(nb.cells.flatMap((c) => c.outputs ?? []).flatMap((o) => Object.keys(o.data ?? {})));
}
