/**
 * The molecule type shared by the sampler, the data reader and the metrics: columns of typed arrays, not atom
 * objects (the molstar style). Coordinates are in Ångström.
 */

/** Bond orders as stored: 1 single, 2 double, 3 triple, 4 aromatic (the model's bond classes). */
export type BondOrder = 1 | 2 | 3 | 4;

/** A molecule as columns. Atom `a` has element `elements[a]` at `positions[3a..3a+2]`. */
export interface Molecule {
  /** Atomic numbers (1 H, 6 C, 7 N, 8 O, …). */
  readonly elements: Uint8Array;
  /** Cartesian coordinates in Å, N×3 row-major. */
  readonly positions: Float32Array;
  /** Formal charges, one per atom. */
  readonly charges: Int8Array;
  /** Bond list: atom indices (0-based, `bondI[k] < bondJ[k]`) and order. */
  readonly bondI: Uint16Array;
  readonly bondJ: Uint16Array;
  readonly bondOrder: Uint8Array;
  /** Optional title (SDF first line). */
  readonly name?: string;
}

/** Plain-array input for {@link makeMolecule}. */
export interface MoleculeInit {
  elements: ArrayLike<number>;
  positions: ArrayLike<number>;
  charges?: ArrayLike<number>;
  /** `[i, j, order]` triples; i and j in any order. */
  bonds?: ReadonlyArray<readonly [number, number, number]>;
  name?: string;
}

/**
 * Build a {@link Molecule} from plain arrays (bonds are stored with i < j). Does not validate chemistry:
 * the metrics do that, and record why a molecule fails.
 * @example
 * const water = makeMolecule({ elements: [8, 1, 1], positions: [0,0,0, 0.96,0,0, -0.24,0.93,0],
 *   bonds: [[0, 1, 1], [0, 2, 1]] });
 */
export function makeMolecule(init: MoleculeInit): Molecule {
  const n = init.elements.length;
  if (init.positions.length !== 3 * n) {
    throw new Error(`expected ${3 * n} coordinates for ${n} atoms, got ${init.positions.length}`);
  }
  const bonds = init.bonds ?? [];
  const bondI = new Uint16Array(bonds.length);
  const bondJ = new Uint16Array(bonds.length);
  const bondOrder = new Uint8Array(bonds.length);
  bonds.forEach(([i, j, order], k) => {
    bondI[k] = Math.min(i, j);
    bondJ[k] = Math.max(i, j);
    bondOrder[k] = order;
  });
  return {
    elements: Uint8Array.from(init.elements),
    positions: Float32Array.from(init.positions),
    charges: init.charges ? Int8Array.from(init.charges) : new Int8Array(n),
    bondI,
    bondJ,
    bondOrder,
    name: init.name,
  };
}

/** Number of atoms. */
export function atomCount(mol: Molecule): number {
  return mol.elements.length;
}
