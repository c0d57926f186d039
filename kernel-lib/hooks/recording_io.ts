/**
 * Recordings on disk, in the tensor bundle format (`<stem>.json` manifest + `<stem>.bin`, each written atomically).
 *
 * Tensors: `steps` (int32 [K]), `t` (float32 [K]), `computed` (int32 [K]); per molecule `molecules/<m>/atoms`
 * (int32); per series and molecule `<block>/<field>/<m>` (float32 `[steps, atoms, width]` or
 * `[steps, atoms, atoms, width]` for edge series) and `<block>/<field>/<m>/steps` (int32). The manifest's `meta`
 * holds `format: "molcache-recording/1"`, the series specs, the molecules and the recording's own metadata.
 */
import { Bundle, BundleTensor, readBundle, writeBundle } from "../util/bundle";
import { RecordedMolecule, Recording } from "./recording";
import { seriesFloats, SeriesSpec } from "./series";

/** The `format` tag of recording bundles. */
export const RECORDING_FORMAT = "molcache-recording/1";

/**
 * The recording as an in-memory bundle (values copied into one array per series and molecule).
 * @example
 * const bundle = recordingToBundle(recording); bundle.tensors.get("steps")!.shape; // [100]
 */
export function recordingToBundle(recording: Recording): Bundle {
  const tensors = new Map<string, BundleTensor>();
  const steps = recording.steps();
  tensors.set("steps", { dtype: "int32", shape: [steps.length], data: Int32Array.from(steps, (s) => s.step) });
  tensors.set("t", { dtype: "float32", shape: [steps.length], data: Float32Array.from(steps, (s) => s.t) });
  tensors.set("computed", { dtype: "int32", shape: [steps.length], data: Int32Array.from(steps, (s) => (s.computed ? 1 : 0)) });
  const molecules = recording.molecules();
  for (const m of molecules) tensors.set(`molecules/${m.index}/atoms`, { dtype: "int32", shape: [m.atoms.length], data: Int32Array.from(m.atoms) });
  for (const spec of recording.series()) {
    for (const m of molecules) {
      const tr = recording.trajectory(spec.block, spec.field, m.index);
      if (tr.steps.length === 0) continue;
      const a = m.atoms.length;
      const per = seriesFloats(spec, a);
      const data = new Float32Array(per * tr.steps.length);
      tr.rows.forEach((row, k) => data.set(row, k * per));
      const shape = spec.layout === "edge" ? [tr.steps.length, a, a, spec.width] : [tr.steps.length, a, spec.width];
      const name = `${spec.block}/${spec.field}/${m.index}`;
      tensors.set(name, { dtype: "float32", shape, data });
      tensors.set(`${name}/steps`, { dtype: "int32", shape: [tr.steps.length], data: Int32Array.from(tr.steps) });
    }
  }
  const meta = {
    format: RECORDING_FORMAT,
    series: recording.series(),
    molecules: molecules.map((m) => ({ index: m.index, size: m.size, batch: m.batch })),
    recording: recording.meta,
  };
  return { tensors, meta };
}

/**
 * Write a recording as `<dir>/<stem>.json` + `<dir>/<stem>.bin` (atomically; binary first). Returns the manifest path.
 * @example
 * const file = writeRecording(recording, "out/traj"); // "out/traj/recording.json"
 */
export function writeRecording(recording: Recording, dir: string, stem = "recording"): string {
  return writeBundle(dir, stem, recordingToBundle(recording));
}

/** Rebuild a recording from a bundle written by {@link recordingToBundle}. */
export function recordingFromBundle(bundle: Bundle, source = "bundle"): Recording {
  const meta = bundle.meta as { format?: string; series?: SeriesSpec[]; molecules?: Omit<RecordedMolecule, "atoms">[]; recording?: Record<string, unknown> };
  if (meta.format !== RECORDING_FORMAT) {
    throw new Error(`${source} is not a recording (format ${String(meta.format)}; expected ${RECORDING_FORMAT})`);
  }
  const get = (name: string): BundleTensor => {
    const t = bundle.tensors.get(name);
    if (!t) throw new Error(`${source}: tensor ${name} is missing`);
    return t;
  };
  const rec = new Recording(meta.recording ?? {});
  const steps = get("steps").data;
  const t = get("t").data;
  const computed = get("computed").data;
  steps.forEach((s, k) => rec.addStep({ step: s, t: t[k], computed: computed[k] === 1 }));
  for (const m of meta.molecules ?? []) rec.addMolecule({ ...m, atoms: Array.from(get(`molecules/${m.index}/atoms`).data) });
  for (const spec of meta.series ?? []) {
    for (const m of rec.molecules()) {
      const name = `${spec.block}/${spec.field}/${m.index}`;
      const values = bundle.tensors.get(name);
      if (!values) continue;
      const per = seriesFloats(spec, m.atoms.length);
      const stepsOf = get(`${name}/steps`).data;
      if (values.data.length !== per * stepsOf.length) throw new Error(`${source}: tensor ${name} has the wrong size for its steps`);
      stepsOf.forEach((s, k) => rec.append(spec, m.index, s, (values.data as Float32Array).subarray(k * per, (k + 1) * per)));
    }
  }
  return rec;
}

/**
 * Read a recording written by {@link writeRecording}.
 * @example
 * const recording = readRecording("out/traj/recording.json");
 */
export function readRecording(manifestPath: string): Recording {
  return recordingFromBundle(readBundle(manifestPath), manifestPath);
}
