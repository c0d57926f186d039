/**
 * SDF and molblock reading and writing for {@link Molecule}s: V2000, and V3000 for molecules V2000 cannot hold (more
 * than 999 atoms or bonds; random-weight drug-size models make such graphs).
 *
 * Reading is lenient by design: a record with an unknown element symbol, a bond to a missing atom or unreadable
 * coordinates still becomes a molecule (atomic number 0, a dangling bond, NaN coordinates), with the problem listed
 * in `issues`, so that the metrics can score it invalid with a reason instead of the whole file failing.
 * Only the atom and bond blocks, `M  CHG` and the data items are kept; stereo flags and the valence field are
 * not part of {@link Molecule} (molcache molecules carry every hydrogen explicitly).
 */
import { Molecule, makeMolecule } from "./molecule";
import { elementBySymbol, elementByZ } from "./elements";

/** One SDF record: the molecule, its data items (`> <name>` blocks) and any problems met while reading it. */
export interface SdfRecord {
  molecule: Molecule;
  /** Data items in file order. */
  properties: Record<string, string>;
  /** Problems found while reading (empty when the record is clean). */
  issues: string[];
  /** True when the record could not be read at all (its molecule is empty; the reason is in `issues`). */
  unreadable?: boolean;
}

/** Options for {@link writeMolblock} and {@link writeSdf}. */
export interface MolblockWriteOptions {
  /**
   * Write each heavy atom's valence in the valence field (V3000: `VAL=`) so that readers (RDKit, openchemlib) add no
   * implicit hydrogens: the molecule is exactly its graph, and an under-bonded atom stays a radical. Default false.
   */
  lockValence?: boolean;
  /** Program name for the second header line (at most 8 characters); default "molcache". */
  program?: string;
}

const CHARGE_CODES: Record<number, number> = { 1: 3, 2: 2, 3: 1, 4: 0, 5: -1, 6: -2, 7: -3 };

/**
 * Parse one V2000 or V3000 molblock (text up to and including `M  END`; data items after it are ignored here).
 * @example
 * const { molecule, issues } = parseMolblock(fs.readFileSync("aspirin.mol", "utf8"));
 */
export function parseMolblock(text: string): SdfRecord {
  const lines = text.replace(/\r/g, "").split("\n");
  const issues: string[] = [];
  const name = (lines[0] ?? "").trim();
  const counts = lines[3] ?? "";
  if (/V3000/.test(counts)) return parseV3000(name, lines.slice(4));
  const nAtoms = parseInt(counts.slice(0, 3), 10);
  const nBonds = parseInt(counts.slice(3, 6), 10);
  if (!Number.isFinite(nAtoms) || !Number.isFinite(nBonds) || lines.length < 4) {
    throw new Error(`molblock "${name}": unreadable counts line "${counts}"; expected "aaabbb ... V2000"`);
  }
  const elements: number[] = [];
  const positions: number[] = [];
  const charges: number[] = [];
  for (let a = 0; a < nAtoms; a++) {
    const line = lines[4 + a];
    if (line === undefined) {
      issues.push(`atom block ends after ${a} of ${nAtoms} atoms`);
      break;
    }
    const x = parseFloat(line.slice(0, 10));
    const y = parseFloat(line.slice(10, 20));
    const z = parseFloat(line.slice(20, 30));
    const symbol = line.slice(31, 34).trim();
    const element = elementBySymbol(symbol);
    if (!element) issues.push(`unknown element symbol "${symbol}" at atom ${a + 1}`);
    if (![x, y, z].every(Number.isFinite)) issues.push(`non-numeric coordinates at atom ${a + 1}`);
    elements.push(element ? element.z : 0);
    positions.push(x, y, z);
    const code = parseInt(line.slice(36, 39), 10);
    charges.push(Number.isFinite(code) ? CHARGE_CODES[code] ?? 0 : 0);
  }
  const bonds: [number, number, number][] = [];
  for (let b = 0; b < nBonds; b++) {
    const line = lines[4 + nAtoms + b];
    if (line === undefined) {
      issues.push(`bond block ends after ${b} of ${nBonds} bonds`);
      break;
    }
    const i = parseInt(line.slice(0, 3), 10);
    const j = parseInt(line.slice(3, 6), 10);
    const order = parseInt(line.slice(6, 9), 10);
    if (!(i >= 1 && i <= nAtoms && j >= 1 && j <= nAtoms)) {
      issues.push(`bond ${b + 1} joins atoms ${i} and ${j}, but the molecule has ${nAtoms} atoms`);
    }
    if (!(order >= 1 && order <= 4)) issues.push(`bond ${b + 1} has unsupported type ${order} (expected 1-4)`);
    bonds.push([i - 1, j - 1, order]);
  }
  // Properties block: M  CHG supersedes the atom-block charges (V2000 rule).
  let chgSeen = false;
  for (let l = 4 + nAtoms + nBonds; l < lines.length; l++) {
    const line = lines[l];
    if (line.startsWith("M  END")) break;
    if (line.startsWith("M  CHG")) {
      if (!chgSeen) charges.fill(0);
      chgSeen = true;
      const n = parseInt(line.slice(6, 9), 10);
      for (let k = 0; k < n; k++) {
        const atom = parseInt(line.slice(9 + 8 * k, 13 + 8 * k), 10);
        const chg = parseInt(line.slice(13 + 8 * k, 17 + 8 * k), 10);
        if (atom >= 1 && atom <= charges.length && Number.isFinite(chg)) charges[atom - 1] = chg;
        else issues.push(`M  CHG entry for atom ${atom} is out of range`);
      }
    }
  }
  const molecule = buildLenient(name, elements, positions, charges, bonds);
  return { molecule, properties: {}, issues };
}

