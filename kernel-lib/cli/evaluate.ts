/**
 * `molcache evaluate mols.sdf [--train-smiles file] [--out metrics.csv]`: every metric for the molecules of an SDF
 * file. Writes one CSV row per molecule (every metric and PoseBusters check, plus the reason when a metric could
 * not score it) atomically, and prints the Table-1 summary.
 */
import { Command } from "commander";
import { loadRDKit } from "../chem/rdkit";
import { readSdf } from "../chem/sdf";
import { buildTrainingSet, TrainingSet } from "../metrics/summary";
import { readTextInput } from "../util/text_file";
import { workersOption } from "./options";
import { stderrProgress } from "./progress";
import { checkOutputFile } from "../util/output_folder";
import { readSmilesFile } from "../data/smiles_set";
import { writeFileAtomic } from "../util/atomic_write";
import { evaluate, rowsToCsv } from "../metrics/evaluate";
import { formatTable, TableFormat } from "../metrics/table";

/** Options of {@link runEvaluateCommand} (the CLI flags). */
export interface EvaluateCommandOptions {
  trainSmiles?: string;
  out?: string;
  summary?: string;
  workers?: number;
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
  const format = (opts.format ?? "markdown") as TableFormat;
  if (!["markdown", "csv", "html"].includes(format)) throw new Error(`invalid --format: ${opts.format}; use markdown, csv or html`);
  const workers = opts.workers;
  if (opts.out) checkOutputFile(opts.out, "--out", "metrics.csv");
  if (opts.summary) checkOutputFile(opts.summary, "--summary", "summary.json");
  const records = readSdf(readTextInput(sdfPath, "SDF"));
  if (records.length === 0) throw new Error(`${sdfPath} holds no molecules`);
  // Unreadable records are scored as malformed (the rest still count), but a file with no readable one is not an SDF.
  if (records.every((r) => r.unreadable)) throw new Error(`${sdfPath}: no readable molecule; ${records[0].issues[0]}`);
  const trainSmiles = opts.trainSmiles ? await readTrainingSet(opts.trainSmiles) : undefined;
  const notes: string[] = [];
  if (trainSmiles && trainSmiles.unparsed) notes.push(`${trainSmiles.unparsed} of ${trainSmiles.size} training SMILES did not parse (left out of novelty)`);
  const large = records.filter((r) => r.molecule.elements.length > LARGE_MOLECULE_ATOMS);
  if (large.length && !opts.quiet && (opts.energy !== false || opts.posebusters !== false)) {
    const biggest = Math.max(...large.map((r) => r.molecule.elements.length));
    process.stderr.write(`note: ${large.length} molecule(s) over ${LARGE_MOLECULE_ATOMS} atoms (largest ${biggest}); MMFF94 and the PoseBusters checks are slow for them (about 15 min at 1,000 atoms; --no-energy --no-posebusters skip them)\n`);
  }
  const progress = opts.quiet ? undefined : stderrProgress("scoring");
  const res = await evaluate(
    records.map((r) => r.molecule),
    {
      trainSmiles,
      workers,
      energy: opts.energy !== false,
      posebusters: opts.posebusters !== false,
      inputProblems: records.map((r) => (r.issues.length ? r.issues.join("; ") : undefined)),
      onProgress: progress,
    },
  );
  if (opts.out) writeFileAtomic(opts.out, rowsToCsv(res.rows));
  if (opts.summary) {
    // null in the summaries means "not computed" (switched off, or nothing to score it on); listed by name too.
    const notComputed = Object.entries(res.aggregate).filter(([, v]) => v.mean === null).map(([k]) => k);
    writeFileAtomic(opts.summary, JSON.stringify({ replicates: res.replicates, seconds: res.seconds, not_computed: notComputed }, null, 2) + "\n");
  }
  const table = formatTable([{ name: sdfPath, aggregate: res.aggregate }], format);
  const s = res.replicates[0];
  notes.unshift(`${s.n_molecules} molecules scored in ${res.seconds.toFixed(1)} s`);
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

/** Above this many atoms a molecule's MMFF94 and PoseBusters scoring takes minutes (~15 min at 998 atoms): say so. */
const LARGE_MOLECULE_ATOMS = 200;

/** Read and canonicalise a --train-smiles file, refusing one in which no line parses as SMILES. */
async function readTrainingSet(file: string): Promise<TrainingSet> {
  const lines = readSmilesFile(file);
  await loadRDKit();
  const set = buildTrainingSet(lines);
  if (set.keys.size === 0) throw new Error(`none of the ${set.size} lines of ${file} parses as SMILES; give the training SMILES one per line`);
  return set;
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
    .argument("<sdf>", "molecules to evaluate (V2000 SDF, hydrogens explicit; .sdf.gz is read too)")
    .option("--train-smiles <file>", "training-set SMILES, one per line, for novelty")
    .option("--out <csv>", "write one row per molecule to this CSV (atomic write)")
    .option("--summary <json>", "write the batch summary as JSON")
    .addOption(workersOption({ description: "worker threads (default: all cores)", min: 1 }))
    .option("--format <fmt>", "summary table format: markdown, csv or html", "markdown")
    .option("--no-energy", "skip MMFF94 energy, strain and opt-RMSD")
    .option("--no-posebusters", "skip the PoseBusters-style checks")
    .option("--quiet", "no progress output")
    .action(async (sdf: string, opts: EvaluateCommandOptions) => {
      process.stdout.write(await runEvaluateCommand(sdf, opts));
    });
}
