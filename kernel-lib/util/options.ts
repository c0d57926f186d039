/**
 * Small helpers shared by the option resolvers (`resolveXOptions`): unknown keys and integer checks, with messages
 * that name the field, the value and the fix.
 */

/**
 * Throw if `options` has a key that `known` does not list (a typo would otherwise be ignored silently). The one
 * unknown-key check of molcache: every options object, config and hook is checked here, with this wording.
 * @param known the known keys, or an object whose keys they are (the defaults).
 * @param what the options' owner, for the message (e.g. `"sample"`).
 * @example
 * rejectUnknownOptions({ stepz: 3 }, { steps: 100 }, "sample"); // throws: unknown sample option: stepz; known: steps
 */
export function rejectUnknownOptions(options: object | undefined, known: object | readonly string[], what: string): void {
  if (options === undefined) return;
  if (options === null || typeof options !== "object") {
    throw new Error(`invalid ${what} options: ${String(options)}; pass an object or nothing`);
  }
  const keys: readonly string[] = Array.isArray(known) ? known : Object.keys(known);
  for (const k of Object.keys(options)) {
    if (!keys.includes(k)) throw new Error(`unknown ${what} option: ${k}; known: ${keys.join(", ")}`);
  }
}

/**
 * Check that `value` is an integer ≥ `min` (or `Infinity` when `allowInfinity`), naming `field` otherwise.
 * @example
 * checkInteger("limit", 0, 1); // throws: invalid limit: 0; must be an integer >= 1
 */
export function checkInteger(field: string, value: unknown, min: number, allowInfinity = false): number {
  const ok = typeof value === "number" && (Number.isInteger(value) || (allowInfinity && value === Infinity)) && value >= min;
  if (!ok) {
    throw new Error(`invalid ${field}: ${String(value)}; must be an integer >= ${min}${allowInfinity ? " (or Infinity)" : ""}`);
  }
  return value as number;
}
