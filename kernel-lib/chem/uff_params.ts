/**
 * UFF atom types and parameters (Rappé et al., J. Am. Chem. Soc. 1992, 114, 10024; the values RDKit ships),
 * the typing rule RDKit uses to pick a type, and UFF's bond rest length. Main-group elements only: a molecule
 * with any other element has no UFF parameters here, and the checks that need them report that.
 */
import { Molecule } from "./molecule";
import { Perception } from "./perception";
import { elementByZ } from "./elements";

/** One UFF atom type's parameters (lengths in Å, angles in radians, energies in kcal/mol). */
export interface UffParams {
  r1: number;
  theta0: number;
  x1: number;
  D1: number;
  zeta: number;
  Z1: number;
  V1: number;
  U1: number;
  Xi: number;
}

// label r1 theta0(deg) x1 D1 zeta Z1 V1 U1 Xi
const TABLE = `
H_ 0.354 180 2.886 0.044 12 0.712 0 0 4.528
H_b 0.46 83.5 2.886 0.044 12 0.712 0 0 4.528
B_3 0.838 109.47 4.083 0.18 12.052 1.755 0 2 5.11
B_2 0.828 120 4.083 0.18 12.052 1.755 0 2 5.11
C_3 0.757 109.47 3.851 0.105 12.73 1.912 2.119 2 5.343
C_R 0.729 120 3.851 0.105 12.73 1.912 0 2 5.343
C_2 0.732 120 3.851 0.105 12.73 1.912 0 2 5.343
C_1 0.706 180 3.851 0.105 12.73 1.912 0 2 5.343
N_3 0.7 106.7 3.66 0.069 13.407 2.544 0.45 2 6.899
N_R 0.699 120 3.66 0.069 13.407 2.544 0 2 6.899
N_2 0.685 111.2 3.66 0.069 13.407 2.544 0 2 6.899
N_1 0.656 180 3.66 0.069 13.407 2.544 0 2 6.899
O_3 0.658 104.51 3.5 0.06 14.085 2.3 0.018 2 8.741
O_3_z 0.528 146 3.5 0.06 14.085 2.3 0.018 2 8.741
O_R 0.68 110 3.5 0.06 14.085 2.3 0 2 8.741
O_2 0.634 120 3.5 0.06 14.085 2.3 0 2 8.741
O_1 0.639 180 3.5 0.06 14.085 2.3 0 2 8.741
F_ 0.668 180 3.364 0.05 14.762 1.735 0 2 10.874
Al3 1.244 109.47 4.499 0.505 11.278 1.792 0 1.25 4.06
Si3 1.117 109.47 4.295 0.402 12.175 2.323 1.225 1.25 4.168
P_3+3 1.101 93.8 4.147 0.305 13.072 2.863 2.4 1.25 5.463
P_3+5 1.056 109.47 4.147 0.305 13.072 2.863 2.4 1.25 5.463
P_3+q 1.056 109.47 4.147 0.305 13.072 2.863 2.4 1.25 5.463
S_3+2 1.064 92.1 4.035 0.274 13.969 2.703 0.484 1.25 6.928
S_3+4 1.049 103.2 4.035 0.274 13.969 2.703 0.484 1.25 6.928
S_3+6 1.027 109.47 4.035 0.274 13.969 2.703 0.484 1.25 6.928
S_R 1.077 92.2 4.035 0.274 13.969 2.703 0 1.25 6.928
S_2 0.854 120 4.035 0.274 13.969 2.703 0 1.25 6.928
Cl 1.044 180 3.947 0.227 14.866 2.348 0 1.25 8.564
Ga3+3 1.26 109.47 4.383 0.415 11 1.821 0 0.7 3.641
Ge3 1.197 109.47 4.28 0.379 12 2.789 0.701 0.7 4.051
As3+3 1.211 92.1 4.23 0.309 13 2.864 1.5 0.7 5.188
Se3+2 1.19 90.6 4.205 0.291 14 2.764 0.335 0.7 6.428
Br 1.192 180 4.189 0.251 15 2.519 0 0.7 7.79
Sn3 1.398 109.47 4.392 0.567 12 2.961 0.199 0.2 3.987
Sb3+3 1.407 91.6 4.42 0.449 13 2.704 1.1 0.2 4.899
Te3+2 1.386 90.25 4.47 0.398 14 2.882 0.3 0.2 5.816
I_ 1.382 180 4.5 0.339 15 2.65 0 0.2 6.822
Hg1+2 1.34 180 2.705 0.385 12 1.75 0 0.1 6.27
Bi3+3 1.512 90 4.37 0.518 13 2.47 1 0.1 4.69
`;

