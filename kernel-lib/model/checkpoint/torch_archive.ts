/**
 * The `torch.save` zip format (PyTorch ≥ 1.6): `<name>/data.pkl` (the pickled object tree), `<name>/data/<key>`
 * (one raw storage per key), `<name>/version`, maybe `<name>/byteorder`. Tensors unpickle to lazy
 * {@link TorchTensorRef}s; {@link TorchArchive.loadTensors} reads only the storages asked for, each once.
 */
import * as fs from "node:fs";
import { ZipReader, ZipReadStats } from "./zip_reader";
import { PyCallable, unpickle } from "./pickle";

/** Element types of torch storages this reader understands. */
export type TorchDtype = "float64" | "float32" | "float16" | "bfloat16" | "int64" | "int32" | "int16" | "int8" | "uint8" | "bool";

const STORAGE_TYPES: Record<string, TorchDtype> = {
  DoubleStorage: "float64", FloatStorage: "float32", HalfStorage: "float16", BFloat16Storage: "bfloat16",
  LongStorage: "int64", IntStorage: "int32", ShortStorage: "int16", CharStorage: "int8", ByteStorage: "uint8",
  BoolStorage: "bool", UntypedStorage: "uint8",
};
const ITEM_BYTES: Record<TorchDtype, number> = {
  float64: 8, float32: 4, float16: 2, bfloat16: 2, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1,
};

/** A storage named by a persistent id: `data/<key>` of the archive, `numel` elements of `dtype`. */
export class TorchStorageRef {
  constructor(readonly key: string, readonly dtype: TorchDtype, readonly location: string, readonly numel: number) {}
}

/** A tensor as pickled: a strided view into a storage. Nothing is read until it is loaded. */
export class TorchTensorRef {
  /** True for `nn.Parameter`s (`_rebuild_parameter`). */
  isParameter = false;
  constructor(
    readonly storage: TorchStorageRef,
    readonly storageOffset: number,
    readonly shape: number[],
    readonly stride: number[],
    readonly requiresGrad: boolean,
  ) {}
  /** Number of elements. */
  get numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
  /** The element type of the underlying storage. */
  get dtype(): TorchDtype {
    return this.storage.dtype;
  }
  /** Ignore BUILD state (parameters with extra attributes). */
  setState(): void {}
}

/** A loaded tensor, dense and row-major. Floats become float32; integers int32 when every value fits. */
export interface TorchTensorData {
  dtype: "float32" | "int32" | "int64";
  shape: number[];
  data: Float32Array | Int32Array | BigInt64Array;
  /** The element type in the file (e.g. `float64` when converted to float32). */
  sourceDtype: TorchDtype;
}

const asInt = (v: unknown, what: string): number => {
  if (typeof v !== "number" || !Number.isInteger(v)) throw new Error(`torch tensor: ${what} is ${String(v)}, not an integer`);
  return v;
};
const asInts = (v: unknown, what: string): number[] => {
  if (!Array.isArray(v)) throw new Error(`torch tensor: ${what} is not a tuple`);
  return v.map((x, i) => asInt(x, `${what}[${i}]`));
};

/** `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])`. */
function rebuildTensor(args: unknown[]): TorchTensorRef {
  const [storage, offset, size, stride, requiresGrad] = args;
  if (!(storage instanceof TorchStorageRef)) throw new Error("torch tensor: first argument is not a storage");
  const shape = asInts(size, "size");
  const strides = asInts(stride, "stride");
  if (strides.length !== shape.length) throw new Error(`torch tensor: size [${shape}] and stride [${strides}] differ in rank`);
  return new TorchTensorRef(storage, asInt(offset, "storage offset"), shape, strides, requiresGrad === true);
}

/** `torch._utils._rebuild_parameter(data, requires_grad, hooks)` (and `_with_state`): the tensor, marked. */
function rebuildParameter(args: unknown[]): unknown {
  const t = args[0];
  if (t instanceof TorchTensorRef) t.isParameter = true;
  return t;
}

/** Resolve torch globals; everything else falls through to the pickle reader's defaults. */
function torchGlobal(module: string, name: string): unknown {
  if (module === "torch._utils") {
    if (name === "_rebuild_tensor_v2" || name === "_rebuild_tensor") return new PyCallable(`${module}.${name}`, rebuildTensor);
    if (name === "_rebuild_parameter" || name === "_rebuild_parameter_with_state") return new PyCallable(`${module}.${name}`, rebuildParameter);
  }
  if ((module === "torch" || module === "torch.storage") && name in STORAGE_TYPES) return { torchStorageType: name };
  if (module === "torch" && name === "Size") return new PyCallable("torch.Size", (a) => (Array.isArray(a[0]) ? [...a[0]] : []));
  return undefined;
}

