/**
 * How sampled molecules are written to SDF: one molblock per molecule, named and indexed by its place in the run.
 * Local runs, distributed runs and the report write through here, so their files are byte-identical.
 */
import { Molecule } from "./molecule";
import { writeMolblock } from "./sdf";

/**
 * A molblock for a sampled molecule. An atom the model predicted as `<PAD>`/`<MASK>` (element 0) is written as the
 * V2000 any-atom `*` so the molecule is kept, not dropped (RDKit reads it as a dummy atom).
 */
export function sampledMolblock(mol: Molecule, name: string): string {
  const unknown: number[] = [];
  mol.elements.forEach((z, a) => { if (z === 0) unknown.push(a); });
  if (unknown.length === 0) return writeMolblock({ ...mol, name });
  const elements = Uint8Array.from(mol.elements, (z) => (z === 0 ? 6 : z));
  const lines = writeMolblock({ ...mol, elements, name }).split("\n");
  for (const a of unknown) {
    const line = lines[4 + a];
    lines[4 + a] = `${line.slice(0, 31)}*  ${line.slice(34)}`;
  }
  return lines.join("\n");
}

/**
 * The SDF text of one sampled batch as `molcache sample` writes it (molecule `i` named `molcache i`, with an `<index>`
 * property). Local and distributed runs both write this, so their files are byte-identical.
 */
export function batchSdfText(molecules: readonly Molecule[], indices: readonly number[]): string {
  return molecules.map((m, k) => `${sampledMolblock(m, `molcache ${indices[k]}`)}>  <index>\n${indices[k]}\n\n$$$$\n`).join("");
}
