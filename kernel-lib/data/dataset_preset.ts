/**
 * Dataset presets: what sampling and import need to know about the data a model was trained on, by the reference's
 * dataset names (`qm9`, `geom-drugs`): the size histogram to draw molecule sizes from, the size buckets of batch
 * planning, the coordinate std, the elements and the formal charges it contains.
 */
import * as fs from "node:fs";
import { QM9_BUCKETS } from "./batching";
import { GEOM_DRUGS_HISTOGRAM_FILE } from "./geom_drugs";
import { histogramFromJson, histogramToJson, SizeHistogram, statsSizeHistogram } from "./size_histogram";

/** The reference's GEOM-Drugs size buckets (atoms with H; `GEOM_DRUGS_BUCKET_LIMITS` in SemlaFlow's util). */
export const GEOM_DRUGS_BUCKETS: readonly number[] = [24, 28, 32, 36, 40, 44, 48, 52, 56, 60, 64, 72, 96, 192];

/** A dataset preset. */
export interface DatasetPreset {
  /** The reference's name (`qm9`, `geom-drugs`), as in checkpoint hyperparameters. */
  readonly name: string;
  /** Coordinate std in Å (model coordinates are Å divided by it). */
  readonly coordStd: number;
  /** Size buckets of batch planning (ascending atom counts). */
  readonly buckets: readonly number[];
  /** Atomic numbers of the elements of the dataset. */
  readonly elements: readonly number[];
  /** Formal charges that occur in the dataset. */
  readonly charges: readonly number[];
  /** One line on where the size histogram comes from. */
  readonly histogramSource: string;
  /** The size histogram (atoms with H) to draw molecule sizes from (read when asked). */
  sizeHistogram(): SizeHistogram;
}

/** The presets by name. */
export const DATASET_PRESETS: Readonly<Record<string, DatasetPreset>> = {
  qm9: {
    name: "qm9",
    coordStd: 1.723299503326416,
    buckets: QM9_BUCKETS,
    // H C N O F: the reference QM9 vocabulary (the shipped data lack F, see data/README.md).
    elements: [1, 6, 7, 8, 9],
    charges: [-1, 0, 1],
    histogramSource: "QM9 MiDi train split (data/qm9/qm9_stats.json)",
    sizeHistogram: () => statsSizeHistogram("train"),
  },
  "geom-drugs": {
    name: "geom-drugs",
    coordStd: 2.407038688659668,
    buckets: GEOM_DRUGS_BUCKETS,
    // H B C N O F Al Si P S Cl As Br I Hg Bi: the 16 elements of the reference GEOM-Drugs vocabulary.
    elements: [1, 5, 6, 7, 8, 9, 13, 14, 15, 16, 17, 33, 35, 53, 80, 83],
    charges: [-1, 0, 1, 2, 3],
    histogramSource: "999 GEOM-Drugs test molecules (data/geom_drugs/size_histogram.json; approximates the training histogram)",
    sizeHistogram: () => readHistogramFile(GEOM_DRUGS_HISTOGRAM_FILE),
  },
};

function readHistogramFile(file: string): SizeHistogram {
  let parsed: { histogram?: Record<string, number> };
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`cannot read size histogram ${file}: ${(err as Error).message}; rebuild it with scripts/geom_drugs_histogram.ts`);
  }
  if (!parsed.histogram) throw new Error(`${file} has no "histogram"; rebuild it with scripts/geom_drugs_histogram.ts`);
  return histogramFromJson(parsed.histogram);
}

/**
 * The preset called `name`.
 * @throws `unknown dataset: <name>; use qm9 or geom-drugs`.
 * @example
 * datasetPreset("geom-drugs").coordStd; // 2.407038688659668
 */
export function datasetPreset(name: string): DatasetPreset {
  const preset = Object.prototype.hasOwnProperty.call(DATASET_PRESETS, name) ? DATASET_PRESETS[name] : undefined;
  if (!preset) throw new Error(`unknown dataset: ${name}; use ${Object.keys(DATASET_PRESETS).join(" or ")}`);
  return preset;
}

/** The preset's size histogram in the `{atoms: count}` form of model files and sample options. */
export function presetHistogramJson(preset: DatasetPreset): Record<string, number> {
  return histogramToJson(preset.sizeHistogram());
}

/**
 * Check that every size a histogram can draw fits the model (`< maxAtoms`) and the buckets (`≤` the largest).
 * @throws one line naming the largest size, the limit and the fix.
 * @example
 * checkHistogramFits(datasetPreset("geom-drugs").sizeHistogram(), 256, GEOM_DRUGS_BUCKETS, "geom-drugs");
 */
export function checkHistogramFits(hist: SizeHistogram, maxAtoms: number, buckets: readonly number[], label: string): void {
  const largest = hist.counts.length - 1;
  if (largest >= maxAtoms) {
    throw new Error(
      `a molecule of ${largest} atoms is too large for this model (maxAtoms ${maxAtoms}): the ${label} size histogram ` +
        "reaches it; sample with the dataset the model was trained on, or use a model with a larger maxAtoms",
    );
  }
  const top = buckets[buckets.length - 1];
  if (largest > top) throw new Error(`the ${label} size histogram reaches ${largest} atoms but the largest size bucket is ${top}; add a bucket >= ${largest}`);
}
