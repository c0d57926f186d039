/**
 * Per-thread scheduler times (Linux `/proc/thread-self/schedstat`): nanoseconds this thread spent running on a CPU
 * and waiting, runnable, in the run queue. On a shared machine wall time mixes our work with other people's; these
 * separate the work (on-CPU) from the contention (waiting), per worker thread.
 */
import * as fs from "node:fs";

/** On-CPU and run-queue wait time of the calling thread, in seconds. */
export interface ThreadTimes {
  cpuSeconds: number;
  waitSeconds: number;
}

/**
 * The calling thread's times so far, or `undefined` where the kernel does not provide them (non-Linux, no schedstat).
 * @example
 * const t0 = threadTimes(); work(); const t1 = threadTimes(); // t1.cpuSeconds - t0.cpuSeconds
 */
export function threadTimes(): ThreadTimes | undefined {
  let text: string;
  try {
    // Read synchronously on this thread, so "thread-self" is this thread (a worker's own, in a worker).
    text = fs.readFileSync("/proc/thread-self/schedstat", "utf8");
  } catch {
    return undefined;
  }
  const [cpu, wait] = text.trim().split(/\s+/).map(Number);
  if (!Number.isFinite(cpu) || !Number.isFinite(wait)) return undefined;
  return { cpuSeconds: cpu / 1e9, waitSeconds: wait / 1e9 };
}

/** `after − before`, or NaNs when either is unavailable. */
export function threadTimesSince(before: ThreadTimes | undefined, after: ThreadTimes | undefined = threadTimes()): ThreadTimes {
  if (!before || !after) return { cpuSeconds: NaN, waitSeconds: NaN };
  return { cpuSeconds: after.cpuSeconds - before.cpuSeconds, waitSeconds: after.waitSeconds - before.waitSeconds };
}
