/**
 * Graph helpers over a {@link Molecule}'s bond list: neighbours, connected components, topological distances and
 * bond-order valences, plus the input check every metric runs first.
 */
import { Molecule } from "./molecule";
import { isKnownElement } from "./elements";

/** Neighbour lists in bond order: `nbrs[a]` atoms bonded to `a`, `bondIdx[a]` the matching bond indices. */
export interface Adjacency {
  nbrs: number[][];
  bondIdx: number[][];
}

/**
 * Neighbour lists of a molecule (bonds listed in the molecule's bond order, as RDKit iterates them).
 * @example
 * adjacency(water).nbrs[0]; // [1, 2]
 */
export function adjacency(mol: Molecule): Adjacency {
  const n = mol.elements.length;
  const nbrs: number[][] = Array.from({ length: n }, () => []);
  const bondIdx: number[][] = Array.from({ length: n }, () => []);
  for (let k = 0; k < mol.bondI.length; k++) {
    const i = mol.bondI[k];
    const j = mol.bondJ[k];
    if (i >= n || j >= n) continue;
    nbrs[i].push(j);
    bondIdx[i].push(k);
    nbrs[j].push(i);
    bondIdx[j].push(k);
  }
  return { nbrs, bondIdx };
}

/**
 * Connected components as a label per atom (0, 1, …, in order of first atom) and the number of components.
 * @example
 * connectedComponents(mol).count; // 1 for a connected molecule
 */
export function connectedComponents(mol: Molecule): { labels: Int32Array; count: number; sizes: number[] } {
  const n = mol.elements.length;
  const { nbrs } = adjacency(mol);
  const labels = new Int32Array(n).fill(-1);
  const sizes: number[] = [];
  let count = 0;
  for (let s = 0; s < n; s++) {
    if (labels[s] >= 0) continue;
    const stack = [s];
    labels[s] = count;
    let size = 0;
    while (stack.length) {
      const a = stack.pop()!;
      size++;
      for (const b of nbrs[a]) {
        if (labels[b] < 0) {
          labels[b] = count;
          stack.push(b);
        }
      }
    }
    sizes.push(size);
    count++;
  }
  return { labels, count, sizes };
}

/**
 * Topological (bond-count) distance matrix, n×n row-major; unreachable pairs are `Infinity`.
 * @example
 * topologicalDistances(mol)[i * n + j]; // 3 for a 1-4 pair
 */
export function topologicalDistances(mol: Molecule, adj: Adjacency = adjacency(mol)): Float64Array {
  const n = mol.elements.length;
  const d = new Float64Array(n * n).fill(Infinity);
  const queue = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    d[s * n + s] = 0;
    let head = 0;
    let tail = 0;
    queue[tail++] = s;
    while (head < tail) {
      const a = queue[head++];
      const da = d[s * n + a];
      for (const b of adj.nbrs[a]) {
        if (d[s * n + b] === Infinity) {
          d[s * n + b] = da + 1;
          queue[tail++] = b;
        }
      }
    }
  }
  return d;
}

/**
 * Valence per atom as the metrics count it: the sum of bond orders with single 1, double 2, triple 3 and
 * aromatic 1 (MiDi and SemlaFlow truncate 1.5 to 1 on integer tensors; see docs/metrics.md §3.1).
 * @example
 * integerValences(water); // Int32Array [2, 1, 1]
 */
export function integerValences(mol: Molecule): Int32Array {
  const n = mol.elements.length;
  const v = new Int32Array(n);
  for (let k = 0; k < mol.bondI.length; k++) {
    const o = mol.bondOrder[k] === 4 ? 1 : mol.bondOrder[k];
    if (mol.bondI[k] < n) v[mol.bondI[k]] += o;
    if (mol.bondJ[k] < n) v[mol.bondJ[k]] += o;
  }
  return v;
}

/**
 * Why a molecule cannot be scored at all, or `undefined` when it is well-formed: no atoms, an unknown element,
 * non-finite coordinates, a bond to a missing atom, a bond of an atom to itself, a repeated bond or an
 * unsupported bond order. The metrics score such a molecule invalid and record this reason.
 * @example
 * moleculeProblem(makeMolecule({ elements: [], positions: [] })); // "empty molecule (no atoms)"
 */
export function moleculeProblem(mol: Molecule): string | undefined {
  const n = mol.elements.length;
  if (n === 0) return "empty molecule (no atoms)";
  if (mol.positions.length !== 3 * n) return `expected ${3 * n} coordinates for ${n} atoms, got ${mol.positions.length}`;
  if (mol.charges.length !== n) return `expected ${n} formal charges, got ${mol.charges.length}`;
  for (let a = 0; a < n; a++) {
    if (!isKnownElement(mol.elements[a])) return `unknown element at atom ${a + 1} (atomic number ${mol.elements[a]})`;
  }
  for (let i = 0; i < 3 * n; i++) {
    if (!Number.isFinite(mol.positions[i])) return `non-finite coordinate at atom ${Math.floor(i / 3) + 1}`;
  }
  const seen = new Set<number>();
  for (let k = 0; k < mol.bondI.length; k++) {
    const i = mol.bondI[k];
    const j = mol.bondJ[k];
    if (i >= n || j >= n) return `bond ${k + 1} refers to a missing atom (${Math.max(i, j) + 1} > ${n} atoms)`;
    if (i === j) return `bond ${k + 1} joins atom ${i + 1} to itself`;
    const o = mol.bondOrder[k];
    if (!(o >= 1 && o <= 4)) return `bond ${k + 1} has unsupported order ${o} (expected 1, 2, 3 or 4)`;
    const key = Math.min(i, j) * 65536 + Math.max(i, j);
    if (seen.has(key)) return `atoms ${i + 1} and ${j + 1} are bonded twice`;
    seen.add(key);
  }
  return undefined;
}
