/**
 * A random-access zip reader on a file descriptor: reads the central directory from the end of the file, then each
 * entry on demand with positional reads, so a 0.5 GB checkpoint is never loaded whole. STORED and DEFLATE entries,
 * ZIP64 sizes and offsets. Every byte read is counted ({@link ZipReadStats}) so callers can prove they read once.
 */
import * as fs from "node:fs";
import * as zlib from "node:zlib";

/**
 * DEFLATE entries above this size must compress at most {@link MAX_DEFLATE_RATIO}:1. Checkpoint tensors are float
 * data that deflate barely shrinks (PyTorch stores them uncompressed); a huge ratio means a zip bomb.
 */
const LARGE_ENTRY_BYTES = 64 * 2 ** 20;
const MAX_DEFLATE_RATIO = 100;

function checkInflationRatio(file: string, entry: ZipEntry): void {
  if (entry.size > LARGE_ENTRY_BYTES && entry.size > MAX_DEFLATE_RATIO * entry.compressedSize) {
    throw new Error(
      `${file}: entry ${entry.name} declares ${entry.size} bytes from ${entry.compressedSize} compressed ` +
        `(${Math.round(entry.size / Math.max(1, entry.compressedSize))}:1, a zip bomb?); refusing to inflate it`,
    );
  }
}

/** One file of the archive, as the central directory describes it. */
export interface ZipEntry {
  /** Path inside the archive (`/`-separated). */
  name: string;
  /** 0 = STORED, 8 = DEFLATE. */
  method: number;
  /** Bytes in the archive. */
  compressedSize: number;
  /** Bytes once decompressed. */
  size: number;
  /** CRC-32 of the decompressed bytes. */
  crc32: number;
  /** Offset of the entry's local header in the file. */
  localHeaderOffset: number;
}

/** Counters of what a reader has read from disk. */
export interface ZipReadStats {
  /** Bytes read through positional reads (central directory, headers and entry data). */
  bytesRead: number;
  /** Number of positional read calls. */
  reads: number;
}

const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_EOCD64_LOCATOR = 0x07064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const SMALL_TAIL = 4096;

/** Read a little-endian uint64 that must fit a JS number (files < 8 PB). */
function u64(buf: Buffer, at: number): number {
  const v = buf.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`zip64 value ${v} is too large`);
  return Number(v);
}

/**
 * A zip archive opened for random access. Close it with {@link ZipReader.close} (idempotent).
 *
 * @example
 * const zip = ZipReader.open("model.ckpt");
 * try { const pkl = zip.readEntry("archive/data.pkl"); } finally { zip.close(); }
 */
export class ZipReader {
  /** Entries by name, in central-directory order. */
  readonly entries = new Map<string, ZipEntry>();
  /** What has been read so far (central directory included). */
  readonly stats: ZipReadStats = { bytesRead: 0, reads: 0 };
  private fd: number | undefined;
  private readonly dataOffsets = new Map<string, number>();

  private constructor(readonly path: string, readonly fileSize: number, fd: number) {
    this.fd = fd;
  }

  /**
   * Open `file` and read its central directory.
   * @throws naming the file if it is missing, truncated, not a zip archive, or uses an unsupported feature.
   */
  static open(file: string): ZipReader {
    let fd: number;
    try {
      fd = fs.openSync(file, "r");
    } catch (err) {
      throw new Error(`cannot open ${file}: ${(err as Error).message}`);
    }
    const reader = new ZipReader(file, fs.fstatSync(fd).size, fd);
    try {
      reader.readCentralDirectory();
    } catch (err) {
      reader.close();
      throw err;
    }
    return reader;
  }

