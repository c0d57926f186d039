/**
 * The figures of a report, built from its measured runs: the speed–quality frontier (Tables 1/2 as a figure), the
 * Figure-3-style time and peak-memory bars, and a 3-D view of a generated molecule. Each comes with a file name and
 * a caption for the HTML page.
 */
import type { Molecule } from "../chem/molecule";
import type { SummaryMetric } from "../metrics/summary";
import { accelerationFigure } from "../viz/acceleration";
import { moleculeFigure } from "../viz/molecule_3d";
import { speedQualityFrontierFigure } from "../viz/speed_quality_frontier";
import type { AccelerationRow, FrontierBasePoint, FrontierCachePoint, FrontierMetric, PlotlyFigure } from "../viz/types";
import { meanStd } from "../util/mean_std";
import type { EvaluatedRun } from "./tables";

/** A figure of the report: `name` is the file stem (`figures/<name>.png`, `.svg`). */
export interface ReportFigure {
  name: string;
  /** Section heading in report.html. */
  title: string;
  /** One or two sentences under the figure. */
  caption: string;
  figure: PlotlyFigure;
}

/** Quality metrics on the frontier: summary key, axis title, and whether it is a rate shown in %. */
export const FRONTIER_METRICS: readonly { metric: SummaryMetric; title: string; percent: boolean }[] = [
  { metric: "atom_stability", title: "Atom stability (%)", percent: true },
  { metric: "mol_stability", title: "Molecule stability (%)", percent: true },
  { metric: "validity", title: "Validity (%)", percent: true },
  { metric: "uniqueness", title: "Uniqueness (%)", percent: true },
  { metric: "strain_per_atom", title: "Strain per atom (kcal/mol)", percent: false },
  { metric: "pb_validity", title: "PoseBusters-valid (%)", percent: true },
];

function frontierValues(e: EvaluatedRun): { metrics: Record<string, number>; metricStd: Record<string, number> } {
  const metrics: Record<string, number> = {};
  const metricStd: Record<string, number> = {};
  for (const m of FRONTIER_METRICS) {
    const v = e.evaluation.aggregate[m.metric];
    const k = m.percent ? 100 : 1;
    metrics[m.metric] = v.mean === null ? NaN : v.mean * k;
    metricStd[m.metric] = v.std === null ? 0 : v.std * k;
  }
  return { metrics, metricStd };
}

/**
 * The speed–quality frontier: Base at its step counts as a line, every cache configuration as a marker.
 * @example
 * showFigure(frontierFigure(evaluated));
 */
export function frontierFigure(evaluated: readonly EvaluatedRun[]): PlotlyFigure {
  const base: FrontierBasePoint[] = [];
  const caches: FrontierCachePoint[] = [];
  for (const e of evaluated) {
    const c = e.run.configuration;
    const t = meanStd(e.run.moleculesPerSecond);
    const point = { throughput: t.mean, throughputStd: t.std, ...frontierValues(e) };
    // Heun and calibrated/adaptive schedules have no interval D: they are in the matched-NFE figure instead.
    if (c.cache.kind === "none") { if (c.solver === "euler") base.push({ steps: c.steps, ...point }); }
    else if (c.interval !== null) caches.push({ forecaster: c.forecaster!, interval: c.interval, ...point });
  }
  const metrics: FrontierMetric[] = FRONTIER_METRICS.map((m) => ({ key: m.metric, title: m.title }));
  return speedQualityFrontierFigure({ base, caches, metrics });
}

/**
 * Figure-3-style bars: sampling time and peak tensor memory of the runs at the full step count (Base at K and every
 * cache), with speed-ups over Base at K.
 * @param setting the system-level setting the runs share (bar group), e.g. `"wasm, size-bucketed batches"`.
 */
export function timingFigure(evaluated: readonly EvaluatedRun[], steps: number, n: number, setting: string): PlotlyFigure {
  const atK = evaluated.filter((e) => e.run.configuration.steps === steps);
  const rows: AccelerationRow[] = atK.map((e) => {
    const time = meanStd(e.run.wallSeconds);
    const mem = meanStd(e.run.peakTensorBytes.map((b) => b / 1e6));
    return {
      setting,
      variant: e.run.configuration.cache.kind === "none" ? "no cache" : e.run.configuration.label,
      timeS: time.mean, timeStdS: e.run.wallSeconds.length > 1 ? time.std : undefined,
      peakMemoryMB: mem.mean, peakMemoryStdMB: e.run.peakTensorBytes.length > 1 ? mem.std : undefined,
    };
  });
  const baseline = rows.find((r) => r.variant === "no cache");
  return accelerationFigure({
    numMolecules: n,
    rows,
    baseline: baseline ? { setting: baseline.setting, variant: baseline.variant } : undefined,
  }, { title: `Time and peak tensor memory to sample ${n} molecules at K = ${steps} steps (labels: speed-up over Base)` });
}

/**
 * The molecule a report shows: the first valid one of the first configuration (else its first molecule), labelled
 * with its heavy-atom SMILES (hydrogens folded into their atoms, as chemists write it).
 */
export function showcaseMolecule(evaluated: readonly EvaluatedRun[]): { molecule: Molecule; label: string } | undefined {
  const first = evaluated[0];
  if (!first || first.run.molecules[0].length === 0) return undefined;
  const rows = first.evaluation.rows.filter((r) => r.replicate === 0);
  const k = Math.max(0, rows.findIndex((r) => r.valid));
  const smiles = rows[k]?.novelty_key ?? rows[k]?.smiles;
  const valid = rows[k]?.valid ? `, valid${smiles ? `: ${smiles}` : ""}` : ", not valid";
  return { molecule: first.run.molecules[0][k], label: `${first.run.configuration.label}, molecule ${k}${valid}` };
}

/**
 * The report's figures from its evaluated runs.
 * @param setting the system-level setting for the timing bars.
 * @example
 * const figures = reportFigures(evaluated, { steps: 100, n: 32, setting: "wasm" });
 */
export function reportFigures(evaluated: readonly EvaluatedRun[], o: { steps: number; n: number; setting: string }): ReportFigure[] {
  const figures: ReportFigure[] = [
    {
      name: "speed_quality_frontier",
      title: "Speed vs quality",
      caption:
        "Throughput (molecules/s) against each quality metric: the base sampler at its step counts joined by a line, " +
        "every cache configuration as a marker labelled with its interval D. Up and right is better (down for strain).",
      figure: frontierFigure(evaluated),
    },
  ];
  if (evaluated.some((e) => e.run.configuration.steps === o.steps)) {
    figures.push({
      name: "timing_memory",
      title: "Time and memory (Figure 3 layout)",
      caption:
        `Wall-clock time and peak TensorFlow.js memory to sample ${o.n} molecules at K = ${o.steps} steps, without and ` +
        "with each cache; bar labels give the speed-up over the base sampler.",
      figure: timingFigure(evaluated, o.steps, o.n, o.setting),
    });
  }
  const shown = showcaseMolecule(evaluated);
  if (shown) {
    figures.push({
      name: "molecule",
      title: "A generated molecule",
      caption: `${shown.label}. Atoms coloured by element, bonds drawn by order; drag to rotate.`,
      figure: moleculeFigure(shown.molecule, { title: shown.label }),
    });
  }
  return figures;
}
