/**
 * The QM9 reader: one full pass over the shipped file (shared by the count, order and histogram assertions),
 * then small reads for filtering, limits, toMolecule and errors.
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { sharedPath } from "../helpers/paths";
import {
  QM9_FILE, QM9_MOLECULE_COUNT, QM9_SPLIT_COUNTS, Qm9Record, SplitName, readQm9, readQm9Records, toMolecule,
} from "../../kernel-lib/data/qm9_reader";
import { statsSizeHistogram, histogramToJson, histogramFromSizes } from "../../kernel-lib/data/size_histogram";
import { withTempDir } from "../helpers/temp_dir";

interface FullPass {
  total: number;
  counts: Record<"midi" | "edm", Record<SplitName, number>>;
  sizesByMidi: Record<SplitName, number[]>;
  first: Qm9Record | undefined;
  idsAscending: boolean;
  seconds: number;
}

describe("readQm9 full pass", () => {
  let pass: FullPass;
  before(async () => {
    const t = performance.now();
    const counts = { midi: { train: 0, val: 0, test: 0 }, edm: { train: 0, val: 0, test: 0 } };
    const sizesByMidi: Record<SplitName, number[]> = { train: [], val: [], test: [] };
    let total = 0, lastId = 0, idsAscending = true;
    let first: Qm9Record | undefined;
    for await (const rec of readQm9()) {
      if (!first) first = rec;
      total++;
      counts.midi[rec.midi]++;
      counts.edm[rec.edm]++;
      sizesByMidi[rec.midi].push(rec.z.length);
      if (rec.id <= lastId) idsAscending = false;
      lastId = rec.id;
    }
    pass = { total, counts, sizesByMidi, first, idsAscending, seconds: (performance.now() - t) / 1000 };
    console.log(`full pass over ${path.basename(QM9_FILE)}: ${total} records in ${pass.seconds.toFixed(2)} s`);
  });

  it("has every molecule, in id order", () => {
    assert.equal(pass.total, QM9_MOLECULE_COUNT);
    assert.ok(pass.idsAscending, "ids must be strictly ascending");
  });

  it("split counts match ../shared/data/README.md (MiDi 96,166/19,720/12,856; EDM 98,411/17,472/12,859)", () => {
    // The numbers as written in the shared README, parsed rather than copied, so the test tracks that document.
    const readme = fs.readFileSync(sharedPath("data", "README.md"), "utf8");
    const parse = (label: string) => {
      const m = new RegExp(`^${label} ([\\d,]+) / ([\\d,]+) / ([\\d,]+)`, "m").exec(readme);
      assert.ok(m, `README has a "${label} a / b / c" line`);
      const [train, val, test] = m.slice(1, 4).map((s) => Number(s.replace(/,/g, "")));
      return { train, val, test };
    };
    assert.deepEqual(pass.counts.midi, parse("MiDi"));
    assert.deepEqual(pass.counts.edm, parse("EDM"));
    assert.deepEqual(pass.counts, QM9_SPLIT_COUNTS);
  });

  it("methane is molecule 1", () => {
    const m = pass.first!;
    assert.equal(m.id, 1);
    assert.equal(m.smiles, "C");
    assert.deepEqual(m.z, [6, 1, 1, 1, 1]);
    assert.deepEqual(m.bonds.map((b) => b.slice(0, 3)), [[0, 1, 1], [0, 2, 1], [0, 3, 1], [0, 4, 1]]);
  });

  it("per-split size histograms equal qm9_stats.json", () => {
    for (const split of ["train", "val", "test"] as const) {
      assert.deepEqual(histogramToJson(histogramFromSizes(pass.sizesByMidi[split])), histogramToJson(statsSizeHistogram(split)), split);
    }
  });
});

describe("readQm9 filtering and limits", () => {
  it("keeps only the requested split and stops at the limit", async () => {
    const recs = await readQm9Records({ split: "test", limit: 50 });
    assert.equal(recs.length, 50);
    assert.ok(recs.every((r) => r.midi === "test"));
    assert.equal(recs[0].id, 3, "water (id 3) is the first MiDi test molecule");
    const edm = await readQm9Records({ scheme: "edm", split: "val", limit: 20 });
    assert.equal(edm.length, 20);
    assert.ok(edm.every((r) => r.edm === "val"));
    assert.deepEqual(await readQm9Records({ limit: 0 }), []);
  });

  it("toMolecule keeps elements, Kekulé orders, charges and Å positions", async () => {
    const recs = await readQm9Records({ limit: 300 });
    const zwitterion = recs.find((r) => r.id === 271)!;
    const mol = toMolecule(zwitterion);
    assert.equal(mol.name, "dsgdb9nsd_000271");
    assert.deepEqual([...mol.elements], zwitterion.z);
    assert.deepEqual([...mol.charges], zwitterion.charges);
    assert.ok(zwitterion.charges.some((q) => q !== 0), "id 271 is a zwitterion");
    assert.deepEqual([...mol.bondOrder], zwitterion.bonds.map((b) => b[2]));
    assert.ok(Math.abs(mol.positions[0] - zwitterion.pos[0][0]) < 1e-6);
  });

  it("rejects bad options and bad files with clear messages", async () => {
    await assert.rejects(readQm9Records({ split: "dev" as SplitName }), /invalid split: dev/);
    await assert.rejects(readQm9Records({ scheme: "gdb" as "midi" }), /invalid scheme: gdb/);
    await assert.rejects(readQm9Records({ limit: -1 }), /invalid limit: -1/);
    await assert.rejects(readQm9Records({ lmit: 3 } as never), /unknown readQm9 option: lmit/);
    await assert.rejects(readQm9Records({ file: "/nonexistent.jsonl.gz" }), /QM9 file not found/);
    await withTempDir("qm9-", async (dir) => {
      const bad = path.join(dir, "bad.jsonl.gz");
      fs.writeFileSync(bad, zlib.gzipSync('{"id":1,"z":[6],"pos":[],"charges":[0],"bonds":[]}\n'));
      await assert.rejects(readQm9Records({ file: bad }), /line 1 \(id 1\): 1 atoms but/);
      fs.writeFileSync(bad, zlib.gzipSync('{"id":1,"z":[6]}\n'));
      await assert.rejects(readQm9Records({ file: bad }), /line 1: not a QM9 record/);
      fs.writeFileSync(bad, zlib.gzipSync("{not json\n"));
      await assert.rejects(readQm9Records({ file: bad }), /line 1: invalid JSON/);
      fs.writeFileSync(bad, zlib.gzipSync("x".repeat(5000)).subarray(0, 20));
      await assert.rejects(readQm9Records({ file: bad }), /corrupt or truncated/);
    });
  });
});
