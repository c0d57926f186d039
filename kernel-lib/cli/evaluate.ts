/**
 * `molcache evaluate mols.sdf [--train-smiles file] [--out metrics.csv]`: every metric for the molecules of an SDF
 * file. Writes one CSV row per molecule (every metric and PoseBusters check, plus the reason when a metric could
 * not score it) atomically, and prints the Table-1 summary.
 */
import * as fs from "node:fs";
import { Command } from "commander";
import { readSdf } from "../chem/sdf";
import { readSmilesFile } from "../data/smiles_set";
import { writeFileAtomic } from "../util/atomic_write";
import { evaluate, rowsToCsv } from "../metrics/evaluate";
import { formatTable, TableFormat } from "../metrics/table";

/** Options of {@link runEvaluateCommand} (the CLI flags). */
export interface EvaluateCommandOptions {
  trainSmiles?: string;
  out?: string;
  summary?: string;
  workers?: string;
  energy?: boolean;
  posebusters?: boolean;
  format?: string;
  quiet?: boolean;
}

/**
 * Run the evaluate command (exported for tests): read `sdfPath`, score, write the CSV/summary, return the table.
 * @example
 * await runEvaluateCommand("mols.sdf", { out: "metrics.csv", workers: "2" });
 */
export async function runEvaluateCommand(sdfPath: string, opts: EvaluateCommandOptions): Promise<string> {
  if (!fs.existsSync(sdfPath)) throw new Error(`no such SDF file: ${sdfPath}`);
  const format = (opts.format ?? "markdown") as TableFormat;
  if (!["markdown", "csv", "html"].includes(format)) throw new Error(`invalid --format: ${opts.format}; use markdown, csv or html`);
  const workers = opts.workers === undefined ? undefined : Number(opts.workers);
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 1)) {
    throw new Error(`invalid --workers: ${opts.workers}; must be an integer >= 1`);
  }
  const records = readSdf(fs.readFileSync(sdfPath, "utf8"));
  if (records.length === 0) throw new Error(`${sdfPath} holds no molecules`);
  const trainSmiles = opts.trainSmiles ? readSmilesFile(opts.trainSmiles) : undefined;
  let lastShown = 0;
  const res = await evaluate(
    records.map((r) => r.molecule),
    {
      trainSmiles,
      workers,
      energy: opts.energy !== false,
      posebusters: opts.posebusters !== false,
      inputProblems: records.map((r) => (r.issues.length ? r.issues.join("; ") : undefined)),
      onProgress: (done, total) => {
        if (!opts.quiet && (done - lastShown >= 100 || done === total)) {
          lastShown = done;
          process.stderr.write(`\rscored ${done}/${total}`);
          if (done === total) process.stderr.write("\n");
        }
      },
    },
  );
  if (opts.out) writeFileAtomic(opts.out, rowsToCsv(res.rows));
  if (opts.summary) writeFileAtomic(opts.summary, JSON.stringify({ replicates: res.replicates, seconds: res.seconds }, null, 2) + "\n");
  const table = formatTable([{ name: sdfPath, aggregate: res.aggregate }], format);
  const s = res.replicates[0];
  const notes: string[] = [`${s.n_molecules} molecules scored in ${res.seconds.toFixed(1)} s`];
  if (s.n_malformed) {
    // Say why in the same line (e.g. an element molcache does not know), most common first.
    const problems = new Map<string, number>();
    for (const row of res.rows) if (row.replicate === 0 && row.problem) problems.set(row.problem, (problems.get(row.problem) ?? 0) + 1);
    const why = [...problems].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([p, c]) => `${c}× ${p}`).join(", ");
    notes.push(`${s.n_malformed} malformed, scored invalid: ${why}`);
  }
  for (const [metric, u] of Object.entries(s.unscored)) {
    if (u.count) notes.push(`${metric}: ${u.count} not scored (${Object.entries(u.reasons).slice(0, 3).map(([r, c]) => `${c}× ${r}`).join(", ")})`);
  }
  return table + notes.join("\n") + "\n";
}

/**
 * Register `evaluate` on the molcache program.
 * @example
 * registerEvaluate(program);
 */
export function registerEvaluate(program: Command): void {
  program
    .command("evaluate")
    .description("score generated molecules: stability, validity, uniqueness, novelty, MMFF94 energy/strain, PoseBusters checks")
    .argument("<sdf>", "molecules to evaluate (V2000 SDF, hydrogens explicit)")
    .option("--train-smiles <file>", "training-set SMILES, one per line, for novelty")
    .option("--out <csv>", "write one row per molecule to this CSV (atomic write)")
    .option("--summary <json>", "write the batch summary as JSON")
    .option("--workers <n>", "worker threads (default: all cores)")
    .option("--format <fmt>", "summary table format: markdown, csv or html", "markdown")
    .option("--no-energy", "skip MMFF94 energy, strain and opt-RMSD")
    .option("--no-posebusters", "skip the PoseBusters-style checks")
    .option("--quiet", "no progress output")
    .action(async (sdf: string, opts: EvaluateCommandOptions) => {
      process.stdout.write(await runEvaluateCommand(sdf, opts));
    });
}
