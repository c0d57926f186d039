/**
 * Rebuild data/geom_drugs/size_histogram.json from the shipped GEOM-Drugs test molecules:
 * `node --import tsx scripts/geom_drugs_histogram.ts`.
 */
import { GEOM_DRUGS_HISTOGRAM_FILE, geomDrugsHistogramFile, readGeomDrugsFallback } from "../kernel-lib/data/geom_drugs";
import { writeFileAtomic } from "../kernel-lib/util/atomic_write";

const file = geomDrugsHistogramFile(readGeomDrugsFallback());
writeFileAtomic(GEOM_DRUGS_HISTOGRAM_FILE, JSON.stringify(file, null, 1) + "\n");
console.log(`wrote ${GEOM_DRUGS_HISTOGRAM_FILE}: ${file.molecules} molecules, mean ${file.meanAtoms} atoms`);
