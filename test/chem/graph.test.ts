import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeMolecule } from "../../kernel-lib/chem/molecule";
import { connectedComponents, integerValences, moleculeProblem, topologicalDistances } from "../../kernel-lib/chem/graph";
import { kabschRmsd } from "../../kernel-lib/chem/kabsch";
import { Rng } from "../../kernel-lib/util/rng";

const ethanol = makeMolecule({
  elements: [6, 6, 8],
  positions: [0, 0, 0, 1.5, 0, 0, 2, 1.3, 0],
  bonds: [[0, 1, 1], [1, 2, 1]],
});

describe("graph helpers", () => {
  it("finds components, distances and valences", () => {
    const two = makeMolecule({ elements: [6, 6, 8], positions: new Array(9).fill(0), bonds: [[0, 1, 2]] });
    assert.equal(connectedComponents(two).count, 2);
    assert.deepEqual(connectedComponents(two).sizes, [2, 1]);
    assert.equal(topologicalDistances(ethanol)[0 * 3 + 2], 2);
    assert.equal(topologicalDistances(two)[0 * 3 + 2], Infinity);
    assert.deepEqual(Array.from(integerValences(two)), [2, 2, 0]);
  });

  it("names the problem of malformed molecules", () => {
    assert.equal(moleculeProblem(ethanol), undefined);
    assert.match(moleculeProblem(makeMolecule({ elements: [], positions: [] }))!, /empty molecule/);
    assert.match(moleculeProblem(makeMolecule({ elements: [6, 0], positions: new Array(6).fill(0) }))!, /unknown element at atom 2/);
    assert.match(moleculeProblem(makeMolecule({ elements: [6], positions: [0, NaN, 0] }))!, /non-finite coordinate at atom 1/);
    assert.match(
      moleculeProblem(makeMolecule({ elements: [6, 6], positions: new Array(6).fill(0), bonds: [[0, 7, 1]] }))!,
      /missing atom/,
    );
  });
});

describe("kabschRmsd", () => {
  it("is zero for a rotated and translated copy and matches a hand-computed shift", () => {
    const rng = new Rng(1);
    const a = Array.from({ length: 30 }, () => rng.normal());
    const th = 0.7;
    const b: number[] = [];
    for (let i = 0; i < 10; i++) {
      const [x, y, z] = a.slice(3 * i, 3 * i + 3);
      b.push(Math.cos(th) * x - Math.sin(th) * y + 3, Math.sin(th) * x + Math.cos(th) * y - 1, z + 2);
    }
    assert.ok(kabschRmsd(a, b) < 1e-6); // sqrt of a cancellation-limited sum of squares
    // A mirror image is not a rotation: RMSD must stay positive.
    const mirrored = a.map((v, i) => (i % 3 === 2 ? -v : v));
    assert.ok(kabschRmsd(a, mirrored) > 0.1);
    assert.throws(() => kabschRmsd([0, 0, 0], [0, 0]), /differ/);
  });
});
