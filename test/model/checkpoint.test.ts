/**
 * Importing the fixture Lightning checkpoint: EMA weights bit-identical to weights.bin, the perturbed gen.* copy
 * unused, hyperparameters and config, atomic output, rejections with clear messages, and bytes read from disk.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { unzipSync, zipSync, Zippable } from "fflate";
import { sharedPath } from "../helpers/paths";
import { readBundle } from "../../kernel-lib/util/bundle";
import { TINY_CONFIG } from "../../kernel-lib/model/config";
import { importSemlaCheckpoint } from "../../kernel-lib/model/checkpoint/import";
import { loadModel, ModelFile } from "../../kernel-lib/model/model_io";
import { openTorchCheckpoint, readTorchCheckpoint } from "../../kernel-lib/model/checkpoint/torch_checkpoint";
import { buildProgram } from "../../kernel-lib/cli/main";
import { testTempDir } from "../helpers/temp_dir";

const CKPT = sharedPath("fixtures", "semla", "tiny_semla_lightning.ckpt");
const REF = readBundle(sharedPath("fixtures", "semla", "weights.json"));
const PKL = "tiny_semla_lightning/data.pkl";

const tmp = testTempDir("molcache-ckpt-");

const bitsEqual = (a: ArrayBufferView, b: ArrayBufferView): boolean =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** Rewrite the fixture with its data.pkl changed by `edit` (every entry STORED, as torch.save writes). */
function rewrite(name: string, edit: (pkl: Buffer) => Buffer): string {
  const files = unzipSync(new Uint8Array(fs.readFileSync(CKPT)));
  const out: Zippable = {};
  for (const [n, d] of Object.entries(files)) out[n] = [n === PKL ? new Uint8Array(edit(Buffer.from(d))) : d, { level: 0 }];
  const file = path.join(tmp, name);
  fs.writeFileSync(file, zipSync(out));
  return file;
}

/** Replace every occurrence of `from` by `to` (same length, so BINUNICODE lengths stay valid). */
function replaceAll(buf: Buffer, from: string, to: string): Buffer {
  assert.equal(from.length, to.length);
  const out = Buffer.from(buf);
  let n = 0;
  for (let i = out.indexOf(from); i >= 0; i = out.indexOf(from, i + 1), n++) out.write(to, i, "latin1");
  assert.ok(n > 0, `${from} not found in data.pkl`);
  return out;
}

/** Set an integer hyperparameter stored as BININT1 right after its key (and the key's memo BINPUT/LONG_BINPUT). */
function setHpByte(buf: Buffer, key: string, value: number): Buffer {
  const out = Buffer.from(buf);
  const k = Buffer.concat([Buffer.from([0x58]), Buffer.alloc(4), Buffer.from(key)]);
  k.writeUInt32LE(key.length, 1);
  let at = out.lastIndexOf(k) + k.length;
  at += out[at] === 0x71 ? 2 : out[at] === 0x72 ? 5 : 0;
  assert.equal(out[at], 0x4b, `${key} is not followed by a BININT1`);
  out[at + 1] = value;
  return out;
}

