/**
 * The pickle reader on pickles written by CPython (protocols 0, 2 and 4), and TorchArchive on a torch.save-format
 * archive with strided, offset, shared, float64 and int64 storages, little- and big-endian.
 *
 * The hex pickles were produced once with CPython 3 (`pickle.dumps(value, protocol=p)`); FAKE_TORCH_PKL with a
 * Pickler whose persistent_id returns ("storage", torch.<T>Storage, key, "cpu", numel) and tensors reducing to
 * torch._utils._rebuild_tensor_v2 / _rebuild_parameter, exactly the opcodes torch.save emits (fake torch modules,
 * so no torch was needed). The values are spelled out in the tests below.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { zipSync } from "fflate";
import { unpickle, toPlain, PyObject } from "../../kernel-lib/model/checkpoint/pickle";
import { TorchArchive, TorchTensorRef } from "../../kernel-lib/model/checkpoint/torch_archive";
import { readTorchCheckpoint } from "../../kernel-lib/model/checkpoint/torch_checkpoint";
import { testTempDir } from "../helpers/temp_dir";

const GENERIC_P0 = [
  "286470300a56610a70310a49310a73566269670a70320a4c313138303539313632303731373431313330333432344c0a73566e65",
  "670a70330a492d3330300a73566e65676269670a70340a4c2d31383434363734343037333730393535313631364c0a7356660a70",
  "350a46312e350a7356740a70360a2849310a49320a49330a7470370a73566c0a70380a286c70390a49310a6156780a7031300a61",
  "7356620a7031310a635f636f646563730a656e636f64650a7031320a28565c7530303030010a7031330a566c6174696e310a7031",
  "340a747031350a527031360a7356730a7031370a635f5f6275696c74696e5f5f0a7365740a7031380a28286c7031390a49310a61",
  "49320a61747032300a527032310a73566e0a7032320a4e7356750a7032330a56e95c75346532640a7032340a735674720a703235",
  "0a4930310a7349370a56696e74206b65790a7032360a7356700a7032370a286c7032380a49310a617356710a7032390a6732380a",
  "73566f626a0a7033300a63636f70795f7265670a5f7265636f6e7374727563746f720a7033310a2863736f6d65706b672e746869",
  "6e67730a5468696e670a7033320a635f5f6275696c74696e5f5f0a6f626a6563740a7033330a4e747033340a527033350a286470",
  "33360a566c720a7033370a46302e310a73566e616d650a7033380a566164616d0a7033390a736273566e700a7034300a286c7034",
  "310a636e756d70792e5f636f72652e6d756c746961727261790a7363616c61720a7034320a28636e756d70790a64747970650a70",
  "34330a285666380a7034340a4930300a4930310a747034350a527034360a2849330a563c0a7034370a4e4e4e492d310a492d310a",
  "49300a747034380a626731320a28565c75303030305c75303030305c75303030305c75303030305c75303030305c753030303004",
  "400a7034390a6731340a747035300a527035310a747035320a527035330a616734320a286734330a285669380a7035340a493030",
  "0a4930310a747035350a527035360a2849330a6734370a4e4e4e492d310a492d310a49300a747035370a626731320a2856075c75",
  "303030305c75303030305c75303030305c75303030305c75303030305c75303030305c75303030300a7035380a6731340a747035",
  "390a527036300a747036310a527036320a616734320a286734330a285666340a7036330a4930300a4930310a747036340a527036",
  "350a2849330a6734370a4e4e4e492d310a492d310a49300a747036360a626731320a28565c75303030305c7530303030803e0a70",
  "36370a6731340a747036380a527036390a747037300a527037310a61732e",
].join("");
const GENERIC_P2 = [
  "80027d71002858010000006171014b01580300000062696771028a0900000000000000004058030000006e656771034ad4feffff",
  "58060000006e656762696771048a090000000000000000ff5801000000667105473ff800000000000058010000007471064b014b",
  "024b0387710758010000006c71085d7109284b01580100000078710a65580100000062710b635f636f646563730a656e636f6465",
  "0a710c58020000000001710d58060000006c6174696e31710e86710f5271105801000000737111635f5f6275696c74696e5f5f0a",
  "7365740a71125d7113284b014b026585711452711558010000006e71164e58010000007571175805000000c3a9e4b8ad71185802",
  "00000074727119884b075807000000696e74206b6579711a580100000070711b5d711c4b0161580100000071711d681c58030000",
  "006f626a711e63736f6d65706b672e7468696e67730a5468696e670a711f298171207d71212858020000006c727122473fb99999",
  "9999999a58040000006e616d65712358040000006164616d7124756258020000006e7071255d712628636e756d70792e5f636f72",
  "652e6d756c746961727261790a7363616c61720a7127636e756d70790a64747970650a7128580200000066387129898887712a52",
  "712b284b0358010000003c712c4e4e4e4affffffff4affffffff4b0074712d62680c58080000000000000000000440712e680e86",
  "712f527130867131527132682768285802000000693871338988877134527135284b03682c4e4e4e4affffffff4affffffff4b00",
  "74713662680c580800000007000000000000007137680e86713852713986713a52713b6827682858020000006634713c89888771",
  "3d52713e284b03682c4e4e4e4affffffff4affffffff4b0074713f62680c58050000000000c2803e7140680e8671415271428671",
  "4352714465752e",
].join("");
const GENERIC_P4 = [
  "800495c6010000000000007d94288c0161944b018c03626967948a090000000000000000408c036e6567944ad4feffff8c066e65",
  "67626967948a090000000000000000ff8c016694473ff80000000000008c0174944b014b024b0387948c016c945d94284b018c01",
  "7894658c01629443020001948c0173948f94284b014b02908c016e944e8c0175948c05c3a9e4b8ad948c02747294884b078c0769",
  "6e74206b6579948c0170945d944b01618c01719468158c036f626a948c0e736f6d65706b672e7468696e6773948c055468696e67",
  "9493942981947d94288c026c7294473fb999999999999a8c046e616d65948c046164616d9475628c026e70945d94288c166e756d",
  "70792e5f636f72652e6d756c74696172726179948c067363616c61729493948c056e756d7079948c0564747970659493948c0266",
  "3894898887945294284b038c013c944e4e4e4affffffff4affffffff4b0074946243080000000000000440948694529468246827",
  "8c02693894898887945294284b03682b4e4e4e4affffffff4affffffff4b00749462430807000000000000009486945294682468",
  "278c02663494898887945294284b03682b4e4e4e4affffffff4affffffff4b0074946243040000803e948694529465752e",
].join("");
const FAKE_TORCH_PKL = [
  "80027d710028580500000065706f636871014b03580a00000073746174655f64696374710263636f6c6c656374696f6e730a4f72",
  "6465726564446963740a71032952710428580400000066756c6c710563746f7263682e5f7574696c730a5f72656275696c645f74",
  "656e736f725f76320a71062828580700000073746f72616765710763746f7263680a466c6f617453746f726167650a7108580100",
  "00003071095803000000637075710a4b0c74710b514b004b034b0486710c4b044b0186710d8968032952710e74710f527110580a",
  "0000007472616e73706f736564711168062828680768086809680a4b0c747112514b004b044b038671134b014b04867114896803",
  "2952711574711652711758060000006f6666736574711863746f7263682e5f7574696c730a5f72656275696c645f706172616d65",
  "7465720a711968062828680768086809680a4b0c74711a514b054b024b0286711b680d8968032952711c74711d52711e88680329",
  "52711f877120527121580300000064626c712268062828680763746f7263680a446f75626c6553746f726167650a712358010000",
  "00317124680a4b04747125514b004b048571264b018571278968032952712874712952712a58040000006c6f6e67712b68062828",
  "680763746f7263680a4c6f6e6753746f726167650a712c580100000032712d680a4b0374712e514b004b0385712f682789680329",
  "52713074713152713258060000007363616c61727133680628286807682c682d680a4b03747134514b0229298968032952713574",
  "713652713775581000000068797065725f706172616d65746572737138636c696768746e696e672e6661627269632e7574696c69",
  "746965732e646174610a417474726962757465446963740a71392981713a285807000000645f6d6f64656c713b4b405807000000",
  "64617461736574713c580a00000067656f6d2d6472756773713d58020000006c72713e473f33a92a305532615803000000626967",
  "713f8a0900000000000000004058030000006e656771404af9ffffff580500000062657461737141473feccccccccccccd473fef",
  "f7ced916872b86714275580c00000068706172616d735f6e616d65714358060000006b77617267737144752e",
].join("");
// {"state_dict": {"h": HalfStorage "0" [4], "bf": BFloat16Storage "1" [3]}} (same fake-torch Pickler)
const HALF_PKL = [
  "80027d7100580a00000073746174655f64696374710163636f6c6c656374696f6e730a4f726465726564446963740a7102295271",
  "0328580100000068710463746f7263682e5f7574696c730a5f72656275696c645f74656e736f725f76320a710528285807000000",
  "73746f72616765710663746f7263680a48616c6653746f726167650a71075801000000307108580300000063707571094b047471",
  "0a514b004b0485710b4b0185710c8968022952710d74710e52710f58020000006266711068052828680663746f7263680a42466c",
  "6f6174313653746f726167650a7111580100000031711268094b03747113514b004b03857114680c896802295271157471165271",
  "1775732e",
].join("");

const hex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, "hex"));

const tmp = testTempDir("molcache-pickle-");

describe("unpickle", () => {
  // value = {"a": 1, "big": 2**70, "neg": -300, "negbig": -2**64, "f": 1.5, "t": (1, 2, 3), "l": [1, "x"],
  //          "b": b"\x00\x01", "s": {1, 2}, "n": None, "u": "é中", "tr": True, 7: "int key", "p": shared, "q": shared,
  //          "obj": somepkg.things.Thing() with lr=0.1 and name="adam",
  //          "np": [numpy.float64(2.5), numpy.int64(7), numpy.float32(0.25)]}   (shared = [1], the same list twice)
  for (const [proto, data] of [[0, GENERIC_P0], [2, GENERIC_P2], [4, GENERIC_P4]] as const) {
    it(`reads a CPython protocol-${proto} pickle into plain JS values`, () => {
      const v = unpickle(hex(data)) as Map<unknown, unknown>;
      assert.ok(v instanceof Map);
      assert.equal(v.get("a"), 1);
      assert.equal(v.get("big"), 2n ** 70n);
      assert.equal(v.get("neg"), -300);
      assert.equal(v.get("negbig"), -(2n ** 64n));
      assert.equal(v.get("f"), 1.5);
      assert.deepEqual(v.get("t"), [1, 2, 3]);
      assert.deepEqual(v.get("l"), [1, "x"]);
      assert.deepEqual(v.get("b"), new Uint8Array([0, 1]));
      assert.deepEqual(v.get("s"), new Set([1, 2]));
      assert.equal(v.get("n"), null);
      assert.equal(v.get("u"), "\u00e9\u4e2d");
      assert.equal(v.get("tr"), true);
      assert.equal(v.get(7), "int key");
      assert.ok(v.get("p") === v.get("q"), "memoised objects are shared, not copied");
      const obj = v.get("obj");
      assert.ok(obj instanceof PyObject, "an unknown class becomes a generic object");
      assert.equal(obj.cls.qualname, "somepkg.things.Thing");
      assert.deepEqual(obj.state, new Map<unknown, unknown>([["lr", 0.1], ["name", "adam"]]));
      assert.deepEqual(v.get("np"), [2.5, 7, 0.25], "numpy scalars decode to numbers");
      const plain = toPlain(v) as Record<string, unknown>;
      assert.deepEqual(plain.obj, { __class__: "somepkg.things.Thing", state: { lr: 0.1, name: "adam" } });
      assert.equal(plain.big, "1180591620717411303424");
      assert.equal(plain["7"], "int key");
    });
  }

  it("fails clearly on truncated or non-pickle data", () => {
    const d = hex(GENERIC_P2);
    assert.throws(() => unpickle(d.subarray(0, 200)), /pickle data ends early .* truncated/);
    assert.throws(() => unpickle(new TextEncoder().encode("hello")), /unknown opcode 0x68|stack underflow|memo key/);
    assert.throws(() => unpickle(hex(FAKE_TORCH_PKL)), /persistent id found but no persistentLoad hook/);
  });
});

/** Storage bytes for the fake torch archive (float32 0..11 ×1.5, float64, int64 with a value beyond int32). */
function storages(littleEndian: boolean): Record<string, Uint8Array> {
  const f32 = Buffer.alloc(48);
  for (let i = 0; i < 12; i++) littleEndian ? f32.writeFloatLE(i * 1.5, 4 * i) : f32.writeFloatBE(i * 1.5, 4 * i);
  const f64 = Buffer.alloc(32);
  [0.1, -2.5, 1 / 3, 1e10].forEach((x, i) => (littleEndian ? f64.writeDoubleLE(x, 8 * i) : f64.writeDoubleBE(x, 8 * i)));
  const i64 = Buffer.alloc(24);
  [5n, -3n, 2n ** 40n].forEach((x, i) => (littleEndian ? i64.writeBigInt64LE(x, 8 * i) : i64.writeBigInt64BE(x, 8 * i)));
  return { "0": f32, "1": f64, "2": i64 };
}

