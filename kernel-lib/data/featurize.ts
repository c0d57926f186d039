/**
 * The model's encoding of a molecule as plain typed arrays (no tfjs): atom-type classes over the 18-token
 * vocabulary, charge classes, dense symmetric bond classes, and coordinates centred on the mean of all atoms and
 * divided by the dataset's coordinate std. {@link decode} is the inverse.
 */
import { BondOrder, Molecule, makeMolecule } from "../chem/molecule";
import { rejectUnknownOptions } from "../util/options";

/** The atom-type vocabulary; the index is the class (`<PAD>` 0, `<MASK>` 1, H 2, C 3, N 4, O 5, …). */
export const ATOM_VOCAB: readonly string[] = [
  "<PAD>", "<MASK>", "H", "C", "N", "O", "F", "P", "S", "Cl", "Br", "B", "Al", "Si", "As", "I", "Hg", "Bi",
];

/** Atomic number of each vocabulary class (0 for `<PAD>` and `<MASK>`). */
export const CLASS_TO_Z: readonly number[] = [0, 0, 1, 6, 7, 8, 9, 15, 16, 17, 35, 5, 13, 14, 33, 53, 80, 83];

/** The padding class of atom types, bonds and charges. */
export const PAD_CLASS = 0;

/** The mask class of atom types. */
export const MASK_CLASS = 1;

/** Formal charge of each charge class: `[0, +1, +2, +3, −1, −2, −3]`. */
export const CHARGE_VALUES: readonly number[] = [0, 1, 2, 3, -1, -2, -3];

/** Bond classes: 0 none, 1 single, 2 double, 3 triple, 4 aromatic (the QM9 file uses 1–3 only). */
export const N_BOND_CLASSES = 5;

/** The QM9 coordinate std in Å (the reference's normalisation constant). */
export const QM9_COORD_STD = 1.7232995;

const Z_TO_CLASS = new Map<number, number>(CLASS_TO_Z.map((z, c) => [z, c] as [number, number]).filter(([z]) => z > 0));

/** A featurised molecule: `n` atoms, coordinates normalised, every array row-major. */
export interface FeaturizedMolecule {
  /** Number of atoms. */
  n: number;
  /** Normalised coordinates (Å / coordStd, centred), n×3. */
  coords: Float32Array;
  /** Atom-type classes (index into {@link ATOM_VOCAB}). */
  atomTypes: Int32Array;
  /** Charge classes (index into {@link CHARGE_VALUES}). */
  charges: Int32Array;
  /** Dense bond classes n×n, symmetric, diagonal 0. */
  bonds: Int32Array;
}

/** Options of {@link featurize} and {@link decode}. */
export interface FeaturizeOptions {
  /** Coordinate std in Å (default {@link QM9_COORD_STD}). */
  coordStd: number;
}

/** Defaults of {@link FeaturizeOptions}. */
export const DEFAULT_FEATURIZE: Readonly<FeaturizeOptions> = { coordStd: QM9_COORD_STD };

/**
 * Fill defaults and validate {@link FeaturizeOptions}.
 * @example
 * resolveFeaturizeOptions().coordStd; // 1.7232995
 */
export function resolveFeaturizeOptions(options?: Partial<FeaturizeOptions>): FeaturizeOptions {
  rejectUnknownOptions(options, DEFAULT_FEATURIZE, "featurize");
  const o = { ...DEFAULT_FEATURIZE, ...options };
  if (!(typeof o.coordStd === "number" && Number.isFinite(o.coordStd) && o.coordStd > 0)) {
    throw new Error(`invalid coordStd: ${o.coordStd}; must be a positive number of Å (QM9: ${QM9_COORD_STD})`);
  }
  return o;
}

function atomLabel(atom: number, z: number, name?: string): string {
  const sym = Z_TO_CLASS.has(z) ? ATOM_VOCAB[Z_TO_CLASS.get(z)!] : `Z=${z}`;
  return `atom ${atom} (${sym})${name ? ` of ${name}` : ""}`;
}

/**
 * The atom-type class of atomic number `z`.
 * @param where names the atom in the error (e.g. `"atom 3 of dsgdb9nsd_000001"`).
 * @throws if the element is not in the vocabulary.
 * @example
 * atomClassOf(6); // 3
 */
export function atomClassOf(z: number, where = "atom"): number {
  const c = Z_TO_CLASS.get(z);
  if (c === undefined) {
    throw new Error(`unsupported element Z=${z} at ${where}; the model's vocabulary has ${ATOM_VOCAB.slice(2).join(" ")}`);
  }
  return c;
}

/**
 * The charge class of formal charge `q`.
 * @throws if the charge is outside −3..+3.
 * @example
 * chargeClassOf(-1); // 4
 */
export function chargeClassOf(q: number, where = "atom"): number {
  const c = CHARGE_VALUES.indexOf(q);
  if (c < 0) throw new Error(`unsupported formal charge ${q} on ${where}; the model's charge classes are -3..+3`);
  return c;
}

/**
 * Centre `positions` (Å, n×3) on the mean of all atoms and divide by `coordStd`, writing into `out`
 * (float64 arithmetic, then float32).
 * @example
 * normalizeCoords(mol.positions, mol.elements.length, QM9_COORD_STD, new Float32Array(3 * n));
 */
