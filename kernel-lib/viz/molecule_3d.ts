/**
 * A 3-D view of one molecule with Plotly's scatter3d: atoms coloured (CPK) and sized (van der Waals radius) by
 * element, one legend entry per element; bonds as line segments, drawn by order: single one line, double two
 * parallel lines, triple three, aromatic one solid and one dashed line.
 */
import { elementByZ } from "../chem/elements";
import type { Molecule } from "../chem/molecule";
import { cpkColor } from "./cpk";
import { checkPixels, escapeLabel, resolveFigureOptions } from "./inputs";
import { THEME, baseLayout, titleLayout } from "./theme";
import type { PlotlyFigure, PlotlyTrace } from "./types";

/** Options of {@link moleculeFigure}. */
export interface MoleculeFigureOptions {
  /** Figure title (default: the molecule's name, else its formula). */
  title: string;
  /** Ball diameter as a fraction of the element's van der Waals radius (default 0.5: carbon 0.85 Å wide). */
  atomScale: number;
  /** Bond line width in px (default 5). */
  bondWidth: number;
  /** Bond colour (default mid grey). */
  bondColor: string;
  /** Draw hydrogens and their bonds (default true). */
  showHydrogens: boolean;
  /** Show the Cartesian axes in Å (default false: a clean view for papers). */
  showAxes: boolean;
  /** Size in px (default 640 × 560). */
  width: number;
  height: number;
}

/** Defaults of {@link MoleculeFigureOptions} (an empty title means "name or formula"). */
export const DEFAULT_MOLECULE_FIGURE_OPTIONS: MoleculeFigureOptions = {
  title: "",
  atomScale: 0.5,
  bondWidth: 5,
  bondColor: "#7f7f7f",
  showHydrogens: true,
  showAxes: false,
  width: 640,
  height: 560,
};

/** Fill defaults and validate (unknown keys and bad sizes are errors). */
export function resolveMoleculeFigureOptions(options?: Partial<MoleculeFigureOptions>): MoleculeFigureOptions {
  const o = resolveFigureOptions("moleculeFigure", DEFAULT_MOLECULE_FIGURE_OPTIONS, options);
  checkPixels("width", o.width);
  checkPixels("height", o.height);
  if (!(o.atomScale > 0 && o.atomScale <= 3)) throw new Error(`invalid atomScale: ${o.atomScale}; must be in (0, 3]`);
  if (!(o.bondWidth > 0)) throw new Error(`invalid bondWidth: ${o.bondWidth}; must be > 0 px`);
  return o;
}

/** How each bond order is drawn: offsets (Å, across the bond) of its lines, and which lines are dashed. */
const BOND_STYLES: Readonly<Record<number, { name: string; offsets: number[]; dashed: boolean[] }>> = {
  1: { name: "single bond", offsets: [0], dashed: [false] },
  2: { name: "double bond", offsets: [-0.08, 0.08], dashed: [false, false] },
  3: { name: "triple bond", offsets: [-0.12, 0, 0.12], dashed: [false, false, false] },
  4: { name: "aromatic bond", offsets: [-0.06, 0.1], dashed: [false, true] },
};

type Vec3 = [number, number, number];
const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const scale = (a: Vec3, s: number): Vec3 => [a[0] * s, a[1] * s, a[2] * s];
const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const unit = (a: Vec3): Vec3 => scale(a, 1 / (Math.hypot(...a) || 1));

