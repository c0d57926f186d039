/**
 * The valence pre-check before RDKit: it rejects a dense graph at once, in RDKit's words, and never rejects a graph
 * RDKit accepts (random small graphs over the QM9/GEOM elements with charges, each judged by both).
 */
import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import { loadRDKit, rdkit } from "../../kernel-lib/chem/rdkit";
import { makeMolecule, Molecule } from "../../kernel-lib/chem/molecule";
import { writeMolblock } from "../../kernel-lib/chem/sdf";
import { impossibleValence } from "../../kernel-lib/chem/valence_bound";
import { moleculeValidity } from "../../kernel-lib/metrics/validity";
import { Rng } from "../../kernel-lib/util/rng";

before(async () => {
  await loadRDKit();
});

/** RDKit's own verdict on the locked-valence molblock, without the pre-check. */
function rdkitAccepts(mol: Molecule): boolean {
  const m = rdkit().get_mol(writeMolblock(mol, { lockValence: true }), JSON.stringify({ removeHs: false }));
  if (!m) return false;
  m.delete();
  return true;
}

describe("valence pre-check", () => {
  it("rejects a dense 57-atom graph at once, in RDKit's words, and validity counts it invalid", () => {
    const n = 57;
    const bonds: [number, number, number][] = [];
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if ((i * 7 + j * 3) % 4 !== 0) bonds.push([i, j, 1 + ((i + j) % 4)]);
    const dense = makeMolecule({ elements: Array.from({ length: n }, (_, i) => [6, 7, 8, 1][i % 4]), positions: new Array(3 * n).fill(0), bonds });
    const start = performance.now();
    assert.match(impossibleValence(dense) ?? "", /^Explicit valence for atom # 0 C, \d+, is greater than permitted \(at most 4 for any charge\)$/);
    const v = moleculeValidity(dense);
    assert.equal(v.valid, false);
    assert.ok(performance.now() - start < 1000, `took ${performance.now() - start} ms`);
  });

  it("counts charges and aromatic bonds generously: N+ with 4 bonds and aromatic bonds (counted 0) pass", () => {
    const ammonium = { elements: [7, 1, 1, 1, 1], positions: new Array(15).fill(0), bonds: [[0, 1, 1], [0, 2, 1], [0, 3, 1], [0, 4, 1]] as [number, number, number][] };
    assert.equal(impossibleValence(makeMolecule({ ...ammonium, charges: [1, 0, 0, 0, 0] })), undefined);
    assert.match(impossibleValence(makeMolecule(ammonium)) ?? "", /atom # 0 N, 4, .*at most 3/);
    const aromatic = makeMolecule({ elements: [6, 6, 6, 1], positions: new Array(12).fill(0), bonds: [[0, 1, 4], [0, 2, 4], [0, 3, 1], [1, 2, 4]] });
    assert.equal(impossibleValence(aromatic), undefined);
  });

  it("never rejects a graph RDKit accepts (3,000 random small charged graphs, metals included)", () => {
    const rng = new Rng(11);
    const elements = [1, 3, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 33, 34, 35, 53]; // with metals, whose bonds RDKit may make dative
    let rejected = 0;
    for (let t = 0; t < 3000; t++) {
      const n = 2 + Math.floor(rng.uniform() * 6);
      const bonds: [number, number, number][] = [];
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (rng.uniform() < 0.6) bonds.push([i, j, 1 + Math.floor(rng.uniform() * 4)]);
      const mol = makeMolecule({
        elements: Array.from({ length: n }, () => elements[Math.floor(rng.uniform() * elements.length)]),
        charges: Array.from({ length: n }, () => Math.floor(rng.uniform() * 5) - 2),
        positions: new Array(3 * n).fill(0), bonds,
      });
      if (impossibleValence(mol) === undefined) continue;
      rejected++;
      assert.equal(rdkitAccepts(mol), false, `RDKit accepts a graph the pre-check rejected: ${writeMolblock(mol, { lockValence: true })}`);
    }
    assert.ok(rejected > 500, `the random graphs exercise the check: ${rejected} rejected`);
  });
});
