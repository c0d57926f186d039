/**
 * How sampled molecules are written to SDF: one molblock per molecule, named and indexed by its place in the run.
 * Local runs, distributed runs and the report write through here, so their files are byte-identical.
 */
import { Molecule } from "./molecule";
import { writeMolblock } from "./sdf";

/**
 * A molblock for a sampled molecule. An atom the model predicted as `<PAD>`/`<MASK>` (element 0) is written as the
 * any-atom `*` so the molecule is kept, not dropped (RDKit reads it as a dummy atom); in V2000 and, for molecules
 * V2000 cannot hold, V3000 alike.
 */
export function sampledMolblock(mol: Molecule, name: string): string {
  const unknown: number[] = [];
  mol.elements.forEach((z, a) => { if (z === 0) unknown.push(a); });
  if (unknown.length === 0) return writeMolblock({ ...mol, name });
  const elements = Uint8Array.from(mol.elements, (z) => (z === 0 ? 6 : z));
  const lines = writeMolblock({ ...mol, elements, name }).split("\n");
  const v3000 = lines[3].includes("V3000");
  // V2000: the atom block starts on line 4, symbol in columns 32-34; V3000: "M  V30 <i> <symbol> …" after BEGIN ATOM.
  const first = v3000 ? lines.indexOf("M  V30 BEGIN ATOM") + 1 : 4;
  for (const a of unknown) {
    const line = lines[first + a];
    lines[first + a] = v3000 ? line.replace(/^(M {2}V30 \d+ )C /, "$1* ") : `${line.slice(0, 31)}*  ${line.slice(34)}`;
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