/**
 * The `M  V30` lines of a V3000 connection table, without the prefix, continuation lines (ending in `-`) joined.
 */
function v3000Lines(lines: readonly string[]): string[] {
  const out: string[] = [];
  let pending = "";
  for (const line of lines) {
    if (line.startsWith("M  END")) break;
    if (!line.startsWith("M  V30 ")) continue;
    const body = line.slice(7);
    if (body.endsWith("-")) pending += body.slice(0, -1);
    else {
      out.push((pending + body).trim());
      pending = "";
    }
  }
  if (pending) out.push(pending.trim());
  return out;
}

/** Split a V3000 line into fields at spaces outside quotes and parentheses (`RGROUPS=(1 1)` is one field). */
function v3000Fields(line: string): string[] {
  const fields: string[] = [];
  let field = "";
  let depth = 0;
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === "(") depth++;
    else if (!quoted && ch === ")") depth = Math.max(0, depth - 1);
    if (ch === " " && !quoted && depth === 0) {
      if (field) fields.push(field);
      field = "";
    } else field += ch;
  }
  if (field) fields.push(field);
  return fields;
}

/** The V3000 connection table after the counts line (atoms, bonds, `CHG=`); other blocks are skipped. */
function parseV3000(name: string, lines: readonly string[]): SdfRecord {
  const issues: string[] = [];
  const body = v3000Lines(lines);
  const countsLine = body.find((l) => l.startsWith("COUNTS "));
  const countFields = countsLine ? v3000Fields(countsLine) : [];
  const nAtoms = parseInt(countFields[1], 10);
  const nBonds = parseInt(countFields[2], 10);
  if (!Number.isFinite(nAtoms) || !Number.isFinite(nBonds)) {
    throw new Error(`molblock "${name}": V3000 connection table without a readable COUNTS line; expected "M  V30 COUNTS atoms bonds ..."`);
  }
  const elements: number[] = [];
  const positions: number[] = [];
  const charges: number[] = [];
  const bonds: [number, number, number][] = [];
  const atomById = new Map<number, number>(); // V3000 atom index field → position (indices need not be 1..n)
  let block = "";
  for (const line of body) {
    const begin = /^BEGIN (\w+)/.exec(line);
    if (begin) {
      block = begin[1];
      continue;
    }
    if (line.startsWith("END ")) {
      block = "";
      continue;
    }
    const f = v3000Fields(line);
    if (block === "ATOM") {
      const a = elements.length;
      const element = elementBySymbol(f[1] ?? "");
      if (!element) issues.push(`unknown element symbol "${f[1] ?? ""}" at atom ${a + 1}`);
      const xyz = [f[2], f[3], f[4]].map((v) => parseFloat(v ?? ""));
      if (!xyz.every(Number.isFinite)) issues.push(`non-numeric coordinates at atom ${a + 1}`);
      const chg = f.slice(6).find((o) => o.startsWith("CHG="));
      elements.push(element ? element.z : 0);
      positions.push(...xyz);
      charges.push(chg ? parseInt(chg.slice(4), 10) || 0 : 0);
      atomById.set(parseInt(f[0], 10), a);
    } else if (block === "BOND") {
      const b = bonds.length;
      const order = parseInt(f[1], 10);
      const [i, j] = [f[2], f[3]].map((v) => atomById.get(parseInt(v ?? "", 10)) ?? -1);
      if (i < 0 || j < 0) issues.push(`bond ${b + 1} joins atoms ${f[2]} and ${f[3]}, but the molecule has no such atom`);
      if (!(order >= 1 && order <= 4)) issues.push(`bond ${b + 1} has unsupported type ${f[1]} (expected 1-4)`);
      bonds.push([i, j, order]);
    }
  }
  if (elements.length !== nAtoms) issues.push(`atom block has ${elements.length} atoms, COUNTS says ${nAtoms}`);
  if (bonds.length !== nBonds) issues.push(`bond block has ${bonds.length} bonds, COUNTS says ${nBonds}`);
  return { molecule: buildLenient(name, elements, positions, charges, bonds), properties: {}, issues };
}

