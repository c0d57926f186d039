/**
 * The feature recorder: a hook that keeps chosen block outputs and the sampler's state and prediction, for chosen
 * molecules, atoms and steps, as typed arrays on the JS side (padding removed). It has a memory budget: the
 * request is estimated from shapes (molecules × atoms × widths × steps) and refused before sampling starts, and
 * again before each batch, when it would exceed the budget.
 */
import type { SemlaGenerator } from "../model/generator";
import type { StepEvent, StepStart } from "../model/observers";
import type { SamplerState } from "../flow/prior";
import { resolveBlockPatterns } from "./block_patterns";
import { Recording } from "./recording";
import { generatorOf, hookRegistry } from "./registry";
import { blockSeries, extractRow, RECORD_KINDS, RecordKind, SAMPLER_BLOCK, seriesFloats, SeriesSpec } from "./series";
import { BlockHookContext, Hook, HookTarget } from "./types";
import { rejectUnknownOptions } from "../util/options";

/** Options of {@link recordFeatures}. */
export interface RecorderOptions {
  /** Hook name (default `"featureRecorder"`); two recorders on one model need different names. */
  name: string;
  /** Blocks by name or `*` pattern, `"sampler"` for the sampler's state and prediction (default `"all"`: every block and the sampler). */
  blocks: "all" | readonly string[];
  /** What to keep (default: everything, see {@link RecordKind}). */
  keep: readonly RecordKind[];
  /** Molecule indices in the run's output (default `"all"`). */
  molecules: "all" | readonly number[];
  /** Atom indices within each molecule (default `"all"` real atoms; indices beyond a molecule's size are skipped). */
  atoms: "all" | readonly number[];
  /** Step indices (default `"all"`). */
  steps: "all" | readonly number[];
  /** Largest recording in bytes (default 1 GiB, enough for every block of SMALL_CONFIG, 16 QM9-sized molecules, 100 steps). */
  budgetBytes: number;
}

/** Defaults of {@link RecorderOptions}. */
export const DEFAULT_RECORDER_OPTIONS: Readonly<RecorderOptions> = {
  name: "featureRecorder", blocks: "all", keep: RECORD_KINDS, molecules: "all", atoms: "all", steps: "all", budgetBytes: 2 ** 30,
};

/** Resolved options: the series to record, by block. */
export interface ResolvedRecorderOptions extends RecorderOptions {
  series: Map<string, SeriesSpec[]>;
}

function checkIndexList(name: string, v: "all" | readonly number[]): void {
  if (v === "all") return;
  if (!Array.isArray(v) || v.length === 0 || v.some((x) => !(Number.isInteger(x) && x >= 0))) {
    throw new Error(`invalid ${name}: ${JSON.stringify(v)}; pass "all" or a non-empty array of integers >= 0`);
  }
}

/**
 * Fill defaults and validate against the model (unknown keys, kinds and blocks are errors naming the fix).
 * @example
 * resolveRecorderOptions(model, { blocks: ["layers.*"], keep: ["nodeFeats"] }).series.size; // nLayers
 */
export function resolveRecorderOptions(model: HookTarget, options: Partial<RecorderOptions> = {}): ResolvedRecorderOptions {
  rejectUnknownOptions(options, DEFAULT_RECORDER_OPTIONS, "recorder");
  const o: RecorderOptions = { ...DEFAULT_RECORDER_OPTIONS, ...options };
  if (typeof o.name !== "string" || o.name.length === 0) throw new Error(`invalid name: ${JSON.stringify(o.name)}; use a non-empty string`);
  if (!Array.isArray(o.keep) || o.keep.length === 0) throw new Error(`invalid keep: ${JSON.stringify(o.keep)}; pass a non-empty array of ${RECORD_KINDS.join(", ")}`);
  for (const k of o.keep) if (!RECORD_KINDS.includes(k)) throw new Error(`unknown keep kind: ${k}; use ${RECORD_KINDS.join(", ")}`);
  checkIndexList("molecules", o.molecules);
  checkIndexList("atoms", o.atoms);
  checkIndexList("steps", o.steps);
  if (!(Number.isFinite(o.budgetBytes) && o.budgetBytes > 0)) throw new Error(`invalid budgetBytes: ${o.budgetBytes}; must be a positive number of bytes`);
  const g = generatorOf(model);
  const all = blockSeries(g);
  const blocks = resolveBlockPatterns([...g.blockNames(), SAMPLER_BLOCK], o.blocks);
  const series = new Map<string, SeriesSpec[]>();
  for (const b of blocks) {
    const specs = (all.get(b) ?? []).filter((s) => o.keep.includes(s.kind));
    if (specs.length) series.set(b, specs);
  }
  if (series.size === 0) {
    throw new Error(`nothing to record: blocks ${JSON.stringify(o.blocks)} produce none of ${o.keep.join(", ")}; ` +
      `e.g. keep "state"/"prediction" need block "sampler", "outputs" needs "heads"`);
  }
  return { ...o, series };
}

