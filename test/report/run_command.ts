/** Run `molcache report …` in a child process, as `npm start` runs it (shared by the report tests). */
import { CommandRun, runMolcache } from "../helpers/molcache";

export type { CommandRun };

/** `molcache report <args>` from the repository root, with extra environment variables. */
export function molcacheReport(args: string[], env: Record<string, string> = {}): CommandRun {
  return runMolcache(["report", ...args], { env });
}
