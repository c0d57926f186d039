/** The last window of a distributed run is queued largest batch first (BullMQ priority 1 = first). */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { largestFirstPriorities } from "../../kernel-lib/distributed/producer";

describe("largestFirstPriorities", () => {
  it("ranks batches by molecules x largest molecule's atoms squared, ties in plan order", () => {
    // Costs: 2*81=162, 2*400=800, 30*100=3000, 1*400=400, 2*400=800 (tie with the second: plan order).
    assert.deepEqual(largestFirstPriorities([{ sizes: [9, 9] }, { sizes: [20, 19] }, { sizes: new Array(30).fill(10) }, { sizes: [20] }, { sizes: [19, 20] }]), [5, 2, 1, 4, 3]);
    assert.deepEqual(largestFirstPriorities([]), []);
  });
});
