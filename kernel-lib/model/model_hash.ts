/**
 * A model's content hash: SHA-256 over its architecture, parameters (names, shapes, values), coordinate scale and size
 * histogram — everything that decides the molecules a seed gives. Run manifests and distributed jobs carry it, so a
 * resumed run or a worker with another model is refused instead of mixing molecules of two models in one file.
 */
import { createHash } from "node:crypto";
import { LoadedModel } from "./model_io";

/**
 * The first 16 hex digits of the SHA-256 of the model's content (not its name or folder).
 * @example
 * modelContentHash(openModel("random:tiny")); // "3f2a…", the same in every process
 */
export function modelContentHash(model: LoadedModel): string {
  const h = createHash("sha256");
  const params = model.generator.params;
  h.update(JSON.stringify({
    config: model.generator.config, coordStd: model.coordStd, sizeHistogram: model.sizeHistogram ?? null,
    layout: params.names().map((n) => [n, params.get(n).shape]),
  }));
  const flat = params.flatten();
  h.update(new Uint8Array(flat.buffer, flat.byteOffset, flat.byteLength));
  return h.digest("hex").slice(0, 16);
}
