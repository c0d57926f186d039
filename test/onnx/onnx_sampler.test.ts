/**
 * The sampler on the compiled backend: driven by the fixture's uniforms (sampler_log10, sampler_linear10), its
 * categorical states are identical to the reference's and to the TF.js backend's at every step, with and without
 * caching (output and last-block level); coordinates agree within 1e-3. With a fixed seed, `sample()`-style runs
 * give the same molecules on both backends.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../kernel-lib/env";
import { CachedBackbone } from "../../kernel-lib/cache/cached_backbone";
import type { BackboneNetwork } from "../../kernel-lib/model/network";
import { parseCacheSpec } from "../../kernel-lib/cache/config";
import { integrate, IntegrateResult } from "../../kernel-lib/flow/integrate";
import type { StepEvent } from "../../kernel-lib/model/observers";
import { SamplerState } from "../../kernel-lib/flow/prior";
import { timeGrid } from "../../kernel-lib/flow/time_grid";
import { SemlaGenerator } from "../../kernel-lib/model/generator";
import { compileOnnx, OnnxGenerator } from "../../kernel-lib/onnx/onnx_generator";
import { SamplingPool } from "../../kernel-lib/parallel/sampling_pool";
import { loadedModel } from "../../kernel-lib/model/model_io";
import { argmaxRows, fixtureBundle, fixturePrior, fixtureTensor, loadFixtureModel } from "../model/semla_fixture";

let model: SemlaGenerator;
let onnx: OnnxGenerator;
before(async () => {
  await initBackend();
  model = loadFixtureModel();
  onnx = compileOnnx(model);
});
after(() => {
  onnx.dispose();
  model.dispose();
});

interface Trace {
  atoms: Int32Array[];
  bonds: Int32Array[];
  coords: Float32Array[];
  result: IntegrateResult;
}

function run(net: BackboneNetwork, kind: "log" | "linear", spec: string): Trace {
  const f = fixtureBundle(`sampler_${kind}10`);
  const grid = timeGrid(10, kind);
  const trace: Trace = { atoms: [], bonds: [], coords: [], result: undefined as unknown as IntegrateResult };
  const observe = (e: StepEvent) => {
    trace.atoms.push(e.next.atomClasses.slice());
    trace.bonds.push(e.next.bondClasses.slice());
    trace.coords.push(e.next.coords.slice());
  };
  trace.result = integrate(fixturePrior(f), {
    grid, backbone: new CachedBackbone(net, parseCacheSpec(spec), grid.t),
    uniforms: (k, which) => fixtureTensor(f, `step${k}/u.${which}`).data, observers: [observe],
  });
  return trace;
}

/** Categorical mismatches on real entries between two traces (or a trace and the fixture). */
function mismatches(p: SamplerState, a: { atoms: Int32Array[]; bonds: Int32Array[] }, b: { atoms: Int32Array[]; bonds: Int32Array[] }): number {
  const { B, N, mask } = p;
  let bad = 0;
  for (let k = 0; k < a.atoms.length; k++) {
    for (let x = 0; x < B * N; x++) {
      if (!mask[x]) continue;
      if (a.atoms[k][x] !== b.atoms[k][x]) bad++;
      const bb = Math.floor(x / N);
      for (let j = 0; j < N; j++) if (mask[bb * N + j] && a.bonds[k][x * N + j] !== b.bonds[k][x * N + j]) bad++;
    }
  }
  return bad;
}

function maxCoordDiff(p: SamplerState, a: Float32Array[], b: ArrayLike<number>[]): number {
  let worst = 0;
  for (let k = 0; k < a.length; k++) {
    for (let x = 0; x < p.B * p.N; x++) if (p.mask[x]) for (let d = 0; d < 3; d++) worst = Math.max(worst, Math.abs(a[k][x * 3 + d] - b[k][x * 3 + d]));
  }
  return worst;
}

