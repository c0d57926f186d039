/**
 * The training split's canonical SMILES set, for novelty (a generated molecule is novel when its canonical SMILES
 * is not in it). The set comes from the records' `smiles` field (RDKit 2022.09 canonical, heavy atoms, no stereo)
 * and is cached as a gzip text file beside the data (`data/qm9/midi_train_smiles.txt.gz`), rebuilt when missing or
 * when the data file changed. Compare with SMILES canonicalised by the same toolkit: @rdkit/rdkit 2026.09 reproduces
 * 9,903 of 9,904 sampled records' SMILES exactly (the exception, id 24574, is an aromaticity-perception change).
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { writeFileAtomic } from "../util/atomic_write";
import { readTextInput } from "../util/text_file";
import { rejectUnknownOptions } from "../util/options";
import { QM9_DATA_DIR, QM9_FILE, SplitName, SplitScheme, readQm9 } from "./qm9_reader";

const MAGIC = "# molcache-smiles-set v1";

/** Options of {@link loadSmilesSet} and {@link buildSmilesList}. */
export interface SmilesSetOptions {
  /** Split protocol (default `midi`). */
  scheme: SplitScheme;
  /** Split whose molecules form the set (default `train`). */
  split: SplitName;
  /** The QM9 `.jsonl.gz` file (default the shipped one). */
  file: string;
  /** The cache file (default `data/qm9/<scheme>_<split>_smiles.txt.gz` beside the shipped data). */
  cacheFile: string | undefined;
  /** Rebuild the cache even if it is up to date (default false). */
  regenerate: boolean;
}

/** Defaults of {@link SmilesSetOptions}. */
export const DEFAULT_SMILES_SET: Readonly<SmilesSetOptions> = {
  scheme: "midi", split: "train", file: QM9_FILE, cacheFile: undefined, regenerate: false,
};

/**
 * Fill defaults (including the cache path) and validate {@link SmilesSetOptions}.
 * @example
 * resolveSmilesSetOptions().cacheFile; // …/data/qm9/midi_train_smiles.txt.gz
 */
export function resolveSmilesSetOptions(options?: Partial<SmilesSetOptions>): SmilesSetOptions & { cacheFile: string } {
  rejectUnknownOptions(options, DEFAULT_SMILES_SET, "smiles set");
  const o = { ...DEFAULT_SMILES_SET, ...options };
  if (o.scheme !== "midi" && o.scheme !== "edm") throw new Error(`invalid scheme: ${o.scheme}; use "midi" or "edm"`);
  if (!["train", "val", "test"].includes(o.split)) throw new Error(`invalid split: ${o.split}; use "train", "val" or "test"`);
  if (typeof o.regenerate !== "boolean") throw new Error(`invalid regenerate: ${o.regenerate}; use true or false`);
  const cacheFile = o.cacheFile ?? path.join(QM9_DATA_DIR, `${o.scheme}_${o.split}_smiles.txt.gz`);
  return { ...o, cacheFile };
}

function fileMd5(file: string): string {
  return crypto.createHash("md5").update(fs.readFileSync(file)).digest("hex");
}

function header(o: SmilesSetOptions, md5: string, count: number): string {
  return `${MAGIC} scheme=${o.scheme} split=${o.split} source=${path.basename(o.file)} source-md5=${md5} count=${count}`;
}

/**
 * The sorted, de-duplicated canonical SMILES of a split, read from the data file (one streaming pass, no cache).
 * @example
 * const list = await buildSmilesList({ split: "train" }); // ~96k strings
 */
export async function buildSmilesList(options?: Partial<SmilesSetOptions>): Promise<string[]> {
  const o = resolveSmilesSetOptions(options);
  const set = new Set<string>();
  for await (const rec of readQm9({ file: o.file, scheme: o.scheme, split: o.split })) set.add(rec.smiles);
  return [...set].sort();
}

/** Parse a cache file; returns undefined when it is absent, unreadable, or was built from other data. */
function readCache(o: SmilesSetOptions & { cacheFile: string }, md5: string | undefined): string[] | undefined {
  if (!fs.existsSync(o.cacheFile)) return undefined;
  let text: string;
  try {
    text = zlib.gunzipSync(fs.readFileSync(o.cacheFile)).toString("utf8");
  } catch {
    return undefined; // corrupt: rebuild
  }
  const lines = text.split("\n");
  const head = lines[0] ?? "";
  if (!head.startsWith(MAGIC) || !head.includes(` scheme=${o.scheme} `) || !head.includes(` split=${o.split} `)) return undefined;
  if (md5 !== undefined && !head.includes(` source-md5=${md5} `)) return undefined;
  const count = Number(/ count=(\d+)/.exec(head)?.[1]);
  const list = lines.slice(1).filter((s) => s.length > 0);
  return list.length === count ? list : undefined;
}

/**
 * The canonical SMILES set of a split (default MiDi train), from the cache file, which is (re)built atomically when
 * missing, stale (the data file's md5 differs) or when `regenerate` is set.
 * @example
 * const train = await loadSmilesSet(); // Set of ~96k SMILES
 * const novel = !train.has(canonicalSmilesOfGenerated);
 */
export async function loadSmilesSet(options?: Partial<SmilesSetOptions>): Promise<Set<string>> {
  const o = resolveSmilesSetOptions(options);
  // Without the data file the cache is all there is: trust it.
  const md5 = fs.existsSync(o.file) ? fileMd5(o.file) : undefined;
  if (!o.regenerate) {
    const cached = readCache(o, md5);
    if (cached) return new Set(cached);
  }
  if (md5 === undefined) throw new Error(`QM9 file not found: ${o.file}; needed to build ${o.cacheFile}`);
  const list = await buildSmilesList(o);
  const text = `${header(o, md5, list.length)}\n${list.join("\n")}\n`;
  writeFileAtomic(o.cacheFile, zlib.gzipSync(Buffer.from(text, "utf8"), { level: 9 }));
  return new Set(list);
}

/**
 * The SMILES lines of a text file, plain or gzip-compressed (detected from its first bytes), without blank lines and
 * `#` comment lines (such as the header of the shipped `data/qm9/midi_train_smiles.txt.gz`).
 * @example
 * const train = readSmilesFile("data/qm9/midi_train_smiles.txt.gz"); // ~96k SMILES
 */
export function readSmilesFile(file: string): string[] {
  const text = readTextInput(file, "SMILES");
  if (/^(M {2}END|\$\$\$\$)\s*$/m.test(text) || /V[23]000\s*$/m.test(text)) {
    throw new Error(`${file} is an SDF/molfile, not SMILES; give the training SMILES one per line`);
  }
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l.length > 0 && !l.startsWith("#"));
  if (lines.length === 0) throw new Error(`${file} holds no SMILES; give the training SMILES one per line`);
  return lines;
}
