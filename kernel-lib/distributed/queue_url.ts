/**
 * The `--queue redis://host:port` argument of distributed sampling: parsed and checked (one clear line when Redis
 * cannot be reached, saying how to start it), and turned into BullMQ connection options. Connections retry for ever
 * once established (BullMQ's requirement), so a Redis restart mid-run only pauses the run.
 */
import { Redis } from "ioredis";

/** BullMQ/ioredis connection options for a queue URL. */
export interface QueueConnection {
  host: string;
  port: number;
  db: number;
  password: string | undefined;
  /** BullMQ requires null: commands wait across reconnects instead of failing. */
  maxRetriesPerRequest: null;
}

/** The BullMQ queue every `molcache sample --queue` run and `molcache worker` use. */
export const SAMPLE_QUEUE_NAME = "molcache-sample";

/**
 * Parse `redis://[:password@]host[:port][/db]`.
 * @throws one line naming the argument and the expected form.
 * @example
 * parseQueueUrl("redis://127.0.0.1:6379"); // { host: "127.0.0.1", port: 6379, db: 0, … }
 */
export function parseQueueUrl(url: string): QueueConnection {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`invalid --queue ${url}; use redis://host:port, e.g. redis://127.0.0.1:6379`);
  }
  if (u.protocol !== "redis:" || !u.hostname) throw new Error(`invalid --queue ${url}; use redis://host:port, e.g. redis://127.0.0.1:6379`);
  const port = u.port ? Number(u.port) : 6379;
  const db = u.pathname && u.pathname !== "/" ? Number(u.pathname.slice(1)) : 0;
  if (!(Number.isInteger(port) && port > 0 && port < 65536) || !(Number.isInteger(db) && db >= 0)) {
    throw new Error(`invalid --queue ${url}; use redis://host:port[/db] with a port 1-65535`);
  }
  return { host: u.hostname, port, db, password: u.password ? decodeURIComponent(u.password) : undefined, maxRetriesPerRequest: null };
}

/**
 * Fail fast, with one line, when Redis is not there (connections made later retry for ever instead).
 * @throws `cannot reach Redis at …: <why>; start it with …`.
 */
export async function checkRedisReachable(url: string, connection: QueueConnection, timeoutMs = 5000): Promise<void> {
  const client = new Redis({
    host: connection.host, port: connection.port, db: connection.db, password: connection.password,
    lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false,
  });
  client.on("error", () => undefined); // reported through connect() below
  try {
    await client.connect();
    const version = /redis_version:(\d+)/.exec(await client.info("server"))?.[1];
    if (version !== undefined && Number(version) < 6) throw new Error(`Redis ${version} is too old; BullMQ needs Redis >= 6.2`);
  } catch (err) {
    throw new Error(`cannot reach Redis at ${url}: ${(err as Error).message}; start it (redis-server --port ${connection.port} --appendonly yes) or fix --queue`);
  } finally {
    client.disconnect();
  }
}
