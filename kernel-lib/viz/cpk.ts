/**
 * Atom colours for molecule views: the CPK convention with Jmol's colours, hydrogen a light grey so it shows on a
 * white background.
 */

/** Jmol CPK colours by atomic number: every element of the SemlaFlow vocabulary, plus the common heteroatoms. */
export const CPK_COLORS: Readonly<Record<number, string>> = {
  1: "#f2f2f2", // H: Jmol white, darkened slightly for a white page
  5: "#ffb5b5", // B
  6: "#909090", // C
  7: "#3050f8", // N
  8: "#ff0d0d", // O
  9: "#90e050", // F
  11: "#ab5cf2", // Na
  12: "#8aff00", // Mg
  13: "#bfa6a6", // Al
  14: "#f0c8a0", // Si
  15: "#ff8000", // P
  16: "#ffff30", // S
  17: "#1ff01f", // Cl
  19: "#8f40d4", // K
  20: "#3dff00", // Ca
  26: "#e06633", // Fe
  29: "#c88033", // Cu
  30: "#7d80b0", // Zn
  33: "#bd80e3", // As
  34: "#ffa100", // Se
  35: "#a62929", // Br
  53: "#940094", // I
  80: "#b8b8d0", // Hg
  83: "#9e4fb5", // Bi
};

/** Colour of elements not in {@link CPK_COLORS} (Jmol's "unknown" pink). */
export const CPK_UNKNOWN = "#ff1493";

/**
 * The CPK colour of atomic number `z`.
 * @example
 * cpkColor(8); // "#ff0d0d"
 */
export function cpkColor(z: number): string {
  return CPK_COLORS[z] ?? CPK_UNKNOWN;
}
