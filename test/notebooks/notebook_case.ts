/**
 * Shared by the notebook tests: execute one of `notebooks/` headless with small size knobs and collect what the
 * assertions need (text, Plotly figure outputs). The trained default model is used when it is there; otherwise the
 * notebooks get `MOLCACHE_NB_MODEL=random:tiny`, and the test says so in its output.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_MODEL_DIR } from "../../kernel-lib/model/model_io";
import { executeNotebook, ExecutedNotebook, notebookText } from "../helpers/notebook";
import { REPO_ROOT } from "../helpers/paths";

/** Plotly's MIME type, as `showFigure` writes it. */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** Whether the trained default model exists in this checkout. */
export const HAVE_DEFAULT_MODEL = fs.existsSync(path.join(DEFAULT_MODEL_DIR, "config.json"));

/** An executed notebook with its printed text and its figures (Plotly JSON outputs, in order). */
export interface NotebookRun {
  notebook: ExecutedNotebook;
  text: string;
  figures: { data: Record<string, unknown>[]; layout: Record<string, unknown> }[];
  /** Outputs with an HTML fallback for each figure (draws in exported HTML). */
  htmlFigures: number;
}

/**
 * Run `notebooks/<name>.ipynb` with `env` knobs (plus the model knob) and collect its figures.
 * @param diagnostic where to say which model ran (the test context's `diagnostic`).
 */
export function runNotebook(name: string, env: Record<string, string>, diagnostic: (msg: string) => void): NotebookRun {
  const knobs = { ...env };
  if (!HAVE_DEFAULT_MODEL && !("MOLCACHE_NB_MODEL" in knobs)) {
    knobs.MOLCACHE_NB_MODEL = "random:tiny";
    diagnostic(`the default model (${DEFAULT_MODEL_DIR}) is missing: ${name} runs with MOLCACHE_NB_MODEL=random:tiny`);
  }
  const notebook = executeNotebook(path.join(REPO_ROOT, "notebooks", `${name}.ipynb`), { env: knobs, timeoutSeconds: 300 });
  const outputs = notebook.cells.flatMap((c) => c.outputs ?? []);
  const figures = outputs.filter((o) => o.data?.[PLOTLY_MIME]).map((o) => o.data![PLOTLY_MIME] as NotebookRun["figures"][number]);
  const htmlFigures = outputs.filter((o) => o.data?.[PLOTLY_MIME] && /class="molcache-plotly"/.test(String(o.data["text/html"]))).length;
  return { notebook, text: notebookText(notebook), figures, htmlFigures };
}

/** The figure titles, in order (HTML tags removed). */
export function figureTitles(run: NotebookRun): string[] {
  return run.figures.map((f) => String((f.layout?.title as { text?: string } | undefined)?.text ?? "").replace(/<[^>]+>/g, ""));
}
