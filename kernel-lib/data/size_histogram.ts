/**
 * Atom-count histograms (all atoms, hydrogens included) per split, from `qm9_stats.json` or computed from records,
 * and seeded sampling of molecule sizes from them (the sampler draws how many atoms each generated molecule has).
 */
import * as fs from "node:fs";
import { Rng } from "../util/rng";
import { checkInteger } from "../util/options";
import { QM9_STATS_FILE, Qm9Record, ReadQm9Options, SplitName, readQm9 } from "./qm9_reader";

/** How many molecules have each atom count: `counts[n]` molecules have `n` atoms. */
export interface SizeHistogram {
  /** Dense counts indexed by atom count (index 0 is always 0). */
  readonly counts: readonly number[];
  /** Sum of the counts. */
  readonly total: number;
}

/**
 * A histogram from a `{ "atoms": count }` object (the format of qm9_stats.json and model bundles).
 * @throws on a key that is not an integer ≥ 1 or a count that is not an integer ≥ 0.
 * @example
 * histogramFromJson({ "3": 1, "5": 2 }).counts; // [0, 0, 0, 1, 0, 2]
 */
export function histogramFromJson(obj: Readonly<Record<string, number>>): SizeHistogram {
  if (!obj || typeof obj !== "object") throw new Error(`invalid size histogram: ${String(obj)}; expected {"atoms": count}`);
  const counts: number[] = [0];
  let total = 0;
  for (const [key, value] of Object.entries(obj)) {
    const n = Number(key);
    checkInteger(`size histogram key "${key}"`, n, 1);
    checkInteger(`size histogram count for ${key} atoms`, value, 0);
    while (counts.length <= n) counts.push(0);
    counts[n] += value;
    total += value;
  }
  return { counts, total };
}

/**
 * The `{ "atoms": count }` form of a histogram (zero counts left out), for JSON files.
 * @example
 * histogramToJson(histogramFromSizes([3, 5, 5])); // { "3": 1, "5": 2 }
 */
export function histogramToJson(hist: SizeHistogram): Record<string, number> {
  const out: Record<string, number> = {};
  hist.counts.forEach((c, n) => {
    if (c > 0) out[String(n)] = c;
  });
  return out;
}

/**
 * A histogram of the given atom counts.
 * @example
 * histogramFromSizes([5, 5, 3]).counts; // [0, 0, 0, 1, 0, 2]
 */
export function histogramFromSizes(sizes: Iterable<number>): SizeHistogram {
  const counts: number[] = [0];
  let total = 0;
  for (const n of sizes) {
    checkInteger("molecule size", n, 1);
    while (counts.length <= n) counts.push(0);
    counts[n]++;
    total++;
  }
  return { counts, total };
}

/**
 * The histogram of a MiDi split (or of the whole file) as recorded in qm9_stats.json. The stats file has MiDi
 * splits only: for EDM splits use {@link computeSizeHistogram}.
 * @param split `train` (default), `val`, `test` or `all`.
 * @example
 * statsSizeHistogram("train").total; // 96166
 */
export function statsSizeHistogram(split: SplitName | "all" = "train", file: string = QM9_STATS_FILE): SizeHistogram {
  let stats: { n_atoms_with_h_hist?: Record<string, number>; n_atoms_with_h_hist_by_midi_split?: Record<string, Record<string, number>> };
  try {
    stats = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`cannot read QM9 stats ${file}: ${(err as Error).message}; it ships as data/qm9/qm9_stats.json`);
  }
  const obj = split === "all" ? stats.n_atoms_with_h_hist : stats.n_atoms_with_h_hist_by_midi_split?.[split];
  if (!obj) throw new Error(`${file} has no size histogram for MiDi split "${split}"; use train, val, test or all`);
  return histogramFromJson(obj);
}

/**
 * The size histogram of records read from the QM9 file (any scheme and split; one streaming pass).
 * @example
 * const hist = await computeSizeHistogram({ scheme: "edm", split: "train" });
 */
export async function computeSizeHistogram(options?: Partial<ReadQm9Options>): Promise<SizeHistogram> {
  const sizes: number[] = [];
  for await (const rec of readQm9(options)) sizes.push(rec.z.length);
  return histogramFromSizes(sizes);
}

/** The size histogram of records already in memory. */
export function recordsSizeHistogram(records: Iterable<Qm9Record>): SizeHistogram {
  const sizes: number[] = [];
  for (const rec of records) sizes.push(rec.z.length);
  return histogramFromSizes(sizes);
}

/**
 * Draw `count` molecule sizes with probability proportional to the histogram (inverse CDF, one uniform each).
 * @throws on an empty histogram (no molecules) or a bad count.
 * @example
 * sampleSizes(statsSizeHistogram("train"), 1000, new Rng(0)); // 1000 atom counts, mostly 15–21
 */
export function sampleSizes(hist: SizeHistogram, count: number, rng: Rng): number[] {
  checkInteger("count", count, 0);
  if (!(rng instanceof Rng)) throw new Error("invalid rng: pass an Rng (kernel-lib/util/rng)");
  const draw = sizeDrawer(hist);
  const out = new Array<number>(count);
  for (let k = 0; k < count; k++) out[k] = draw(rng);
  return out;
}

/**
 * One size draw at a time, exactly as {@link sampleSizes} draws them (one uniform each): `count` calls on the same
 * generator give `sampleSizes(hist, count, rng)`, so a streamed run draws the same sizes without holding them all.
 * @throws on an empty histogram (no molecules) or a negative count.
 * @example
 * const draw = sizeDrawer(statsSizeHistogram("train")); const rng = new Rng(0); draw(rng); // an atom count
 */
export function sizeDrawer(hist: SizeHistogram): (rng: Rng) => number {
  const cdf: number[] = [];
  let acc = 0;
  for (const c of hist.counts) {
    if (!(Number.isFinite(c) && c >= 0)) throw new Error(`invalid size histogram count: ${c}; counts must be >= 0`);
    acc += c;
    cdf.push(acc);
  }
  if (!(acc > 0)) {
    throw new Error("cannot sample sizes from an empty histogram (no molecules); build it from a non-empty split");
  }
  return (rng) => {
    const u = rng.uniform() * acc;
    // First size whose cumulative count exceeds u (binary search).
    let lo = 0, hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}