/** Eigenvectors of a symmetric 3×3 matrix (cyclic Jacobi), as columns sorted by decreasing eigenvalue. */
function symmetricEigenvectors(m: number[][]): Vec3[] {
  const a = m.map((r) => r.slice());
  const v = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
  for (let sweep = 0; sweep < 50; sweep++) {
    const off = Math.abs(a[0][1]) + Math.abs(a[0][2]) + Math.abs(a[1][2]);
    if (off < 1e-12) break;
    for (const [p, q] of [[0, 1], [0, 2], [1, 2]]) {
      if (Math.abs(a[p][q]) < 1e-15) continue;
      const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1);
      const sn = t * c;
      for (let k = 0; k < 3; k++) {
        const akp = a[k][p];
        const akq = a[k][q];
        a[k][p] = c * akp - sn * akq;
        a[k][q] = sn * akp + c * akq;
      }
      for (let k = 0; k < 3; k++) {
        const apk = a[p][k];
        const aqk = a[q][k];
        a[p][k] = c * apk - sn * aqk;
        a[q][k] = sn * apk + c * aqk;
      }
      for (let k = 0; k < 3; k++) {
        const vkp = v[k][p];
        const vkq = v[k][q];
        v[k][p] = c * vkp - sn * vkq;
        v[k][q] = sn * vkp + c * vkq;
      }
    }
  }
  return [0, 1, 2]
    .sort((i, j) => a[j][j] - a[i][i])
    .map((i) => {
      const e: Vec3 = [v[0][i], v[1][i], v[2][i]];
      // Fix the sign (largest component positive) so the view does not flip between runs.
      const big = e.reduce((b, x) => (Math.abs(x) > Math.abs(b) ? x : b), 0);
      return big < 0 ? scale(e, -1) : e;
    });
}

/**
 * Camera distance in Plotly scene units (the box's longest side spans about 2 at this zoom); with perspective
 * projection the box's long side then fills about 70% of the plot.
 */
const EYE_DISTANCE = 1.0;
/** Share of the plot's smaller side that the molecule's padded long axis covers at {@link EYE_DISTANCE}. */
const FILL = 0.7;

/**
 * A camera that looks at the molecule's best-fit plane from the front (along its normal, tilted slightly so depth
 * shows), with the longest extent horizontal. Plotly camera units: the scene box spans [-1, 1] around its centre.
 */
function frontCamera(points: Vec3[]): Record<string, unknown> {
  const n = points.length;
  const mean = [0, 1, 2].map((c) => points.reduce((s, p) => s + p[c], 0) / n);
  const cov = [0, 1, 2].map((i) => [0, 1, 2].map((j) => points.reduce((s, p) => s + (p[i] - mean[i]) * (p[j] - mean[j]), 0) / n));
  const [long, middle, normal] = n >= 3 ? symmetricEigenvectors(cov) : ([[1, 0, 0], [0, 1, 0], [0, 0, 1]] as Vec3[]);
  const eye = scale(unit([
    normal[0] + 0.35 * middle[0] + 0.2 * long[0],
    normal[1] + 0.35 * middle[1] + 0.2 * long[1],
    normal[2] + 0.35 * middle[2] + 0.2 * long[2],
  ]), EYE_DISTANCE);
  const r = (x: number) => Math.round(x * 1e4) / 1e4;
  return {
    eye: { x: r(eye[0]), y: r(eye[1]), z: r(eye[2]) },
    up: { x: r(middle[0]), y: r(middle[1]), z: r(middle[2]) },
    center: { x: 0, y: 0, z: 0 },
    projection: { type: "perspective" },
  };
}

/** Padding of the scene box around the atoms, in Å. */
const BOX_PAD = 1.2;

/**
 * Axis ranges padded by an atom radius, with the aspect ratio of the data (so angles look right and every atom is
 * inside the box whatever the camera).
 */
function sceneBox(points: Vec3[], axis: (t: string) => Record<string, unknown>): Record<string, unknown> {
  const lo = [0, 1, 2].map((c) => Math.min(...points.map((p) => p[c])) - BOX_PAD);
  const hi = [0, 1, 2].map((c) => Math.max(...points.map((p) => p[c])) + BOX_PAD);
  const span = [0, 1, 2].map((c) => hi[c] - lo[c]);
  const biggest = Math.max(...span);
  const r = (x: number) => Math.round(x * 1e4) / 1e4;
  return {
    xaxis: { ...axis("x"), range: [r(lo[0]), r(hi[0])] },
    yaxis: { ...axis("y"), range: [r(lo[1]), r(hi[1])] },
    zaxis: { ...axis("z"), range: [r(lo[2]), r(hi[2])] },
    aspectmode: "manual",
    aspectratio: { x: r(span[0] / biggest), y: r(span[1] / biggest), z: r(span[2] / biggest) },
  };
}

