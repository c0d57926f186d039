/**
 * Tensor bundles: a JSON manifest plus one raw little-endian binary, the format of the reference fixtures.
 * Used for model weights, recorded trajectories and checkpoints.
 *
 * Manifest: `{bin, byteOrder: "little", meta, tensors: [{name, dtype, shape, offset, nbytes}]}`; `dtype` is
 * `float32` or `int32`, offsets are multiples of 4, tensors are dense row-major.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "./atomic_write";

/** One named array of a bundle. */
export interface BundleTensor {
  dtype: "float32" | "int32";
  shape: number[];
  data: Float32Array | Int32Array;
}

/** A bundle in memory: named arrays in insertion order, and free-form metadata. */
export interface Bundle {
  tensors: Map<string, BundleTensor>;
  meta: Record<string, unknown>;
}

interface ManifestEntry {
  name: string;
  dtype: string;
  shape: number[];
  offset: number;
  nbytes: number;
}

/** The number of elements of a shape. */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Read a bundle from its manifest path (`x.json`; the binary is found through `bin`).
 * @throws if the binary is missing or shorter than the manifest says, or a dtype is unknown.
 */
export function readBundle(manifestPath: string): Bundle {
  let manifest: { bin: string; byteOrder?: string; meta?: Record<string, unknown>; tensors: ManifestEntry[] };
  try {
    manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8"));
  } catch (err) {
    throw new Error(`cannot read bundle manifest ${manifestPath}: ${(err as Error).message}`);
  }
  if (!manifest || !Array.isArray(manifest.tensors) || typeof manifest.bin !== "string") {
    throw new Error(`${manifestPath} is not a tensor bundle manifest (needs "bin" and "tensors")`);
  }
  if (manifest.byteOrder && manifest.byteOrder !== "little") {
    throw new Error(`${manifestPath}: byteOrder ${manifest.byteOrder} is not supported; only little-endian`);
  }
  const binPath = path.join(path.dirname(manifestPath), manifest.bin);
  if (!fs.existsSync(binPath)) throw new Error(`${binPath} is missing (${path.basename(manifestPath)} needs it); the bundle is incomplete: restore the file`);
  const buf = fs.readFileSync(binPath);
  const tensors = new Map<string, BundleTensor>();
  for (const e of manifest.tensors) {
    if (e.offset + e.nbytes > buf.length) {
      throw new Error(`${binPath} is truncated: tensor ${e.name} needs bytes up to ${e.offset + e.nbytes}, file has ${buf.length}`);
    }
    if (e.nbytes !== shapeSize(e.shape) * 4) {
      throw new Error(`${manifestPath}: tensor ${e.name} has ${e.nbytes} bytes for shape [${e.shape}]`);
    }
    // Copy: Node Buffers are not always 4-byte aligned.
    const bytes = new Uint8Array(buf.subarray(e.offset, e.offset + e.nbytes));
    let data: Float32Array | Int32Array;
    if (e.dtype === "float32") data = new Float32Array(bytes.buffer);
    else if (e.dtype === "int32") data = new Int32Array(bytes.buffer);
    else throw new Error(`${manifestPath}: tensor ${e.name} has unsupported dtype ${e.dtype}`);
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data });
  }
  return { tensors, meta: manifest.meta ?? {} };
}

/**
 * Write a bundle as `<dir>/<stem>.json` + `<dir>/<stem>.bin`, each atomically (binary first, so a manifest never
 * points at a missing binary).
 */
export function writeBundle(dir: string, stem: string, bundle: Bundle): string {
  const entries: ManifestEntry[] = [];
  let offset = 0;
  for (const [name, t] of bundle.tensors) {
    if (t.data.length !== shapeSize(t.shape)) {
      throw new Error(`tensor ${name}: ${t.data.length} values for shape [${t.shape}]`);
    }
    entries.push({ name, dtype: t.dtype, shape: t.shape, offset, nbytes: t.data.byteLength });
    offset += t.data.byteLength;
  }
  const bin = new Uint8Array(offset);
  let k = 0;
  for (const t of bundle.tensors.values()) {
    bin.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), entries[k++].offset);
  }
  const binName = `${stem}.bin`;
  writeFileAtomic(path.join(dir, binName), bin);
  const manifest = { bin: binName, byteOrder: "little", meta: bundle.meta, tensors: entries };
  const manifestPath = path.join(dir, `${stem}.json`);
  writeFileAtomic(manifestPath, JSON.stringify(manifest, null, 1));
  return manifestPath;
}
