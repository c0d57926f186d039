/**
 * The GEOM-Drugs stand-in shipped in `data/geom_drugs/`: the 999 GEOM-Drugs test molecules of GeoMol with one
 * RDKit ETKDGv3 + MMFF94 conformer each (no GEOM/CREST geometries were reachable), and the size histogram derived
 * from them. Small enough (0.6 MB) to read whole.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { makeMolecule, Molecule } from "../chem/molecule";
import { histogramFromSizes, histogramToJson } from "./size_histogram";

/** The folder of the shipped GEOM-Drugs files. */
export const GEOM_DRUGS_DATA_DIR = path.resolve(__dirname, "..", "..", "data", "geom_drugs");

/** The 999 test molecules with force-field conformers (gzip JSON lines, the QM9 record format plus `row`). */
export const GEOM_DRUGS_FALLBACK_FILE = path.join(GEOM_DRUGS_DATA_DIR, "geomol_drugs_test_etkdg_mmff.jsonl.gz");

/** The size histogram derived from {@link GEOM_DRUGS_FALLBACK_FILE} (see data/README.md: an approximation). */
export const GEOM_DRUGS_HISTOGRAM_FILE = path.join(GEOM_DRUGS_DATA_DIR, "size_histogram.json");

/** One record of the fallback file. */
interface GeomRecord {
  row: number;
  smiles: string;
  z: number[];
  pos: number[][];
  charges: number[];
  bonds: [number, number, number, number][];
}

/**
 * The shipped GEOM-Drugs test molecules as {@link Molecule}s (Å, all hydrogens, formal charges, Kekulé bonds),
 * named `geom-drugs-test <row>`.
 * @example
 * readGeomDrugsFallback().length; // 999
 */
export function readGeomDrugsFallback(file: string = GEOM_DRUGS_FALLBACK_FILE): Molecule[] {
  let text: string;
  try {
    text = zlib.gunzipSync(fs.readFileSync(file)).toString("utf8");
  } catch (err) {
    throw new Error(`cannot read GEOM-Drugs molecules ${file}: ${(err as Error).message}; it ships as data/geom_drugs/${path.basename(GEOM_DRUGS_FALLBACK_FILE)}`);
  }
  return text.split("\n").filter((l) => l.length > 0).map((line, k) => {
    const r = JSON.parse(line) as GeomRecord;
    if (!Array.isArray(r.z) || !Array.isArray(r.pos) || r.pos.length !== r.z.length) {
      throw new Error(`${path.basename(file)} line ${k + 1}: not a molecule record (needs z, pos, charges, bonds)`);
    }
    return makeMolecule({
      elements: r.z, positions: r.pos.flat(), charges: r.charges,
      bonds: r.bonds.map(([i, j, order]) => [i, j, order] as const), name: `geom-drugs-test ${r.row}`,
    });
  });
}

/**
 * The content of `size_histogram.json` computed from the fallback molecules (what `scripts/geom_drugs_histogram.ts`
 * writes), with its provenance.
 */
export function geomDrugsHistogramFile(molecules: readonly Molecule[]): Record<string, unknown> {
  const hist = histogramFromSizes(molecules.map((m) => m.elements.length));
  const mean = molecules.reduce((s, m) => s + m.elements.length, 0) / molecules.length;
  return {
    what: "atom counts with hydrogens of the GEOM-Drugs test molecules of GeoMol (an approximation of the GEOM-Drugs training histogram)",
    source: `data/geom_drugs/${path.basename(GEOM_DRUGS_FALLBACK_FILE)} (${molecules.length} molecules)`,
    derivedBy: "node --import tsx scripts/geom_drugs_histogram.ts",
    molecules: hist.total,
    meanAtoms: Number(mean.toFixed(2)),
    histogram: histogramToJson(hist),
  };
}
