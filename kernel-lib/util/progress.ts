/**
 * A progress bar that fits where the code runs: an HTML bar updated in place in a tslab notebook, a `\r` bar on a
 * terminal (stderr is a TTY), and a line every 10% when output goes to a log or a pipe.
 */
import { emitDisplay, inKernel, newDisplayId } from "./kernel_display";
import { rejectUnknownOptions } from "./options";

/** Where the bar is drawn. `auto`: notebook in a kernel, else `tty` when the stream is a TTY, else `lines`. */
export type ProgressMode = "auto" | "notebook" | "tty" | "lines" | "silent";

/** A writable text stream (process.stderr by default). */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Options of {@link progressBar}. */
export interface ProgressOptions {
  /** Drawing mode (default "auto"). */
  mode: ProgressMode;
  /** Stream for `tty` and `lines` modes (default process.stderr, so stdout stays clean for results). */
  stream: ProgressStream;
  /** Least time between redraws in `notebook` and `tty` modes, in ms (default 200). */
  minIntervalMs: number;
  /** In `lines` mode, print a line each time progress passes a multiple of this percentage (default 10). */
  lineEveryPercent: number;
  /** Bar width in characters (`tty`) (default 30). */
  width: number;
  /** Clock in ms (default Date.now); tests pass a fake one. */
  now: () => number;
}

/** The handle {@link progressBar} returns. */
export interface ProgressBar {
  readonly total: number;
  /** Items done so far. */
  readonly done: number;
  /** Add `n` (default 1) finished items. */
  tick(n?: number): void;
  /** Set the number of finished items; `status` (e.g. rates, workers alive) is shown after the time until the next one. */
  update(done: number, status?: string): void;
  /** Draw the final state (idempotent); a `tty` bar ends its line. */
  finish(): void;
}

/** Defaults of {@link ProgressOptions} (stream and clock are filled in when the bar is made). */
export const DEFAULT_PROGRESS_OPTIONS: Omit<ProgressOptions, "stream" | "now"> = {
  mode: "auto",
  minIntervalMs: 200,
  lineEveryPercent: 10,
  width: 30,
};

/** Fill defaults and validate. */
export function resolveProgressOptions(options: Partial<ProgressOptions> = {}): ProgressOptions {
  const o: ProgressOptions = { ...DEFAULT_PROGRESS_OPTIONS, stream: process.stderr, now: Date.now };
  rejectUnknownOptions(options, o, "progress");
  for (const [k, v] of Object.entries(options)) {
    if (v !== undefined) (o as unknown as Record<string, unknown>)[k] = v;
  }
  if (!["auto", "notebook", "tty", "lines", "silent"].includes(o.mode)) {
    throw new Error(`invalid mode: ${o.mode}; use auto, notebook, tty, lines or silent`);
  }
  if (!(o.minIntervalMs >= 0)) throw new Error(`invalid minIntervalMs: ${o.minIntervalMs}; must be >= 0`);
  if (!(o.lineEveryPercent > 0 && o.lineEveryPercent <= 100)) throw new Error(`invalid lineEveryPercent: ${o.lineEveryPercent}; must be in (0, 100]`);
  if (!(Number.isInteger(o.width) && o.width >= 5)) throw new Error(`invalid width: ${o.width}; must be an integer >= 5`);
  return o;
}

/** Seconds as `"42 s"`, `"3 min 05 s"` or `"1 h 02 min"`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}

/**
 * Start a progress bar over `total` items.
 * @param label what is being counted, e.g. `"sampling"`.
 * @example
 * const bar = progressBar(batches.length, "sampling");
 * for (const b of batches) { await run(b); bar.tick(); }
 * bar.finish(); // terminal: "sampling [##############################] 8/8 100% 12 s"
 */
export function progressBar(total: number, label: string, options: Partial<ProgressOptions> = {}): ProgressBar {
  if (!(Number.isInteger(total) && total >= 0)) throw new Error(`invalid total: ${total}; must be an integer >= 0`);
  const o = resolveProgressOptions(options);
  const mode: ProgressMode = o.mode !== "auto" ? o.mode : inKernel() ? "notebook" : o.stream.isTTY ? "tty" : "lines";
  const start = o.now();
  const displayId = newDisplayId("molcache-progress");
  let done = 0;
  let lastDraw = -Infinity;
  let drawn = false;
  let lastBucket = 0;
  let lastPrinted = -1;
  let finished = false;
  let note = "";

  const status = () => {
    const shown = Math.min(done, total);
    const fraction = total === 0 ? 1 : shown / total;
    const elapsed = (o.now() - start) / 1000;
    const rate = elapsed > 0 ? shown / elapsed : 0;
    const eta = finished || fraction >= 1 ? "" : rate > 0 ? `, ETA ${formatDuration((total - shown) / rate)}` : "";
    return { shown, fraction, percent: Math.floor(100 * fraction), time: `${formatDuration(elapsed)}${eta}${note ? `, ${note}` : ""}` };
  };

  const draw = (force: boolean) => {
    const now = o.now();
    if (mode === "silent") return;
    if (mode === "lines") {
      const s = status();
      const bucket = Math.floor(s.percent / o.lineEveryPercent);
      // A line per bucket passed; forced draws (start, finish) print unless that exact state is already printed.
      if (bucket > lastBucket || (force && s.shown !== lastPrinted)) {
        lastBucket = bucket;
        lastPrinted = s.shown;
        o.stream.write(`${label}: ${s.shown}/${total} (${s.percent}%) ${s.time}\n`);
      }
      return;
    }
    if (!force && now - lastDraw < o.minIntervalMs) return;
    lastDraw = now;
    const s = status();
    if (mode === "tty") {
      const filled = Math.round(s.fraction * o.width);
      o.stream.write(`\r${label} [${"#".repeat(filled)}${".".repeat(o.width - filled)}] ${s.shown}/${total} ${s.percent}% ${s.time}\x1b[K`);
      drawn = true;
      return;
    }
    const text = `${label}: ${s.shown}/${total} (${s.percent}%) ${s.time}`;
    const html = `<div style="font-family:monospace"><progress value="${s.shown}" max="${Math.max(total, 1)}" ` +
      `style="width:300px;vertical-align:middle"></progress> ${escapeText(text)}</div>`;
    emitDisplay({ "text/html": html, "text/plain": text }, { displayId, update: drawn });
    drawn = true;
  };

  const bar: ProgressBar = {
    total,
    get done() {
      return done;
    },
    tick(n = 1) {
      if (!Number.isFinite(n) || n < 0) throw new Error(`invalid tick: ${n}; must be a finite number >= 0`);
      bar.update(done + n);
    },
    update(value, status) {
      if (!Number.isFinite(value) || value < 0) throw new Error(`invalid progress: ${value}; must be a finite number >= 0`);
      if (finished) return;
      done = value;
      note = status ?? "";
      draw(false);
    },
    finish() {
      if (finished) return;
      finished = true;
      draw(true);
      if (mode === "tty") o.stream.write("\n");
    },
  };
  draw(true); // show 0/total at once
  return bar;
}

function escapeText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
