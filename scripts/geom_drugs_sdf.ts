/**
 * Write the shipped GEOM-Drugs test molecules (data/geom_drugs/) as an SDF, e.g. to score them with
 * `molcache evaluate`: `node --import tsx scripts/geom_drugs_sdf.ts geom_drugs_test.sdf`.
 */
import { readGeomDrugsFallback } from "../kernel-lib/data/geom_drugs";
import { writeSdf } from "../kernel-lib/chem/sdf";
import { writeFileAtomic } from "../kernel-lib/util/atomic_write";

const out = process.argv[2];
if (!out) {
  console.error("usage: node --import tsx scripts/geom_drugs_sdf.ts <out.sdf>");
  process.exit(2);
}
const molecules = readGeomDrugsFallback();
writeFileAtomic(out, writeSdf(molecules));
console.log(`wrote ${molecules.length} GEOM-Drugs test molecules to ${out}`);
