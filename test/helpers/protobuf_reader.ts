/** Reading ONNX protobuf bytes back, for the tests of the writer (kernel-lib/onnx/protobuf.ts). */

/**
 * Read back varint/length-delimited/fixed32 fields of one message level: a list of
 * `{field, wireType, value}` where `value` is a bigint (varint), a Uint8Array (length-delimited) or a number (float).
 */
export function readProtoFields(bytes: Uint8Array): { field: number; wireType: number; value: bigint | Uint8Array | number }[] {
  const out: { field: number; wireType: number; value: bigint | Uint8Array | number }[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= bytes.length) throw new Error("truncated protobuf varint");
      const b = bytes[pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return result;
      shift += 7n;
    }
  };
  while (pos < bytes.length) {
    const key = Number(varint());
    const field = key >>> 3;
    const wireType = key & 7;
    if (wireType === 0) out.push({ field, wireType, value: varint() });
    else if (wireType === 2) {
      const n = Number(varint());
      if (pos + n > bytes.length) throw new Error(`truncated protobuf field ${field}`);
      out.push({ field, wireType, value: bytes.subarray(pos, pos + n) });
      pos += n;
    } else if (wireType === 5) {
      out.push({ field, wireType, value: new DataView(bytes.buffer, bytes.byteOffset + pos, 4).getFloat32(0, true) });
      pos += 4;
    } else throw new Error(`unsupported protobuf wire type ${wireType} (field ${field})`);
  }
  return out;
}
