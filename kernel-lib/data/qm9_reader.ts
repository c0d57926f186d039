/**
 * Streaming reader for the QM9 file shipped in `data/qm9/qm9_hcno_dft.jsonl.gz` (one JSON object per line, gzip):
 * DFT geometries with explicit hydrogens, Kekulé bonds and formal charges, and the EDM and MiDi split labels.
 * The file is gunzipped as a stream and parsed line by line, so memory stays flat however many records are read.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { makeMolecule, Molecule } from "../chem/molecule";
import { checkInteger, rejectUnknownOptions } from "../util/options";

/** The folder of the shipped QM9 files (`data/qm9/` in the repository). */
export const QM9_DATA_DIR = path.resolve(__dirname, "..", "..", "data", "qm9");

/** The shipped QM9 DFT file (128,742 molecules, elements H C N O). */
export const QM9_FILE = path.join(QM9_DATA_DIR, "qm9_hcno_dft.jsonl.gz");

/** The shipped statistics (size histograms per MiDi split, element and bond counts). */
export const QM9_STATS_FILE = path.join(QM9_DATA_DIR, "qm9_stats.json");

/** Split protocols: `midi` (MiDi / EQGAT-diff / SemlaFlow, the default) or `edm` (EDM / GeoLDM / GCDM). */
export type SplitScheme = "midi" | "edm";

/** One part of a split protocol. */
export type SplitName = "train" | "val" | "test";

/** The split names in file order of importance. */
export const SPLIT_NAMES: readonly SplitName[] = ["train", "val", "test"];

/** Molecules in the shipped file. */
export const QM9_MOLECULE_COUNT = 128742;

/** Molecules per split in the shipped file (see data/README.md; fewer than the baselines, F is absent). */
export const QM9_SPLIT_COUNTS: Readonly<Record<SplitScheme, Readonly<Record<SplitName, number>>>> = {
  midi: { train: 96166, val: 19720, test: 12856 },
  edm: { train: 98411, val: 17472, test: 12859 },
};

/** A bond as stored: `[i, j, order, aromatic]`, 0-based `i < j`, Kekulé order 1–3, aromatic flag 0/1 (RDKit's). */
export type Qm9Bond = [number, number, number, number];

/** One QM9 molecule exactly as in the file. */
export interface Qm9Record {
  /** QM9 / GDB-9 index, 1-based (1 = methane, `dsgdb9nsd_000001`). */
  id: number;
  /** RDKit 2022.09 canonical SMILES, heavy atoms only, no stereo. */
  smiles: string;
  /** Atomic numbers. */
  z: number[];
  /** Positions in Å, one `[x, y, z]` per atom, not centred. */
  pos: number[][];
  /** Formal charges per atom. */
  charges: number[];
  /** Bonds `[i, j, order, aromatic]`. */
  bonds: Qm9Bond[];
  /** EDM split. */
  edm: SplitName;
  /** MiDi split. */
  midi: SplitName;
}

/** Options of {@link readQm9}. */
export interface ReadQm9Options {
  /** The `.jsonl.gz` file (default: the shipped {@link QM9_FILE}). */
  file: string;
  /** Which split protocol `split` refers to (default `midi`). */
  scheme: SplitScheme;
  /** Keep only this split, or `all` records (default `all`). */
  split: SplitName | "all";
  /** Stop after this many kept records (default `Infinity`). */
  limit: number;
}

/** Defaults of {@link ReadQm9Options}. */
export const DEFAULT_READ_QM9: Readonly<ReadQm9Options> = { file: QM9_FILE, scheme: "midi", split: "all", limit: Infinity };

/**
 * Fill defaults and validate {@link ReadQm9Options}.
 * @throws on unknown keys, an unknown scheme or split, a limit that is not an integer ≥ 0, or a missing file.
 * @example
 * resolveReadQm9Options({ split: "val" }).scheme; // "midi"
 */
export function resolveReadQm9Options(options?: Partial<ReadQm9Options>): ReadQm9Options {
  rejectUnknownOptions(options, DEFAULT_READ_QM9, "readQm9");
  const o = { ...DEFAULT_READ_QM9, ...options };
  if (o.scheme !== "midi" && o.scheme !== "edm") throw new Error(`invalid scheme: ${o.scheme}; use "midi" or "edm"`);
  if (o.split !== "all" && !SPLIT_NAMES.includes(o.split)) {
    throw new Error(`invalid split: ${o.split}; use "train", "val", "test" or "all"`);
  }
  checkInteger("limit", o.limit, 0, true);
  if (typeof o.file !== "string" || !fs.existsSync(o.file)) {
    throw new Error(`QM9 file not found: ${o.file}; the repository ships it as data/qm9/qm9_hcno_dft.jsonl.gz (see data/SOURCES.md)`);
  }
  return o;
}

