/**
 * The `molcache` command line. Each subcommand lives in its own file and registers itself here.
 * Errors print one line (`molcache: <message>`) and exit non-zero; `MOLCACHE_DEBUG=1` shows the stack.
 */
import { Command } from "commander";
import { initBackend } from "../env";
import { registerImportCommand } from "./import";
import { registerEvaluate } from "./evaluate";
import { registerSampleCommand } from "./sample";
import { registerBenchCommand } from "./bench";
import { registerTrainCommand } from "./train";
import { registerReportCommand } from "./report";
import { registerWorkerCommand } from "./worker";
import { registerCalibrateCommand } from "./calibrate";
import { exitWithParentWhenAsked } from "../util/parent_watchdog";

/** Build the program with every subcommand registered (exported for tests). */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name("molcache")
    .description("SemlaFlow molecule generation with predictive feature caching, analysis and metrics")
    .showHelpAfterError();
  program
    .command("backend")
    .description("print the TensorFlow.js backend molcache would use here")
    .action(async () => {
      console.log((await initBackend()).summary);
    });
  registerImportCommand(program);
  registerEvaluate(program);
  registerSampleCommand(program);
  registerBenchCommand(program);
  registerTrainCommand(program);
  registerReportCommand(program);
  registerWorkerCommand(program);
  registerCalibrateCommand(program);
  return program;
}

/** Print a one-line error (full stack with MOLCACHE_DEBUG=1) and set a failing exit code. */
export function reportError(err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  console.error(`molcache: ${message}`);
  if (process.env.MOLCACHE_DEBUG && err instanceof Error) console.error(err.stack);
  process.exitCode = 1;
}

if (require.main === module) {
  exitWithParentWhenAsked();
  buildProgram().parseAsync(process.argv).catch(reportError);
}