/** Convert raw storage bytes of one contiguous run to the output element type. */
function convert(raw: Buffer, dtype: TorchDtype, littleEndian: boolean): Float32Array | Int32Array | BigInt64Array {
  const n = raw.length / ITEM_BYTES[dtype];
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const le = littleEndian;
  switch (dtype) {
    case "float32": {
      if (le) return new Float32Array(new Uint8Array(raw).buffer); // a copy: bit-exact and aligned
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = dv.getFloat32(4 * i, false);
      return out;
    }
    case "float64": {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = dv.getFloat64(8 * i, le);
      return out;
    }
    case "float16": case "bfloat16": {
      const out = new Float32Array(n);
      const f = new Float32Array(1);
      const u = new Uint32Array(f.buffer);
      for (let i = 0; i < n; i++) {
        const h = dv.getUint16(2 * i, le);
        if (dtype === "bfloat16") u[0] = h << 16;
        else {
          const e = (h >> 10) & 0x1f;
          const m = h & 0x3ff;
          const s = h & 0x8000 ? -1 : 1;
          out[i] = e === 0 ? s * m * 2 ** -24 : e === 31 ? (m ? NaN : s * Infinity) : s * (1 + m / 1024) * 2 ** (e - 15);
          continue;
        }
        out[i] = f[0];
      }
      return out;
    }
    case "int64": {
      const big = new BigInt64Array(n);
      let fits = true;
      for (let i = 0; i < n; i++) {
        big[i] = dv.getBigInt64(8 * i, le);
        if (big[i] > 2147483647n || big[i] < -2147483648n) fits = false;
      }
      return fits ? Int32Array.from(big, (x) => Number(x)) : big;
    }
    default: {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        out[i] = dtype === "int32" ? dv.getInt32(4 * i, le) : dtype === "int16" ? dv.getInt16(2 * i, le)
          : dtype === "int8" ? dv.getInt8(i) : dv.getUint8(i);
      }
      return out;
    }
  }
}

/** Gather a strided view (in elements of an already converted storage window) into a dense row-major array. */
function makeContiguous<T extends Float32Array | Int32Array | BigInt64Array>(src: T, shape: number[], stride: number[], base: number): T {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new (src.constructor as new (n: number) => T)(n);
  const rank = shape.length;
  const idx = new Array<number>(rank).fill(0);
  let off = base;
  for (let k = 0; k < n; k++) {
    out[k] = src[off];
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      off += stride[d];
      if (idx[d] < shape[d]) break;
      off -= stride[d] * shape[d];
      idx[d] = 0;
    }
  }
  return out;
}

/** True if a view with this shape and stride is dense row-major. */
function isContiguous(shape: number[], stride: number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && stride[d] !== expected) return false;
    expected *= shape[d];
  }
  return true;
}

/**
 * An open `torch.save` archive: the unpickled object tree (tensors as lazy refs) and the zip to load them from.
 * Close it with {@link TorchArchive.close}.
 *
 * @example
 * const ar = TorchArchive.open("model.ckpt");
 * try { console.log(ar.root); } finally { ar.close(); }
 */
export class TorchArchive {
  private constructor(
    readonly zip: ZipReader,
    /** The archive's top folder (`<name>` in `<name>/data.pkl`). */
    readonly prefix: string,
    readonly littleEndian: boolean,
    /** The unpickled object (a Map for a Lightning checkpoint). */
    readonly root: unknown,
  ) {}