function writeArchive(file: string, littleEndian: boolean): void {
  const s = storages(littleEndian);
  fs.writeFileSync(file, zipSync({
    "fake/data.pkl": [hex(FAKE_TORCH_PKL), { level: 0 }],
    "fake/byteorder": [new TextEncoder().encode(littleEndian ? "little" : "big"), { level: 0 }],
    "fake/data/0": [s["0"], { level: 0 }],
    "fake/data/1": [s["1"], { level: 6 }], // a DEFLATE storage
    "fake/data/2": [s["2"], { level: 0 }],
    "fake/version": [new TextEncoder().encode("3\n"), { level: 0 }],
  }));
}

describe("TorchArchive / readTorchCheckpoint on a torch.save-format archive", () => {
  // state_dict: full = storage 0 as [3,4]; transposed = [4,3] stride (1,4); offset = Parameter, [2,2] stride (4,1)
  // at offset 5; dbl = float64 [4]; long = int64 [3]; scalar = int64 [] at offset 2.
  const A = Array.from({ length: 12 }, (_, i) => i * 1.5);
  for (const littleEndian of [true, false]) {
    it(`materialises strided, offset and converted tensors (${littleEndian ? "little" : "big"}-endian)`, () => {
      const file = path.join(tmp, `fake_${littleEndian}.pt`);
      writeArchive(file, littleEndian);
      const ck = readTorchCheckpoint(file);
      const sd = ck.stateDict;
      assert.deepEqual([...sd.keys()], ["full", "transposed", "offset", "dbl", "long", "scalar"]);
      assert.deepEqual(sd.get("full")!.shape, [3, 4]);
      assert.deepEqual([...sd.get("full")!.data], A);
      const tr = [];
      for (let i = 0; i < 4; i++) for (let j = 0; j < 3; j++) tr.push(A[i + 4 * j]);
      assert.deepEqual(sd.get("transposed")!.shape, [4, 3]);
      assert.deepEqual([...sd.get("transposed")!.data], tr, "a transposed view is made contiguous");
      assert.deepEqual([...sd.get("offset")!.data], [A[5], A[6], A[9], A[10]], "an offset view reads the right window");
      const dbl = sd.get("dbl")!;
      assert.equal(dbl.dtype, "float32");
      assert.equal(dbl.sourceDtype, "float64");
      assert.deepEqual([...dbl.data], [0.1, -2.5, 1 / 3, 1e10].map(Math.fround));
      const long = sd.get("long")!;
      assert.equal(long.dtype, "int64", "int64 beyond the int32 range stays int64");
      assert.deepEqual([...long.data], [5n, -3n, 2n ** 40n]);
      assert.deepEqual(sd.get("scalar")!.shape, []);
      assert.deepEqual([...sd.get("scalar")!.data], [2n ** 40n]);
      assert.equal(ck.hyperParameters.d_model, 64);
      assert.equal(ck.hyperParameters.dataset, "geom-drugs");
      assert.deepEqual(ck.hyperParameters.betas, [0.9, 0.999]);
      assert.equal(ck.hyperParameters.big, "1180591620717411303424");
      assert.deepEqual(ck.other, { epoch: 3, hparams_name: "kwargs" });
    });
  }

  it("reads a storage shared by several tensors only once, and only the storages asked for", () => {
    const file = path.join(tmp, "fake_shared.pt");
    writeArchive(file, true);
    const ar = TorchArchive.open(file);
    try {
      const root = ar.root as Map<string, unknown>;
      const sd = root.get("state_dict") as Map<string, TorchTensorRef>;
      assert.equal((sd.get("offset") as TorchTensorRef).isParameter, true);
      const before = ar.stats.bytesRead;
      const refs = new Map(["full", "transposed", "offset"].map((n) => [n, sd.get(n)!] as [string, TorchTensorRef]));
      ar.loadTensors(refs);
      const used = ar.stats.bytesRead - before;
      // Exactly storage 0 (48 bytes) plus its fixed 30-byte local header, once for three views.
      assert.equal(used, 48 + 30, "three views of one storage read it once");
      const before2 = ar.stats.bytesRead;
      ar.loadTensors(new Map([["offset", sd.get("offset")!]]));
      assert.equal(ar.stats.bytesRead - before2, 24, "a lone view reads only its 6-element window (header cached)");
    } finally {
      ar.close();
    }
  });

  it("converts float16 and bfloat16 storages to float32 exactly", () => {
    const file = path.join(tmp, "half.pt");
    const half = Buffer.alloc(8);
    [0x3c00, 0xc100, 0x7bff, 0x0001].forEach((x, i) => half.writeUInt16LE(x, 2 * i)); // 1, -2.5, 65504, 2^-24
    const bf = Buffer.alloc(6);
    [0x3f80, 0xc040, 0x7f80].forEach((x, i) => bf.writeUInt16LE(x, 2 * i)); // 1, -3, +Infinity
    fs.writeFileSync(file, zipSync({
      "h/data.pkl": [hex(HALF_PKL), { level: 0 }],
      "h/data/0": [half, { level: 0 }],
      "h/data/1": [bf, { level: 0 }],
    }));
    const sd = readTorchCheckpoint(file).stateDict;
    assert.deepEqual([...sd.get("h")!.data], [1, -2.5, 65504, 2 ** -24]);
    assert.equal(sd.get("h")!.sourceDtype, "float16");
    assert.deepEqual([...sd.get("bf")!.data], [1, -3, Infinity]);
  });

  it("names a zip without data.pkl and a legacy (pre-1.6) torch file", () => {
    const notCkpt = path.join(tmp, "notckpt.zip");
    fs.writeFileSync(notCkpt, zipSync({ "docs/readme.txt": new TextEncoder().encode("hi") }));
    assert.throws(() => TorchArchive.open(notCkpt), /is a zip archive but not a torch\.save checkpoint: it has no <name>\/data\.pkl/);
    const legacy = path.join(tmp, "legacy.pt");
    fs.writeFileSync(legacy, Buffer.concat([Buffer.from([0x80, 0x02, 0x8a, 0x0a]), Buffer.alloc(200)]));
    assert.throws(() => TorchArchive.open(legacy), /legacy \(pre-1\.6\) torch\.save format/);
  });
});
