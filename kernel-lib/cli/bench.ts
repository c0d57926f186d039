/**
 * `molcache bench <what>`: the benchmark registry. Each benchmark lives in its own file and is listed once in
 * {@link BENCHES}; `registerBenchCommand` turns every entry into a `bench <name>` subcommand with its own options.
 * To add one: write `bench_<name>.ts` exporting a {@link BenchDefinition}, and add one line to BENCHES.
 */
import { Command } from "commander";
import { FORWARD_BENCH } from "./bench_forward";
import { CACHE_BENCH } from "./bench_cache";
import { SYSTEM_BENCH } from "./bench_system";
import { TRAIN_BENCH } from "./bench_train";
import { HOOKS_BENCH } from "./bench_hooks";
import { MEMORY_BENCH } from "./bench_memory";
import { DISTRIBUTED_BENCH } from "./bench_distributed";
import { METRICS_BENCH } from "./bench_metrics";
import { PRECISION_BENCH } from "./bench_precision";

export { median, formatTable, toCsv } from "./bench_format";

/** One benchmark: a description and a function that adds its options and action to its subcommand. */
export interface BenchDefinition {
  /** One line for `molcache bench --help`. */
  description: string;
  /** Add options and the action to `cmd` (the `bench <name>` subcommand). */
  configure(cmd: Command): void;
}

/** Every benchmark, by name (`npm run bench:<name>` maps to `molcache bench <name>`). */
export const BENCHES: Record<string, BenchDefinition> = {
  forward: FORWARD_BENCH,
  cache: CACHE_BENCH,
  system: SYSTEM_BENCH,
  train: TRAIN_BENCH,
  hooks: HOOKS_BENCH,
  memory: MEMORY_BENCH,
  distributed: DISTRIBUTED_BENCH,
  metrics: METRICS_BENCH,
  precision: PRECISION_BENCH,
};

/**
 * Register `bench` and one subcommand per entry of {@link BENCHES} on `program`.
 * @example
 * registerBenchCommand(program); // molcache bench forward --runs 5
 */
export function registerBenchCommand(program: Command): void {
  const bench = program
    .command("bench")
    .description(`run a benchmark: ${Object.keys(BENCHES).join(", ")}`);
  for (const [name, def] of Object.entries(BENCHES)) def.configure(bench.command(name).description(def.description));
}