for (const kind of ["log", "linear"] as const) {
  describe(`ONNX sampler parity: sampler_${kind}10 with the fixture's uniforms`, () => {
    it("categorical states identical to the reference at every step; coordinates within 1e-3", () => {
      const f = fixtureBundle(`sampler_${kind}10`);
      const p = fixturePrior(f);
      const before = tf.memory().numTensors;
      const mine = run(onnx, kind, "none");
      assert.equal(tf.memory().numTensors, before, "the ONNX sampler leaked TF.js tensors");
      const ref = {
        atoms: Array.from({ length: 10 }, (_, k) => argmaxRows(fixtureTensor(f, `step${k}/next.atomics`).data, 18)),
        bonds: Array.from({ length: 10 }, (_, k) => argmaxRows(fixtureTensor(f, `step${k}/next.bonds`).data, 5)),
      };
      assert.equal(mine.atoms.length, 10);
      assert.equal(mismatches(p, mine, ref), 0, "categorical mismatches vs the reference");
      const d = maxCoordDiff(p, mine.coords, Array.from({ length: 10 }, (_, k) => fixtureTensor(f, `step${k}/next.coords`).data));
      assert.ok(d <= 1e-3 && d > 0, `coordinates off by ${d}`);
    });

    it("identical categorical states to the TF.js backend, uncached and cached (output and last-block level)", () => {
      const p = fixturePrior(fixtureBundle(`sampler_${kind}10`));
      for (const spec of ["none", "taylor:m=2,D=3", "ab:j=2,D=3", "taylor:m=1,D=2,level=lastBlock"]) {
        const a = run(onnx, kind, spec);
        const b = run(model, kind, spec);
        assert.equal(a.result.networkCalls, b.result.networkCalls, spec);
        assert.equal(mismatches(p, a, b), 0, `${spec}: categorical mismatches between backends`);
        const d = maxCoordDiff(p, a.coords, b.coords);
        assert.ok(d <= 1e-3, `${spec}: coordinates differ by ${d}`);
      }
    });

    it("caching with D = 1 on the compiled backend reproduces its uncached run exactly", () => {
      const base = run(onnx, kind, "none");
      for (const spec of ["taylor:m=2,D=1", "ab:j=2,D=1", "taylor:m=1,D=1,level=lastBlock"]) {
        const cached = run(onnx, kind, spec);
        assert.equal(cached.result.networkCalls, 10, spec);
        assert.deepEqual(cached.result.final, base.result.final, spec);
        assert.deepEqual(cached.result.state, base.result.state, spec);
      }
    });
  });
}

describe("ONNX sampler with a fixed seed", () => {
  it("sample() on both backends (same seed, 10 steps, Taylor m=2 D=3) gives the same molecules", async () => {
    const loaded = loadedModel({ generator: model, coordStd: 1.7232995, name: "fixture", meta: {} });
    const opts = { sizes: [5, 7, 9, 6, 8, 4], steps: 10, seed: 11, batchCost: 24, grid: "linear" as const, cache: "taylor:m=2,D=3" };
    const results = [];
    for (const backend of ["tfjs", "onnx"] as const) {
      const pool = await SamplingPool.start(loaded, { workers: 0, backend });
      try {
        results.push(await pool.sample(opts));
      } finally {
        await pool.close();
      }
    }
    const [a, b] = results;
    assert.equal(a.batches, 3);
    assert.equal(a.molecules.length, 6);
    a.molecules.forEach((m, i) => {
      const o = b.molecules[i];
      assert.deepEqual(o.elements, m.elements, `molecule ${i} elements`);
      assert.deepEqual([o.bondI, o.bondJ, o.bondOrder], [m.bondI, m.bondJ, m.bondOrder], `molecule ${i} bonds`);
      assert.deepEqual(o.charges, m.charges, `molecule ${i} charges`);
      o.positions.forEach((x, k) => assert.ok(Math.abs(x - m.positions[k]) < 1e-3, `molecule ${i} position ${k}`));
    });
  });
});