describe("importSemlaCheckpoint on tiny_semla_lightning.ckpt", () => {
  it("writes EMA weights bit-identical to weights.bin, names and order included, plus config.json", () => {
    const out = path.join(tmp, "imported");
    const r = importSemlaCheckpoint(CKPT, out);
    assert.equal(r.prefix, "ema_gen.module.");
    assert.match(r.copyNote, /EMA weights .*gen\.\* copy \(149\) ignored/);
    assert.equal(r.nParams, 215075);
    assert.deepEqual(r.skipped, { "gen.*": 149, "ema_gen.n_averaged": 1 });
    const got = readBundle(path.join(out, "weights.json"));
    assert.deepEqual([...got.tensors.keys()], [...REF.tensors.keys()]);
    for (const [name, t] of REF.tensors) {
      const g = got.tensors.get(name)!;
      assert.deepEqual(g.shape, t.shape, name);
      assert.equal(g.dtype, "float32");
      assert.ok(bitsEqual(g.data, t.data), `${name} differs from weights.bin`);
    }
    assert.ok(fs.readFileSync(path.join(out, "weights.bin")).equals(fs.readFileSync(sharedPath("fixtures", "semla", "weights.bin"))));
    const cfg: ModelFile = JSON.parse(fs.readFileSync(path.join(out, "config.json"), "utf8"));
    assert.equal(cfg.format, "molcache-model/1");
    assert.equal(cfg.name, "tiny_semla_lightning");
    assert.deepEqual(cfg.config, TINY_CONFIG);
    assert.equal(cfg.coordStd, 1.723299503326416);
    const meta = cfg.meta as { dataset: string; coordStdSource: string; hyperParameters: Record<string, unknown> };
    assert.equal(meta.dataset, "qm9");
    assert.equal(meta.coordStdSource, "dataset qm9");
    assert.equal(meta.hyperParameters.d_model, 64);
    assert.equal(meta.hyperParameters["integration-type-strategy"], "uniform-sample");
    assert.deepEqual(fs.readdirSync(out).sort(), ["config.json", "weights.bin", "weights.json"], "no staging leftovers");
  });

  it("produces a folder loadModel accepts (215,075 parameters, coordinate std, same weights)", () => {
    const out = path.join(tmp, "loadable");
    importSemlaCheckpoint(CKPT, out, { name: "tiny" });
    const model = loadModel(out);
    try {
      assert.equal(model.generator.parameterCount(), 215075);
      assert.equal(model.coordStd, 1.723299503326416);
      assert.equal(model.name, "tiny");
      const w = model.generator.params.get("dynamics.layers.1.node_attn.in_proj.weight").dataSync() as Float32Array;
      assert.ok(bitsEqual(w, REF.tensors.get("dynamics.layers.1.node_attn.in_proj.weight")!.data));
    } finally {
      model.generator.dispose();
    }
  });

  it("reads the raw checkpoint: perturbed gen.* copy, int64 EMA counter, hyperparameters, other keys", () => {
    const ck = readTorchCheckpoint(CKPT);
    assert.equal(ck.stateDict.size, 2 * 149 + 1);
    const n = ck.stateDict.get("ema_gen.n_averaged")!;
    assert.equal(n.sourceDtype, "int64");
    assert.deepEqual(n.shape, []);
    let differing = 0;
    for (const [name, t] of REF.tensors) {
      assert.ok(bitsEqual(ck.stateDict.get(`ema_gen.module.${name}`)!.data, t.data));
      if (!bitsEqual(ck.stateDict.get(`gen.${name}`)!.data, t.data)) differing++;
    }
    assert.equal(differing, 149, "every gen.* tensor is perturbed, so importing it would be caught");
    assert.equal(ck.hyperParameters.n_layers, 3);
    assert.equal(ck.hyperParameters.coord_scale, 1.723299503326416);
    assert.equal(ck.other.epoch, 12);
    assert.equal(ck.other["pytorch-lightning_version"], "2.1.0");
    assert.ok(ck.topKeys.includes("optimizer_states") && ck.topKeys.includes("loops"));
  });

  it("falls back to gen.* only when there is no EMA copy, and says so", () => {
    const file = rewrite("no_ema.ckpt", (p) => replaceAll(p, "ema_gen.module.", "xma_gen.module."));
    const out = path.join(tmp, "from_gen");
    const r = importSemlaCheckpoint(file, out);
    assert.equal(r.prefix, "gen.");
    assert.match(r.copyNote, /raw weights \(gen\.\*, 149 tensors\): the checkpoint has no EMA copy/);
    const got = readBundle(path.join(out, "weights.json"));
    const raw = readTorchCheckpoint(CKPT, (n) => n.startsWith("gen."));
    for (const name of REF.tensors.keys()) assert.ok(bitsEqual(got.tensors.get(name)!.data, raw.stateDict.get(`gen.${name}`)!.data));
    assert.throws(() => importSemlaCheckpoint(file, path.join(tmp, "x"), { copy: "ema" }), /has no EMA weights/);
  });

  it("reads only data.pkl and the EMA storages from disk, each once", () => {
    const ck = openTorchCheckpoint(CKPT);
    let ema = 0;
    let gen = 0;
    for (const [n, ref] of ck.tensors) {
      if (n.startsWith("ema_gen.module.")) ema += ref.storage.numel * 4;
      else if (n.startsWith("gen.")) gen += ref.storage.numel * 4;
    }
    ck.close();
    const buf = fs.readFileSync(CKPT);
    const cdOffset = buf.readUInt32LE(buf.length - 22 + 16);
    const pkl = 42537;
    const r = importSemlaCheckpoint(CKPT, path.join(tmp, "counted"));
    const floor = ema + pkl;
    const ceiling = floor + (buf.length - cdOffset) + 4096 + 30 * (149 + 1);
    assert.ok(r.bytesRead >= floor && r.bytesRead <= ceiling, `read ${r.bytesRead} bytes; expected ${floor}..${ceiling}`);
    assert.ok(r.bytesRead < ema + gen, "the gen.* copy was never read");
    assert.equal(r.fileSize, buf.length);
  });
});

