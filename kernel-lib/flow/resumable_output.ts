/**
 * The output of a resumable sampling run: `<out>.partial` grows batch by batch, and a small run manifest
 * `<out>.run.json` records after every batch what produced it (options, model content hash) and how far it got
 * (batches and molecules done, the byte length of the partial file, the plan cursor of the next batch). A run killed
 * at any moment (SIGKILL included) is continued with `--resume`: the partial file is cut back to the recorded length
 * and sampling continues at the recorded cursor, so the final file is byte-identical to an uninterrupted run's.
 * The output is locked (`<out>.lock`) while a run writes it; at the end the partial file is renamed to `<out>` and the
 * manifest removed.
 *
 * Crash safety: the batch's bytes are written and fsync'ed before the manifest (written atomically) counts them, so
 * the manifest never counts bytes the file does not have; bytes past the recorded length are a batch in progress.
 */
import * as fs from "node:fs";
import { PlanCursor } from "../data/plan_stream";
import { writeFileAtomic } from "../util/atomic_write";
import { FileLock } from "../util/file_lock";

/** What decides the molecules of a run: compared when a run is resumed. */
export interface RunIdentity {
  /** Options that change the output (n, steps, grid, cache, seed, batch cost, backend…), as plain values. */
  options: Record<string, string | number>;
  /** {@link modelContentHash} of the model. */
  modelHash: string;
}

/** The run manifest `<out>.run.json`. */
export interface RunManifest extends RunIdentity {
  format: "molcache-run/1";
  /** Batches written to the partial file. */
  batchesDone: number;
  /** Molecules written. */
  moleculesDone: number;
  /** Byte length of the partial file after the last written batch (the offset the next batch starts at). */
  bytes: number;
  /** Plan cursor of the next batch (null before the first batch). */
  cursor: PlanCursor | null;
  /** When the manifest was last written (ISO time). */
  updated: string;
}

/** How to treat an existing output or run. */
export interface OutputOpenOptions {
  /** Continue the run the manifest describes. */
  resume: boolean;
  /** Start over: remove an existing output, partial file and manifest. */
  force: boolean;
  /** The command to name in messages (default `molcache sample`). */
  command: string;
}

/** The paths a run uses for output `out`. */
export function runPaths(out: string): { partial: string; manifest: string; lock: string } {
  return { partial: `${out}.partial`, manifest: `${out}.run.json`, lock: `${out}.lock` };
}

/** A locked, resumable SDF output. Open with {@link ResumableOutput.open}. */
export class ResumableOutput {
  private fd: number | undefined;
  private closed = false;

  private constructor(
    readonly out: string,
    private readonly lock: FileLock,
    private manifest: RunManifest,
    /** True when the run had already finished (nothing to do; the output exists). */
    readonly complete: boolean,
  ) {}

  /** Where sampling starts (the cursor after the last written batch; undefined for a fresh run). */
  get start(): PlanCursor | undefined {
    return this.manifest.cursor ?? undefined;
  }

  /** Molecules already in the file (from earlier attempts of this run, then counting). */
  get moleculesDone(): number {
    return this.manifest.moleculesDone;
  }

  /** Batches already in the file. */
  get batchesDone(): number {
    return this.manifest.batchesDone;
  }

