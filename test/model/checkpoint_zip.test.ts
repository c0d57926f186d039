/** ZipReader: central directory from the end, on-demand entries, STORED/DEFLATE/ZIP64, clear errors, byte counting. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { zipSync } from "fflate";
import { ZipReader } from "../../kernel-lib/model/checkpoint/zip_reader";
import { sharedPath } from "../helpers/paths";
import { testTempDir } from "../helpers/temp_dir";

const tmp = testTempDir("molcache-zip-");

const bytes = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7) & 0xff);

/** A minimal ZIP64 writer (STORED entries, every size and offset pushed into the zip64 extra field). */
function zip64(entries: [string, Uint8Array][]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const nameBuf = Buffer.from(name);
    const crc = zlib.crc32(data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(45, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    parts.push(local, nameBuf, Buffer.from(data));
    const extra = Buffer.alloc(4 + 24);
    extra.writeUInt16LE(1, 0);
    extra.writeUInt16LE(24, 2);
    extra.writeBigUInt64LE(BigInt(data.length), 4);
    extra.writeBigUInt64LE(BigInt(data.length), 12);
    extra.writeBigUInt64LE(BigInt(offset), 20);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(45, 4);
    c.writeUInt16LE(45, 6);
    c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(0xffffffff, 20);
    c.writeUInt32LE(0xffffffff, 24);
    c.writeUInt16LE(nameBuf.length, 28);
    c.writeUInt16LE(extra.length, 30);
    c.writeUInt32LE(0xffffffff, 42);
    central.push(c, nameBuf, extra);
    offset += 30 + nameBuf.length + data.length;
  }
  const cd = Buffer.concat(central);
  const rec = Buffer.alloc(56);
  rec.writeUInt32LE(0x06064b50, 0);
  rec.writeBigUInt64LE(44n, 4);
  rec.writeBigUInt64LE(BigInt(entries.length), 24);
  rec.writeBigUInt64LE(BigInt(entries.length), 32);
  rec.writeBigUInt64LE(BigInt(cd.length), 40);
  rec.writeBigUInt64LE(BigInt(offset), 48);
  const loc = Buffer.alloc(20);
  loc.writeUInt32LE(0x07064b50, 0);
  loc.writeBigUInt64LE(BigInt(offset + cd.length), 8);
  loc.writeUInt32LE(1, 16);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(0xffff, 8);
  eocd.writeUInt16LE(0xffff, 10);
  eocd.writeUInt32LE(0xffffffff, 12);
  eocd.writeUInt32LE(0xffffffff, 16);
  return Buffer.concat([...parts, cd, rec, loc, eocd]);
}

describe("ZipReader", () => {
  it("reads STORED and DEFLATE entries, whole and by range, and counts the bytes it reads", () => {
    const big = bytes(200_000, 1);
    const file = path.join(tmp, "mixed.zip");
    fs.writeFileSync(file, zipSync({
      "a/stored.bin": [bytes(1000, 2), { level: 0 }],
      "a/deflated.txt": [new TextEncoder().encode("hello ".repeat(5000)), { level: 6 }],
      "a/big.bin": [big, { level: 0 }],
    }));
    const zip = ZipReader.open(file);
    try {
      assert.deepEqual([...zip.entries.keys()], ["a/stored.bin", "a/deflated.txt", "a/big.bin"]);
      assert.equal(zip.entry("a/deflated.txt").method, 8);
      assert.equal(zip.entry("a/stored.bin").method, 0);
      const afterOpen = zip.stats.bytesRead;
      assert.ok(afterOpen <= 4096, `opening read only the tail holding the directory (${afterOpen} bytes)`);
      assert.equal(zip.readEntry("a/deflated.txt").toString(), "hello ".repeat(5000));
      assert.deepEqual(new Uint8Array(zip.readEntry("a/stored.bin")), bytes(1000, 2));
      const before = zip.stats.bytesRead;
      const part = zip.readEntryRange("a/big.bin", 150_000, 16);
      assert.deepEqual(new Uint8Array(part), big.subarray(150_000, 150_016));
      assert.ok(zip.stats.bytesRead - before <= 16 + 30 + 20, "a range of a STORED entry reads only that range (+ local header)");
      assert.throws(() => zip.readEntryRange("a/big.bin", 199_990, 20), /outside entry a\/big\.bin/);
      assert.throws(() => zip.entry("nope"), /no entry nope in the archive/);
    } finally {
      zip.close();
    }
  });

  it("reads a ZIP64 archive (sizes and offsets in the zip64 extra field and end record)", () => {
    const file = path.join(tmp, "z64.zip");
    fs.writeFileSync(file, zip64([["x/data.pkl", bytes(77, 3)], ["x/data/0", bytes(4096, 4)]]));
    const zip = ZipReader.open(file);
    try {
      assert.equal(zip.entries.size, 2);
      assert.deepEqual(new Uint8Array(zip.readEntry("x/data/0")), bytes(4096, 4));
      assert.deepEqual(new Uint8Array(zip.readEntry("x/data.pkl")), bytes(77, 3));
    } finally {
      zip.close();
    }
  });

  it("rejects truncated files, non-zip files and corrupt data with messages that say so", () => {
    const ckpt = fs.readFileSync(sharedPath("fixtures", "semla", "tiny_semla_lightning.ckpt"));
    const cut = path.join(tmp, "cut.ckpt");
    fs.writeFileSync(cut, ckpt.subarray(0, Math.floor(ckpt.length * 0.7)));
    assert.throws(() => ZipReader.open(cut), /cut\.ckpt is not a zip archive or is truncated/);
    const text = path.join(tmp, "notes.txt");
    fs.writeFileSync(text, "just some text, not an archive\n".repeat(10));
    assert.throws(() => ZipReader.open(text), /not a zip archive or is truncated/);
    assert.throws(() => ZipReader.open(path.join(tmp, "missing.zip")), /cannot open .*missing\.zip/);

    // Flip one data byte of a STORED entry: the CRC check catches it.
    const file = path.join(tmp, "flip.zip");
    const buf = Buffer.from(zipSync({ "p.bin": [bytes(500, 5), { level: 0 }] }));
    buf[30 + "p.bin".length + 100] ^= 0xff;
    fs.writeFileSync(file, buf);
    const zip = ZipReader.open(file);
    try {
      assert.throws(() => zip.readEntry("p.bin"), /fails its CRC-32 check/);
    } finally {
      zip.close();
    }
  });

  it("reports a data region cut short even when the central directory survives", () => {
    // Directory intact, but an entry claims more bytes than the file holds before the directory.
    const file = path.join(tmp, "short.zip");
    const buf = Buffer.from(zipSync({ "e.bin": [bytes(300, 6), { level: 0 }] }));
    const cdAt = buf.readUInt32LE(buf.length - 22 + 16);
    buf.writeUInt32LE(0x7fffffff, cdAt + 20); // compressed size in the directory
    buf.writeUInt32LE(0x7fffffff, cdAt + 24);
    fs.writeFileSync(file, buf);
    const zip = ZipReader.open(file);
    try {
      assert.throws(() => zip.readEntry("e.bin"), /short\.zip is truncated: entry e\.bin needs bytes up to/);
    } finally {
      zip.close();
    }
  });
});
