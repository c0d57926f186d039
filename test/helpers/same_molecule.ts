/** Assert that a molecule read back from a file is the one written (coordinates to the files' 4 decimals). */
import assert from "node:assert/strict";
import type { Molecule } from "../../kernel-lib/chem/molecule";

export function assertSameMolecule(b: Molecule, a: Molecule): void {
  assert.equal(b.name, a.name);
  assert.deepEqual(b.elements, a.elements);
  assert.deepEqual(b.charges, a.charges);
  assert.deepEqual(b.bondI, a.bondI);
  assert.deepEqual(b.bondJ, a.bondJ);
  assert.deepEqual(b.bondOrder, a.bondOrder);
  for (let k = 0; k < a.positions.length; k++) assert.ok(Math.abs(a.positions[k] - b.positions[k]) < 1e-4, `coordinate ${k}`);
}
