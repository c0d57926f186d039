/**
 * RDKit.js (MinimalLib) access: one lazily loaded module per thread, molecule conversion, sanitisation with the
 * error RDKit gives, canonical SMILES, ring and aromaticity perception and SMARTS matching.
 *
 * Every molecule is handed to RDKit as a molblock with its valences locked (see `lockValence` in sdf.ts): RDKit
 * adds no implicit hydrogens, so the molecule judged is exactly the generated graph (an under-bonded atom is a
 * radical, as in the reference fixtures).
 */
import { Molecule } from "./molecule";
import { writeMolblock } from "./sdf";
import { impossibleValence } from "./valence_bound";

/** The subset of the RDKit.js molecule API molcache uses. */
export interface RDKitMol {
  get_smiles(details?: string): string;
  get_json(): string;
  get_substruct_matches(q: RDKitMol): string;
  get_num_atoms(): number;
  delete(): void;
}

/** The subset of the RDKit.js module API molcache uses. */
export interface RDKitModule {
  version(): string;
  get_mol(input: string, details?: string): RDKitMol | null;
  get_qmol(smarts: string): RDKitMol | null;
  set_log_capture(name: string): { get_buffer(): string; clear_buffer(): void } | null;
  disable_logging(name: string): boolean;
}

let loading: Promise<RDKitModule> | undefined;
let loaded: RDKitModule | undefined;
let errorLog: { get_buffer(): string; clear_buffer(): void } | null = null;
const queryCache = new Map<string, RDKitMol>();

/**
 * Load RDKit.js once (about 0.1–0.2 s); later calls return the same module. Error messages RDKit would print
 * are captured instead, and {@link sanitizeMolecule} reports them.
 * @example
 * const RDKit = await loadRDKit(); RDKit.version(); // "2026.09.1"
 */
export function loadRDKit(): Promise<RDKitModule> {
  if (!loading) {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const init = require("@rdkit/rdkit") as () => Promise<RDKitModule>;
    loading = init().then((m) => {
      loaded = m;
      errorLog = m.set_log_capture("rdApp.error");
      // Warnings (e.g. "atom 6 has specified valence … smaller than the drawn valence") would flood stderr for every
      // invalid generated molecule; the sanitisation error that matters is captured above.
      m.disable_logging("rdApp.warning");
      return m;
    });
  }
  return loading;
}

/** The loaded module; throws if {@link loadRDKit} has not finished (await it once at start-up). */
export function rdkit(): RDKitModule {
  if (!loaded) throw new Error("RDKit.js is not loaded yet; call `await loadRDKit()` first");
  return loaded;
}

function takeErrors(): string {
  if (!errorLog) return "";
  const text = errorLog.get_buffer();
  errorLog.clear_buffer();
  return text
    .split("\n")
    .map((l) => l.replace(/^\[[0-9:]+\]\s*/, "").trim())
    .filter((l) => l !== "")
    .filter((l, i, all) => all.indexOf(l) === i)
    .join("; ");
}

/** Result of {@link sanitizeMolecule}: the sanitised RDKit molecule (caller deletes it) or RDKit's error. */
export type SanitizeResult = { ok: true; mol: RDKitMol } | { ok: false; error: string };

/**
 * Build the RDKit molecule of `mol` (hydrogens kept, valences locked) and sanitise it. On success the caller owns
 * `result.mol` and must `delete()` it; on failure `error` is RDKit's message (e.g. "Explicit valence for atom # 3
 * C, 5, is greater than permitted"). A graph with an atom beyond every valence RDKit could allow is rejected before
 * RDKit sees it (see valence_bound.ts), with a message in RDKit's words.
 * @example
 * const r = sanitizeMolecule(mol); if (r.ok) { console.log(r.mol.get_smiles()); r.mol.delete(); }
 */
