/** `molcache sample`: SDF written via <out>.partial then renamed, molecules readable, clear errors before work. */
import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { initBackend } from "../../kernel-lib/env";
import { buildProgram } from "../../kernel-lib/cli/main";
import { runSampleCommand } from "../../kernel-lib/cli/sample";
import { sampledMolblock } from "../../kernel-lib/chem/sampled_sdf";
import { resolveModelArgument } from "../../kernel-lib/cli/model_argument";
import { readSdf } from "../../kernel-lib/chem/sdf";
import { makeMolecule } from "../../kernel-lib/chem/molecule";
import { DEFAULT_MODEL_DIR } from "../../kernel-lib/model/model_io";
import { testTempDir } from "../helpers/temp_dir";

const tmp = testTempDir("molcache-sample-");
before(async () => {
  await initBackend();
});

const OPTS = { n: 4, steps: 4, grid: "log", cache: "taylor:m=2,D=2", seed: 1, batchCost: 1152, quiet: true } as const;

describe("molcache sample", () => {
  it("writes every molecule to the SDF (through <out>.partial, renamed at the end)", async () => {
    const out = path.join(tmp, "mols.sdf");
    await buildProgram().parseAsync(["node", "molcache", "sample", "--model", "random:tiny:3", "--n", "5", "--steps", "4",
      "--cache", "ab:j=2,D=2", "--out", out, "--quiet"]);
    assert.ok(fs.existsSync(out));
    assert.ok(!fs.existsSync(`${out}.partial`));
    const records = readSdf(fs.readFileSync(out, "utf8"));
    assert.equal(records.length, 5);
    const indices = records.map((r) => Number(r.properties?.index)).sort();
    assert.deepEqual(indices, [0, 1, 2, 3, 4]);
    // Same seed, same file.
    const again = path.join(tmp, "again.sdf");
    await runSampleCommand({ ...OPTS, model: "random:tiny:3", n: 5, cache: "ab:j=2,D=2", seed: 0, out: again });
    assert.equal(fs.readFileSync(again, "utf8"), fs.readFileSync(out, "utf8"));
  });

  it("writes atoms predicted as <PAD>/<MASK> as '*' rather than dropping the molecule", () => {
    const mol = makeMolecule({ elements: [6, 0, 8], positions: [0, 0, 0, 1.4, 0, 0, 0, 1.2, 0], bonds: [[0, 1, 1], [0, 2, 2]] });
    const block = sampledMolblock(mol, "m");
    const atomLines = block.split("\n").slice(4, 7);
    assert.deepEqual(atomLines.map((l) => l.slice(31, 34).trim()), ["C", "*", "O"]);
    assert.ok(block.includes("M  END"));
    // A molecule only V3000 holds (more than 999 atoms): the unknown atom is '*' there too, the rest intact.
    const n = 1001;
    const chain = makeMolecule({
      elements: Array.from({ length: n }, (_, a) => (a === 500 ? 0 : 6)),
      positions: Array.from({ length: 3 * n }, (_, k) => (k % 3 === 0 ? 1.5 * (k / 3) : 0)),
      bonds: Array.from({ length: n - 1 }, (_, a) => [a, a + 1, 1] as [number, number, number]),
    });
    const big = sampledMolblock(chain, "chain");
    assert.match(big, /V3000/);
    const atoms = big.split("\n").filter((l) => /^M {2}V30 \d+ [A-Za-z*]+ /.test(l)).map((l) => l.split(" ")[4]);
    assert.equal(atoms.length, n);
    assert.deepEqual([atoms[499], atoms[500], atoms[501]], ["C", "*", "C"]);
    assert.equal(atoms.filter((sym) => sym === "*").length, 1);
  });

  it("fails clearly before any work: bad numbers, bad cache, missing output folder, unknown models", async () => {
    const out = path.join(tmp, "bad.sdf");
    // Flags are parsed (and refused) while the command line is read, before the action runs.
    const cli = (...args: string[]) => buildProgram().parseAsync(["node", "molcache", "sample", "--model", "random:tiny", "--out", out, "--quiet", ...args]);
    await assert.rejects(() => cli("--steps", "1"), /^Error: invalid --steps: 1; must be an integer >= 2$/);
    await assert.rejects(() => cli("--n", "0"), /^Error: invalid --n: 0; must be an integer >= 1$/);
    await assert.rejects(() => cli("--n", "abc"), /^Error: invalid --n: abc; must be an integer >= 1$/);
    await assert.rejects(() => cli("--seed", "1.5"), /^Error: invalid --seed: 1\.5; must be an integer >= 0$/);
    await assert.rejects(() => cli("--memory", "0"), /^Error: invalid --memory: 0; must be a number > 0 \(GiB per worker, e.g. 6\)$/);
    await assert.rejects(() => cli("--grid", "cosine"), /^Error: invalid --grid: cosine; use log or linear$/);
    await assert.rejects(() => cli("--backend", "cuda"), /^Error: invalid --backend: cuda; use tfjs or onnx$/);
    await assert.rejects(() => cli("--solver", "rk4"), /^Error: invalid --solver: rk4; use euler, heun or dpm2m$/);
    await assert.rejects(() => runSampleCommand({ ...OPTS, model: "random:tiny", cache: "taylor:m=9,D=2", out }), /invalid order: 9/);
    await assert.rejects(() => runSampleCommand({ ...OPTS, model: "random:tiny", out: path.join(tmp, "no", "x.sdf") }), /folder .* does not exist/);
    assert.throws(() => resolveModelArgument("random:huge"), /unknown preset in --model random:huge/);
    assert.throws(() => resolveModelArgument("randomly"), /invalid --model randomly; use random:<preset>/);
    assert.throws(() => resolveModelArgument(path.join(tmp, "missing")), /no model at/);
    if (!fs.existsSync(path.join(DEFAULT_MODEL_DIR, "config.json"))) {
      assert.throws(() => resolveModelArgument(undefined), /the trained default model does not exist yet .*--model random:small/);
    }
    assert.ok(!fs.existsSync(out) && !fs.existsSync(`${out}.partial`));
  });
});
