/** Featurisation: the vocabulary and class tables, a featurise → decode round trip on real QM9 molecules, errors. */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeMolecule, Molecule } from "../../kernel-lib/chem/molecule";
import {
  ATOM_VOCAB, CHARGE_VALUES, QM9_COORD_STD, atomClassOf, chargeClassOf, decode, featurize,
} from "../../kernel-lib/data/featurize";
import { Qm9Record, readQm9Records, toMolecule } from "../../kernel-lib/data/qm9_reader";

function centred(mol: Molecule): Float64Array {
  const n = mol.elements.length;
  const out = new Float64Array(3 * n);
  for (let d = 0; d < 3; d++) {
    let m = 0;
    for (let a = 0; a < n; a++) m += mol.positions[3 * a + d];
    m /= n;
    for (let a = 0; a < n; a++) out[3 * a + d] = mol.positions[3 * a + d] - m;
  }
  return out;
}

function bondKey(mol: Molecule): string[] {
  return [...mol.bondOrder].map((o, k) => `${mol.bondI[k]}-${mol.bondJ[k]}:${o}`).sort();
}

describe("featurize", () => {
  let records: Qm9Record[];
  before(async () => {
    records = await readQm9Records({ limit: 3000 });
  });

  it("uses the reference vocabulary and charge classes", () => {
    assert.equal(ATOM_VOCAB.length, 18);
    assert.deepEqual([atomClassOf(1), atomClassOf(6), atomClassOf(7), atomClassOf(8), atomClassOf(9)], [2, 3, 4, 5, 6]);
    assert.deepEqual([atomClassOf(17), atomClassOf(35), atomClassOf(83)], [9, 10, 17]);
    assert.deepEqual(CHARGE_VALUES, [0, 1, 2, 3, -1, -2, -3]);
    assert.deepEqual([chargeClassOf(0), chargeClassOf(1), chargeClassOf(-1), chargeClassOf(-3)], [0, 1, 4, 6]);
  });

  it("encodes methane: classes, dense symmetric bonds, centred coordinates / std", () => {
    const f = featurize(toMolecule(records[0]));
    assert.equal(f.n, 5);
    assert.deepEqual([...f.atomTypes], [3, 2, 2, 2, 2]);
    assert.deepEqual([...f.charges], [0, 0, 0, 0, 0]);
    const expectBonds = new Int32Array(25);
    for (const j of [1, 2, 3, 4]) expectBonds[j] = expectBonds[5 * j] = 1;
    assert.deepEqual(f.bonds, expectBonds);
    for (let d = 0; d < 3; d++) {
      let s = 0;
      for (let a = 0; a < 5; a++) s += f.coords[3 * a + d];
      assert.ok(Math.abs(s) < 1e-5, "centred");
    }
    // First atom: (x - mean) / 1.7232995.
    const mx = records[0].pos.reduce((acc, p) => acc + p[0], 0) / 5;
    assert.ok(Math.abs(f.coords[0] - (records[0].pos[0][0] - mx) / QM9_COORD_STD) < 1e-6);
  });

  it("decode(featurize(m)) is the same molecule for 3,000 QM9 molecules (coordinates within 1e-4 Å after re-centring)", () => {
    let charged = 0, withTriple = 0, worst = 0;
    for (const rec of records) {
      const mol = toMolecule(rec);
      const back = decode(featurize(mol));
      assert.deepEqual(back.elements, mol.elements, `elements of id ${rec.id}`);
      assert.deepEqual(back.charges, mol.charges, `charges of id ${rec.id}`);
      assert.deepEqual(bondKey(back), bondKey(mol), `bonds of id ${rec.id}`);
      const a = centred(mol), b = centred(back);
      for (let k = 0; k < a.length; k++) worst = Math.max(worst, Math.abs(a[k] - b[k]));
      if (rec.charges.some((q) => q !== 0)) charged++;
      if (rec.bonds.some((bd) => bd[2] === 3)) withTriple++;
    }
    assert.ok(worst < 1e-4, `largest coordinate error ${worst} Å`);
    assert.ok(charged >= 2 && withTriple >= 10, `covers charged (${charged}) and triple-bonded (${withTriple}) molecules`);
  });

  it("honours a custom coordStd and keeps aromatic order 4 as class 4", () => {
    const benzeneLike = makeMolecule({
      elements: [6, 6], positions: [0, 0, 0, 1.4, 0, 0], bonds: [[0, 1, 4]],
    });
    const f = featurize(benzeneLike, { coordStd: 2 });
    const close = (xs: ArrayLike<number>, ys: number[]) => ys.forEach((y, k) => assert.ok(Math.abs(xs[k] - y) < 1e-6, `${xs[k]} vs ${y}`));
    close(f.coords, [-0.35, 0, 0, 0.35, 0, 0]);
    assert.equal(f.bonds[1], 4);
    close(decode(f, { coordStd: 2 }).positions, [-0.7, 0, 0, 0.7, 0, 0]);
  });

  it("names the atom on an unsupported element or charge", () => {
    const uranium = makeMolecule({ elements: [6, 92], positions: [0, 0, 0, 1, 0, 0], name: "odd" });
    assert.throws(() => featurize(uranium), /unsupported element Z=92 at atom 1 \(Z=92\) of odd/);
    const c4 = makeMolecule({ elements: [6, 1], positions: [0, 0, 0, 1, 0, 0], charges: [4, 0] });
    assert.throws(() => featurize(c4), /unsupported formal charge 4 on atom 0 \(C\)/);
    const selfBond = makeMolecule({ elements: [6], positions: [0, 0, 0], bonds: [[0, 0, 1]] });
    assert.throws(() => featurize(selfBond), /bond 0 \(0-0, order 1\) is invalid/);
    assert.throws(() => featurize(uranium, { coordStd: 0 }), /invalid coordStd: 0/);
    assert.throws(() => featurize(uranium, { std: 1 } as never), /unknown featurize option: std/);
  });

  it("decode rejects padding, masks and asymmetric bonds", () => {
    const f = featurize(toMolecule(records[0]));
    assert.throws(() => decode({ ...f, atomTypes: Int32Array.from([3, 2, 0, 2, 2]) }), /atom 2: its type is <PAD>/);
    assert.throws(() => decode({ ...f, atomTypes: Int32Array.from([1, 2, 2, 2, 2]) }), /atom 0: its type is <MASK>/);
    const asym = f.bonds.slice();
    asym[5 * 1 + 0] = 2;
    assert.throws(() => decode({ ...f, bonds: asym }), /not symmetric at atoms 0, 1/);
    assert.throws(() => decode({ ...f, charges: Int32Array.from([9, 0, 0, 0, 0]) }), /charge class 9/);
  });
});
