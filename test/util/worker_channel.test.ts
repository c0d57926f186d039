/**
 * The request/response channel shared by the sampling and gradient workers, on a real worker thread
 * (test/util/channel_worker.ts): answers matched to requests by id whatever their order, state kept between requests,
 * transfer lists both ways, errors carried across with the thread and the work named, death and start failures
 * rejecting what waits, and terminate().
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { openWorkerChannel, openWorkerChannels, WorkerError } from "../../kernel-lib/util/worker_channel";
import type { ChannelTestReply, ChannelTestRequest } from "./channel_worker";

const FILE = path.join(__dirname, "channel_worker.ts");

describe("worker channel", () => {
  it("matches answers to requests by id, keeps the thread's state, and moves transferred buffers both ways", async () => {
    const [channel] = await openWorkerChannels<ChannelTestRequest, ChannelTestReply>(1, FILE, (id) => ({ label: `test worker ${id}`, workerData: { offset: 100 } }));
    try {
      // The first request answers last: each answer still reaches its own request.
      const replies = await Promise.all([
        channel.request({ op: "add", value: 1, delayMs: 60 }),
        channel.request({ op: "add", value: 2, delayMs: 0 }),
      ]);
      assert.deepEqual(replies.map((r) => r.result), [101, 102]);
      assert.deepEqual(replies.map((r) => r.served), [0, 1]);
      const values = new Float32Array([1, 2, 3.5]);
      const r = await channel.request({ op: "sum", values }, { transfer: [values.buffer] });
      assert.equal(values.byteLength, 0, "the sent buffer was moved, not copied");
      assert.equal(r.result, 6.5);
      assert.equal(r.served, 2);
      assert.deepEqual([...r.doubled!], [2, 4, 7]);
    } finally {
      await channel.terminate();
    }
  });

  it("carries a handler's error across with the thread and the work named; the thread keeps serving", async () => {
    const channel = openWorkerChannel<ChannelTestRequest, ChannelTestReply>(FILE, { label: "test worker 0", workerData: { offset: 0 } });
    try {
      await channel.ready;
      const err = await channel.request({ op: "throw", message: "boom" }, { what: "batch 3" }).catch((e: unknown) => e);
      assert.ok(err instanceof WorkerError, `expected a WorkerError, got ${err}`);
      assert.equal(err.message, "test worker 0 failed on batch 3: boom");
      assert.equal(err.died, false);
      assert.match(err.workerStack ?? "", /channel_worker\.ts/);
      assert.equal((await channel.request({ op: "add", value: 5, delayMs: 0 })).result, 5);
    } finally {
      await channel.terminate();
    }
  });

  it("a thread that exits rejects its request (naming the work), tells the death listeners and refuses later requests", async () => {
    const channel = openWorkerChannel<ChannelTestRequest, ChannelTestReply>(FILE, { label: "test worker 1", workerData: { offset: 0 } });
    await channel.ready;
    const deaths: string[] = [];
    channel.onDeath((e) => deaths.push(e.message));
    const waiting = channel.request({ op: "add", value: 1, delayMs: 10_000 }, { what: "batch 8" });
    await assert.rejects(channel.request({ op: "exit", code: 5 }, { what: "batch 9" }), (e: unknown) =>
      e instanceof WorkerError && e.died && e.message === "test worker 1 exited with code 5 while running batch 9");
    await assert.rejects(waiting, /test worker 1 exited with code 5 while running batch 8/);
    assert.deepEqual(deaths, ["test worker 1 exited with code 5"]);
    assert.equal(channel.exited, true);
    await assert.rejects(channel.request({ op: "add", value: 1, delayMs: 0 }), /test worker 1 exited with code 5/);
    await channel.terminate(); // idempotent on an exited thread
  });

  it("a start failure rejects with the worker's error and terminates every thread of the group", async () => {
    // A live worker thread holds its MessagePort open in this process.
    const threads = () => process.getActiveResourcesInfo().filter((r) => r === "MessagePort").length;
    const before = threads();
    await assert.rejects(
      openWorkerChannels<ChannelTestRequest, ChannelTestReply>(3, FILE, (id) => ({ label: `test worker ${id}`, workerData: { offset: 0, failStart: id === 1 } })),
      (e: unknown) => e instanceof WorkerError && e.message === "test worker 1 failed to start: no model here" && /channel_worker\.ts/.test(e.workerStack ?? ""),
    );
    assert.equal(threads(), before, "threads of the failed group still running");
  });

  it("terminate() stops the thread, rejects what waits, and does not call the death listeners", async () => {
    const channel = openWorkerChannel<ChannelTestRequest, ChannelTestReply>(FILE, { label: "test worker 3", workerData: { offset: 0 } });
    await channel.ready;
    let deaths = 0;
    channel.onDeath(() => deaths++);
    const waiting = channel.request({ op: "add", value: 1, delayMs: 10_000 }, { what: "batch 1" });
    await channel.terminate();
    await assert.rejects(waiting, /test worker 3 was terminated while running batch 1/);
    assert.equal(channel.exited, true);
    assert.equal(deaths, 0);
    await channel.terminate();
  });
});
