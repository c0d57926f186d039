/**
 * Fixture parity of the generator (forward.json, cases A, B, C): every output and every recorded intermediate
 * (block inputs/outputs through observers, and in-block tensors through the debug recorder) within 1e-4 on real
 * atoms / real atom pairs. Also: padding (A row 0 vs C) and the list of fixture tensors is covered completely.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../kernel-lib/env";
import { SemlaGenerator } from "../../kernel-lib/model/generator";
import { BlockState } from "../../kernel-lib/model/blocks";
import { caseInputs, disposeAll, fixtureBundle, fixtureTensor, layoutOf, loadFixtureModel, maxDiffReal } from "./semla_fixture";

const TOLERANCE = 1e-4;
let model: SemlaGenerator;

before(async () => {
  await initBackend();
  model = loadFixtureModel();
});
after(() => model.dispose());

/** Run a case and collect every intermediate under the fixture's names (without the case prefix). */
function runCase(c: string): Map<string, { data: Float32Array; shape: number[] }> {
  const inputs = caseInputs(c);
  const rec = new Map<string, tf.Tensor>();
  const keep = (name: string, t: tf.Tensor | undefined) => {
    assert.ok(t, `${name} missing from the block state`);
    rec.set(name, tf.keep(t.clone()));
  };
  const observer = (block: string, input: BlockState, output: BlockState) => {
    const m = /^layers\.(\d+)$/.exec(block);
    if (m) {
      const l = `inter.layer${m[1]}`;
      keep(`${l}.input.coord_sets`, input.coordSets);
      keep(`${l}.input.node_feats`, input.nodeFeats);
      keep(`${l}.output.coord_sets`, output.coordSets);
      keep(`${l}.output.node_feats`, output.nodeFeats);
      if (output.edgeFeats) keep(`${l}.output.edge_feats`, output.edgeFeats);
    } else if (block === "embed") {
      keep("inter.embed.atom_feats", output.nodeFeats);
      keep("inter.embed.coord_sets", output.coordSets);
      keep("inter.embed.edge_feats", output.edgeFeats);
    } else if (block === "finalFF") {
      keep("inter.final_ff.coord_sets", output.coordSets);
      keep("inter.final_ff.node_feats", output.nodeFeats);
    } else if (block === "coordHead") {
      keep("inter.dynamics.coords", output.coords);
    } else if (block === "bondRefine") {
      keep("inter.bond_refine.edge_feats", output.edgeFeats);
    }
  };
  const state = model.forwardBlocks(inputs, { observers: [observer], record: (name, t) => keep(`inter.${name}`, t) });
  const o = state.outputs!;
  keep("output.coords", o.coords);
  keep("output.type_logits", o.typeLogits);
  keep("output.bond_logits", o.bondLogits);
  keep("output.charge_logits", o.chargeLogits);
  tf.dispose(state as unknown as tf.TensorContainer);
  disposeAll(inputs);
  const out = new Map<string, { data: Float32Array; shape: number[] }>();
  for (const [k, t] of rec) {
    out.set(k, { data: t.dataSync() as Float32Array, shape: t.shape });
    t.dispose();
  }
  return out;
}

describe("forward parity with the reference (forward.json)", () => {
  const f = fixtureBundle("forward");
  for (const c of ["A", "B", "C"]) {
    it(`case ${c}: every output and intermediate within ${TOLERANCE} on real entries`, () => {
      const got = runCase(c);
      const mask = fixtureTensor(f, `${c}/input.mask`).data;
      const names = [...f.tensors.keys()].filter((k) => k.startsWith(`${c}/`) && !k.startsWith(`${c}/input.`));
      assert.ok(names.length >= 40, `expected the full list of intermediates, found ${names.length}`);
      const failures: string[] = [];
      let worst = 0;
      for (const full of names) {
        const name = full.slice(2);
        const ref = fixtureTensor(f, full);
        const mine = got.get(name);
        if (!mine) {
          failures.push(`${name}: not produced`);
          continue;
        }
        assert.deepEqual(mine.shape, ref.shape, `${name} shape`);
        const d = maxDiffReal(mine.data, ref.data, ref.shape, mask, layoutOf(name, ref.shape.length));
        worst = Math.max(worst, d);
        if (!(d <= TOLERANCE)) failures.push(`${name}: max |Δ| ${d.toExponential(2)}`);
      }
      assert.deepEqual(failures, [], `case ${c} mismatches`);
      assert.ok(worst > 0, "a comparison of identical zeros proves nothing");
    });
  }

  it("the tolerance check can fail: a perturbed weight breaks parity", () => {
    const w = model.params.get("dynamics.layers.1.message_ff.message_mlp.2.weight");
    const original = w.clone();
    try {
      w.assign(tf.mul(original, 1.01) as tf.Tensor2D);
      const got = runCase("A");
      const ref = fixtureTensor(f, "A/output.coords");
      const d = maxDiffReal(got.get("output.coords")!.data, ref.data, ref.shape, fixtureTensor(f, "A/input.mask").data, "atom");
      assert.ok(d > TOLERANCE, `perturbation changed coords by only ${d}`);
    } finally {
      w.assign(original);
      original.dispose();
    }
  });

  it("case C (molecule 0 alone, unpadded) equals case A row 0 on real atoms", () => {
    const a = runCase("A");
    const c = runCase("C");
    for (const key of ["output.coords", "output.type_logits", "output.charge_logits", "output.bond_logits"]) {
      const ra = a.get(key)!, rc = c.get(key)!;
      const n = 5, nA = ra.shape[1];
      const inner = ra.shape.slice(key === "output.bond_logits" ? 3 : 2).reduce((x, y) => x * y, 1);
      let worst = 0;
      if (key === "output.bond_logits") {
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < inner; k++) {
          worst = Math.max(worst, Math.abs(ra.data[(i * nA + j) * inner + k] - rc.data[(i * n + j) * inner + k]));
        }
      } else {
        for (let i = 0; i < n; i++) for (let k = 0; k < inner; k++) worst = Math.max(worst, Math.abs(ra.data[i * inner + k] - rc.data[i * inner + k]));
      }
      assert.ok(worst <= 1e-5, `${key}: A row 0 vs C differ by ${worst}`);
    }
  });
});
