/**
 * PyTorch Lightning checkpoints: a `torch.save`d dict with `state_dict` (name → tensor), `hyper_parameters`, and
 * training state (`optimizer_states`, `loops`, `callbacks`, …) that an importer skips. Open lazily with
 * {@link openTorchCheckpoint} to read only some tensors, or read everything with {@link readTorchCheckpoint}.
 */
import { PyObject, toPlain } from "./pickle";
import { TorchArchive, TorchTensorData, TorchTensorRef } from "./torch_archive";
import { ZipReadStats } from "./zip_reader";

/** A checkpoint opened lazily: its tensors are references until {@link LazyTorchCheckpoint.load} reads them. */
export interface LazyTorchCheckpoint {
  /** The file. */
  path: string;
  /** `state_dict` entries that are tensors, in file order. */
  tensors: Map<string, TorchTensorRef>;
  /** `state_dict` entries that are not tensors (rare: extra state), converted to plain values. */
  nonTensorEntries: Record<string, unknown>;
  /** `hyper_parameters` as a plain object (`{}` when absent). */
  hyperParameters: Record<string, unknown>;
  /** Every top-level key, in file order. */
  topKeys: string[];
  /** Top-level entries other than `state_dict` and `hyper_parameters`, as plain values (tensors summarised). */
  other: Record<string, unknown>;
  /** Read these tensors (each storage once). */
  load(names: Iterable<string>): Map<string, TorchTensorData>;
  /** What has been read from disk so far. */
  stats: ZipReadStats;
  /** Close the file (idempotent). */
  close(): void;
}

/** A fully read checkpoint (see {@link readTorchCheckpoint}). */
export interface TorchCheckpoint {
  stateDict: Map<string, TorchTensorData>;
  hyperParameters: Record<string, unknown>;
  nonTensorEntries: Record<string, unknown>;
  topKeys: string[];
  other: Record<string, unknown>;
  /** Bytes read from disk in all. */
  bytesRead: number;
}

/** Summarise tensors inside plain conversions (optimizer state can hold thousands). */
const tensorLeaf = (v: unknown): unknown =>
  v instanceof TorchTensorRef ? { tensor: v.dtype, shape: v.shape } : undefined;

/** What a unpickled value is, in Python's words, for messages: "a list of 2 items", "None", "a dict without tensors". */
function pythonTypeName(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (v instanceof Map) return v.size ? "a dict without tensors" : "an empty dict";
  if (Array.isArray(v)) return `a list of ${v.length} item${v.length === 1 ? "" : "s"}`;
  if (v instanceof TorchTensorRef) return `a single tensor of shape [${v.shape.join(", ")}]`;
  if (v instanceof PyObject) return `a ${v.cls.qualname} object${dictItems(v) ? " without tensors" : ""}`;
  if (typeof v === "string") return `a string (${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)})`;
  if (typeof v === "number" || typeof v === "bigint") return `a number (${String(v)})`;
  if (typeof v === "boolean") return v ? "True" : "False";
  return `a ${typeof v}`;
}

/** The items of a dict or dict subclass, or undefined. */
function dictItems(v: unknown): Map<unknown, unknown> | undefined {
  if (v instanceof Map) return v;
  if (v instanceof PyObject && v.items.size) return v.items;
  if (v instanceof PyObject && v.state instanceof Map && !v.items.size) return v.state; // attribute-style objects
  return undefined;
}

/**
 * Open a Lightning (or plain `torch.save` state-dict) checkpoint without reading any tensor data.
 * A file whose top level is itself a name → tensor dict is treated as a bare state dict.
 *
 * @throws if the file is missing, truncated, not a torch.save zip, or holds no state dict.
 * @example
 * const ckpt = openTorchCheckpoint("last.ckpt");
 * try { const w = ckpt.load(["gen.size_emb.weight"]); } finally { ckpt.close(); }
 */
export function openTorchCheckpoint(path: string): LazyTorchCheckpoint {
  const archive = TorchArchive.open(path);
  try {
    const top = dictItems(archive.root);
    if (!top) throw new Error(`${path} is a torch.save file but not a checkpoint: its top level is not a dict`);
    const topKeys = [...top.keys()].map(String);
    const stateDict = top.get("state_dict");
    let sd = dictItems(stateDict);
    if (top.has("state_dict") && !(sd && [...sd.values()].some((v) => v instanceof TorchTensorRef))) {
      throw new Error(
        `${path}: its "state_dict" is ${pythonTypeName(stateDict)}, not a dict of parameter name → tensor; the file is damaged ` +
          "or was saved from something other than a model (re-save it with torch.save({\"state_dict\": model.state_dict()}, path))",
      );
    }
    if (!sd && [...top.values()].some((v) => v instanceof TorchTensorRef)) sd = top; // bare state dict
    if (!sd) {
      throw new Error(`${path} is a torch.save file but not a model checkpoint: no "state_dict" among its keys (${topKeys.join(", ")})`);
    }
    const tensors = new Map<string, TorchTensorRef>();
    const nonTensorEntries: Record<string, unknown> = {};
    for (const [k, v] of sd) {
      if (v instanceof TorchTensorRef) tensors.set(String(k), v);
      else nonTensorEntries[String(k)] = toPlain(v, tensorLeaf);
    }
    const hp = top.get("hyper_parameters");
    const hyperParameters = hp === undefined || hp === null ? {} : toPlain(hp, tensorLeaf);
    if (typeof hyperParameters !== "object" || hyperParameters === null || Array.isArray(hyperParameters)) {
      throw new Error(`${path}: hyper_parameters is not a dict`);
    }
    const other: Record<string, unknown> = {};
    if (sd !== top) {
      for (const [k, v] of top) if (k !== "state_dict" && k !== "hyper_parameters") other[String(k)] = toPlain(v, tensorLeaf);
    }
    return {
      path,
      tensors,
      nonTensorEntries,
      hyperParameters: hyperParameters as Record<string, unknown>,
      topKeys,
      other,
      load(names: Iterable<string>): Map<string, TorchTensorData> {
        const refs = new Map<string, TorchTensorRef>();
        for (const n of names) {
          const r = tensors.get(n);
          if (!r) throw new Error(`${path}: state_dict has no tensor ${n}`);
          refs.set(n, r);
        }
        return archive.loadTensors(refs);
      },
      get stats() {
        return archive.stats;
      },
      close: () => archive.close(),
    };
  } catch (err) {
    archive.close();
    throw err;
  }
}

/**
 * Read a checkpoint's state dict (all tensors, or those `select` accepts), hyperparameters and other top-level keys.
 * float64 tensors become float32, int64 become int32 where every value fits.
 *
 * @param select which state-dict names to read (default: all). The others are never read from disk.
 * @example
 * const { stateDict, hyperParameters } = readTorchCheckpoint("last.ckpt", (n) => n.startsWith("ema_gen."));
 */
export function readTorchCheckpoint(path: string, select: (name: string) => boolean = () => true): TorchCheckpoint {
  const ckpt = openTorchCheckpoint(path);
  try {
    const stateDict = ckpt.load([...ckpt.tensors.keys()].filter(select));
    return {
      stateDict,
      hyperParameters: ckpt.hyperParameters,
      nonTensorEntries: ckpt.nonTensorEntries,
      topKeys: ckpt.topKeys,
      other: ckpt.other,
      bytesRead: ckpt.stats.bytesRead,
    };
  } finally {
    ckpt.close();
  }
}
