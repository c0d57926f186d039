/**
 * The worker of test/util/worker_channel.test.ts: a small stateful service on the shared channel. Its state is a
 * counter of the requests it served (the state a channel keeps between requests); each request says what to do.
 */
import { workerData } from "node:worker_threads";
import { serveRequests, withTransfer } from "../../kernel-lib/util/worker_channel";

/** What the test asks for. */
export type ChannelTestRequest =
  | { op: "add"; value: number; delayMs: number }
  | { op: "sum"; values: Float32Array }
  | { op: "throw"; message: string }
  | { op: "exit"; code: number };

/** The answer: the request's result and how many requests this thread had served before it. */
export interface ChannelTestReply {
  served: number;
  result: number;
  /** For `sum`: the values doubled, moved back. */
  doubled?: Float32Array;
}

serveRequests<ChannelTestRequest, ChannelTestReply>(async () => {
  const init = workerData as { offset: number; failStart?: boolean };
  await new Promise((resolve) => setTimeout(resolve, 10)); // an asynchronous start, as a backend's
  if (init.failStart) throw new Error("no model here");
  let served = 0;
  return async (req) => {
    const before = served++;
    if (req.op === "add") {
      await new Promise((resolve) => setTimeout(resolve, req.delayMs));
      return { served: before, result: init.offset + req.value };
    }
    if (req.op === "sum") {
      const doubled = req.values.map((v) => 2 * v);
      return withTransfer({ served: before, result: req.values.reduce((a, b) => a + b, 0), doubled }, [doubled.buffer as ArrayBuffer]);
    }
    if (req.op === "throw") throw new Error(req.message);
    process.exit(req.code);
  };
});
