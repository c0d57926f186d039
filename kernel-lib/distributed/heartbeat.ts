/**
 * Which workers are alive: each `molcache worker` thread slot refreshes its member in a Redis sorted set every few
 * seconds (score = time), and the producer counts the members seen in the last {@link HEARTBEAT_TTL_MS}. (BullMQ's
 * own `getWorkersCount` relies on CLIENT SETNAME, which this BullMQ version does not set on worker connections.)
 */
import { Redis } from "ioredis";
import { QueueConnection, SAMPLE_QUEUE_NAME } from "./queue_url";

const KEY = `molcache:${SAMPLE_QUEUE_NAME}:workers`;
/** A worker not heard from for this long counts as gone. */
export const HEARTBEAT_TTL_MS = 10_000;
const PERIOD_MS = 3_000;

function client(connection: QueueConnection): Redis {
  const c = new Redis({ ...connection });
  c.on("error", () => undefined); // reconnects on its own; the queue connections report errors
  return c;
}

/**
 * Announce `members` (one per sampling thread) until the returned stop function is called (which removes them).
 * @example
 * const stop = startHeartbeat(connection, ["host pid 12 #0"]); … await stop();
 */
export function startHeartbeat(connection: QueueConnection, members: string[]): () => Promise<void> {
  const c = client(connection);
  const beat = () => c.zadd(KEY, ...members.flatMap((m) => [Date.now(), m])).catch(() => undefined);
  void beat();
  const timer = setInterval(beat, PERIOD_MS);
  return async () => {
    clearInterval(timer);
    await c.zrem(KEY, ...members).catch(() => undefined);
    c.disconnect();
  };
}

/** Counts live workers (sampling threads) on a queue. */
export class LiveWorkers {
  private readonly c: Redis;

  constructor(connection: QueueConnection) {
    this.c = client(connection);
  }

  /** Threads heard from in the last {@link HEARTBEAT_TTL_MS}. */
  async count(): Promise<number> {
    const since = Date.now() - HEARTBEAT_TTL_MS;
    await this.c.zremrangebyscore(KEY, "-inf", `(${since}`);
    return this.c.zcount(KEY, since, "+inf");
  }

  close(): void {
    this.c.disconnect();
  }
}
