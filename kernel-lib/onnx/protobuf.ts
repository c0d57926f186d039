/**
 * A minimal protocol-buffers writer: just what encoding an ONNX `ModelProto` needs (varints, 32-bit floats,
 * length-delimited bytes, strings and nested messages). Hand-written because the ONNX schema needs only these five
 * wire forms; a generated-code dependency (protobufjs + the .proto) would be larger than this file.
 *
 * Encoding rules (https://protobuf.dev/programming-guides/encoding/): each field is a tag `(field << 3) | wireType`
 * as a varint, then the payload. Wire types used: 0 varint, 2 length-delimited, 5 fixed 32-bit.
 */

const textEncoder = new TextEncoder();

/** Appends protobuf fields to a growing buffer; {@link ProtoWriter.finish} returns the bytes. */
export class ProtoWriter {
  private buf = new Uint8Array(256);
  private len = 0;

  /** Bytes written so far. */
  get length(): number {
    return this.len;
  }

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private rawVarint(value: number | bigint): void {
    // Negative int64 values are written as their 64-bit two's complement (10 bytes), as protobuf requires.
    let v = typeof value === "bigint" ? BigInt.asUintN(64, value) : value;
    if (typeof v === "number") {
      if (!Number.isInteger(v)) throw new Error(`protobuf varint: ${value} is not an integer`);
      if (v < 0) v = BigInt.asUintN(64, BigInt(v));
      else if (v > Number.MAX_SAFE_INTEGER) throw new Error(`protobuf varint: ${value} is beyond 2^53; pass a bigint`);
    }
    this.ensure(10);
    if (typeof v === "number") {
      while (v >= 0x80) {
        this.buf[this.len++] = (v % 0x80) | 0x80;
        v = Math.floor(v / 0x80);
      }
      this.buf[this.len++] = v;
    } else {
      while (v >= 0x80n) {
        this.buf[this.len++] = Number(v & 0x7fn) | 0x80;
        v >>= 7n;
      }
      this.buf[this.len++] = Number(v);
    }
  }

  private tag(field: number, wireType: number): void {
    this.rawVarint(field * 8 + wireType);
  }

  /** A varint field (int32, int64, enum, bool); negative values take 10 bytes. */
  varint(field: number, value: number | bigint | boolean): this {
    this.tag(field, 0);
    this.rawVarint(typeof value === "boolean" ? (value ? 1 : 0) : value);
    return this;
  }

  /** A `float` field (fixed 32-bit, little-endian). */
  float(field: number, value: number): this {
    this.tag(field, 5);
    this.ensure(4);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.len, 4).setFloat32(0, value, true);
    this.len += 4;
    return this;
  }

  /** A `bytes` field. */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, 2);
    this.rawVarint(value.length);
    this.ensure(value.length);
    this.buf.set(value, this.len);
    this.len += value.length;
    return this;
  }

  /** A `string` field (UTF-8). */
  string(field: number, value: string): this {
    return this.bytes(field, textEncoder.encode(value));
  }

  /** A nested message field, written by `write` into a fresh writer. */
  message(field: number, write: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    write(inner);
    return this.bytes(field, inner.finish());
  }

  /** The encoded bytes (a view of the internal buffer: do not write more afterwards). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}