function checkRecord(rec: Qm9Record, lineNo: number, file: string): void {
  const where = `${path.basename(file)} line ${lineNo}`;
  if (!rec || typeof rec.id !== "number" || !Array.isArray(rec.z) || !Array.isArray(rec.pos) || !Array.isArray(rec.bonds)) {
    throw new Error(`${where}: not a QM9 record (needs id, z, pos, charges, bonds); is this the molcache QM9 file?`);
  }
  const n = rec.z.length;
  if (rec.pos.length !== n || !Array.isArray(rec.charges) || rec.charges.length !== n) {
    throw new Error(`${where} (id ${rec.id}): ${n} atoms but ${rec.pos.length} positions and ${rec.charges?.length} charges`);
  }
}

/**
 * Stream QM9 records from the gzip JSON-lines file, optionally one split and at most `limit` of them.
 * Records come in file order (by QM9 id). Breaking out of the loop closes the file.
 * @example
 * for await (const rec of readQm9({ split: "train", limit: 10 })) console.log(rec.id, rec.smiles);
 */
export async function* readQm9(options?: Partial<ReadQm9Options>): AsyncGenerator<Qm9Record, void, undefined> {
  const o = resolveReadQm9Options(options);
  if (o.limit === 0) return;
  // Cheap pre-filter on the raw line: skip JSON.parse for records of other splits (a quarter to most of the file).
  const key = `"${o.scheme}":"`;
  const want = `${key}${o.split}"`;
  const input = fs.createReadStream(o.file, { highWaterMark: 1 << 20 });
  const gunzip = zlib.createGunzip({ chunkSize: 1 << 20 });
  const stream = input.pipe(gunzip);
  input.on("error", (err) => gunzip.destroy(err));
  stream.setEncoding("utf8");
  let rest = "";
  let lineNo = 0;
  let kept = 0;
  const handle = (line: string): Qm9Record | undefined => {
    lineNo++;
    if (line.length === 0) return undefined;
    if (o.split !== "all" && line.includes(key) && !line.includes(want)) return undefined;
    let rec: Qm9Record;
    try {
      rec = JSON.parse(line);
    } catch (err) {
      throw new Error(`${path.basename(o.file)} line ${lineNo}: invalid JSON (${(err as Error).message}); is the file truncated?`);
    }
    checkRecord(rec, lineNo, o.file);
    if (o.split !== "all" && rec[o.scheme] !== o.split) return undefined;
    return rec;
  };
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      const text = rest + chunk;
      let start = 0;
      let nl = text.indexOf("\n", start);
      while (nl >= 0) {
        const rec = handle(text.slice(start, nl));
        if (rec) {
          yield rec;
          if (++kept >= o.limit) return;
        }
        start = nl + 1;
        nl = text.indexOf("\n", start);
      }
      rest = text.slice(start);
    }
    const rec = handle(rest);
    if (rec) yield rec;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === "Z_BUF_ERROR" || e.code === "Z_DATA_ERROR") {
      throw new Error(`${o.file}: gzip stream is corrupt or truncated (${e.message}); restore it from git`);
    }
    throw err;
  } finally {
    stream.destroy();
    input.destroy();
  }
}

/**
 * Read records into an array (convenience for small reads; stream with {@link readQm9} for whole splits).
 * @example
 * const [methane] = await readQm9Records({ limit: 1 });
 */
export async function readQm9Records(options?: Partial<ReadQm9Options>): Promise<Qm9Record[]> {
  const out: Qm9Record[] = [];
  for await (const rec of readQm9(options)) out.push(rec);
  return out;
}

/** The QM9 file name of a molecule (`dsgdb9nsd_000001` for id 1), used as the molecule's name. */
export function qm9Name(id: number): string {
  return `dsgdb9nsd_${String(id).padStart(6, "0")}`;
}

/**
 * The shared {@link Molecule} of a record: Å coordinates as in the file (not centred), formal charges, and the
 * Kekulé bond orders 1–3 (aromaticity is left to RDKit's perception when a molecule is built).
 * @example
 * toMolecule(methaneRecord).elements; // Uint8Array [6, 1, 1, 1, 1]
 */
export function toMolecule(record: Qm9Record): Molecule {
  const n = record.z.length;
  const positions = new Float32Array(3 * n);
  for (let a = 0; a < n; a++) {
    const p = record.pos[a];
    if (!Array.isArray(p) || p.length !== 3) throw new Error(`QM9 id ${record.id}: atom ${a} position is not [x, y, z]`);
    positions[3 * a] = p[0];
    positions[3 * a + 1] = p[1];
    positions[3 * a + 2] = p[2];
  }
  const bonds = record.bonds.map(([i, j, order], k): [number, number, number] => {
    if (!(i >= 0 && j >= 0 && i < n && j < n && i !== j) || !(order >= 1 && order <= 3)) {
      throw new Error(`QM9 id ${record.id}: bond ${k} [${i}, ${j}, ${order}] is invalid (atoms 0..${n - 1}, order 1-3)`);
    }
    return [i, j, order];
  });
  return makeMolecule({ elements: record.z, positions, charges: record.charges, bonds, name: qm9Name(record.id) });
}
