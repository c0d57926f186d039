/**
 * `molcache import <file.ckpt> --out <dir> [--copy auto|ema|gen] [--coord-std Å] [--name n]`: convert a SemlaFlow
 * Lightning checkpoint into a molcache model folder (weights + config.json), in pure TypeScript (no Python, no tfjs).
 */
import * as path from "node:path";
import { Command } from "commander";
import { positiveArg } from "./options";
import { ImportReport, WeightCopy, importSemlaCheckpoint } from "../model/checkpoint/import";

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

/**
 * The lines `molcache import` prints for a finished import.
 * @example
 * formatImportReport(importSemlaCheckpoint("last.ckpt", "models/qm9")).forEach((l) => console.log(l));
 */
export function formatImportReport(r: ImportReport): string[] {
  const c = r.config;
  const skipped = Object.entries(r.skipped).map(([k, n]) => (n > 1 ? `${k} (${n})` : k)).join(", ");
  return [
    `imported ${r.checkpoint} -> ${r.outDir}`,
    `  weights: ${r.copyNote}`,
    `  config: d_model ${c.dModel}, n_layers ${c.nLayers}, d_message ${c.dMessage}, d_edge ${c.dEdge}, ` +
      `n_coord_sets ${c.nCoordSets}, n_attn_heads ${c.nAttnHeads}, d_message_hidden ${c.dMessageHidden}, ` +
      `size_emb ${c.sizeEmb}, max_atoms ${c.maxAtoms}, vocab ${c.vocabSize}`,
    `  parameters: ${r.nParams.toLocaleString("en-US")} in ${r.nTensors} tensors (${mb(r.nParams * 4)} float32)`,
    `  dataset: ${r.dataset ?? "not recorded (pass --dataset here or to molcache sample)"}, coordinate std ${r.coordStd.toFixed(7)} Å (from ${r.coordStdSource})`,
    ...(r.converted.length ? [`  converted to float32: ${r.converted.length} tensors (${r.converted.slice(0, 3).join(", ")}…)`] : []),
    ...(skipped ? [`  not imported: ${skipped}`] : []),
    `  read ${mb(r.bytesRead)} of ${mb(r.fileSize)}`,
    `  wrote ${r.weightsPath}, ${path.join(r.outDir, "weights.bin")}, ${r.configPath}`,
  ];
}

/**
 * Register the `import` subcommand on `program`.
 * @example
 * registerImportCommand(new Command()); // then: molcache import last.ckpt --out models/qm9
 */
export function registerImportCommand(program: Command): void {
  program
    .command("import")
    .description("convert a SemlaFlow Lightning checkpoint (.ckpt) into molcache weights + config (EMA weights preferred)")
    .argument("<file.ckpt>", "PyTorch Lightning checkpoint written by torch.save")
    .requiredOption("--out <dir>", "output folder for weights.json, weights.bin and config.json")
    .option("--copy <which>", "weights to take: auto (EMA if present), ema or gen", "auto")
    .option("--coord-std <angstrom>", "coordinate std in Å (default: from the checkpoint's dataset or coord_scale)", positiveArg("--coord-std", "Å; QM9 1.7232995"))
    .option("--name <name>", "model name in config.json (default: the checkpoint file name)")
    .option("--force", "replace the model in --out (a folder holding only a molcache model)")
    .option("--dataset <name>", "qm9 or geom-drugs: size histogram, buckets, coordinate std (default: the checkpoint's)")
    .action((file: string, opts: { out: string; copy: string; coordStd?: number; name?: string; force?: boolean; dataset?: string }) => {
      const report = importSemlaCheckpoint(file, opts.out, { copy: opts.copy as WeightCopy, coordStd: opts.coordStd, name: opts.name, replace: opts.force === true, dataset: opts.dataset });
      for (const line of formatImportReport(report)) console.log(line);
    });
}