/** makeMolecule, but keeping out-of-range bonds (as index 65535) so the scorer can report them. */
function buildLenient(
  name: string,
  elements: number[],
  positions: number[],
  charges: number[],
  bonds: [number, number, number][],
): Molecule {
  const fixed = bonds.map(([i, j, o]) => [i < 0 ? 65535 : i, j < 0 ? 65535 : j, o] as [number, number, number]);
  return makeMolecule({ elements, positions, charges, bonds: fixed, name });
}

/**
 * Parse an SDF file's text into records (molblock + data items, each ended by a `$$$$` line). The records are cut at
 * whole lines: the first line after `$$$$` is the molecule name even when it is blank (RDKit's `SDWriter` writes a
 * blank name for an unnamed molecule). Blank trailing records are skipped. A record that cannot be read (an
 * unreadable counts line, V3000) is kept as an empty molecule with the reason in `issues` and `unreadable` set, so
 * one mangled record does not lose the others.
 * @example
 * const records = readSdf(fs.readFileSync("mols.sdf", "utf8"));
 * const mols = records.map((r) => r.molecule);
 */
export function readSdf(text: string): SdfRecord[] {
  const lines = text.replace(/\r/g, "").split("\n");
  const out: SdfRecord[] = [];
  let start = 0;
  let index = 0;
  for (let l = 0; l <= lines.length; l++) {
    if (l < lines.length && lines[l].trimEnd() !== "$$$$") continue;
    const body = lines.slice(start, l).join("\n");
    start = l + 1;
    if (body.trim() === "") continue;
    index++;
    out.push(parseSdfRecord(body, index));
  }
  return out;
}

/** One record of an SDF file (its lines up to, not including, `$$$$`); `index` counts from 1 for messages. */
function parseSdfRecord(body: string, index: number): SdfRecord {
  const endIdx = body.search(/^M {2}END/m);
  let record: SdfRecord;
  try {
    record = parseMolblock(endIdx >= 0 ? body.slice(0, endIdx + 6) : body);
  } catch (err) {
    const name = (body.split("\n")[0] ?? "").trim();
    const molecule = makeMolecule({ elements: [], positions: [], charges: [], bonds: [], name });
    return { molecule, properties: {}, issues: [`SDF record ${index}: ${(err as Error).message}`], unreadable: true };
  }
  if (endIdx >= 0) record.properties = parseDataItems(body.slice(endIdx + 6));
  else record.issues.push("missing M  END line");
  return record;
}

function parseDataItems(text: string): Record<string, string> {
  const props: Record<string, string> = {};
  const lines = text.split("\n");
  for (let l = 0; l < lines.length; l++) {
    const m = /^>.*<([^>]*)>/.exec(lines[l]);
    if (!m) continue;
    const value: string[] = [];
    for (l++; l < lines.length && lines[l].trim() !== ""; l++) value.push(lines[l]);
    props[m[1]] = value.join("\n");
  }
  return props;
}

function fmtCoord(v: number): string {
  const s = Number.isFinite(v) ? v.toFixed(4) : "nan";
  return s.padStart(10);
}

/** Sum of bond orders per atom (aromatic counted 1.5), the valence written when `lockValence` is on. */
function graphValence(mol: Molecule): Float64Array {
  const v = new Float64Array(mol.elements.length);
  for (let k = 0; k < mol.bondI.length; k++) {
    const o = mol.bondOrder[k] === 4 ? 1.5 : mol.bondOrder[k];
    if (mol.bondI[k] < v.length) v[mol.bondI[k]] += o;
    if (mol.bondJ[k] < v.length) v[mol.bondJ[k]] += o;
  }
  return v;
}

/** Element of atom `a` (throws naming an unknown one). */
function atomElement(mol: Molecule, a: number): NonNullable<ReturnType<typeof elementByZ>> {
  const e = elementByZ(mol.elements[a]);
  if (!e) throw new Error(`cannot write atom ${a + 1}: unknown element (atomic number ${mol.elements[a]})`);
  return e;
}

/** The valence `lockValence` writes for atom `a` (heavy atoms, and hydrogens with no bond), or undefined for none. */
function lockedValence(valence: Float64Array | undefined, a: number, z: number): number | undefined {
  return valence && (z !== 1 || valence[a] === 0) ? Math.round(valence[a]) : undefined;
}

/** Header lines 1-3: the name; initials (2), program (8), date (10), then the dimension code "3D" at columns 21-22. */
function headerLines(mol: Molecule, options: MolblockWriteOptions): string[] {
  const program = (options.program ?? "molcache").slice(0, 8).padEnd(8);
  return [mol.name ?? "", `  ${program}          3D`, ""];
}

