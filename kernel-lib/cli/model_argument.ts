/** The model a command's `--model` argument names (the option itself: `modelOption` in options.ts). */
import { LoadedModel } from "../model/model_io";
import { openModel } from "../model/open_model";

/**
 * Load the model a `--model` argument names ({@link openModel} with errors naming `--model`).
 * @example
 * const model = resolveModelArgument("random:small");
 */
export function resolveModelArgument(spec: string | undefined): LoadedModel {
  return openModel(spec, { argument: "--model" });
}
