/** Reuse (order 0): a skipped step gets the last computed output unchanged. */
import { combine, disposeMap, FeatureMap, Forecaster, keepCopy, notReady } from "./forecaster";

/** Holds the last computed output. */
export class ReuseForecaster implements Forecaster {
  private last: FeatureMap | undefined;

  update(_x: number, features: FeatureMap): void {
    disposeMap(this.last);
    this.last = keepCopy(features);
  }

  predict(_x: number): FeatureMap {
    if (!this.last) throw notReady();
    return combine([this.last], [1]);
  }

  reset(): void {
    disposeMap(this.last);
    this.last = undefined;
  }

  heldCopies(): number {
    return this.last ? 1 : 0;
  }
}
