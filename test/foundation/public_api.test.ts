/**
 * The public API is deliberate: the barrel's names are listed here (a change to the list is a change to this test),
 * stay under 100, and each carries TSDoc — functions and classes with an example; notebooks import only from the
 * barrel.
 */
import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { REPO_ROOT } from "../helpers/paths";

const PUBLIC_NAMES = [
  // environment
  "initBackend", "BackendName", "Rng",
  // model
  "openModel", "loadModel", "saveModel", "createRandomModel", "LoadedModel", "importSemlaCheckpoint", "ImportOptions",
  "resolveConfig", "CONFIG_PRESETS", "SemlaConfig", "SemlaGenerator",
  // data
  "datasetPreset", "DatasetPreset", "readQm9", "loadSmilesSet",
  // sampling
  "sample", "resolveSampleOptions", "SampleOptions", "SampleResult", "sampleParallel", "ParallelSampleOptions",
  "SamplingPool", "timeGrid", "estimateBatchBytes", "sampleOnQueue", "runQueueWorker",
  // caching
  "parseCacheSpec", "cacheLabel", "CacheConfig", "calibrate", "attachCacheProfile",
  // hooks
  "registerHook", "removeHook", "resetHooks", "Hook", "BlockHookContext", "StepEvent", "StepStart", "FeatureRecorder",
  "recordFeatures", "RecorderOptions", "sampleAndRecord", "Recording", "writeRecording", "readRecording",
  "recordingToDataFrame",
  // analysis
  "trajectoryPca", "moleculePca", "linearPredictability", "recordingPredictability", "cachedRunDeviation",
  "blockSimilarity", "bondPrecision",
  // figures
  "PlotlyFigure", "AtomTrajectoryRun", "AccelerationRow", "toPcaTrajectoryInput", "toPredictabilitySeries", "toSimilarityHeatmapInput", "pcaTrajectoryFigure",
  "atomTrajectoryFigure", "predictabilityFigure", "accelerationFigure", "speedQualityFrontierFigure",
  "similarityHeatmapFigure", "moleculeFigure", "createFigureExporter", "withFigureExporter",
  // notebook display
  "showFigure", "showMolecule", "loadPlotly", "showTable", "showResults", "progressBar", "emitDisplay",
  // chemistry
  "Molecule", "readSdf", "writeSdf", "loadRDKit", "canonicalSmiles", "elementSymbol", "isKnownElement",
  // metrics
  "evaluate", "EvaluationResult", "summarize", "buildTrainingSet", "formatTable", "TABLE1_COLUMNS",
  // report
  "runReport", "evaluateRuns", "parseCacheList", "sampleConfigurations", "summaryEntries", "frontierFigure",
  "matchedNfeTable", "matchedNfeFigure",
];

const INDEX = path.join(REPO_ROOT, "kernel-lib", "index.ts");

interface PublicExport {
  name: string;
  kind: "function" | "class" | "value" | "type";
  docs: string;
  tags: string[];
}

/** The barrel's exports with their declarations' TSDoc, read by the TypeScript compiler. */
function readPublicExports(): PublicExport[] {
  const program = ts.createProgram([INDEX], { strict: true, noEmit: true, skipLibCheck: true, esModuleInterop: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS });
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(INDEX)!)!;
  return checker.getExportsOfModule(moduleSymbol).map((exported) => {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const flags = symbol.flags;
    const kind = flags & ts.SymbolFlags.Function ? "function" : flags & ts.SymbolFlags.Class ? "class"
      : flags & ts.SymbolFlags.Value ? "value" : "type";
    return {
      name: exported.name,
      kind,
      docs: ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim(),
      tags: symbol.getJsDocTags(checker).map((t) => t.name),
    };
  });
}

describe("public API (kernel-lib/index.ts)", () => {
  let exports: PublicExport[];
  before(() => {
    exports = readPublicExports();
  });

  it("exports exactly the listed names, at most 100", () => {
    assert.deepEqual(exports.map((e) => e.name).sort(), [...PUBLIC_NAMES].sort(), "update PUBLIC_NAMES deliberately when the barrel changes");
    assert.ok(PUBLIC_NAMES.length <= 100, `${PUBLIC_NAMES.length} public names; the target is at most 100`);
  });

  it("every export has TSDoc; every function and class has an @example", () => {
    const undocumented = exports.filter((e) => e.docs.length === 0).map((e) => e.name);
    assert.deepEqual(undocumented, [], "exports without TSDoc");
    const withoutExample = exports.filter((e) => (e.kind === "function" || e.kind === "class") && !e.tags.includes("example")).map((e) => e.name);
    assert.deepEqual(withoutExample, [], "functions/classes without an @example");
  });

  it("notebooks import molcache only from the barrel, and only public names", () => {
    const dir = path.join(REPO_ROOT, "notebooks");
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".ipynb"))) {
      const nb = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as { cells: { cell_type: string; source: string[] | string }[] };
      const code = nb.cells.filter((c) => c.cell_type === "code").map((c) => (Array.isArray(c.source) ? c.source.join("") : c.source)).join("\n");
      for (const m of code.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*"([^"]+)"/g)) {
        if (!m[2].includes("kernel-lib")) continue;
        assert.equal(m[2], "./kernel-lib/index", `${file} imports from ${m[2]}; import from the barrel "./kernel-lib/index"`);
        for (const name of m[1].split(",").map((s) => s.trim().split(/\s+as\s+/)[0]).filter(Boolean)) {
          assert.ok(PUBLIC_NAMES.includes(name), `${file} imports ${name}, which is not public`);
        }
      }
      assert.doesNotMatch(code, /require\([^)]*kernel-lib\/(?!index)/, `${file} requires a kernel-lib internal`);
    }
  });
});