  /**
   * Open and unpickle `file`. Reads the central directory and `data.pkl` only.
   * @throws if the file is not a `torch.save` zip archive (naming what is wrong), is truncated, or is corrupt.
   */
  static open(file: string): TorchArchive {
    let zip: ZipReader;
    try {
      zip = ZipReader.open(file);
    } catch (err) {
      // The pre-1.6 format is a bare pickle stream: name it instead of calling the file "not a zip".
      const head = Buffer.alloc(2);
      try {
        const fd = fs.openSync(file, "r");
        fs.readSync(fd, head, 0, 2, 0);
        fs.closeSync(fd);
      } catch { /* the zip error below says it */ }
      if (head[0] === 0x80 && head[1] <= 5) {
        throw new Error(`${file} uses the legacy (pre-1.6) torch.save format; re-save it with torch >= 1.6 (zip format)`);
      }
      throw err;
    }
    try {
      const pkl = [...zip.entries.keys()].find((n) => /^[^/]+\/data\.pkl$/.test(n) || n === "data.pkl");
      if (!pkl) {
        throw new Error(`${file} is a zip archive but not a torch.save checkpoint: it has no <name>/data.pkl entry`);
      }
      const prefix = pkl.includes("/") ? pkl.slice(0, pkl.indexOf("/")) : "";
      const join = (n: string): string => (prefix ? `${prefix}/${n}` : n);
      let littleEndian = true;
      if (zip.entries.has(join("byteorder"))) {
        const order = zip.readEntry(join("byteorder")).toString("ascii").trim();
        if (order !== "little" && order !== "big") throw new Error(`${file}: unknown byteorder "${order}"`);
        littleEndian = order === "little";
      }
      const root = unpickle(zip.readEntry(pkl), {
        findGlobal: torchGlobal,
        persistentLoad: (pid) => {
          if (!Array.isArray(pid) || pid[0] !== "storage") throw new Error(`${file}: unknown persistent id ${JSON.stringify(pid)}`);
          const [, type, key, location, numel] = pid as [string, { torchStorageType?: string }, string, string, number];
          const dtype = type && STORAGE_TYPES[type.torchStorageType ?? ""];
          if (!dtype) throw new Error(`${file}: storage ${key} has an unsupported type ${JSON.stringify(type)}`);
          if (!zip.entries.has(join(`data/${key}`))) throw new Error(`${file}: storage data/${key} is missing from the archive`);
          return new TorchStorageRef(String(key), dtype, String(location), Number(numel));
        },
      });
      return new TorchArchive(zip, prefix, littleEndian, root);
    } catch (err) {
      zip.close();
      throw err;
    }
  }

  /** Bytes read from disk so far. */
  get stats(): ZipReadStats {
    return this.zip.stats;
  }

  /**
   * Load tensors (dense row-major; see {@link TorchTensorData}). Each storage is read once even if several tensors
   * view it; a view of part of a storage reads only that part.
   * @throws if a storage entry is shorter than a view needs, truncated, or fails its CRC.
   */
  loadTensors(refs: ReadonlyMap<string, TorchTensorRef>): Map<string, TorchTensorData> {
    const users = new Map<string, number>();
    for (const r of refs.values()) users.set(r.storage.key, (users.get(r.storage.key) ?? 0) + 1);
    const total = new Map(users);
    const shared = new Map<string, Buffer>();
    const out = new Map<string, TorchTensorData>();
    for (const [name, ref] of refs) {
      const { storage } = ref;
      const item = ITEM_BYTES[storage.dtype];
      const entry = this.zip.entry(this.prefix ? `${this.prefix}/data/${storage.key}` : `data/${storage.key}`);
      // Elements this view touches: offset .. offset + Σ (size-1)·stride.
      let span = ref.numel === 0 ? 0 : 1;
      for (let d = 0; d < ref.shape.length && ref.numel; d++) span += (ref.shape[d] - 1) * ref.stride[d];
      if (ref.stride.some((s) => s < 0)) throw new Error(`tensor ${name}: negative strides are not supported`);
      if ((ref.storageOffset + span) * item > entry.size) {
        throw new Error(`tensor ${name}: needs ${(ref.storageOffset + span) * item} bytes of storage ${storage.key}, which has ${entry.size}`);
      }
      let raw: Buffer;
      let base: number;
      if ((total.get(storage.key) ?? 0) > 1) {
        raw = shared.get(storage.key) ?? this.zip.readEntry(entry);
        shared.set(storage.key, raw);
        base = ref.storageOffset;
      } else {
        raw = this.zip.readEntryRange(entry, ref.storageOffset * item, span * item);
        base = 0;
      }
      const remaining = (users.get(storage.key) ?? 1) - 1;
      users.set(storage.key, remaining);
      if (remaining === 0) shared.delete(storage.key);
      let data: Float32Array | Int32Array | BigInt64Array;
      if (base === 0 && span === ref.numel && isContiguous(ref.shape, ref.stride)) data = convert(raw, storage.dtype, this.littleEndian);
      else {
        const window = convert(raw.subarray(base * item, (base + span) * item), storage.dtype, this.littleEndian);
        data = makeContiguous(window, ref.shape, ref.stride, 0);
      }
      const dtype = data instanceof Float32Array ? "float32" : data instanceof Int32Array ? "int32" : "int64";
      out.set(name, { dtype, shape: ref.shape.slice(), data, sourceDtype: storage.dtype });
    }
    return out;
  }

  /** Close the file (idempotent). */
  close(): void {
    this.zip.close();
  }
}
