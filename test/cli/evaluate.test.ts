/**
 * `molcache evaluate` on real-world and bad input (issue 18): SDF files with blank name lines, "not computed"
 * instead of 0 for switched-off metrics, training SMILES that are not SMILES, compressed and binary files, one
 * mangled record among good ones, and a note for molecules too large to score quickly.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { runEvaluateCommand } from "../../kernel-lib/cli/evaluate";
import { makeMolecule } from "../../kernel-lib/chem/molecule";
import { writeSdf } from "../../kernel-lib/chem/sdf";
import { runMolcache } from "../helpers/molcache";
import { REPO_ROOT } from "../helpers/paths";
import { testTempDir } from "../helpers/temp_dir";

const UNNAMED = path.join(REPO_ROOT, "test", "fixtures", "sdf_writers", "rdkit_unnamed.sdf");
const NAMED = path.join(REPO_ROOT, "test", "fixtures", "sdf_writers", "rdkit_named.sdf");
const QUICK = { workers: 1, energy: false, posebusters: false, quiet: true };

const tmp = testTempDir("molcache-evaluate-");

/** The cells of the markdown table's first data row, by column header. */
function tableRow(table: string): Record<string, string> {
  const lines = table.split("\n").filter((l) => l.startsWith("|"));
  const cells = (l: string) => l.split("|").slice(1, -1).map((c) => c.trim());
  const head = cells(lines[0]);
  const row = cells(lines[2]);
  return Object.fromEntries(head.map((h, i) => [h, row[i]]));
}

/** Assert a CLI run failed with exactly one `molcache: …` line matching `message`. */
function assertOneLineError(r: { status: number | null; stderr: string; stdout: string }, message: RegExp): void {
  assert.notEqual(r.status, 0, r.stderr);
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], message);
  assert.equal(r.stdout, "");
}

