/**
 * The link to the Jupyter kernel (tslab): emit one rich output with several MIME types, or report that there is
 * no kernel so callers print a text summary instead.
 *
 * tslab's public `display.raw(type, data)` sends one MIME type per output. A figure needs a bundle (Plotly's JSON
 * for JupyterLab/VS Code, HTML for exported notebooks, plain text for terminals) in ONE output, otherwise front ends
 * show it twice. The bundle goes through the writer tslab installs for the running cell (its `jupyter` module's
 * `lastWriteDisplayData`, tslab 1.0.22); when that is not reachable we fall back to `display.raw` with the best
 * single type.
 */
import { randomBytes } from "node:crypto";

/** A MIME bundle: MIME type → data (strings, or JSON objects for `application/*+json`). */
export type MimeBundle = Record<string, unknown>;

/** Where an output goes: a fresh output, or an update of an earlier one with the same display id. */
export interface EmitOptions {
  /** Display id: outputs with the same id can be replaced later with `update: true`. */
  displayId?: string;
  /** Replace the output with `displayId` instead of adding one (default false). */
  update?: boolean;
}

type Writer = (
  msg: { data: MimeBundle; metadata: Record<string, unknown>; transient: { display_id?: string } },
  update: boolean,
) => void;

type TslabDisplay = { raw(contentType: string, data: unknown): void };

/** The running kernel's display writer, if this process is a tslab kernel executing a cell. */
function kernelWriter(): Writer | undefined {
  // The kernel's module instance: found through the module cache, so a second copy of tslab cannot shadow it.
  for (const [file, mod] of Object.entries(require.cache)) {
    if (!/[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(file)) continue;
    const writer = (mod?.exports as { lastWriteDisplayData?: unknown } | undefined)?.lastWriteDisplayData;
    if (typeof writer === "function") return writer as Writer;
  }
  return undefined;
}

/** tslab's public display object, when tslab is loaded (inside a kernel `require("tslab")` is the kernel's). */
function tslabDisplay(): TslabDisplay | undefined {
  const loaded = Object.keys(require.cache).some((f) => /[\\/]tslab[\\/]dist[\\/]public\.js$/.test(f));
  if (!loaded) return undefined; // not in a kernel: do not load tslab (and its compiler) for nothing
  try {
    return (require("tslab") as { display: TslabDisplay }).display;
  } catch {
    return undefined;
  }
}

/**
 * True when rich outputs can be shown (this process is a tslab kernel running a cell).
 * @example
 * if (!inKernel()) console.log("run this in a notebook to see the figure");
 */
export function inKernel(): boolean {
  return kernelWriter() !== undefined;
}

/** MIME types in the order a single-type fallback prefers them. */
const FALLBACK_ORDER = ["text/html", "image/png", "image/svg+xml", "text/markdown", "text/plain"];

/**
 * Show a MIME bundle as one output of the current cell.
 * @returns true when it was sent to a kernel; false outside one (the caller prints a text summary).
 * @example
 * emitDisplay({ "text/html": "<b>hi</b>", "text/plain": "hi" });
 */
export function emitDisplay(bundle: MimeBundle, options: EmitOptions = {}): boolean {
  const writer = kernelWriter();
  if (writer) {
    const data: MimeBundle = {};
    for (const [type, value] of Object.entries(bundle)) {
      // Jupyter carries binary types as base64 text.
      data[type] = value instanceof Uint8Array ? Buffer.from(value).toString("base64") : value;
    }
    writer({ data, metadata: {}, transient: options.displayId ? { display_id: options.displayId } : {} }, options.update ?? false);
    return true;
  }
  const display = tslabDisplay();
  if (!display) return false;
  const type = FALLBACK_ORDER.find((t) => t in bundle);
  if (!type) return false;
  try {
    display.raw(type, bundle[type]);
    return true;
  } catch {
    return false; // tslab loaded but no cell running ("Not ready")
  }
}

/** A fresh display id for outputs that are updated in place (progress bars); an id, not model randomness. */
export function newDisplayId(prefix = "molcache"): string {
  return `${prefix}-${randomBytes(6).toString("hex")}`;
}
