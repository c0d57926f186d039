/** The identity of a `molcache sample` run: what its run manifest records and `--resume` compares. */
import { parseCacheSpec } from "../cache/config";
import { DEFAULT_WORKER_MEMORY_BYTES } from "../flow/memory_plan";
import { LoadedModel } from "../model/model_io";
import { modelContentHash } from "../model/model_hash";
import { RunIdentity } from "../flow/resumable_output";

/**
 * What decides a `molcache sample` run's molecules (recorded in the run manifest, compared on --resume); local and
 * distributed runs (and `bench distributed`) use it alike.
 * @example
 * const identity = sampleRunIdentity(model, { n: 100, steps: 100, grid: "log", cache: "none", seed: 0, batchCost: 1152, backend: "tfjs" });
 */
export function sampleRunIdentity(
  model: LoadedModel,
  o: { n: number; steps: number; grid: string; cache: string; seed: number; batchCost: number; backend: string; dataset?: string; memory?: number; solver?: string },
): RunIdentity {
  return {
    modelHash: modelContentHash(model),
    options: {
      n: o.n, steps: o.steps, grid: o.grid, cache: recordedCache(o.cache), seed: o.seed, batchCost: o.batchCost, backend: o.backend,
      dataset: o.dataset ?? "", memory: o.memory ?? DEFAULT_WORKER_MEMORY_BYTES,
      // Recorded only when not the default, so the manifests of Euler runs written before it still resume.
      ...(o.solver !== undefined && o.solver !== "euler" ? { solver: o.solver } : {}),
    },
  };
}

/** The resolved cache config as recorded; `jumps` only when not the default, so manifests written before it still resume. */
function recordedCache(spec: string): string {
  const config = parseCacheSpec(spec);
  if (config.kind === "none" || config.jumps !== "every") return JSON.stringify(config);
  const { jumps: _default, ...rest } = config;
  return JSON.stringify(rest);
}