describe("importSemlaCheckpoint rejects bad input and writes nothing", () => {
  /** Run a failing import into a folder holding one file; check the message and that the folder is unchanged. */
  function rejects(file: string, pattern: RegExp): void {
    const out = path.join(tmp, `out_${path.basename(file)}`);
    // An existing empty folder (a non-empty one is refused before the checkpoint is read).
    fs.mkdirSync(out, { recursive: true });
    assert.throws(() => importSemlaCheckpoint(file, out), pattern);
    assert.deepEqual(fs.readdirSync(out), [], "nothing half-written");
    const fresh = path.join(tmp, `fresh_${path.basename(file)}`);
    assert.throws(() => importSemlaCheckpoint(file, fresh), pattern);
    assert.equal(fs.existsSync(fresh), false);
    assert.deepEqual(fs.readdirSync(tmp).filter((n) => n.includes(".import-")), [], "no staging folders left");
  }

  it("a truncated copy of the checkpoint", () => {
    const buf = fs.readFileSync(CKPT);
    const half = path.join(tmp, "half.ckpt");
    fs.writeFileSync(half, buf.subarray(0, Math.floor(buf.length / 2)));
    rejects(half, /half\.ckpt is not a zip archive or is truncated/);
    const nearlyAll = path.join(tmp, "nearly.ckpt");
    fs.writeFileSync(nearlyAll, buf.subarray(0, buf.length - 10));
    rejects(nearlyAll, /nearly\.ckpt is not a zip archive or is truncated/);
  });

  it("a zip that is not a checkpoint", () => {
    const file = path.join(tmp, "docs.zip");
    fs.writeFileSync(file, zipSync({ "docs/a.txt": new TextEncoder().encode("hello"), "docs/b.json": new TextEncoder().encode("{}") }));
    rejects(file, /docs\.zip is a zip archive but not a torch\.save checkpoint/);
  });

  it("a state dict that does not fit its config: edited d_model, and a dropped tensor", () => {
    const wide = rewrite("dmodel48.ckpt", (p) => setHpByte(p, "d_model", 48));
    rejects(wide, /does not fit the config from its hyperparameters \(d_model 48,.*feat_proj\.0\.weight has shape \[64,45\], the config needs \[48,45\]/);
    const dropped = rewrite("dropped.ckpt", (p) => replaceAll(p, "ema_gen.module.size_emb.weight", "ema_gen.module.size_emb.weighX"));
    rejects(dropped, /unexpected tensor ema_gen\.module\.size_emb\.weighX.*missing tensor ema_gen\.module\.size_emb\.weight/);
    const noHp = rewrite("badheads.ckpt", (p) => setHpByte(p, "n_attn_heads", 5));
    rejects(noHp, /hyperparameters do not make a valid SemlaFlow config: invalid nAttnHeads: 5 does not divide dModel 64/);
  });
});

describe("importSemlaCheckpoint options", () => {
  it("needs a coordinate std when the hyperparameters give neither dataset nor coord_scale", () => {
    const file = rewrite("nodataset.ckpt", (p) => replaceAll(replaceAll(p, "dataset", "datasex"), "coord_scale", "coord_scalx"));
    assert.throws(() => importSemlaCheckpoint(file, path.join(tmp, "nods")), /give neither a known dataset \(none\) nor coord_scale; pass the coordinate std/);
    const r = importSemlaCheckpoint(file, path.join(tmp, "nods"), { coordStd: 2.0 });
    assert.equal(r.coordStd, 2.0);
    assert.equal(r.coordStdSource, "option");
  });

  it("rejects unknown or invalid options by name", () => {
    assert.throws(() => importSemlaCheckpoint(CKPT, path.join(tmp, "o"), { copy: "best" as never }), /invalid copy: best; use auto, ema or gen/);
    assert.throws(() => importSemlaCheckpoint(CKPT, path.join(tmp, "o"), { coordStd: -1 }), /invalid coordStd: -1/);
    assert.throws(() => importSemlaCheckpoint(CKPT, path.join(tmp, "o"), { prefix: "x" } as never), /unknown import option: prefix/);
    assert.equal(fs.existsSync(path.join(tmp, "o")), false);
  });
});

describe("molcache import (CLI)", () => {
  it("prints the config summary, the copy used and the parameter count", async () => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => void lines.push(a.join(" "));
    try {
      await buildProgram().exitOverride().parseAsync(["node", "molcache", "import", CKPT, "--out", path.join(tmp, "cli")]);
    } finally {
      console.log = log;
    }
    const text = lines.join("\n");
    assert.match(text, /weights: EMA weights \(ema_gen\.module\.\*, 149 tensors\); raw gen\.\* copy \(149\) ignored/);
    assert.match(text, /config: d_model 64, n_layers 3, d_message 32, d_edge 16, n_coord_sets 8/);
    assert.match(text, /parameters: 215,075 in 149 tensors/);
    assert.match(text, /dataset: qm9, coordinate std 1\.7232995/);
    assert.ok(fs.existsSync(path.join(tmp, "cli", "weights.bin")));
  });
});
