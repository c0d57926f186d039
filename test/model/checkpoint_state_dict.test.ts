/**
 * A checkpoint whose "state_dict" is not a dict of tensors (a list, None, a string, an empty dict) is refused with a
 * message that says what it holds instead, before anything is imported. The files are real torch.save-format zips
 * (`<name>/data.pkl` + `<name>/version`, every entry STORED) around hand-assembled protocol-2 pickles.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { zipSync } from "fflate";
import { openTorchCheckpoint } from "../../kernel-lib/model/checkpoint/torch_checkpoint";
import { importSemlaCheckpoint } from "../../kernel-lib/model/checkpoint/import";
import { testTempDir } from "../helpers/temp_dir";

const tmp = testTempDir("molcache-ckpt-sd-");

/** Pickle opcodes (protocol 2) for the values used here. */
const op = {
  str: (s: string) => Buffer.concat([Buffer.from([0x58]), u32(Buffer.byteLength(s)), Buffer.from(s)]), // BINUNICODE
  int: (n: number) => Buffer.from([0x4b, n]), // BININT1
  none: Buffer.from([0x4e]),
  emptyDict: Buffer.from([0x7d]),
  list: (...items: Buffer[]) => Buffer.concat([Buffer.from([0x5d, 0x28]), ...items, Buffer.from([0x65])]), // EMPTY_LIST MARK … APPENDS
};
function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

/** `{key: value, …}` pickled as the top-level object. */
function pickleDict(entries: [string, Buffer][]): Buffer {
  const body = entries.flatMap(([k, v]) => [op.str(k), v]);
  return Buffer.concat([Buffer.from([0x80, 0x02, 0x7d, 0x28]), ...body, Buffer.from([0x75, 0x2e])]); // PROTO 2, EMPTY_DICT, MARK … SETITEMS, STOP
}

/** A torch.save-format zip holding `pkl`. */
function checkpointFile(name: string, pkl: Buffer): string {
  const file = path.join(tmp, `${name}.ckpt`);
  fs.writeFileSync(file, zipSync({
    [`${name}/data.pkl`]: [new Uint8Array(pkl), { level: 0 }],
    [`${name}/version`]: [new TextEncoder().encode("3\n"), { level: 0 }],
  }));
  return file;
}

describe("a checkpoint whose state_dict is not a dict of tensors", () => {
  const cases: [string, Buffer, RegExp][] = [
    ["list", op.list(op.int(1), op.int(2)), /its "state_dict" is a list of 2 items, not a dict of parameter name → tensor/],
    ["none", op.none, /its "state_dict" is None, not a dict of parameter name → tensor/],
    ["string", op.str("see weights.pt"), /its "state_dict" is a string \("see weights\.pt"\), not a dict/],
    ["empty", op.emptyDict, /its "state_dict" is an empty dict, not a dict of parameter name → tensor/],
  ];
  for (const [name, value, message] of cases) {
    it(`${name}: says what it holds and how to re-save it`, () => {
      const file = checkpointFile(name, pickleDict([["epoch", op.int(3)], ["state_dict", value]]));
      assert.throws(() => openTorchCheckpoint(file), (err: Error) => {
        assert.match(err.message, message);
        assert.ok(err.message.startsWith(file), err.message);
        assert.match(err.message, /re-save it with torch\.save\(\{"state_dict": model\.state_dict\(\)\}, path\)/);
        assert.doesNotMatch(err.message, /among its keys/);
        return true;
      });
    });
  }

  it("the import command reports it the same way and writes nothing", () => {
    const file = checkpointFile("import_list", pickleDict([["state_dict", op.list(op.int(1))]]));
    const out = path.join(tmp, "out-model");
    assert.throws(() => importSemlaCheckpoint(file, out), /its "state_dict" is a list of 1 item, not a dict/);
    assert.equal(fs.existsSync(out), false);
  });

  it("a checkpoint without a state_dict key still lists its keys", () => {
    const file = checkpointFile("nokey", pickleDict([["epoch", op.int(3)], ["optimizer_states", op.list()]]));
    assert.throws(() => openTorchCheckpoint(file), /not a model checkpoint: no "state_dict" among its keys \(epoch, optimizer_states\)/);
  });
});
