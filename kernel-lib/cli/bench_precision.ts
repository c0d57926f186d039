/**
 * `molcache bench precision`: how precisely models reproduce bond geometry (analysis/bond_precision.ts): n QM9
 * MiDi-test molecules shown clean (or noised) at time t, the predicted structure's bond-length error per kind of
 * bond, for one or more models in one run.
 *
 * Run: `npm run bench -- precision [--models data/models/default,other/model] [--n 200] [--t 0.99] [--noise 0]`
 */
import { Command } from "commander";
import { bondPrecision, BondPrecision, DEFAULT_BOND_PRECISION } from "../analysis/bond_precision";
import { initBackend } from "../env";
import { Rng } from "../util/rng";
import { writeFileAtomic } from "../util/atomic_write";
import type { BenchDefinition } from "./bench";
import { formatTable } from "./bench_format";
import { sampleQm9Test } from "./bench_metrics";
import { resolveModelArgument } from "./model_argument";
import { countOption, listArg, seedOption } from "./options";

/** The kinds of bond the table shows (the JSON has all). */
const SHOWN = ["C–H", "C–C", "C–O", "C–N", "H–N", "H–O"];

/** One row per model: coordinate RMS, then mean / RMS error of each shown kind of bond (Å). */
export function precisionTable(results: readonly { model: string; precision: BondPrecision }[]): string {
  const header = ["model", "coord RMS", ...SHOWN.map((b) => `${b} mean / RMS`)];
  const rows = results.map(({ model, precision }) => [
    model, precision.coordinateRms.toFixed(3),
    ...SHOWN.map((kind) => {
      const b = precision.bonds.find((x) => x.bond === kind);
      return b ? `${b.meanError >= 0 ? "+" : ""}${b.meanError.toFixed(3)} / ${b.rmsError.toFixed(3)}` : "–";
    }),
  ]);
  return formatTable([header, ...rows]);
}

/** The `bench precision` subcommand. */
export const PRECISION_BENCH: BenchDefinition = {
  description: "bond-length errors of models' predicted structure on QM9 molecules shown at time t (what strain is made of)",
  configure(cmd: Command) {
    cmd
      .option("--models <list>", "comma-separated model folders (default: the trained default model)", listArg((v: string) => v))
      .addOption(countOption({ description: "QM9 MiDi-test molecules, a uniform sample", default: 200 }))
      .option("--t <t>", "time the molecules are shown at", Number, DEFAULT_BOND_PRECISION.t)
      .option("--noise <sigma>", "Gaussian noise added to the coordinates, normalised units (training uses 0.2)", Number, DEFAULT_BOND_PRECISION.noise)
      .addOption(seedOption({ description: "seed of the sample and the noise" }))
      .option("--json <file>", "also write every model's errors for every kind of bond as JSON (atomic)")
      .action(async (opts: { models?: string[]; n: number; t: number; noise: number; seed: number; json?: string }) => {
        await initBackend();
        const molecules = await sampleQm9Test(opts.n, new Rng(opts.seed));
        const results = (opts.models ?? [undefined]).map((spec) => {
          const model = resolveModelArgument(spec);
          try {
            return { model: spec ?? "default", precision: bondPrecision(model, molecules, { t: opts.t, noise: opts.noise, seed: opts.seed }) };
          } finally {
            model.dispose();
          }
        });
        console.log(`${molecules.length} QM9 MiDi-test molecules shown at t = ${opts.t} with noise ${opts.noise} (normalised units); errors in Å, predicted − true:`);
        console.log(precisionTable(results));
        if (opts.json) writeFileAtomic(opts.json, JSON.stringify({ n: molecules.length, t: opts.t, noise: opts.noise, results }, null, 2) + "\n");
      });
  },
};
