/**
 * Sample and record in one call: resolve the sampling options (which fixes every molecule's size), estimate the
 * recording and refuse it before sampling starts when it exceeds the budget, then register the recorder, sample,
 * and remove the recorder whatever happens.
 */
import type { LoadedModel } from "../model/model_io";
import { resolveSampleOptions, sample, SampleOptions, SampleResult } from "../flow/sample";
import { FeatureRecorder, RecorderOptions } from "./recorder";
import { Recording } from "./recording";

/** What {@link sampleAndRecord} returns. */
export interface RecordedSample {
  /** The sampling result, identical to `sample()` without the recorder. */
  result: SampleResult;
  recording: Recording;
  /** The estimate checked against the budget (an upper bound of `recording.bytes`). */
  estimatedBytes: number;
}

/**
 * Upper bound of the bytes recording a `sample(model, sampleOptions)` run would take, without sampling.
 * @example
 * estimateRecordingBytes(model, { n: 16, steps: 100 }, { blocks: "all" }); // e.g. 4.1e8
 */
export function estimateRecordingBytes(model: LoadedModel, sampleOptions: Partial<SampleOptions>, recorderOptions: Partial<RecorderOptions> = {}): number {
  const o = resolveSampleOptions(model, sampleOptions);
  return new FeatureRecorder(model, recorderOptions).estimateBytes(o.drawnSizes, o.steps);
}

/**
 * Sample molecules while recording features (see `RecorderOptions`); the budget is checked first.
 * @param sampleWith what samples (default `sample`); e.g. an in-thread ONNX `SamplingPool`'s `sample`, which runs the
 *   hooks registered on the model too.
 * @throws before sampling when the options are bad or the recording would exceed `budgetBytes`.
 * @example
 * const { result, recording } = await sampleAndRecord(model, { n: 16, steps: 100, seed: 0 }, { blocks: ["layers.*", "sampler"] });
 * recording.trajectory("sampler", "prediction.coords", 0).rows.length; // 100
 */
export async function sampleAndRecord(
  model: LoadedModel,
  sampleOptions: Partial<SampleOptions> = {},
  recorderOptions: Partial<RecorderOptions> = {},
  sampleWith: (model: LoadedModel, options: Partial<SampleOptions>) => Promise<SampleResult> = sample,
): Promise<RecordedSample> {
  const recorder = new FeatureRecorder(model, recorderOptions);
  const o = resolveSampleOptions(model, sampleOptions);
  const estimatedBytes = recorder.checkBudget(o.drawnSizes, o.steps);
  recorder.recording.meta.sample = { n: o.n, steps: o.steps, grid: o.grid, seed: o.seed, cache: o.cacheConfig };
  recorder.register();
  try {
    const result = await sampleWith(model, sampleOptions);
    return { result, recording: recorder.recording, estimatedBytes };
  } finally {
    recorder.remove();
  }
}