  /**
   * Lock `out` and open it for a fresh run, or reopen the interrupted run the manifest describes (`resume`).
   * @throws one line, naming the fix: another live run holds the output; `out` or an interrupted run exists without
   *   `--resume`/`--force`; nothing to resume; the manifest was written with other options or another model.
   */
  static open(out: string, identity: RunIdentity, options: Partial<OutputOpenOptions> = {}): ResumableOutput {
    const { resume = false, force = false, command = "molcache sample" } = options;
    if (resume && force) throw new Error("pass --resume or --force, not both (--force starts over, --resume continues)");
    const paths = runPaths(out);
    const lock = FileLock.acquire(out, command);
    try {
      if (force) {
        for (const f of [out, paths.partial, paths.manifest]) fs.rmSync(f, { force: true });
      }
      const fresh = (): RunManifest => ({
        format: "molcache-run/1", ...identity, batchesDone: 0, moleculesDone: 0, bytes: 0, cursor: null, updated: new Date().toISOString(),
      });
      if (!resume) {
        if (fs.existsSync(paths.manifest)) {
          const m = readManifest(paths.manifest);
          throw new Error(`${out} has an interrupted run (${m.moleculesDone} molecules in ${m.batchesDone} batches, ${paths.manifest}); continue it with --resume or start over with --force`);
        }
        if (fs.existsSync(out)) throw new Error(`${out} exists; pass --force to overwrite it (or choose another --out)`);
        const output = new ResumableOutput(out, lock, fresh(), false);
        output.fd = fs.openSync(paths.partial, "w");
        output.saveManifest();
        return output;
      }
      if (!fs.existsSync(paths.manifest)) {
        if (fs.existsSync(out)) throw new Error(`${out} is complete (no run manifest ${paths.manifest}); nothing to resume; use --force to sample it again`);
        throw new Error(`nothing to resume for ${out}: no run manifest ${paths.manifest}; start the run without --resume`);
      }
      const m = readManifest(paths.manifest);
      checkIdentity(m, identity, paths.manifest);
      if (fs.existsSync(out) && !fs.existsSync(paths.partial)) {
        // Killed between the final rename and removing the manifest: the run is complete.
        fs.rmSync(paths.manifest, { force: true });
        return new ResumableOutput(out, lock, m, true);
      }
      const size = fs.existsSync(paths.partial) ? fs.statSync(paths.partial).size : -1;
      if (size < m.bytes) {
        throw new Error(`${paths.partial} has ${Math.max(size, 0)} bytes, the manifest records ${m.bytes}: the partial file was changed or lost; start over with --force`);
      }
      const output = new ResumableOutput(out, lock, m, false);
      output.fd = fs.openSync(paths.partial, "r+");
      fs.ftruncateSync(output.fd, m.bytes); // drop a batch that was being written when the run died
      return output;
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  /**
   * Append one finished batch (its SDF text) and record it: the bytes are on disk before the manifest counts them.
   * @param next the plan cursor after this batch.
   */
  append(text: string, next: PlanCursor, molecules: number): void {
    if (this.fd === undefined) throw new Error(`the output ${this.out} is closed`);
    const bytes = Buffer.from(text, "utf8");
    let off = 0;
    while (off < bytes.length) off += fs.writeSync(this.fd, bytes, off, bytes.length - off, this.manifest.bytes + off);
    fs.fsyncSync(this.fd);
    this.manifest = {
      ...this.manifest, batchesDone: this.manifest.batchesDone + 1, moleculesDone: this.manifest.moleculesDone + molecules,
      bytes: this.manifest.bytes + bytes.length, cursor: next, updated: new Date().toISOString(),
    };
    this.saveManifest();
  }

  /** Finish: the partial file becomes `out` (atomic rename), the manifest is removed, the lock released. */
  finish(): void {
    const paths = runPaths(this.out);
    if (this.fd !== undefined) {
      fs.fsyncSync(this.fd);
      fs.closeSync(this.fd);
      this.fd = undefined;
    }
    if (!this.complete) fs.renameSync(paths.partial, this.out);
    fs.rmSync(paths.manifest, { force: true });
    this.close();
  }

  /** Stop without finishing (after a failure): the partial file and manifest stay for `--resume`; the lock is released. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
    this.lock.release();
  }

  private saveManifest(): void {
    writeFileAtomic(runPaths(this.out).manifest, JSON.stringify(this.manifest, null, 1) + "\n");
  }
}

function readManifest(file: string): RunManifest {
  let m: RunManifest;
  try {
    m = JSON.parse(fs.readFileSync(file, "utf8")) as RunManifest;
  } catch (err) {
    throw new Error(`cannot read the run manifest ${file}: ${(err as Error).message}; start over with --force`);
  }
  if (m?.format !== "molcache-run/1" || !Number.isInteger(m.bytes) || !Number.isInteger(m.batchesDone)) {
    throw new Error(`${file} is not a molcache run manifest (format molcache-run/1); start over with --force`);
  }
  return m;
}

function checkIdentity(m: RunManifest, identity: RunIdentity, file: string): void {
  if (m.modelHash !== identity.modelHash) {
    throw new Error(`cannot resume: ${file} was written with another model (content hash ${m.modelHash}, this model ${identity.modelHash}); pass the run's --model, or start over with --force`);
  }
  const keys = new Set([...Object.keys(m.options), ...Object.keys(identity.options)]);
  for (const k of keys) {
    if (m.options[k] !== identity.options[k]) {
      // An option absent on one side is at its default (identities leave defaults out where old manifests lack them).
      const describe = (v: unknown) => (v === undefined ? "unset (the default)" : JSON.stringify(v));
      throw new Error(`cannot resume: ${file} was written with ${k} ${describe(m.options[k])}, this run has ${describe(identity.options[k])}; rerun with the same options, or start over with --force`);
    }
  }
}