/**
 * Write a molecule as a molblock (ending in `M  END`, no `$$$$`): V2000 (charges in `M  CHG` lines), or V3000 when
 * the molecule has more than 999 atoms or bonds, which V2000's counts cannot hold.
 * Throws for an atom of unknown element.
 * @example
 * fs.writeFileSync("water.mol", writeMolblock(water));
 */
export function writeMolblock(mol: Molecule, options: MolblockWriteOptions = {}): string {
  const n = mol.elements.length;
  const nb = mol.bondI.length;
  if (n > 999 || nb > 999) return writeMolblockV3000(mol, options);
  const lines = headerLines(mol, options);
  lines.push(`${String(n).padStart(3)}${String(nb).padStart(3)}  0  0  0  0  0  0  0  0999 V2000`);
  const valence = options.lockValence ? graphValence(mol) : undefined;
  for (let a = 0; a < n; a++) {
    const e = atomElement(mol, a);
    const v = lockedValence(valence, a, e.z);
    const vvv = v === undefined ? 0 : v === 0 ? 15 : Math.min(v, 14); // V2000: 15 means zero valence
    const p = mol.positions;
    lines.push(
      `${fmtCoord(p[3 * a])}${fmtCoord(p[3 * a + 1])}${fmtCoord(p[3 * a + 2])} ${e.symbol.padEnd(3)} 0  0  0  0  0` +
        `${String(vvv).padStart(3)}  0  0  0  0  0  0`,
    );
  }
  for (let k = 0; k < nb; k++) {
    lines.push(
      `${String(mol.bondI[k] + 1).padStart(3)}${String(mol.bondJ[k] + 1).padStart(3)}${String(mol.bondOrder[k]).padStart(3)}  0`,
    );
  }
  const charged: number[] = [];
  for (let a = 0; a < n; a++) if (mol.charges[a] !== 0) charged.push(a);
  for (let s = 0; s < charged.length; s += 8) {
    const part = charged.slice(s, s + 8);
    lines.push(
      `M  CHG${String(part.length).padStart(3)}` +
        part.map((a) => `${String(a + 1).padStart(4)}${String(mol.charges[a]).padStart(4)}`).join(""),
    );
  }
  lines.push("M  END");
  return lines.join("\n") + "\n";
}

/** The V3000 molblock of {@link writeMolblock} (charges as `CHG=`, locked valences as `VAL=`, -1 for zero). */
function writeMolblockV3000(mol: Molecule, options: MolblockWriteOptions): string {
  const n = mol.elements.length;
  const nb = mol.bondI.length;
  const lines = headerLines(mol, options);
  lines.push("  0  0  0     0  0            999 V3000", "M  V30 BEGIN CTAB", `M  V30 COUNTS ${n} ${nb} 0 0 0`, "M  V30 BEGIN ATOM");
  const valence = options.lockValence ? graphValence(mol) : undefined;
  const p = mol.positions;
  for (let a = 0; a < n; a++) {
    const e = atomElement(mol, a);
    const v = lockedValence(valence, a, e.z);
    const xyz = [0, 1, 2].map((k) => fmtCoord(p[3 * a + k]).trim()).join(" ");
    const chg = mol.charges[a] !== 0 ? ` CHG=${mol.charges[a]}` : "";
    lines.push(`M  V30 ${a + 1} ${e.symbol} ${xyz} 0${chg}${v === undefined ? "" : ` VAL=${v === 0 ? -1 : v}`}`);
  }
  lines.push("M  V30 END ATOM", "M  V30 BEGIN BOND");
  for (let k = 0; k < nb; k++) lines.push(`M  V30 ${k + 1} ${mol.bondOrder[k]} ${mol.bondI[k] + 1} ${mol.bondJ[k] + 1}`);
  lines.push("M  V30 END BOND", "M  V30 END CTAB", "M  END");
  return lines.join("\n") + "\n";
}

/**
 * Write molecules as an SDF text, with optional data items per molecule (same order).
 * @example
 * writeFileAtomic("out.sdf", writeSdf(mols, { properties: mols.map((_, i) => ({ index: String(i) })) }));
 */
export function writeSdf(
  mols: readonly Molecule[],
  options: MolblockWriteOptions & { properties?: ReadonlyArray<Record<string, string>> } = {},
): string {
  const parts: string[] = [];
  mols.forEach((mol, i) => {
    let s = writeMolblock(mol, options);
    const props = options.properties?.[i];
    if (props) for (const [k, v] of Object.entries(props)) s += `>  <${k}>\n${v}\n\n`;
    parts.push(s + "$$$$\n");
  });
  return parts.join("");
}