/** Hill formula (C, H, then alphabetical), e.g. `"C9H8O4"`. */
export function hillFormula(elements: ArrayLike<number>): string {
  const counts = new Map<string, number>();
  for (let i = 0; i < elements.length; i++) {
    const s = elementByZ(elements[i])?.symbol ?? `Z${elements[i]}`;
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  const hasC = counts.has("C");
  const keys = [...counts.keys()].sort((a, b) => {
    const rank = (s: string) => (hasC && s === "C" ? 0 : hasC && s === "H" ? 1 : 2);
    return rank(a) - rank(b) || a.localeCompare(b);
  });
  return keys.map((k) => `${k}${counts.get(k) === 1 ? "" : counts.get(k)}`).join("");
}

/** Check the molecule's columns agree (lengths, finite coordinates, bond indices and orders). */
function checkMolecule(mol: Molecule): void {
  if (!mol || !mol.elements || !mol.positions) throw new Error("invalid molecule: expected a Molecule (elements, positions, bonds)");
  const n = mol.elements.length;
  if (n === 0) throw new Error("invalid molecule: no atoms; nothing to draw");
  if (mol.positions.length !== 3 * n) {
    throw new Error(`invalid molecule: ${mol.positions.length} coordinates for ${n} atoms; expected ${3 * n}`);
  }
  for (let i = 0; i < mol.positions.length; i++) {
    if (!Number.isFinite(mol.positions[i])) throw new Error(`invalid molecule: coordinate ${i} is ${mol.positions[i]}; must be finite`);
  }
  const nb = mol.bondI.length;
  if (mol.bondJ.length !== nb || mol.bondOrder.length !== nb) {
    throw new Error(`invalid molecule: bond columns differ in length (${nb}, ${mol.bondJ.length}, ${mol.bondOrder.length})`);
  }
  for (let k = 0; k < nb; k++) {
    if (mol.bondI[k] >= n || mol.bondJ[k] >= n || mol.bondI[k] === mol.bondJ[k]) {
      throw new Error(`invalid bond ${k}: atoms ${mol.bondI[k]}-${mol.bondJ[k]} with ${n} atoms; indices must differ and be < ${n}`);
    }
    if (!BOND_STYLES[mol.bondOrder[k]]) {
      throw new Error(`invalid bondOrder[${k}]: ${mol.bondOrder[k]}; use 1 single, 2 double, 3 triple, 4 aromatic`);
    }
  }
}

/**
 * Build a 3-D view of a molecule.
 * @param mol the shared {@link Molecule} (coordinates in Å).
 * @example
 * const water = makeMolecule({ elements: [8, 1, 1], positions: [0, 0, 0, 0.96, 0, 0, -0.24, 0.93, 0],
 *   bonds: [[0, 1, 1], [0, 2, 1]] });
 * moleculeFigure(water).data.map((t) => t.name); // ["single bond", "O", "H"]
 */
export function moleculeFigure(mol: Molecule, options?: Partial<MoleculeFigureOptions>): PlotlyFigure {
  const o = resolveMoleculeFigureOptions(options);
  checkMolecule(mol);
  const n = mol.elements.length;
  const pos = (i: number): Vec3 => [mol.positions[3 * i], mol.positions[3 * i + 1], mol.positions[3 * i + 2]];
  const shown = (i: number) => o.showHydrogens || mol.elements[i] !== 1;
  const neighbours: number[][] = Array.from({ length: n }, () => []);
  for (let k = 0; k < mol.bondI.length; k++) {
    neighbours[mol.bondI[k]].push(mol.bondJ[k]);
    neighbours[mol.bondJ[k]].push(mol.bondI[k]);
  }
  // The offset direction of a multiple bond: in the plane of a neighbouring bond where there is one (so double
  // bonds lie in the plane of the rest of the molecule), else any perpendicular.
  const across = (i: number, j: number): Vec3 => {
    const d = unit(sub(pos(j), pos(i)));
    for (const [a, b] of [[i, j], [j, i]]) {
      for (const k of neighbours[a]) {
        if (k === b) continue;
        const v = sub(pos(k), pos(a));
        const p = sub(v, scale(d, dot(v, d)));
        if (Math.hypot(...p) > 1e-3) return unit(p);
      }
    }
    const axis: Vec3 = Math.abs(d[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0];
    return unit(cross(d, axis));
  };

  const data: PlotlyTrace[] = [];
  const r3 = (v: number) => Math.round(v * 1e4) / 1e4;
  for (const order of [1, 2, 3, 4]) {
    const style = BOND_STYLES[order];
    const lines = style.offsets.map(() => ({ x: [] as (number | null)[], y: [] as (number | null)[], z: [] as (number | null)[] }));
    for (let k = 0; k < mol.bondI.length; k++) {
      const i = mol.bondI[k];
      const j = mol.bondJ[k];
      if (mol.bondOrder[k] !== order || !shown(i) || !shown(j)) continue;
      const perp = style.offsets.length > 1 ? across(i, j) : ([0, 0, 0] as Vec3);
      style.offsets.forEach((off, l) => {
        const a = pos(i).map((v, c) => r3(v + perp[c] * off));
        const b = pos(j).map((v, c) => r3(v + perp[c] * off));
        lines[l].x.push(a[0], b[0], null);
        lines[l].y.push(a[1], b[1], null);
        lines[l].z.push(a[2], b[2], null);
      });
    }
    lines.forEach((line, l) => {
      if (line.x.length === 0) return;
      const width = style.offsets.length === 1 ? o.bondWidth : Math.max(2, o.bondWidth * 0.7);
      data.push({
        type: "scatter3d", mode: "lines", name: style.name, ...line,
        line: { color: o.bondColor, width, dash: style.dashed[l] ? "dash" : "solid" },
        legendgroup: style.name, showlegend: l === 0, hoverinfo: "skip",
      });
    });
  }
  const visible = Array.from({ length: n }, (_, i) => pos(i)).filter((_, i) => shown(i));
  const longest = Math.max(...[0, 1, 2].map((c) => Math.max(...visible.map((p) => p[c])) - Math.min(...visible.map((p) => p[c])))) + 2 * BOX_PAD;
  const pxPerAngstrom = (FILL * Math.min(o.width, o.height - 60)) / longest;
  // One atom trace per element, in order of first appearance, so the legend lists the elements.
  const byElement = new Map<number, number[]>();
  for (let i = 0; i < n; i++) if (shown(i)) byElement.set(mol.elements[i], [...(byElement.get(mol.elements[i]) ?? []), i]);
  for (const [z, atoms] of byElement) {
    const e = elementByZ(z);
    const symbol = e?.symbol ?? `Z${z}`;
    // Marker sizes are in px, not Å: convert with the scale the camera gives the molecule's long axis.
    // (scatter3d draws a marker of size s about 3 s px wide: measured on exported PNGs.)
    const size = Math.round(Math.min(30, Math.max(2, (o.atomScale * (e?.rVdw ?? 1.7) * pxPerAngstrom) / 3)) * 10) / 10;
    data.push({
      type: "scatter3d", mode: "markers", name: symbol,
      x: atoms.map((i) => r3(pos(i)[0])), y: atoms.map((i) => r3(pos(i)[1])), z: atoms.map((i) => r3(pos(i)[2])),
      text: atoms.map((i) => {
        const q = mol.charges?.[i] ?? 0;
        return `${symbol}${i}${q ? ` (${q > 0 ? "+" : ""}${q})` : ""}`;
      }),
      marker: { color: cpkColor(z), size, opacity: 1, line: { color: "#555555", width: 1 } },
      hovertemplate: "%{text}<br>(%{x:.3f}, %{y:.3f}, %{z:.3f}) Å<extra></extra>",
    });
  }
  const title = o.title || `${escapeLabel(mol.name || hillFormula(mol.elements))} (${n} atoms)`;
  const axis = (t: string) => ({
    visible: o.showAxes, title: { text: `${t} (Å)` }, showbackground: false, gridcolor: THEME.gridColor, zeroline: false,
  });
  const fitted = titleLayout(title, o.width, 60);
  return {
    data,
    layout: {
      ...baseLayout(title, o),
      title: fitted.title,
      margin: { l: 10, r: 10, t: fitted.marginTop, b: 10 },
      scene: {
        ...sceneBox(visible, axis),
        bgcolor: THEME.background,
        camera: frontCamera(visible),
      },
      legend: { x: 0.99, xanchor: "right", y: 0.98, yanchor: "top", itemsizing: "constant" },
    },
  };
}
