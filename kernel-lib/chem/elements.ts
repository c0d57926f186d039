/**
 * The periodic-table facts the metrics need: symbols, radii, masses, outer-shell electrons and default valences.
 * Values are those of RDKit's periodic table (Blue Obelisk data), so distance bounds and valence rules built on
 * them agree with RDKit's.
 */

/** One element's data. */
export interface ElementData {
  /** Atomic number. */
  z: number;
  /** Symbol with RDKit's capitalisation ("C", "Cl"). */
  symbol: string;
  /** Covalent radius in Å. */
  rCov: number;
  /** Van der Waals radius in Å (RDKit `GetRvdw`). */
  rVdw: number;
  /** Standard atomic mass in Da. */
  mass: number;
  /** Outer-shell electrons (RDKit `GetNOuterElecs`). */
  nOuter: number;
  /** Allowed valences in RDKit's order; the first is the default valence; -1 means any. */
  valences: readonly number[];
}

// z symbol rCov rVdw mass nOuter valences(comma separated)
const TABLE = `
1 H 0.23 1.2 1.008 1 1
2 He 0.93 1.4 4.003 2 0
3 Li 0.68 2.2 6.941 1 1
4 Be 0.35 1.9 9.012 2 2
5 B 0.83 1.8 10.812 3 3
6 C 0.68 1.7 12.011 4 4
7 N 0.68 1.6 14.007 5 3
8 O 0.68 1.55 15.999 6 2
9 F 0.64 1.5 18.998 7 1
10 Ne 1.12 1.54 20.18 8 0
11 Na 0.97 2.4 22.99 1 1
12 Mg 1.1 2.2 24.305 2 2
13 Al 1.35 2.1 26.982 3 3,6
14 Si 1.2 2.1 28.086 4 4,6
15 P 0.75 1.95 30.974 5 3,5,7
16 S 1.02 1.8 32.067 6 2,4,6
17 Cl 0.99 1.8 35.453 7 1
18 Ar 1.57 1.88 39.948 8 0
19 K 1.33 2.8 39.098 1 1
20 Ca 0.99 2.4 40.078 2 2
21 Sc 1.44 2.3 44.956 3 -1
22 Ti 1.47 2.15 47.867 4 -1
23 V 1.33 2.05 50.942 5 -1
24 Cr 1.35 2.05 51.996 6 -1
25 Mn 1.35 2.05 54.938 7 -1
26 Fe 1.34 2.05 55.845 8 -1
27 Co 1.33 2 58.933 9 -1
28 Ni 1.5 2 58.693 10 -1
29 Cu 1.52 2 63.546 11 -1
30 Zn 1.45 2.1 65.39 2 -1
31 Ga 1.22 2.1 69.723 3 3
32 Ge 1.17 2.1 72.61 4 4
33 As 1.21 2.05 74.922 5 3,5,7
34 Se 1.22 1.9 78.96 6 2,4,6
35 Br 1.21 1.9 79.904 7 1
36 Kr 1.91 2.02 83.8 8 0
37 Rb 1.47 2.9 85.468 1 1
38 Sr 1.12 2.55 87.62 2 2
39 Y 1.78 2.4 88.906 3 -1
40 Zr 1.56 2.3 91.224 4 -1
41 Nb 1.48 2.15 92.906 5 -1
42 Mo 1.47 2.1 95.94 6 -1
43 Tc 1.35 2.05 98 7 -1
44 Ru 1.4 2.05 101.07 8 -1
45 Rh 1.45 2 102.906 9 -1
46 Pd 1.5 2.05 106.42 10 -1
47 Ag 1.59 2.1 107.868 11 -1
48 Cd 1.69 2.2 112.412 2 -1
49 In 1.63 2.2 114.818 3 3
50 Sn 1.46 2.25 118.711 4 2,4
51 Sb 1.46 2.2 121.76 5 3,5,7
52 Te 1.47 2.1 127.6 6 2,4,6
53 I 1.4 2.1 126.904 7 1,3,5
54 Xe 1.98 2.16 131.29 8 0,2,4,6
55 Cs 1.67 3 132.905 1 1
56 Ba 1.34 2.7 137.328 2 2
78 Pt 1.5 2.05 195.078 10 -1
79 Au 1.5 2.1 196.967 11 -1
80 Hg 1.7 2.05 200.59 2 -1
81 Tl 1.55 2.2 204.383 3 3
82 Pb 1.54 2.3 207.2 4 2,4
83 Bi 1.54 2.3 208.98 5 3,5,7
`;

const BY_Z = new Map<number, ElementData>();
const BY_SYMBOL = new Map<string, ElementData>();
for (const line of TABLE.trim().split("\n")) {
  const [z, symbol, rCov, rVdw, mass, nOuter, valences] = line.trim().split(/\s+/);
  const data: ElementData = {
    z: Number(z),
    symbol,
    rCov: Number(rCov),
    rVdw: Number(rVdw),
    mass: Number(mass),
    nOuter: Number(nOuter),
    valences: valences.split(",").map(Number),
  };
  BY_Z.set(data.z, data);
  BY_SYMBOL.set(symbol.toLowerCase(), data);
}

/**
 * The data for atomic number `z`, or `undefined` for an element molcache does not know.
 * @example
 * elementByZ(6)?.rVdw; // 1.7
 */
export function elementByZ(z: number): ElementData | undefined {
  return BY_Z.get(z);
}

/**
 * The data for a symbol (case-insensitive: "CL" and "cl" both give chlorine), or `undefined`.
 * @example
 * elementBySymbol("Cl")?.z; // 17
 */
export function elementBySymbol(symbol: string): ElementData | undefined {
  return BY_SYMBOL.get(symbol.trim().toLowerCase());
}

/**
 * The symbol of atomic number `z`; throws for an unknown element (the message names the number).
 * @example
 * elementSymbol(8); // "O"
 */
export function elementSymbol(z: number): string {
  const e = BY_Z.get(z);
  if (!e) throw new Error(`unknown element: atomic number ${z}; molcache knows ${knownElementRange()}`);
  return e.symbol;
}

/**
 * The atomic number of a symbol; throws for an unknown symbol.
 * @example
 * atomicNumber("N"); // 7
 */
export function atomicNumber(symbol: string): number {
  const e = elementBySymbol(symbol);
  if (!e) throw new Error(`unknown element symbol: "${symbol}"; use a periodic-table symbol such as C, N, O, Cl`);
  return e.z;
}

/**
 * True when molcache has data for atomic number `z`.
 * @example
 * isKnownElement(6); // true
 */
export function isKnownElement(z: number): boolean {
  return BY_Z.has(z);
}

function knownElementRange(): string {
  return `Z 1-56 and 78-83`;
}