/** Per-molecule plan of one batch row. */
interface RowPlan {
  row: number;
  molecule: number;
  atoms: number[];
}

/**
 * Records features while sampling. Create it with {@link recordFeatures} (registered) or `new` (not registered;
 * `register()` later). Read the result from {@link FeatureRecorder.recording}.
 * @example
 * const rec = recordFeatures(model, { blocks: ["layers.*", "sampler"], molecules: [0, 1] });
 * await sample(model, { n: 4, steps: 50 });
 * rec.remove();
 * rec.recording.trajectory("layers.0", "nodeFeats", 0).rows.length; // 50
 */
export class FeatureRecorder {
  readonly options: ResolvedRecorderOptions;
  readonly model: SemlaGenerator;
  /** What has been recorded so far (the same object across the run; `reset()` empties it). */
  readonly recording: Recording;
  private rows: RowPlan[] | undefined;
  private current: StepStart | undefined;
  private readonly stepSet: Set<number> | undefined;
  private readonly moleculeSet: Set<number> | undefined;

  constructor(model: HookTarget, options: Partial<RecorderOptions> = {}) {
    this.options = resolveRecorderOptions(model, options);
    this.model = generatorOf(model);
    const c = this.model.config;
    const loaded = model as { coordStd?: number; name?: string };
    this.recording = new Recording({
      model: loaded.name, coordStd: loaded.coordStd, vocabSize: c.vocabSize, nEdgeTypes: c.nEdgeTypes, nChargeTypes: c.nChargeTypes,
    });
    this.stepSet = this.options.steps === "all" ? undefined : new Set(this.options.steps);
    this.moleculeSet = this.options.molecules === "all" ? undefined : new Set(this.options.molecules);
  }

  /** The series this recorder keeps, in block order. */
  series(): SeriesSpec[] {
    return [...this.options.series.values()].flat();
  }

  /**
   * Upper bound of the bytes a run would record: chosen molecules × their chosen atoms × series widths × chosen
   * steps (every step counted as computed; forecast steps record less).
   * @param sizes the real atoms of every molecule of the run, by molecule index.
   * @throws when a chosen molecule or step is outside the run.
   */
  estimateBytes(sizes: readonly number[], steps: number): number {
    const mols = this.options.molecules === "all" ? sizes.map((_, i) => i) : [...new Set(this.options.molecules)];
    const outside = mols.find((m) => m >= sizes.length);
    if (outside !== undefined) throw new Error(`invalid molecules: ${outside} is not in a run of ${sizes.length} molecules (indices 0 … ${sizes.length - 1})`);
    const nSteps = this.stepCount(steps);
    let floats = 0;
    for (const m of mols) {
      const a = this.atomsOf(sizes[m]).length;
      for (const spec of this.series()) floats += seriesFloats(spec, a);
    }
    return 4 * floats * nSteps;
  }

  /**
   * Throw, before any work, when a run of molecules with these sizes over `steps` steps would exceed the budget.
   * Returns the estimate in bytes.
   */
  checkBudget(sizes: readonly number[], steps: number): number {
    const bytes = this.estimateBytes(sizes, steps);
    const budget = this.options.budgetBytes;
    if (this.recording.bytes + bytes > budget) {
      throw new Error(`recording would need ${mib(bytes)} MiB${this.recording.bytes ? ` more (${mib(this.recording.bytes)} MiB held)` : ""}, ` +
        `over the budget of ${mib(budget)} MiB; record fewer blocks, kinds (keep), molecules, atoms or steps, or raise budgetBytes`);
    }
    return bytes;
  }

  /** Register on the model under `options.name` (throws if the name is taken). */
  register(): this {
    hookRegistry(this.model).register(this.options.name, this.hook());
    return this;
  }

  /** Remove from the model (the recording is kept). */
  remove(): void {
    const r = hookRegistry(this.model);
    if (r.get(this.options.name) && (r.get(this.options.name) as { recorder?: unknown }).recorder === this) r.remove(this.options.name);
  }

  /** Forget everything recorded (a new run starts from scratch). */
  reset(): void {
    this.recording.clear();
    this.rows = undefined;
    this.current = undefined;
  }

  /** The hook object registered on the model. */
  private hook(): Hook & { recorder: FeatureRecorder } {
    const blocks = [...this.options.series.keys()].filter((b) => b !== SAMPLER_BLOCK);
    const hook: Hook = {
      beforeStep: (s) => this.beforeStep(s),
      afterStep: (e) => this.afterStep(e),
      reset: () => this.reset(),
    };
    if (blocks.length) {
      hook.blocks = blocks;
      hook.afterBlock = (ctx) => this.afterBlock(ctx);
    }
    // Marks the hook as this recorder's, so remove() never removes someone else's hook of the same name.
    Object.defineProperty(hook, "recorder", { value: this, enumerable: false });
    return hook as Hook & { recorder: FeatureRecorder };
  }

  private stepCount(steps: number): number {
    if (!this.stepSet) return steps;
    const outside = [...this.stepSet].find((s) => s >= steps);
    if (outside !== undefined) throw new Error(`invalid steps: ${outside} is not a step of a ${steps}-step run (0 … ${steps - 1})`);
    return this.stepSet.size;
  }

