/**
 * SemlaFlow generator hyperparameters: the interface, presets (the fixture's tiny model, our small and QM9
 * models, the reference GEOM-Drugs default) and validation with clear errors.
 */
import { rejectUnknownOptions } from "../util/options";

/** Hyperparameters of the SemlaFlow generator (names follow the reference, in camelCase). */
export interface SemlaConfig {
  /** Node feature width D. */
  dModel: number;
  /** Message width M inside layers. */
  dMessage: number;
  /** Number of equivariant coordinate sets S. */
  nCoordSets: number;
  /** Number of Semla layers L (≥ 2: the first and last layers differ). */
  nLayers: number;
  /** Attention heads H (must divide dModel). */
  nAttnHeads: number;
  /** Hidden width of middle layers' message MLPs. */
  dMessageHidden: number;
  /** Edge feature width E. */
  dEdge: number;
  /** Width of the molecule-size embedding. */
  sizeEmb: number;
  /** Largest molecule the size embedding covers (atoms per molecule must be < maxAtoms). */
  maxAtoms: number;
  /** Self-conditioning inputs present (the reference default). */
  selfCond: boolean;
  /** Atom-type vocabulary size (18 with `<PAD>`, `<MASK>`). */
  vocabSize: number;
  /** Bond classes (none, single, double, triple, aromatic). */
  nEdgeTypes: number;
  /** Charge classes. */
  nChargeTypes: number;
}

/** The tiny random-init model of the parity fixtures (215,075 parameters). */
export const TINY_CONFIG: SemlaConfig = {
  dModel: 64, dMessage: 32, nCoordSets: 8, nLayers: 3, nAttnHeads: 4, dMessageHidden: 24, dEdge: 16,
  sizeEmb: 8, maxAtoms: 32, selfCond: true, vocabSize: 18, nEdgeTypes: 5, nChargeTypes: 7,
};

/** The "small" benchmark config (backbone issue): d_model 128, 6 layers. */
export const SMALL_CONFIG: SemlaConfig = {
  dModel: 128, dMessage: 64, nCoordSets: 16, nLayers: 6, nAttnHeads: 8, dMessageHidden: 64, dEdge: 32,
  sizeEmb: 64, maxAtoms: 64, selfCond: true, vocabSize: 18, nEdgeTypes: 5, nChargeTypes: 7,
};

/** The reference SemlaFlow default (GEOM-Drugs), 23.3 M parameters. */
export const GEOM_DRUGS_CONFIG: SemlaConfig = {
  dModel: 384, dMessage: 128, nCoordSets: 64, nLayers: 12, nAttnHeads: 32, dMessageHidden: 128, dEdge: 128,
  sizeEmb: 64, maxAtoms: 256, selfCond: true, vocabSize: 18, nEdgeTypes: 5, nChargeTypes: 7,
};

/** The reference architecture on QM9 is the same network as GEOM-Drugs (only the data differ). */
export const QM9_CONFIG: SemlaConfig = { ...GEOM_DRUGS_CONFIG };

/** Named presets, for the command line and notebooks. */
export const CONFIG_PRESETS: Readonly<Record<string, SemlaConfig>> = {
  tiny: TINY_CONFIG,
  small: SMALL_CONFIG,
  qm9: QM9_CONFIG,
  "geom-drugs": GEOM_DRUGS_CONFIG,
};

const KEYS = Object.keys(TINY_CONFIG) as (keyof SemlaConfig)[];

/**
 * Check a config (or a partial one merged onto `base`) and return a complete copy.
 * @throws on unknown keys, non-positive or non-integer sizes, heads not dividing dModel, fewer than 2 layers.
 * @example
 * resolveConfig({ nLayers: 4 }, TINY_CONFIG).nLayers; // 4
 */
export function resolveConfig(partial: Partial<SemlaConfig> & Record<string, unknown>, base: SemlaConfig = TINY_CONFIG): SemlaConfig {
  rejectUnknownOptions(partial, KEYS, "config");
  const cfg = { ...base, ...partial } as SemlaConfig;
  for (const k of KEYS) {
    if (k === "selfCond") {
      if (typeof cfg.selfCond !== "boolean") throw new Error(`invalid selfCond: ${cfg.selfCond}; use true or false`);
      continue;
    }
    const v = cfg[k] as number;
    if (!(Number.isInteger(v) && v > 0)) throw new Error(`invalid ${k}: ${v}; must be a positive integer`);
  }
  if (cfg.nLayers < 2) throw new Error(`invalid nLayers: ${cfg.nLayers}; SemlaFlow needs at least 2 layers`);
  if (cfg.dModel % cfg.nAttnHeads !== 0) {
    throw new Error(`invalid nAttnHeads: ${cfg.nAttnHeads} does not divide dModel ${cfg.dModel}`);
  }
  if (!cfg.selfCond) throw new Error("selfCond: false is not supported; SemlaFlow checkpoints use self-conditioning");
  return cfg;
}

/** Map the reference hyperparameter names (snake_case, from a checkpoint) to a config. Unknown names are ignored. */
export function configFromHyperparameters(hp: Record<string, unknown>): SemlaConfig {
  const map: Record<string, keyof SemlaConfig> = {
    d_model: "dModel", d_message: "dMessage", n_coord_sets: "nCoordSets", n_layers: "nLayers",
    n_attn_heads: "nAttnHeads", d_message_hidden: "dMessageHidden", d_edge: "dEdge", size_emb: "sizeEmb",
    max_atoms: "maxAtoms", self_cond: "selfCond", vocab_size: "vocabSize", n_edge_types: "nEdgeTypes",
    n_charge_types: "nChargeTypes",
  };
  const partial: Record<string, unknown> = {};
  for (const [src, dst] of Object.entries(map)) if (hp[src] !== undefined) partial[dst] = hp[src];
  const missing = Object.keys(map).filter((k) => hp[k] === undefined && !["self_cond", "n_edge_types", "n_charge_types", "vocab_size"].includes(k));
  if (missing.length) throw new Error(`checkpoint hyperparameters lack ${missing.join(", ")}; is this a SemlaFlow checkpoint?`);
  return resolveConfig(partial as Partial<SemlaConfig>, { ...TINY_CONFIG });
}