describe("molcache evaluate", () => {
  it("scores an RDKit SDF whose molecule name lines are blank; switched-off PoseBusters reads 'not computed', not 0", () => {
    const summary = path.join(tmp, "summary.json");
    const rows = path.join(tmp, "rows.csv");
    const r = runMolcache(["evaluate", UNNAMED, "--no-posebusters", "--no-energy", "--workers", "1", "--summary", summary, "--out", rows]);
    assert.equal(r.status, 0, r.stderr);
    const row = tableRow(r.stdout);
    assert.equal(row["Valid ↑ (%)"], "100.0");
    assert.equal(row["PB-valid ↑ (%)"], "not computed");
    assert.match(r.stdout, /2 molecules scored/);
    const json = JSON.parse(fs.readFileSync(summary, "utf8"));
    assert.equal(json.replicates[0].pb_validity, null);
    assert.equal(json.replicates[0].pb_checks.sanitization, null);
    assert.ok(json.not_computed.includes("pb_validity"));
    const csv = fs.readFileSync(rows, "utf8").trim().split("\n");
    const pbCol = csv[0].split(",").indexOf("pb_valid");
    assert.deepEqual(csv.slice(1).map((l) => l.split(",")[pbCol]), ["", ""]);
  });

  it("the CSV table leaves not-computed metrics empty (never 0)", async () => {
    const table = await runEvaluateCommand(NAMED, { ...QUICK, format: "csv" });
    const [head, row] = table.trim().split("\n");
    const cells = Object.fromEntries(head.split(",").map((h, i) => [h, row.split(",")[i]]));
    assert.equal(cells.pb_validity_mean, "");
    assert.equal(cells.validity_mean, "1");
  });

  it("refuses --train-smiles files that are empty, binary, an SDF or not SMILES", async () => {
    const empty = path.join(tmp, "empty.smi");
    fs.writeFileSync(empty, "\n# only a comment\n\n");
    const binary = path.join(tmp, "binary.smi");
    fs.writeFileSync(binary, Buffer.from([0x00, 0x01, 0x02, 0xff, 0x43, 0x43, 0x0a]));
    const garbage = path.join(tmp, "garbage.smi");
    fs.writeFileSync(garbage, "not a smiles (((\nalso)(not\n");
    await assert.rejects(runEvaluateCommand(NAMED, { ...QUICK, trainSmiles: empty }), /empty\.smi holds no SMILES/);
    await assert.rejects(runEvaluateCommand(NAMED, { ...QUICK, trainSmiles: binary }), /binary\.smi is a binary file, not SMILES text/);
    await assert.rejects(runEvaluateCommand(NAMED, { ...QUICK, trainSmiles: garbage }), /none of the 2 lines of .*garbage\.smi parses as SMILES/);
    await assert.rejects(runEvaluateCommand(NAMED, { ...QUICK, trainSmiles: UNNAMED }), /rdkit_unnamed\.sdf is an SDF\/molfile, not SMILES; give the training SMILES one per line$/);
  });

  it("reads a gzip-compressed SDF; refuses a binary file with one line", async () => {
    const gz = path.join(tmp, "mols.sdf.gz");
    fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(NAMED)));
    assert.equal(
      (await runEvaluateCommand(gz, { ...QUICK, format: "csv" })).split("\n")[1].split(",").slice(1).join(","),
      (await runEvaluateCommand(NAMED, { ...QUICK, format: "csv" })).split("\n")[1].split(",").slice(1).join(","),
    );
    const zip = path.join(tmp, "mols.zip");
    fs.writeFileSync(zip, Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(40)]));
    await assert.rejects(runEvaluateCommand(zip, QUICK), /mols\.zip is a zip archive, not SDF text; unzip it first/);
    const binary = path.join(tmp, "weights.bin");
    fs.writeFileSync(binary, Buffer.from(new Float32Array([1, 2, 3, 0]).buffer));
    assertOneLineError(runMolcache(["evaluate", binary]), /^molcache: .*weights\.bin is a binary file, not SDF text$/);
  });

  it("scores the other molecules when one record has a mangled counts line, marking that one", async () => {
    const [first, second] = fs.readFileSync(NAMED, "utf8").split("$$$$\n");
    const lines = second.split("\n");
    lines[3] = "xx";
    const file = path.join(tmp, "mangled.sdf");
    fs.writeFileSync(file, `${first}$$$$\n${lines.join("\n")}$$$$\n${second}$$$$\n`);
    const out = path.join(tmp, "mangled.csv");
    const table = await runEvaluateCommand(file, { ...QUICK, out });
    assert.match(table, /3 molecules scored/);
    assert.match(table, /1 malformed/);
    const csv = fs.readFileSync(out, "utf8").trim().split("\n");
    const head = csv[0].split(",");
    const valid = csv.slice(1).map((l) => l.split(",")[head.indexOf("valid")]);
    assert.deepEqual(valid, ["true", "false", "true"]);
    assert.match(csv[2], /SDF record 2: molblock "qm9_25369_dft": unreadable counts line \\"xx\\"|unreadable counts line ""xx""/);
  });

  it("says up front when a molecule is large enough to take minutes, and shows progress", () => {
    // A 203-atom alkane chain (C67H136, zigzag in a plane).
    const n = 67;
    const elements: number[] = [];
    const positions: number[] = [];
    const bonds: [number, number, number][] = [];
    for (let i = 0; i < n; i++) {
      elements.push(6);
      positions.push(1.26 * i, (i % 2) * 0.89, 0);
      if (i) bonds.push([i - 1, i, 1]);
    }
    for (let i = 0; i < n; i++) {
      const hs = i === 0 || i === n - 1 ? 3 : 2;
      for (let h = 0; h < hs; h++) {
        bonds.push([i, elements.length, 1]);
        elements.push(1);
        const end = hs === 3 && h === 2 ? (i === 0 ? -1 : 1) : 0;
        positions.push(1.26 * i + end, (i % 2) * 0.89 + (i % 2 ? 0.6 : -0.6), h === 0 ? 0.9 : h === 1 ? -0.9 : 0);
      }
    }
    const file = path.join(tmp, "chain.sdf");
    fs.writeFileSync(file, writeSdf([makeMolecule({ elements, positions, charges: elements.map(() => 0), bonds, name: "chain" })]));
    const r = runMolcache(["evaluate", file, "--no-energy", "--workers", "1"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^note: 1 molecule\(s\) over 200 atoms \(largest 203\); MMFF94 and the PoseBusters checks are slow/m);
    assert.match(r.stderr, /^scoring: 1\/1 \(100%\)/m);
    assert.equal(tableRow(r.stdout)["Valid ↑ (%)"], "100.0");
  });
});
