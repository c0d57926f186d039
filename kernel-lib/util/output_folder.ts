/**
 * The checks commands make on their outputs before any work: never write into a folder that holds files, and never
 * find out after an hour of work that an output file's path is a folder.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Throw unless `target` is absent or an empty folder (so no command mixes its files with others, or replaces them).
 * @param choose the option(s) that pick another folder, for the message (default `--out`).
 * @example
 * checkOutputFolder("out/run1", "--out or --run"); // throws: output folder out/run1 already exists and is not empty; …
 */
export function checkOutputFolder(target: string, choose = "--out"): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return;
    if (code === "ENOTDIR") throw new Error(`output folder ${target} is inside a file; choose another --out`);
    throw new Error(`cannot use output folder ${target}: ${code ?? (err as Error).message}`);
  }
  if (!stat.isDirectory()) throw new Error(`output folder ${target} is a file; choose another --out`);
  if (fs.readdirSync(target).length > 0) {
    throw new Error(`output folder ${target} already exists and is not empty; choose another ${choose}, or remove it`);
  }
}

/**
 * Throw if the output file `file` (given with `flag`) is an existing folder, suggesting `example` inside it.
 * @example
 * checkOutputFile("results", "--out", "metrics.csv"); // throws: cannot write results: it is a folder; give a file name, e.g. --out results/metrics.csv
 */
export function checkOutputFile(file: string, flag: string, example: string): void {
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) {
    throw new Error(`cannot write ${file}: it is a folder; give a file name, e.g. ${flag} ${path.join(file, example)}`);
  }
}