export function normalizeCoords(positions: ArrayLike<number>, n: number, coordStd: number, out: Float32Array): Float32Array {
  let mx = 0, my = 0, mz = 0;
  for (let a = 0; a < n; a++) {
    mx += positions[3 * a];
    my += positions[3 * a + 1];
    mz += positions[3 * a + 2];
  }
  if (n > 0) {
    mx /= n;
    my /= n;
    mz /= n;
  }
  for (let a = 0; a < n; a++) {
    out[3 * a] = (positions[3 * a] - mx) / coordStd;
    out[3 * a + 1] = (positions[3 * a + 1] - my) / coordStd;
    out[3 * a + 2] = (positions[3 * a + 2] - mz) / coordStd;
  }
  return out;
}

/**
 * Encode a molecule for the model.
 * @param mol the molecule (Å); bond order 4 (aromatic) maps to class 4, Kekulé orders 1–3 to classes 1–3.
 * @throws naming the atom on an element outside the vocabulary or a charge outside −3..+3; on bad bonds.
 * @example
 * const f = featurize(toMolecule(record)); // f.atomTypes for methane: Int32Array [3, 2, 2, 2, 2]
 */
export function featurize(mol: Molecule, options?: Partial<FeaturizeOptions>): FeaturizedMolecule {
  const { coordStd } = resolveFeaturizeOptions(options);
  const n = mol.elements.length;
  if (mol.positions.length !== 3 * n) throw new Error(`${mol.name ?? "molecule"}: ${n} atoms but ${mol.positions.length} coordinates`);
  const atomTypes = new Int32Array(n);
  const charges = new Int32Array(n);
  for (let a = 0; a < n; a++) {
    const where = atomLabel(a, mol.elements[a], mol.name);
    atomTypes[a] = atomClassOf(mol.elements[a], where);
    charges[a] = chargeClassOf(mol.charges[a], where);
  }
  const bonds = new Int32Array(n * n);
  for (let k = 0; k < mol.bondOrder.length; k++) {
    const i = mol.bondI[k], j = mol.bondJ[k], order = mol.bondOrder[k];
    if (i === j || i >= n || j >= n || !(order >= 1 && order <= 4)) {
      throw new Error(`${mol.name ?? "molecule"}: bond ${k} (${i}-${j}, order ${order}) is invalid; need distinct atoms < ${n}, order 1-4`);
    }
    if (bonds[i * n + j] !== 0 && bonds[i * n + j] !== order) {
      throw new Error(`${mol.name ?? "molecule"}: atoms ${i} and ${j} are bonded twice with different orders`);
    }
    bonds[i * n + j] = order;
    bonds[j * n + i] = order;
  }
  const coords = normalizeCoords(mol.positions, n, coordStd, new Float32Array(3 * n));
  return { n, coords, atomTypes, charges, bonds };
}

/**
 * Decode features back to a {@link Molecule}: coordinates times `coordStd` (Å, still centred), elements from the
 * type classes, charges from the charge classes, bonds from the upper triangle of the bond classes.
 * @throws naming the atom if a type is `<PAD>`/`<MASK>` or a class is out of range, or if `bonds` is not symmetric.
 * @example
 * const mol = decode(featurize(record)); // same elements, charges, bonds; centred coordinates
 */
export function decode(features: FeaturizedMolecule, options?: Partial<FeaturizeOptions>): Molecule {
  const { coordStd } = resolveFeaturizeOptions(options);
  const { n, coords, atomTypes, charges, bonds } = features;
  if (coords.length < 3 * n || atomTypes.length < n || charges.length < n || bonds.length < n * n) {
    throw new Error(`features of ${n} atoms need coords ${3 * n}, atomTypes/charges ${n}, bonds ${n * n} values`);
  }
  const elements = new Uint8Array(n);
  const q = new Int8Array(n);
  for (let a = 0; a < n; a++) {
    const t = atomTypes[a];
    if (!(t >= 2 && t < CLASS_TO_Z.length)) {
      const label = t === PAD_CLASS ? "<PAD>" : t === MASK_CLASS ? "<MASK>" : `out-of-range class ${t}`;
      throw new Error(`cannot decode atom ${a}: its type is ${label}; an atom needs a class 2..${CLASS_TO_Z.length - 1}`);
    }
    elements[a] = CLASS_TO_Z[t];
    const c = charges[a];
    if (!(c >= 0 && c < CHARGE_VALUES.length)) {
      throw new Error(`cannot decode atom ${a}: charge class ${c} is outside 0..${CHARGE_VALUES.length - 1}`);
    }
    q[a] = CHARGE_VALUES[c];
  }
  const bondList: [number, number, BondOrder][] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const b = bonds[i * n + j];
      if (b !== bonds[j * n + i]) throw new Error(`bond classes are not symmetric at atoms ${i}, ${j}: ${b} vs ${bonds[j * n + i]}; symmetrise them first`);
      if (b === 0) continue;
      if (!(b >= 1 && b < N_BOND_CLASSES)) throw new Error(`bond class ${b} between atoms ${i} and ${j} is outside 0..4`);
      bondList.push([i, j, b as BondOrder]);
    }
  }
  const positions = new Float32Array(3 * n);
  for (let k = 0; k < 3 * n; k++) positions[k] = coords[k] * coordStd;
  return makeMolecule({ elements, positions, charges: q, bonds: bondList });
}
