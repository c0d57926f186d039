/** The shared command-line options: numbers parsed and checked while the command line is read, one wording. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Command } from "commander";
import { batchCostOption, choiceArg, countOption, gridOption, integerArg, listArg, listOption, positiveArg, seedOption, stepsOption, workersOption } from "../../kernel-lib/cli/options";
import { defaultWorkerCount, MAX_WORKERS_PER_CORE } from "../../kernel-lib/util/ts_worker";

/** A command with the shared options whose action returns the parsed values. */
async function parse(args: string[]): Promise<Record<string, unknown>> {
  let seen: Record<string, unknown> = {};
  const cmd = new Command()
    .exitOverride()
    .addOption(countOption({ default: 100 }))
    .addOption(stepsOption({ default: 50 }))
    .addOption(seedOption())
    .addOption(batchCostOption())
    .addOption(gridOption())
    .addOption(workersOption({ description: "threads", min: 0 }))
    .action((opts: Record<string, unknown>) => {
      seen = opts;
    });
  await cmd.parseAsync(args, { from: "user" });
  return seen;
}

describe("shared CLI options", () => {
  it("gives numbers (defaults and given values) to the action", async () => {
    assert.deepEqual(await parse([]), { n: 100, steps: 50, seed: 0, batchCost: 1152, grid: "log" });
    assert.deepEqual(await parse(["--n", "7", "--steps", "2", "--seed", "3", "--batch-cost", "60", "--grid", "linear", "--workers", "0"]),
      { n: 7, steps: 2, seed: 3, batchCost: 60, grid: "linear", workers: 0 });
  });

  it("refuses a bad value with one line naming the option", async () => {
    const max = MAX_WORKERS_PER_CORE * defaultWorkerCount();
    const cases: [string[], RegExp][] = [
      [["--n", "0"], /^Error: invalid --n: 0; must be an integer >= 1$/],
      [["--n", ""], /^Error: invalid --n: ; must be an integer >= 1$/],
      [["--steps", "1"], /^Error: invalid --steps: 1; must be an integer >= 2$/],
      [["--seed", "2.5"], /^Error: invalid --seed: 2\.5; must be an integer >= 0$/],
      [["--batch-cost", "many"], /^Error: invalid --batch-cost: many; must be an integer >= 1$/],
      [["--grid", "cosine"], /^Error: invalid --grid: cosine; use log or linear$/],
      [["--workers", String(max + 1)], new RegExp(`^Error: invalid --workers: ${max + 1}; must be an integer >= 0 and at most ${max}`)],
    ];
    for (const [args, message] of cases) await assert.rejects(parse(args), message, args.join(" "));
  });

  it("parses lists and positive numbers", () => {
    assert.deepEqual(listArg(integerArg("--processes", 1))("1, 2,4"), [1, 2, 4]);
    assert.throws(() => listArg(integerArg("--processes", 1))("1,0"), /^Error: invalid --processes: 0; must be an integer >= 1$/);
    assert.equal(positiveArg("--memory")("0.5"), 0.5);
    assert.throws(() => positiveArg("--memory", "GiB")("-1"), /^Error: invalid --memory: -1; must be a number > 0 \(GiB\)$/);
    assert.throws(() => positiveArg("--lr")("Infinity"), /invalid --lr: Infinity/);
    assert.throws(() => listArg(choiceArg("--backends", ["tfjs", "onnx"]))("tfjs,gpu"), /^Error: invalid --backends: gpu; use tfjs or onnx$/);
    const list = listOption("--processes <list>", "counts", integerArg("--processes", 1), [1, 2]);
    assert.deepEqual([list.defaultValue, list.defaultValueDescription], [[1, 2], "1,2"]);
  });
});
