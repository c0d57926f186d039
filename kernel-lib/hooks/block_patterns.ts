/**
 * Choosing blocks by name or pattern: `"layers.*"` matches `layers.0 … layers.L−1`, `"*"` matches every block.
 * A pattern that matches nothing is an error (a typo would otherwise record nothing, silently).
 */

/** Does `name` match `pattern` (`*` = any run of characters, everything else literal)? */
export function matchesBlockPattern(name: string, pattern: string): boolean {
  const re = new RegExp(`^${pattern.split("*").map(escapeRegExp).join(".*")}$`);
  return re.test(name);
}

/**
 * The blocks (in execution order) matched by any of `patterns`; `"all"` or `undefined` means every block.
 * @param what the option's name for messages (default `"blocks"`).
 * @throws when a pattern is not a non-empty string or matches no block (the message lists the blocks).
 * @example
 * resolveBlockPatterns(["embed", "layers.0", "layers.1", "heads"], ["layers.*"]); // ["layers.0", "layers.1"]
 */
export function resolveBlockPatterns(
  blockNames: readonly string[],
  patterns: "all" | readonly string[] | undefined,
  what = "blocks",
): string[] {
  if (patterns === undefined || patterns === "all") return [...blockNames];
  if (!Array.isArray(patterns)) {
    throw new Error(`invalid ${what}: ${JSON.stringify(patterns)}; pass "all" or an array of block names or patterns like "layers.*"`);
  }
  const chosen = new Set<string>();
  for (const p of patterns) {
    if (typeof p !== "string" || p.length === 0) {
      throw new Error(`invalid ${what} entry: ${JSON.stringify(p)}; use a block name or a pattern like "layers.*"`);
    }
    const hits = blockNames.filter((n) => matchesBlockPattern(n, p));
    if (hits.length === 0) throw new Error(`unknown block: ${p}; blocks are ${blockNames.join(", ")}`);
    for (const h of hits) chosen.add(h);
  }
  return blockNames.filter((n) => chosen.has(n));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
}
