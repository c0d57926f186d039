/** XYZ export: the plain coordinate format most viewers read (no bonds, no charges). */
import { Molecule } from "./molecule";
import { elementSymbol } from "./elements";

/**
 * Write one molecule as XYZ text: atom count, a comment line (the molecule's name), then `symbol x y z` in Å.
 * Throws for an unknown element.
 * @example
 * fs.writeFileSync("water.xyz", writeXyz(water));
 */
export function writeXyz(mol: Molecule, comment?: string): string {
  const n = mol.elements.length;
  const lines = [String(n), (comment ?? mol.name ?? "").replace(/\n/g, " ")];
  for (let a = 0; a < n; a++) {
    const p = mol.positions;
    lines.push(
      `${elementSymbol(mol.elements[a]).padEnd(2)} ${p[3 * a].toFixed(5).padStart(12)} ${p[3 * a + 1]
        .toFixed(5)
        .padStart(12)} ${p[3 * a + 2].toFixed(5).padStart(12)}`,
    );
  }
  return lines.join("\n") + "\n";
}

/**
 * Several molecules as one multi-frame XYZ text (frames back to back), as trajectory viewers expect.
 * @example
 * fs.writeFileSync("samples.xyz", writeXyzFrames(mols));
 */
export function writeXyzFrames(mols: readonly Molecule[]): string {
  return mols.map((m) => writeXyz(m)).join("");
}