  /** Read exactly `length` bytes at `position`, failing clearly if the file ends first. */
  readAt(position: number, length: number): Buffer {
    if (this.fd === undefined) throw new Error(`${this.path}: zip reader is closed`);
    if (position < 0 || position + length > this.fileSize) {
      throw new Error(
        `${this.path} is truncated: needs bytes ${position}..${position + length}, the file has ${this.fileSize}; ` +
          "copy or download it again",
      );
    }
    const buf = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = fs.readSync(this.fd, buf, done, length - done, position + done);
      this.stats.reads++;
      if (n === 0) throw new Error(`${this.path} is truncated: read ended at byte ${position + done}`);
      done += n;
      this.stats.bytesRead += n;
    }
    return buf;
  }

  private readCentralDirectory(): void {
    const notZip = `${this.path} is not a zip archive or is truncated (no end-of-central-directory record)`;
    if (this.fileSize < EOCD_SIZE) throw new Error(`${notZip}: only ${this.fileSize} bytes`);
    const findEocd = (buf: Buffer): number => {
      for (let i = buf.length - EOCD_SIZE; i >= 0; i--) {
        // The comment length must reach exactly to the end of the file, or this is a stray signature.
        if (buf.readUInt32LE(i) === SIG_EOCD && i + EOCD_SIZE + buf.readUInt16LE(i + 20) === buf.length) return i;
      }
      return -1;
    };
    // A small tail first (torch writes no archive comment); the full 64 KiB comment window only if needed.
    let tailLen = Math.min(this.fileSize, SMALL_TAIL);
    let tail = this.readAt(this.fileSize - tailLen, tailLen);
    let at = findEocd(tail);
    if (at < 0 && tailLen < Math.min(this.fileSize, EOCD_SIZE + MAX_COMMENT)) {
      tailLen = Math.min(this.fileSize, EOCD_SIZE + MAX_COMMENT);
      tail = this.readAt(this.fileSize - tailLen, tailLen);
      at = findEocd(tail);
    }
    if (at < 0) throw new Error(notZip);
    const tailStart = this.fileSize - tailLen;
    let count = tail.readUInt16LE(at + 10);
    let cdSize = tail.readUInt32LE(at + 12);
    let cdOffset = tail.readUInt32LE(at + 16);
    const eocdPos = tailStart + at;
    // ZIP64: a locator sits just before the classic record and points at the 64-bit one.
    if (eocdPos >= 20) {
      const loc = eocdPos - 20 >= tailStart ? tail.subarray(at - 20, at) : this.readAt(eocdPos - 20, 20);
      if (loc.readUInt32LE(0) === SIG_EOCD64_LOCATOR) {
        const rec = this.readAt(u64(loc, 8), 56);
        if (rec.readUInt32LE(0) !== SIG_EOCD64) throw new Error(`${this.path}: corrupt zip64 end-of-central-directory record`);
        count = u64(rec, 32);
        cdSize = u64(rec, 40);
        cdOffset = u64(rec, 48);
      }
    }
    if (cdOffset + cdSize > eocdPos) {
      throw new Error(`${this.path} is truncated or corrupt: the central directory (${cdOffset}+${cdSize}) runs past its end record`);
    }
    // The tail already read usually holds all or part of the directory: read only what is missing.
    const cdEnd = cdOffset + cdSize;
    const cd =
      cdOffset >= tailStart
        ? tail.subarray(cdOffset - tailStart, cdEnd - tailStart)
        : cdEnd <= tailStart
          ? this.readAt(cdOffset, cdSize)
          : Buffer.concat([this.readAt(cdOffset, tailStart - cdOffset), tail.subarray(0, cdEnd - tailStart)]);
    let p = 0;
    for (let k = 0; k < count; k++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== SIG_CENTRAL) {
        throw new Error(`${this.path}: corrupt central directory at entry ${k} of ${count}`);
      }
      const flags = cd.readUInt16LE(p + 8);
      const method = cd.readUInt16LE(p + 10);
      const crc32 = cd.readUInt32LE(p + 16);
      let compressedSize = cd.readUInt32LE(p + 20);
      let size = cd.readUInt32LE(p + 24);
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      let localHeaderOffset = cd.readUInt32LE(p + 42);
      const name = cd.toString("utf8", p + 46, p + 46 + nameLen);
      // ZIP64 extended information: only the fields saturated in the header are present, in this order.
      let e = p + 46 + nameLen;
      const extraEnd = e + extraLen;
      while (e + 4 <= extraEnd) {
        const id = cd.readUInt16LE(e);
        const len = cd.readUInt16LE(e + 2);
        if (id === 0x0001) {
          let q = e + 4;
          if (size === 0xffffffff) {
            size = u64(cd, q);
            q += 8;
          }
          if (compressedSize === 0xffffffff) {
            compressedSize = u64(cd, q);
            q += 8;
          }
          if (localHeaderOffset === 0xffffffff) localHeaderOffset = u64(cd, q);
        }
        e += 4 + len;
      }
      if (flags & 1) throw new Error(`${this.path}: entry ${name} is encrypted; encrypted zips are not supported`);
      if (method !== 0 && method !== 8) {
        throw new Error(`${this.path}: entry ${name} uses compression method ${method}; only STORED (0) and DEFLATE (8) are supported`);
      }
      this.entries.set(name, { name, method, compressedSize, size, crc32, localHeaderOffset });
      p = extraEnd + commentLen;
    }
  }

  /** The entry called `name`; throws listing a few names if it is absent. */
  entry(name: string): ZipEntry {
    const e = this.entries.get(name);
    if (!e) {
      const some = [...this.entries.keys()].slice(0, 5).join(", ");
      throw new Error(`${this.path}: no entry ${name} in the archive (it holds ${this.entries.size}: ${some}…)`);
    }
    return e;
  }

  /** File offset of an entry's data (reads its local header once; the local extra field may differ). */
  private dataOffset(entry: ZipEntry): number {
    let off = this.dataOffsets.get(entry.name);
    if (off === undefined) {
      const h = this.readAt(entry.localHeaderOffset, 30);
      if (h.readUInt32LE(0) !== SIG_LOCAL) throw new Error(`${this.path}: corrupt local header for ${entry.name}`);
      off = entry.localHeaderOffset + 30 + h.readUInt16LE(26) + h.readUInt16LE(28);
      if (off + entry.compressedSize > this.fileSize) {
        throw new Error(
          `${this.path} is truncated: entry ${entry.name} needs bytes up to ${off + entry.compressedSize}, ` +
            `the file has ${this.fileSize}; copy or download it again`,
        );
      }
      this.dataOffsets.set(entry.name, off);
    }
    return off;
  }

  /**
   * The whole decompressed content of an entry, CRC-checked.
   * @throws if the data is truncated, fails to inflate, or does not match its CRC-32.
   */
  readEntry(nameOrEntry: string | ZipEntry): Buffer {
    const entry = typeof nameOrEntry === "string" ? this.entry(nameOrEntry) : nameOrEntry;
    const raw = this.readAt(this.dataOffset(entry), entry.compressedSize);
    let data: Buffer;
    if (entry.method === 0) data = raw;
    else {
      checkInflationRatio(this.path, entry);
      try {
        // Never inflate past the declared size: a zip bomb stops here instead of filling memory.
        data = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.size) });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
          throw new Error(`${this.path}: entry ${entry.name} inflates to more than the ${entry.size} bytes its directory declares (a zip bomb, or a corrupt file); not inflating further`);
        }
        throw new Error(`${this.path}: entry ${entry.name} does not inflate (${(err as Error).message}); the file is corrupt`);
      }
    }
    if (data.length !== entry.size) {
      throw new Error(`${this.path}: entry ${entry.name} has ${data.length} bytes, the directory says ${entry.size}`);
    }
    if ((zlib.crc32(data) >>> 0) !== entry.crc32) {
      throw new Error(`${this.path}: entry ${entry.name} fails its CRC-32 check; the file is corrupt`);
    }
    return data;
  }

  /**
   * Bytes `[start, start + length)` of an entry's decompressed content. STORED entries read only that range (no CRC
   * check, since the whole entry is not seen); DEFLATE entries are inflated whole, then sliced.
   */
  readEntryRange(nameOrEntry: string | ZipEntry, start: number, length: number): Buffer {
    const entry = typeof nameOrEntry === "string" ? this.entry(nameOrEntry) : nameOrEntry;
    if (start < 0 || length < 0 || start + length > entry.size) {
      throw new Error(`${this.path}: range ${start}+${length} is outside entry ${entry.name} (${entry.size} bytes)`);
    }
    if (start === 0 && length === entry.size) return this.readEntry(entry);
    if (entry.method === 0) return this.readAt(this.dataOffset(entry) + start, length);
    return this.readEntry(entry).subarray(start, start + length);
  }

  /** Close the file descriptor (idempotent). */
  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}
