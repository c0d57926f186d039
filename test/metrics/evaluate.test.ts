import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadFixtures } from "./fixture_helpers";
import { loadRDKit } from "../../kernel-lib/chem/rdkit";
import { makeMolecule, Molecule } from "../../kernel-lib/chem/molecule";
import { evaluate, resolveEvaluateOptions, rowsToCsv, ROW_COLUMNS } from "../../kernel-lib/metrics/evaluate";
import { aggregateReplicates, buildTrainingSet, summarize } from "../../kernel-lib/metrics/summary";
import { formatTable } from "../../kernel-lib/metrics/table";
import { runEvaluateCommand } from "../../kernel-lib/cli/evaluate";
import { buildProgram } from "../../kernel-lib/cli/main";
import { writeSdf } from "../../kernel-lib/chem/sdf";
import { testTempDir } from "../helpers/temp_dir";

const water = () =>
  makeMolecule({ elements: [8, 1, 1], positions: [0, 0, 0, 0.96, 0, 0, -0.24, 0.93, 0], bonds: [[0, 1, 1], [0, 2, 1]], name: "water" });
const badInputs = (): Molecule[] => [
  makeMolecule({ elements: [8, 1], positions: [NaN, 0, 0, 0.96, 0, 0], bonds: [[0, 1, 1]], name: "nan" }),
  makeMolecule({ elements: [0, 1], positions: [0, 0, 0, 0.96, 0, 0], bonds: [[0, 1, 1]], name: "unknown element" }),
  makeMolecule({ elements: [8, 1], positions: [0, 0, 0, 0.96, 0, 0], bonds: [[0, 5, 1]], name: "dangling" }),
  makeMolecule({ elements: [], positions: [], name: "empty" }),
];

describe("evaluate", () => {
  before(async () => {
    await loadRDKit();
  });

  it("validates options with messages naming the field", () => {
    assert.throws(() => resolveEvaluateOptions({ workers: 0 }), /invalid workers: 0/);
    assert.throws(() => resolveEvaluateOptions({ bogus: 1 } as never), /unknown evaluate option: bogus/);
    assert.equal(resolveEvaluateOptions({ workers: 1 }).energy, true);
  });

  it("scores bad input invalid with reasons and evaluates the rest of the batch (in-thread)", async () => {
    const mols = [water(), ...badInputs(), loadFixtures().records[0].molecule];
    const res = await evaluate(mols, { workers: 1, trainSmiles: ["O", "CCO"] });
    assert.equal(res.rows.length, 6);
    assert.equal(res.rows[0].valid, true);
    assert.equal(res.rows[0].novel, false); // water is in the training set
    assert.equal(res.rows[5].valid, true);
    assert.ok(res.rows[5].strain !== null && res.rows[5].pb_valid === true);
    const problems = res.rows.slice(1, 5).map((r) => r.problem);
    assert.match(problems[0]!, /non-finite coordinate/);
    assert.match(problems[1]!, /unknown element/);
    assert.match(problems[2]!, /missing atom/);
    assert.match(problems[3]!, /empty molecule/);
    for (const r of res.rows.slice(1, 5)) assert.equal(r.valid, false);
    const s = res.replicates[0];
    assert.equal(s.n_malformed, 4);
    assert.equal(s.validity, 2 / 6);
    assert.equal(s.novelty, 1 / 2);
    assert.equal(s.unscored.energy.count, 4 + 1 - 1); // 4 malformed; water has an energy
    assert.deepEqual(res.frame.shape, [6, ROW_COLUMNS.length]);
    const csv = rowsToCsv(res.rows).trim().split("\n");
    assert.equal(csv.length, 7);
    assert.ok(csv[0].startsWith("replicate,index,name"));
  });

  it("gives the same rows on two worker threads as in one thread", async () => {
    const mols = loadFixtures().records.slice(100, 124).map((r) => r.molecule);
    const one = await evaluate(mols, { workers: 1, posebusters: false });
    const two = await evaluate(mols, { workers: 2, posebusters: false });
    assert.deepEqual(
      two.rows.map((r) => [r.smiles, r.energy, r.strain]),
      one.rows.map((r) => [r.smiles, r.energy, r.strain]),
    );
  });

  it("computes uniqueness, replicate mean ± std and formats Table 1", async () => {
    const a = [water(), water(), loadFixtures().records[1].molecule];
    const res = await evaluate([a, [water()]], { workers: 1, posebusters: false, energy: false });
    assert.equal(res.replicates.length, 2);
    assert.equal(res.replicates[0].uniqueness, 2 / 3);
    assert.equal(res.replicates[1].uniqueness, 1);
    assert.ok(Math.abs(res.aggregate.uniqueness.mean! - 5 / 6) < 1e-12);
    assert.ok(Math.abs(res.aggregate.uniqueness.std! - 1 / 6) < 1e-12);
    assert.equal(res.rows.filter((r) => r.duplicate).length, 1);
    const md = formatTable([{ name: "test", aggregate: res.aggregate }], "markdown");
    assert.match(md, /\| test \| 100\.0 ± 0\.0 \|/);
    assert.match(md, /83\.3 ± 16\.7/);
    assert.match(formatTable([{ name: "t", aggregate: res.aggregate }], "html"), /<th>t<\/th>/);
    assert.match(formatTable([{ name: "t", aggregate: res.aggregate }], "csv"), /^method,atom_stability_mean,atom_stability_std/);
    assert.throws(() => formatTable([], "pdf" as never), /invalid table format: pdf/);
    const agg = aggregateReplicates([summarize(res.rows.filter((r) => r.replicate === 0))]);
    assert.equal(agg.validity.std, 0);
  });

  it("canonicalises training SMILES for novelty", () => {
    const t = buildTrainingSet(["smiles", "OCC", "[H]OC([H])([H])C([H])([H])[H]", "not-a-smiles", ""]);
    assert.equal(t.size, 3);
    assert.equal(t.unparsed, 1);
    assert.equal(t.keys.size, 1);
  });

  const evalDir = testTempDir("molcache-eval-");
  it("runs the evaluate command end to end and writes the CSV atomically", async () => {
    const dir = evalDir;
    const sdf = path.join(dir, "mols.sdf");
    fs.writeFileSync(sdf, writeSdf([water(), loadFixtures().records[2].molecule]));
    const train = path.join(dir, "train.smi");
    fs.writeFileSync(train, "O\n");
    const out = path.join(dir, "metrics.csv");
    const table = await runEvaluateCommand(sdf, { out, trainSmiles: train, workers: 1, quiet: true });
    assert.match(table, /Atom stab\./);
    const lines = fs.readFileSync(out, "utf8").trim().split("\n");
    assert.equal(lines.length, 3);
    assert.ok(lines[0].includes("pb_bond_lengths") && lines[0].includes("reason"));
    assert.deepEqual(fs.readdirSync(dir).sort(), ["metrics.csv", "mols.sdf", "train.smi"]);
    await assert.rejects(runEvaluateCommand(path.join(dir, "nope.sdf"), {}), /no such SDF file/);
    await assert.rejects(buildProgram().parseAsync(["node", "molcache", "evaluate", sdf, "--workers", "0"]), /^Error: invalid --workers: 0; must be an integer >= 1/);
  });
});
