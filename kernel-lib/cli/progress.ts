/** The commands' progress display on stderr: the library's {@link progressBar} behind a `(done, total, status)` callback. */
import { progressBar, ProgressBar } from "../util/progress";

/**
 * A progress callback that draws on stderr (a redrawn bar on a terminal, a line every 10% otherwise), with `status`
 * (e.g. rates, workers alive) after the time. The bar starts at the first call (which gives the total) and ends when
 * `done` reaches it.
 * @example
 * const progress = stderrProgress("sampling");
 * await sample(model, { n: 100, onProgress: progress }); // stderr: "sampling [######........] 24/100 24% 3 s, ETA 9 s"
 */
export function stderrProgress(label: string): (done: number, total: number, status?: string) => void {
  let bar: ProgressBar | undefined;
  return (done, total, status) => {
    bar ??= progressBar(total, label);
    bar.update(done, status);
    if (done >= total) bar.finish();
  };
}
