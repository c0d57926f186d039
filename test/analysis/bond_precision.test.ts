/**
 * bondPrecision: bond-length errors of a model's predicted structure on real QM9 molecules. Checked against a model
 * that returns its input (exact zero, and the expected spread under noise), for rotation invariance with the real
 * (equivariant) fixture model, bond counts, bad options and tensor leaks.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../kernel-lib/env";
import { bondPrecision } from "../../kernel-lib/analysis/bond_precision";
import { readQm9Records, toMolecule } from "../../kernel-lib/data/qm9_reader";
import { makeMolecule, Molecule } from "../../kernel-lib/chem/molecule";
import { elementSymbol } from "../../kernel-lib/chem/elements";
import { LoadedModel, loadedModel } from "../../kernel-lib/model/model_io";
import { SemlaGenerator } from "../../kernel-lib/model/generator";
import { GeneratorInputs, GeneratorOutputs } from "../../kernel-lib/model/blocks";
import { loadFixtureLoadedModel } from "../model/semla_fixture";

let molecules: Molecule[];
let fixture: LoadedModel;
before(async () => {
  await initBackend();
  molecules = (await readQm9Records({ split: "test", limit: 24 })).map(toMolecule);
  fixture = loadFixtureLoadedModel();
});
after(() => fixture.dispose());

/** A stand-in generator whose predicted structure is its input: isolates the measurement from any network. */
function echoModel(): LoadedModel {
  const config = fixture.generator.config;
  const generator = {
    config,
    forward: (inputs: GeneratorInputs): GeneratorOutputs => ({
      coords: inputs.coords.clone(), typeLogits: inputs.atomics.clone(), bondLogits: inputs.bonds.clone(),
      chargeLogits: tf.zeros([...inputs.mask.shape, 7]),
    }) as unknown as GeneratorOutputs,
    dispose: () => undefined,
  } as unknown as SemlaGenerator;
  return loadedModel({ generator, coordStd: fixture.coordStd, name: "echo", meta: {} });
}

function rotated(mol: Molecule, angle: number): Molecule {
  const c = Math.cos(angle), s = Math.sin(angle);
  const p = Array.from(mol.positions);
  const positions = p.map((_, k) => {
    const i = k - (k % 3);
    const [x, y, z] = [p[i], p[i + 1], p[i + 2]];
    return [c * x + s * z + 1.5, y - 0.5, -s * x + c * z][k % 3];
  });
  return makeMolecule({
    elements: mol.elements, positions, charges: mol.charges,
    bonds: Array.from(mol.bondI, (i, k) => [i, mol.bondJ[k], mol.bondOrder[k]] as const),
  });
}

describe("bond precision", () => {
  it("is exactly zero for a model that returns the clean input, and grows with the noise shown", () => {
    const echo = echoModel();
    const clean = bondPrecision(echo, molecules);
    assert.ok(clean.coordinateRms < 1e-6);
    for (const b of clean.bonds) assert.ok(b.rmsError < 1e-5, `${b.bond} ${b.rmsError}`);
    // Noise of σ (normalised) per coordinate: each atom moves σ·std Å per axis; a bond length by about √2·σ·std.
    const noisy = bondPrecision(echo, molecules, { noise: 0.02 });
    const expected = 0.02 * fixture.coordStd;
    assert.ok(Math.abs(noisy.coordinateRms - expected) < 0.2 * expected, `coordinate RMS ${noisy.coordinateRms} vs ${expected}`);
    const ch = noisy.bonds.find((b) => b.bond === "C–H")!;
    assert.ok(Math.abs(ch.rmsError - Math.SQRT2 * expected) < 0.25 * Math.SQRT2 * expected, `C–H RMS ${ch.rmsError}`);
  });

  it("counts every bond once, by kind, most frequent first", () => {
    const p = bondPrecision(fixture, molecules, { batchSize: 7 });
    const counts = new Map<string, number>();
    for (const m of molecules) {
      for (let k = 0; k < m.bondI.length; k++) {
        const key = [elementSymbol(m.elements[m.bondI[k]]), elementSymbol(m.elements[m.bondJ[k]])].sort().join("–");
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
    assert.deepEqual(new Map(p.bonds.map((b) => [b.bond, b.count])), counts);
    for (let i = 1; i < p.bonds.length; i++) assert.ok(p.bonds[i - 1].count >= p.bonds[i].count);
    assert.equal(p.molecules, molecules.length);
    assert.ok(p.coordinateRms > 0 && Number.isFinite(p.coordinateRms));
  });

  it("does not depend on how the molecules are oriented (the model is equivariant, bond lengths invariant)", () => {
    const a = bondPrecision(fixture, molecules);
    const b = bondPrecision(fixture, molecules.map((m) => rotated(m, 1.1)));
    for (const x of a.bonds) {
      const y = b.bonds.find((z) => z.bond === x.bond)!;
      assert.ok(Math.abs(x.meanError - y.meanError) < 1e-4 && Math.abs(x.rmsError - y.rmsError) < 1e-4, `${x.bond}: ${x.rmsError} vs ${y.rmsError}`);
    }
  });

  it("refuses bad options and leaks no tensors", () => {
    assert.throws(() => bondPrecision(fixture, molecules, { t: 1.5 }), /t must be in \[0, 1\], got 1\.5/);
    assert.throws(() => bondPrecision(fixture, molecules, { noise: -1 }), /noise must be ≥ 0/);
    const before = tf.memory().numTensors;
    bondPrecision(fixture, molecules.slice(0, 5));
    assert.equal(tf.memory().numTensors, before);
  });
});
