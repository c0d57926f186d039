/**
 * The hook registry: named hooks on one model's blocks and sampler steps (the diffusers `HookRegistry` design).
 * One registry per generator, kept in a WeakMap; while at least one hook is registered, the registry's dispatcher is
 * the model's attached observer (`model/observers.ts`), so a model whose hooks are all removed is exactly as it was.
 * This is the one public way to observe blocks and steps. Duplicate names are errors; removal is exact.
 */
import { rejectUnknownOptions } from "../util/options";
import type { BlockState } from "../model/blocks";
import type { SemlaGenerator } from "../model/generator";
import { attachObservers, BlockObserver, StepEvent, StepObserver, StepStart } from "../model/observers";
import { resolveBlockPatterns } from "./block_patterns";
import { BlockHookContext, Hook, HOOK_KEYS, HookTarget } from "./types";

interface Entry {
  hook: Hook;
  /** The blocks this hook sees (resolved from its patterns when registered). */
  blocks: ReadonlySet<string>;
}

const REGISTRIES = new WeakMap<SemlaGenerator, HookRegistry>();

/** The generator of a model or loaded model. */
export function generatorOf(model: HookTarget): SemlaGenerator {
  const g = (model as { generator?: SemlaGenerator }).generator ?? (model as SemlaGenerator);
  if (!g || typeof g.forwardBlocks !== "function" || typeof g.blockNames !== "function") {
    throw new Error("invalid model: expected a SemlaGenerator or a loaded model ({ generator, … })");
  }
  return g;
}

/** Named hooks of one model. Get it with {@link hookRegistry}; the functions below are shortcuts. */
export class HookRegistry {
  private readonly entries = new Map<string, Entry>();
  /** The step in progress (between `beforeStep` and `afterStep`), seen by block hooks. */
  private current: StepStart | undefined;
  private suspended = 0;
  private readonly blockObserver: BlockObserver;
  private readonly stepObserver: StepObserver;

  constructor(readonly model: SemlaGenerator) {
    this.blockObserver = (block, input, output) => this.onBlock(block, input, output);
    const step = ((event: StepEvent) => this.onStepEnd(event)) as StepObserver;
    step.beforeStep = (start) => this.onStepStart(start);
    this.stepObserver = step;
  }

  /**
   * Register `hook` under `name`.
   * @throws if the name is taken (remove the old hook first or pick another name), the hook has unknown keys or no
   *   method, or a block pattern matches no block.
   */
  register(name: string, hook: Hook): void {
    if (typeof name !== "string" || name.length === 0) throw new Error(`invalid hook name: ${JSON.stringify(name)}; use a non-empty string`);
    if (this.entries.has(name)) {
      throw new Error(`hook "${name}" is already registered on this model; remove it first (removeHook(model, "${name}")) or use a different name`);
    }
    if (!hook || typeof hook !== "object") throw new Error(`invalid hook "${name}": ${String(hook)}; pass an object with afterBlock, afterStep, …`);
    rejectUnknownOptions(hook, HOOK_KEYS, `hook "${name}"`);
    const methods = HOOK_KEYS.filter((k) => k !== "blocks" && k !== "reset");
    if (!methods.some((k) => typeof hook[k] === "function")) {
      throw new Error(`hook "${name}" has no method; give it at least one of ${methods.join(", ")}`);
    }
    const blocks = new Set(resolveBlockPatterns(this.model.blockNames(), hook.blocks, `blocks of hook "${name}"`));
    this.entries.set(name, { hook, blocks });
    attachObservers(this.model, { block: this.blockObserver, step: this.stepObserver });
  }

  /** Remove the hook `name`; returns it, or `undefined` when there was none (not an error). */
  remove(name: string): Hook | undefined {
    const entry = this.entries.get(name);
    if (!entry) return undefined;
    this.entries.delete(name);
    if (this.entries.size === 0) {
      attachObservers(this.model, undefined);
      this.current = undefined;
    }
    return entry.hook;
  }