/** UFF parameters by type label ("C_R", "N_3", "S_3+2", …). */
export const UFF_PARAMS: ReadonlyMap<string, UffParams> = new Map(
  TABLE.trim()
    .split("\n")
    .map((line) => {
      const [label, ...v] = line.trim().split(/\s+/);
      const [r1, theta, x1, D1, zeta, Z1, V1, U1, Xi] = v.map(Number);
      return [label, { r1, theta0: (theta * Math.PI) / 180, x1, D1, zeta, Z1, V1, U1, Xi }] as [string, UffParams];
    }),
);

/**
 * RDKit's UFF type label for atom `a` (AtomTyper.cpp: symbol, then hybridisation, then charge-state suffixes).
 * @example
 * uffLabel(mol, perception, 0); // "C_3"
 */
export function uffLabel(mol: Molecule, p: Perception, a: number): string {
  const z = mol.elements[a];
  const e = elementByZ(z);
  if (!e) return "?";
  let key = e.symbol.length === 1 ? `${e.symbol}_` : e.symbol;
  if (e.nOuter !== 1 && e.nOuter !== 7) {
    if ([12, 13, 14, 15, 50, 51, 52, 81, 82, 83, 84].includes(z)) key += "3";
    else if (z === 80) key += "1";
    else {
      switch (p.hybridization[a]) {
        case 1:
          key += "1";
          break;
        case 2: {
          const conj = p.adj.bondIdx[a].some((b) => p.conjugatedBonds[b] === 1);
          key += (p.aromaticAtoms.has(a) || conj) && [6, 7, 8, 16].includes(z) ? "R" : "2";
          break;
        }
        case 3:
          key += "3";
          break;
        case 4:
          key += "5";
          break;
        case 5:
          key += "6";
          break;
        default:
          break;
      }
    }
  }
  const valence = Math.round(p.valence[a]);
  if (z === 15) key += valence === 3 ? "+3" : "+5";
  else if (z === 16 && p.hybridization[a] !== 2) key += valence === 2 ? "+2" : valence === 4 ? "+4" : "+6";
  else if ([34, 52, 84].includes(z)) key += "+2";
  else if ([31, 33, 49, 51, 81, 82, 83].includes(z)) key += "+3";
  else if (z === 80 || z === 48 || z === 30 || z === 12) key += "+2";
  return key;
}

/** UFF parameters for every atom (undefined where UFF has no type). */
export function uffAtomParams(mol: Molecule, p: Perception): (UffParams | undefined)[] {
  return Array.from(mol.elements, (_, a) => UFF_PARAMS.get(uffLabel(mol, p, a)));
}

/**
 * UFF bond rest length in Å: r_i + r_j + Pauling bond-order correction − O'Keefe–Breese electronegativity correction.
 * @example
 * uffBondRestLength(1, UFF_PARAMS.get("C_3")!, UFF_PARAMS.get("C_3")!); // 1.514
 */
export function uffBondRestLength(bondOrder: number, pi: UffParams, pj: UffParams): number {
  const ri = pi.r1;
  const rj = pj.r1;
  const rBO = -0.1332 * (ri + rj) * Math.log(bondOrder);
  const xi = pi.Xi;
  const xj = pj.Xi;
  const rEN = (ri * rj * (Math.sqrt(xi) - Math.sqrt(xj)) ** 2) / (xi * ri + xj * rj);
  return ri + rj + rBO - rEN;
}
