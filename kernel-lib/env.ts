/**
 * The runtime environment: which TensorFlow.js backend runs the maths. This is the only mutable global in molcache.
 *
 * Order of preference: `tensorflow` (the optional `@tensorflow/tfjs-node-gpu` native binding, used automatically
 * when it is installed), then `wasm` (SIMD, the default here), then the pure-JS `cpu` backend. Override with the
 * environment variable `MOLCACHE_BACKEND=wasm|cpu|tensorflow` or by calling {@link initBackend}.
 */
import * as tf from "@tensorflow/tfjs";

/** A backend molcache can run on. `tensorflow` is the name tfjs-node(-gpu) registers. */
export type BackendName = "tensorflow" | "wasm" | "cpu";

const BACKENDS: readonly BackendName[] = ["tensorflow", "wasm", "cpu"];

/** What {@link initBackend} chose, and why the preferred ones were not used. */
export interface BackendReport {
  /** The backend tfjs is running on now. */
  backend: BackendName;
  /** Why each backend tried before it was not used (one line each). */
  skipped: string[];
  /** One line for logs and notebooks. */
  summary: string;
}

let current: Promise<BackendReport> | undefined;

async function tryBackend(name: BackendName): Promise<string | undefined> {
  try {
    if (name === "tensorflow") {
      // Registers the "tensorflow" backend as a side effect; absent here because its installer needs the internet.
      require("@tensorflow/tfjs-node-gpu");
    } else if (name === "wasm") {
      require("@tensorflow/tfjs-backend-wasm");
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    return code === "MODULE_NOT_FOUND"
      ? `${name}: package not installed`
      : `${name}: failed to load (${String((err as Error).message).split("\n")[0]})`;
  }
  // tf.setBackend can fall back to cpu silently: check what is really active.
  const ok = await tf.setBackend(name).catch(() => false);
  await tf.ready();
  if (!ok || tf.getBackend() !== name) return `${name}: setBackend did not switch (active: ${tf.getBackend()})`;
  return undefined;
}

function parseOverride(value: string | undefined): BackendName | undefined {
  if (value === undefined || value === "") return undefined;
  if (!BACKENDS.includes(value as BackendName)) {
    throw new Error(`invalid MOLCACHE_BACKEND: ${value}; use one of ${BACKENDS.join(", ")}`);
  }
  return value as BackendName;
}

/**
 * Choose and activate the backend (once; later calls return the same report unless `force` names another).
 *
 * @param force a backend to use instead of the automatic choice (default: `MOLCACHE_BACKEND`, else automatic).
 *   A forced backend that cannot start is an error, not a silent fallback.
 * @returns the report: `backend` and a one-line `summary`.
 * @example
 * const { summary } = await initBackend(); // "molcache backend: wasm (tensorflow: package not installed)"
 */
export async function initBackend(force?: BackendName): Promise<BackendReport> {
  const wanted = force ?? parseOverride(process.env.MOLCACHE_BACKEND);
  if (current && !force) return current;
  current = (async () => {
    const order = wanted ? [wanted] : BACKENDS;
    const skipped: string[] = [];
    for (const name of order) {
      const why = await tryBackend(name);
      if (why === undefined) {
        const summary = `molcache backend: ${name}` + (skipped.length ? ` (${skipped.join("; ")})` : "");
        return { backend: name, skipped, summary };
      }
      skipped.push(why);
    }
    throw new Error(`no TensorFlow.js backend could start: ${skipped.join("; ")}`);
  })();
  try {
    return await current;
  } catch (err) {
    current = undefined;
    throw err;
  }
}

/** The name of the active backend (call {@link initBackend} first). */
export function backendName(): string {
  return tf.getBackend();
}
