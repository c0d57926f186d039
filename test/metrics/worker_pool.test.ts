/**
 * The scoring pool (piscina running the TypeScript task module through tsx): the rows of `scoreMolecule` /
 * `unscorableScore` in input order whatever the chunking, progress per chunk, a failing chunk named by its molecules,
 * and option errors.
 */
import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import { Molecule } from "../../kernel-lib/chem/molecule";
import { loadRDKit } from "../../kernel-lib/chem/rdkit";
import { DEFAULT_SCORE_OPTIONS, scoreMolecule, unscorableScore } from "../../kernel-lib/metrics/score";
import { scoreOnWorkers } from "../../kernel-lib/metrics/worker_pool";
import { loadFixtures } from "./fixture_helpers";

const SCORE = { ...DEFAULT_SCORE_OPTIONS, energy: false, posebusters: false };
let mols: Molecule[];

before(async () => {
  await loadRDKit();
  mols = loadFixtures().records.slice(40, 51).map((r) => r.molecule);
});

describe("scoreOnWorkers", () => {
  it("gives one thread's rows, in input order, on 2 threads in chunks of 3 (unreadable inputs marked)", async () => {
    const problems = mols.map((_, i) => (i === 4 ? "unreadable record" : undefined));
    const progress: number[] = [];
    const rows = await scoreOnWorkers(mols, { problems, score: SCORE, workers: 2, chunkSize: 3, onProgress: (done, total) => progress.push(done / total) });
    const expected = mols.map((m, i) => (problems[i] ? unscorableScore(m, i, problems[i]!, SCORE) : scoreMolecule(m, i, SCORE)));
    assert.deepEqual(rows, expected);
    assert.equal(rows[4].valid, false);
    assert.equal(progress.length, 4, "one progress call per chunk");
    assert.deepEqual(progress, progress.slice().sort((a, b) => a - b));
    assert.equal(progress.at(-1), 1);
  });

  it("a chunk that fails in its thread rejects, naming the chunk's molecules and the error", async () => {
    const broken = { ...mols[0], elements: undefined } as unknown as Molecule;
    const input = [...mols.slice(0, 7), broken, ...mols.slice(7)];
    await assert.rejects(
      scoreOnWorkers(input, { score: SCORE, workers: 2, chunkSize: 3 }),
      /metrics worker failed on molecules 6-8: Cannot read properties of undefined/,
    );
  });

  it("checks its options", async () => {
    await assert.rejects(scoreOnWorkers(mols, { chunk: 3 } as never), /unknown scoreOnWorkers option: chunk; known: problems, score, workers, chunkSize, onProgress/);
    await assert.rejects(scoreOnWorkers(mols, { chunkSize: 0 }), /invalid chunkSize: 0; must be an integer >= 1/);
    await assert.rejects(scoreOnWorkers(mols, { workers: 0 }), /invalid workers: 0; must be an integer >= 1/);
    assert.deepEqual(await scoreOnWorkers([], { workers: 2 }), []);
  });
});
