/**
 * Fresh parameters for training, initialised as the reference MolecularCFM does: Xavier-uniform for every matrix,
 * ones for norm weights and coordinate-set weights, zeros for biases. Drawn from a seeded {@link Rng}.
 */
import { Rng } from "../util/rng";
import { SemlaConfig } from "./config";
import { expectedParameterShapes } from "./parameter_shapes";
import { ParamStore } from "./params";

/**
 * Initialise a parameter store for `config`.
 * @example
 * const params = initParams(TINY_CONFIG, new Rng(0)); params.count(); // 215075
 */
export function initParams(config: SemlaConfig, rng: Rng): ParamStore {
  const store = new ParamStore();
  for (const [name, shape] of expectedParameterShapes(config)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (name.endsWith(".set_weights") || (shape.length === 1 && name.endsWith(".weight"))) {
      values.fill(1);
    } else if (shape.length >= 2) {
      // PyTorch's fan computation: fan_in = shape[1] × receptive field, fan_out = shape[0] × receptive field.
      const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
      const bound = Math.sqrt(6 / (shape[0] * receptive + shape[1] * receptive));
      for (let i = 0; i < size; i++) values[i] = (2 * rng.uniform() - 1) * bound;
    }
    store.set(name, shape, values);
  }
  return store;
}