  /** Remove every hook. */
  clear(): void {
    for (const name of [...this.entries.keys()]) this.remove(name);
  }

  /** Is a hook registered under `name`? */
  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The hook registered under `name`, if any. */
  get(name: string): Hook | undefined {
    return this.entries.get(name)?.hook;
  }

  /** Hook names in registration order (the order they are called in). */
  names(): string[] {
    return [...this.entries.keys()];
  }

  /** Call `reset()` on every stateful hook, last registered first (as diffusers' `reset_stateful_hooks`). */
  resetAll(): void {
    this.current = undefined;
    for (const { hook } of [...this.entries.values()].reverse()) hook.reset?.();
  }

  /** Run `fn` with the hooks silenced (for internal probe forwards that are not part of the user's run). */
  withoutHooks<T>(fn: () => T): T {
    this.suspended++;
    try {
      return fn();
    } finally {
      this.suspended--;
    }
  }

  /** One line per hook, e.g. for notebooks: `HookRegistry(2): recorder [layers.0, …] (afterBlock, afterStep)`. */
  toString(): string {
    const lines = [...this.entries].map(([name, { hook, blocks }]) => {
      const methods = HOOK_KEYS.filter((k) => k !== "blocks" && typeof hook[k] === "function");
      return `  ${name}: ${blocks.size} block(s) (${methods.join(", ")})`;
    });
    return [`HookRegistry(${this.entries.size})`, ...lines].join("\n");
  }

  private onBlock(block: string, input: BlockState, output: BlockState): void {
    if (this.suspended > 0) return;
    const context: BlockHookContext = { block, input, output, step: this.current };
    const entries = [...this.entries.values()].filter((e) => e.blocks.has(block));
    for (const { hook } of entries) hook.beforeBlock?.(context);
    for (const { hook } of entries) hook.afterBlock?.(context);
  }

  private onStepStart(start: StepStart): void {
    if (this.suspended > 0) return;
    // Step 0 of batch 0 starts a sampling run (batches run in plan order): stateful hooks forget the previous run,
    // so a recorder left registered records each run afresh.
    if (start.step === 0 && start.batch === 0) this.resetAll();
    this.current = start;
    for (const { hook } of [...this.entries.values()]) hook.beforeStep?.(start);
  }

  private onStepEnd(event: StepEvent): void {
    if (this.suspended > 0) return;
    try {
      for (const { hook } of [...this.entries.values()]) hook.afterStep?.(event);
    } finally {
      this.current = undefined;
    }
  }
}

/**
 * The registry of a model (created on first use).
 * @example
 * hookRegistry(model).names(); // ["featureRecorder"]
 */
export function hookRegistry(model: HookTarget): HookRegistry {
  const g = generatorOf(model);
  let r = REGISTRIES.get(g);
  if (!r) {
    r = new HookRegistry(g);
    REGISTRIES.set(g, r);
  }
  return r;
}

/**
 * Register a named hook on a model (see {@link Hook}).
 * @throws if `name` is already registered: `removeHook(model, name)` first, or choose another name.
 * @example
 * registerHook(model, "norms", { blocks: ["layers.*"], afterBlock: ({ block, output }) => log(block, output) });
 */
export function registerHook(model: HookTarget, name: string, hook: Hook): void {
  hookRegistry(model).register(name, hook);
}

/**
 * Remove the hook `name` from a model; returns it (or `undefined` when none was registered under that name).
 * @example
 * removeHook(model, "norms");
 */
export function removeHook(model: HookTarget, name: string): Hook | undefined {
  return hookRegistry(model).remove(name);
}

/**
 * Reset every stateful hook of a model (call before a new run when hooks stay registered).
 * @example
 * resetHooks(model);
 */
export function resetHooks(model: HookTarget): void {
  hookRegistry(model).resetAll();
}