  private atomsOf(size: number): number[] {
    if (this.options.atoms === "all") return Array.from({ length: size }, (_, i) => i);
    return [...new Set(this.options.atoms)].filter((a) => a < size).sort((a, b) => a - b);
  }

  private beforeStep(s: StepStart): void {
    if (s.step === 0) this.startBatch(s);
    this.current = this.rows && this.rows.length && (!this.stepSet || this.stepSet.has(s.step)) ? s : undefined;
  }

  private startBatch(s: StepStart): void {
    const { B, N, mask } = s.state;
    const rows: RowPlan[] = [];
    const sizes: number[] = [];
    for (let b = 0; b < B; b++) {
      let n = 0;
      for (let i = 0; i < N; i++) n += mask[b * N + i];
      sizes.push(n);
      const molecule = s.molecules[b];
      if (this.moleculeSet && !this.moleculeSet.has(molecule)) continue;
      const atoms = this.atomsOf(n);
      if (atoms.length) rows.push({ row: b, molecule, atoms });
    }
    // Budget guard for runs not checked beforehand (e.g. a recorder left registered around a plain sample()).
    const bytes = 4 * this.stepCount(s.steps) * rows.reduce((acc, r) => acc + this.series().reduce((x, spec) => x + seriesFloats(spec, r.atoms.length), 0), 0);
    if (this.recording.bytes + bytes > this.options.budgetBytes) {
      this.rows = undefined;
      throw new Error(`recording batch ${s.batch} would need ${mib(bytes)} MiB more (${mib(this.recording.bytes)} MiB held), over the budget of ` +
        `${mib(this.options.budgetBytes)} MiB; record fewer blocks, kinds (keep), molecules, atoms or steps, or raise budgetBytes`);
    }
    for (const r of rows) this.recording.addMolecule({ index: r.molecule, size: sizes[r.row], atoms: r.atoms, batch: s.batch });
    this.rows = rows;
  }

  private afterBlock(ctx: BlockHookContext): void {
    const cur = this.current;
    if (!cur || ctx.step !== cur || !this.rows) return;
    const specs = this.options.series.get(ctx.block);
    if (!specs) return;
    const N = cur.state.N;
    for (const spec of specs) {
      let t;
      if (spec.kind === "outputs") {
        if (!ctx.output.outputs || ctx.output.outputs === ctx.input.outputs) continue;
        t = ctx.output.outputs[spec.field.slice("outputs.".length) as "coords"];
      } else {
        const key = spec.field as "nodeFeats" | "coordSets" | "edgeFeats" | "coords";
        t = ctx.output[key];
        if (!t || t === ctx.input[key]) continue;
      }
      const data = t.dataSync();
      for (const r of this.rows) {
        const out = extractRow(spec, data, N, r.row, r.atoms, new Float32Array(seriesFloats(spec, r.atoms.length)));
        this.recording.append(spec, r.molecule, cur.step, out);
      }
    }
  }

  private afterStep(e: StepEvent): void {
    const cur = this.current;
    this.current = undefined;
    if (!cur || !this.rows || e.step !== cur.step) return;
    // Declared after the step: an adaptive schedule decides whether a step computes during its backbone call.
    this.recording.addStep({ step: e.step, t: e.t, computed: e.computed });
    const specs = this.options.series.get(SAMPLER_BLOCK);
    if (!specs) return;
    for (const spec of specs) {
      const data = samplerField(spec.field, e.state, e);
      for (const r of this.rows) {
        this.recording.append(spec, r.molecule, e.step, extractRow(spec, data, e.state.N, r.row, r.atoms, new Float32Array(seriesFloats(spec, r.atoms.length))));
      }
    }
  }
}

function samplerField(field: string, state: SamplerState, e: StepEvent): ArrayLike<number> {
  switch (field) {
    case "state.coords": return state.coords;
    case "state.atomClasses": return state.atomClasses;
    case "state.bondClasses": return state.bondClasses;
    case "prediction.coords": return e.prediction.coords;
    case "prediction.typeLogits": return e.prediction.typeLogits;
    case "prediction.bondLogits": return e.prediction.bondLogits;
    case "prediction.chargeLogits": return e.prediction.chargeLogits;
    default: throw new Error(`unknown sampler field: ${field}`);
  }
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}

/**
 * Create a feature recorder and register it on the model (see {@link RecorderOptions}). Remove it with
 * `recorder.remove()` when done. To check the budget before sampling, use `sampleAndRecord` or
 * `recorder.checkBudget(sizes, steps)`.
 * @throws on bad options, or when a hook of the same name is registered.
 * @example
 * const rec = recordFeatures(model, { blocks: ["layers.*"], keep: ["nodeFeats"], steps: [0, 10, 20] });
 */
export function recordFeatures(model: HookTarget, options: Partial<RecorderOptions> = {}): FeatureRecorder {
  return new FeatureRecorder(model, options).register();
}
