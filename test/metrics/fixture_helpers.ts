/** Shared loading of the 223 evaluation fixtures and their reference values (test helper). */
import * as fs from "node:fs";
import { sharedPath } from "../helpers/paths";
import { readSdf, SdfRecord } from "../../kernel-lib/chem/sdf";

/** One fixture's reference values (subset of fixtures_reference.json that the tests compare). */
export interface FixtureReference {
  name: string;
  group: string;
  valid: boolean;
  n_fragments: number;
  n_atoms: number;
  n_stable_atoms: number;
  mol_stable: boolean;
  smiles: string;
  mmff94_energy: number | null;
  mmff94_opt_energy: number | null;
  strain: number | null;
  opt_rmsd: number | null;
  "posebusters_mol_v0.4.1": Record<string, unknown>;
}

let cache: { records: SdfRecord[]; reference: FixtureReference[] } | undefined;

/** The fixture records (SDF order) and the reference entries (same order). */
export function loadFixtures(): { records: SdfRecord[]; reference: FixtureReference[] } {
  if (!cache) {
    const records = readSdf(fs.readFileSync(sharedPath("data", "eval_fixtures", "fixtures.sdf"), "utf8"));
    const reference = JSON.parse(
      fs.readFileSync(sharedPath("data", "eval_fixtures", "fixtures_reference.json"), "utf8"),
    ) as FixtureReference[];
    if (records.length !== reference.length) throw new Error("fixtures.sdf and fixtures_reference.json disagree in length");
    cache = { records, reference };
  }
  return cache;
}