export function sanitizeMolecule(mol: Molecule): SanitizeResult {
  const impossible = impossibleValence(mol);
  if (impossible) return { ok: false, error: impossible };
  const RDKit = rdkit();
  takeErrors();
  const block = writeMolblock(mol, { lockValence: true });
  const m = RDKit.get_mol(block, JSON.stringify({ removeHs: false }));
  if (!m) return { ok: false, error: takeErrors() || "RDKit could not sanitise the molecule" };
  return { ok: true, mol: m };
}

/**
 * Canonical SMILES of a sanitised RDKit molecule, hydrogens as in the graph, without stereochemistry
 * (molcache builds molecules from atoms and bonds, as SemlaFlow does, so no stereo is assigned).
 * @example
 * canonicalSmiles(r.mol); // "[H]OC([H])([H])[H]"
 */
export function canonicalSmiles(m: RDKitMol): string {
  return m.get_smiles(JSON.stringify({ doIsomericSmiles: false }));
}

/**
 * Canonical SMILES of a SMILES string (hydrogens kept, no stereo), or `undefined` when RDKit cannot parse it.
 * Used to canonicalise training SMILES the same way as generated ones.
 * @example
 * canonicalizeSmiles("OCC"); // "CCO"
 */
export function canonicalizeSmiles(smiles: string): string | undefined {
  const m = rdkit().get_mol(smiles, JSON.stringify({ removeHs: false }));
  takeErrors();
  if (!m) return undefined;
  try {
    return canonicalSmiles(m);
  } finally {
    m.delete();
  }
}

/**
 * Heavy-atom canonical SMILES (hydrogens folded into their atoms, no stereo): the key under which generated and
 * training molecules are compared for novelty, whatever form the training SMILES come in. `undefined` when RDKit
 * cannot parse the input.
 * @example
 * heavyAtomKey("[H]OC([H])([H])C([H])([H])[H]"); // "CCO"
 */
export function heavyAtomKey(smiles: string): string | undefined {
  const m = rdkit().get_mol(smiles);
  takeErrors();
  if (!m) return undefined;
  try {
    return canonicalSmiles(m);
  } finally {
    m.delete();
  }
}

/** Ring and aromaticity perception of a sanitised molecule, as RDKit stores them. */
export interface RDKitPerception {
  /** Rings as atom lists in RDKit's order (symmetrised SSSR). */
  atomRings: number[][];
  aromaticAtoms: Set<number>;
  /** Aromatic bonds as indices into the molecule's bond list. */
  aromaticBonds: Set<number>;
}

/**
 * Rings and aromaticity of a sanitised RDKit molecule (from RDKit's JSON).
 * @example
 * perceive(r.mol).atomRings; // [[1, 2, 3, 4, 5, 6]]
 */
export function perceive(m: RDKitMol): RDKitPerception {
  const json = JSON.parse(m.get_json()) as {
    molecules: { extensions?: { name: string; atomRings?: number[][]; aromaticAtoms?: number[]; aromaticBonds?: number[] }[] }[];
  };
  const ext = json.molecules[0]?.extensions?.find((e) => e.name === "rdkitRepresentation");
  return {
    atomRings: ext?.atomRings ?? [],
    aromaticAtoms: new Set(ext?.aromaticAtoms ?? []),
    aromaticBonds: new Set(ext?.aromaticBonds ?? []),
  };
}

/**
 * All matches of a SMARTS pattern (uniquified, as RDKit's GetSubstructMatches): arrays of atom indices in
 * pattern order. Query molecules are cached per pattern.
 * @example
 * matchSmarts(r.mol, "[#6]=[#8]"); // [[1, 2]]
 */
export function matchSmarts(m: RDKitMol, smarts: string): number[][] {
  let q = queryCache.get(smarts);
  if (!q) {
    const made = rdkit().get_qmol(smarts);
    if (!made) throw new Error(`invalid SMARTS pattern: ${smarts}`);
    q = made;
    queryCache.set(smarts, q);
  }
  const text = m.get_substruct_matches(q);
  const parsed = JSON.parse(text) as { atoms: number[] }[] | Record<string, never>;
  return Array.isArray(parsed) ? parsed.map((x) => x.atoms) : [];
}
