/**
 * A private Redis server for tests and benchmarks: Debian's `redis-server` on a free 127.0.0.1 port with its own
 * temporary folder (AOF on, fsync on every write, so a killed server restarts with everything it acknowledged),
 * stopped by its owner. Fails with one line saying how to install redis-server when it is missing.
 */
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { Redis } from "ioredis";

/** A free TCP port on 127.0.0.1 (bound then released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A running private Redis server. */
export class LocalRedis {
  private child: ChildProcess | undefined;

  private constructor(readonly port: number, readonly dir: string, readonly appendfsync: "always" | "everysec") {}

  /** The server's process id while it runs (for measuring its CPU time). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** `redis://127.0.0.1:<port>`. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /**
   * Start a server (AOF on) in a new temporary folder.
   * @param appendfsync `always` (default: a SIGKILLed server restarts with every acknowledged write; each write waits
   *   for the disk) or `everysec` (Redis's default with AOF: up to a second lost; for benchmarks).
   * @param parent the folder to make the server's folder in (default the system's temporary folder).
   * @example
   * const redis = await LocalRedis.start(); try { use(redis.url); } finally { await redis.stop(); }
   */
  static async start(appendfsync: "always" | "everysec" = "always", parent: string = os.tmpdir()): Promise<LocalRedis> {
    const which = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
    if (which.error || which.status !== 0) {
      throw new Error("redis-server is not installed: install it with apt-get install redis-server (or run scripts/setup.sh); distributed sampling tests and benchmarks need a real Redis 7");
    }
    const r = new LocalRedis(await freePort(), fs.mkdtempSync(path.join(parent, "molcache-redis-")), appendfsync);
    await r.launch();
    return r;
  }

  private async launch(): Promise<void> {
    this.child = spawn("redis-server", [
      "--port", String(this.port), "--bind", "127.0.0.1", "--dir", this.dir, "--appendonly", "yes", "--appendfsync", this.appendfsync,
      "--save", "", "--protected-mode", "yes",
    ], { stdio: "ignore" });
    const c = new Redis({ host: "127.0.0.1", port: this.port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    c.on("error", () => undefined);
    const end = Date.now() + 10_000;
    for (;;) {
      try {
        await c.connect();
        await c.ping();
        c.disconnect();
        return;
      } catch (err) {
        c.disconnect();
        if (Date.now() > end) throw new Error(`redis-server did not start on port ${this.port}: ${(err as Error).message}`);
        await new Promise((res) => setTimeout(res, 50));
      }
    }
  }

  /** Kill the server (SIGKILL) and wait until it has exited. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((res) => child.once("exit", res));
    child.kill("SIGKILL");
    await exited;
  }

  /** Start the server again on the same port and folder (it reloads its AOF). */
  async restart(): Promise<void> {
    await this.kill();
    await this.launch();
  }

  /** A client for inspecting the queue (disconnect it when done). */
  client(): Redis {
    const c = new Redis({ host: "127.0.0.1", port: this.port, maxRetriesPerRequest: null });
    c.on("error", () => undefined);
    return c;
  }

  /** Stop the server and remove its folder. */
  async stop(): Promise<void> {
    await this.kill();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
