/**
 * The output folder of a report, written all-or-nothing: everything goes into a hidden temporary folder beside the
 * target (`out/.<run>.partial-<pid>-<time>`), which is renamed to the target at the end, so a failed run leaves no
 * half-written report. SDF files inside it are streamed as batches finish (`<name>.sdf.partial`, renamed when done).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Molecule } from "../chem/molecule";
import { writeFileAtomic } from "../util/atomic_write";
import { checkOutputFolder } from "../util/output_folder";
import { sampledMolblock } from "../chem/sampled_sdf";

/** A report folder being written. */
export interface RunFolder {
  /** Where the report ends up. */
  readonly target: string;
  /** The temporary folder being written now. */
  readonly temp: string;
  /** A path inside the temporary folder (folders are created on write). */
  file(...parts: string[]): string;
  /** Write a file inside the folder atomically. */
  write(relative: string, data: string | Uint8Array): void;
  /** Rename the temporary folder to the target. */
  commit(): void;
  /** Delete the temporary folder (idempotent; a no-op after commit). */
  abort(): void;
}

/**
 * Check that `target` can become a report folder (absent, or an empty folder) and create its temporary twin.
 * @throws when the target is a file, a non-empty folder, or its parent cannot be created.
 * @example
 * const folder = prepareRunFolder("out/run1");
 * try { folder.write("a.txt", "…"); folder.commit(); } finally { folder.abort(); }
 */
export function prepareRunFolder(target: string): RunFolder {
  const resolved = path.resolve(target);
  checkOutputFolder(resolved, "--out or --run");
  const parent = path.dirname(resolved);
  try {
    fs.mkdirSync(parent, { recursive: true });
  } catch (err) {
    throw new Error(`cannot create the output folder's parent ${parent}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; choose another --out`);
  }
  const temp = path.join(parent, `${partialFolderPrefix(resolved)}${Date.now()}`);
  fs.mkdirSync(temp);
  let state: "open" | "committed" | "aborted" = "open";
  return {
    target: resolved,
    temp,
    file: (...parts) => path.join(temp, ...parts),
    write(relative, data) {
      if (state !== "open") throw new Error(`report folder is ${state}; cannot write ${relative}`);
      writeFileAtomic(path.join(temp, relative), data);
    },
    commit() {
      if (state !== "open") throw new Error(`report folder is ${state}; cannot commit it again`);
      checkOutputFolder(resolved, "--out or --run"); // something may have appeared there while the report ran
      if (fs.existsSync(resolved)) fs.rmdirSync(resolved); // an empty folder (checked above)
      fs.renameSync(temp, resolved);
      state = "committed";
    },
    abort() {
      if (state !== "open") return;
      fs.rmSync(temp, { recursive: true, force: true });
      state = "aborted";
    },
  };
}

/** Name prefix of the temporary folders this process makes for `target`: `.<name>.partial-<pid>-`. */
export function partialFolderPrefix(target: string, pid: number = process.pid): string {
  return `.${path.basename(path.resolve(target))}.partial-${pid}-`;
}

/**
 * Delete this process's temporary folders of `target` (what an interrupted report leaves), synchronously, so it can
 * run in a signal handler. Another process's folders are left alone.
 * @returns the folders removed.
 * @example
 * process.once("SIGINT", () => { removePartialFolders("out/run1"); process.exit(130); });
 */
export function removePartialFolders(target: string): string[] {
  const parent = path.dirname(path.resolve(target));
  const prefix = partialFolderPrefix(target);
  let names: string[];
  try {
    names = fs.readdirSync(parent).filter((n) => n.startsWith(prefix));
  } catch {
    return [];
  }
  const removed = names.map((n) => path.join(parent, n));
  for (const dir of removed) fs.rmSync(dir, { recursive: true, force: true });
  return removed;
}

/** An SDF file written batch by batch as `<file>.partial` and renamed to `<file>` by {@link SdfStream.finish}. */
export class SdfStream {
  private fd: number | undefined;
  private readonly partial: string;
  /** Molecules written so far. */
  count = 0;

  /**
   * @param file the final `.sdf` path (its folder is created).
   * @param tags SD data fields added to every record (e.g. `{ configuration: "Taylor m=2 D=3" }`).
   */
  constructor(readonly file: string, private readonly tags: Readonly<Record<string, string>> = {}) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.partial = `${file}.partial`;
    this.fd = fs.openSync(this.partial, "w");
  }

  /**
   * Append molecules (each named `<prefix> <index>`, with its index and the stream's tags as SD fields).
   * @example
   * stream.append(batch, indices, { seed: "0" });
   */
  append(molecules: readonly Molecule[], indices: readonly number[], extra: Readonly<Record<string, string>> = {}): void {
    if (this.fd === undefined) throw new Error(`SDF stream ${this.file} is closed`);
    const fields = { ...this.tags, ...extra };
    const text = molecules.map((m, k) => {
      const props = Object.entries({ index: String(indices[k]), ...fields }).map(([key, v]) => `>  <${key}>\n${v}\n\n`).join("");
      return `${sampledMolblock(m, `molcache ${indices[k]}`)}${props}$$$$\n`;
    }).join("");
    fs.writeSync(this.fd, text);
    this.count += molecules.length;
  }

  /** Flush, close and rename to the final name. */
  finish(): void {
    if (this.fd === undefined) throw new Error(`SDF stream ${this.file} is already finished`);
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    this.fd = undefined;
    fs.renameSync(this.partial, this.file);
  }

  /** Close without renaming (the `.partial` file stays for inspection). */
  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}
