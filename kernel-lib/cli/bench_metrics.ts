/**
 * `molcache bench metrics`: the metrics benchmark and QM9 ground-truth check: `evaluate` with every metric on N QM9
 * MiDi-test molecules (DFT geometries, the shipped data/qm9 file), timed on the available cores.
 *
 * Run: `npm run bench -- metrics [--n 1000] [--workers 2] [--seed 0] [--file path] [--json out.json]`
 */
import { Molecule } from "../chem/molecule";
import { QM9_FILE, readQm9Records, toMolecule } from "../data/qm9_reader";
import { evaluate } from "../metrics/evaluate";
import { formatTable } from "../metrics/table";
import { writeFileAtomic } from "../util/atomic_write";
import { Rng } from "../util/rng";
import { Command } from "commander";
import type { BenchDefinition } from "./bench";
import { countOption, seedOption, workersOption } from "./options";

/**
 * `n` molecules of the QM9 MiDi test split (`file`: the shipped data/qm9 file by default): a uniform sample drawn with
 * `rng` (QM9 ids grow with molecule size, so the first molecules of the file are not representative).
 * @example
 * const mols = await sampleQm9Test(1000, new Rng(0));
 */
export async function sampleQm9Test(n: number, rng: Rng, file = QM9_FILE): Promise<Molecule[]> {
  const out = (await readQm9Records({ file, split: "test" })).map(toMolecule);
  // Partial Fisher-Yates: the first n entries become a uniform sample.
  for (let i = 0; i < Math.min(n, out.length); i++) {
    const j = i + rng.int(out.length - i);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out.slice(0, n);
}

/** Options of {@link benchMetrics}. */
export interface BenchMetricsOptions {
  n: number;
  /** Sampling seed (default 0). */
  seed?: number;
  workers?: number;
  file?: string;
}

/**
 * Time `evaluate` (all metrics) on `n` QM9 MiDi-test molecules; returns the summary, table and seconds.
 * @example
 * const r = await benchMetrics({ n: 1000, workers: 2 }); r.seconds;
 */
export async function benchMetrics(options: BenchMetricsOptions) {
  const mols = await sampleQm9Test(options.n, new Rng(options.seed ?? 0), options.file);
  const t0 = Date.now();
  const res = await evaluate(mols, { workers: options.workers });
  const seconds = (Date.now() - t0) / 1000;
  return {
    n: mols.length,
    seconds,
    summary: res.replicates[0],
    table: formatTable([{ name: `QM9 MiDi test (${mols.length} sampled, DFT)`, aggregate: res.aggregate }], "markdown"),
    rows: res.rows,
  };
}

/** The `bench metrics` subcommand. */
export const METRICS_BENCH: BenchDefinition = {
  description: "every metric on n QM9 MiDi-test molecules (DFT geometries): the ground-truth check and its time",
  configure(cmd: Command) {
    cmd
      .addOption(countOption({ description: "QM9 MiDi-test molecules, a uniform sample", default: 1000 }))
      .addOption(workersOption({ description: "worker threads (default: all cores)", min: 1 }))
      .addOption(seedOption({ description: "seed of the sample" }))
      .option("--file <path>", "QM9 file (qm9_hcno_dft.jsonl.gz)", QM9_FILE)
      .option("--json <file>", "also write n, seconds and the summary as JSON (atomic)")
      .action(async (opts: { n: number; workers?: number; seed: number; file: string; json?: string }) => {
        const r = await benchMetrics({ n: opts.n, workers: opts.workers, file: opts.file, seed: opts.seed });
        const s = r.summary;
        console.log(r.table);
        console.log(
          `n=${r.n} wall=${r.seconds.toFixed(1)} s (${((1000 * r.seconds) / r.n).toFixed(1)} ms/molecule) ` +
            `atom_stability=${s.atom_stability.toFixed(5)} mol_stability=${s.mol_stability.toFixed(4)} validity=${s.validity.toFixed(4)} ` +
            `uniqueness=${s.uniqueness?.toFixed(4)} energy=${s.energy?.toFixed(2)} strain=${s.strain?.toFixed(2)} ` +
            `opt_rmsd=${s.opt_rmsd?.toFixed(3)} pb_validity=${s.pb_validity?.toFixed(4)}`,
        );
        console.log("PoseBusters pass rates:", JSON.stringify(s.pb_checks));
        if (opts.json) writeFileAtomic(opts.json, JSON.stringify({ n: r.n, seconds: r.seconds, summary: s }, null, 2) + "\n");
      });
  },
};
