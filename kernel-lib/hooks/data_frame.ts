/**
 * Building danfo.js DataFrames from plain columns. danfo is loaded lazily: it pulls in a second tfjs copy, which
 * code that never asks for a DataFrame (workers, the sampler) should not pay for.
 */
import type { DataFrame } from "danfojs-node";

/** Column name → values (all the same length). */
export type Columns = Record<string, ArrayLike<number | string | boolean | null>>;

/**
 * A DataFrame from columns, in the given order (typed arrays are copied to plain arrays).
 * @throws when the columns differ in length.
 * @example
 * makeDataFrame({ step: [0, 1], value: [0.5, 0.25] }).shape; // [2, 2]
 */
export function makeDataFrame(columns: Columns): DataFrame {
  const names = Object.keys(columns);
  const lengths = names.map((n) => columns[n].length);
  if (lengths.some((l) => l !== lengths[0])) {
    throw new Error(`columns differ in length: ${names.map((n, i) => `${n}=${lengths[i]}`).join(", ")}`);
  }
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const danfo = require("danfojs-node") as typeof import("danfojs-node");
  const data: Record<string, unknown[]> = {};
  for (const n of names) data[n] = Array.from(columns[n] as ArrayLike<unknown>);
  return new danfo.DataFrame(data, { columns: names });
}
