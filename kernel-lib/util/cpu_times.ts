/**
 * CPU time of whole processes and of the whole machine (Linux `/proc`), for benchmarks that must say where the CPU
 * went: our own processes (a producer, a Redis server, worker processes) versus everything else running on the
 * machine, and versus time the hypervisor took away (steal). NaN where the kernel does not say (non-Linux).
 */
import * as fs from "node:fs";

/** Clock ticks per second of `/proc/<pid>/stat` and `/proc/stat` (USER_HZ: 100 on every Linux architecture in use). */
const USER_HZ = 100;

/**
 * User + system CPU seconds a process (all its threads) has used so far, or NaN when it cannot be read (it exited).
 * @example
 * const before = processCpuSeconds(child.pid!); await work(); const used = processCpuSeconds(child.pid!) - before;
 */
export function processCpuSeconds(pid: number): number {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return NaN;
  }
  // Fields after the command name (which may hold spaces, in parentheses): state is field 3, utime 14, stime 15.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
}

/** Machine-wide CPU seconds (all cores together) since boot. */
export interface MachineCpuTimes {
  /** Running anything (user, nice, system, interrupts). */
  busy: number;
  /** Idle or waiting for I/O. */
  idle: number;
  /** Taken by the hypervisor for other guests while this machine had work (a virtual machine's hidden load). */
  steal: number;
}

/**
 * The machine's CPU times so far (`/proc/stat`), NaNs where unavailable.
 * @example
 * const a = machineCpuTimes(); await work(); const b = machineCpuTimes(); // b.busy - a.busy
 */
export function machineCpuTimes(): MachineCpuTimes {
  let line: string | undefined;
  try {
    line = fs.readFileSync("/proc/stat", "utf8").split("\n").find((l) => l.startsWith("cpu "));
  } catch {
    line = undefined;
  }
  if (!line) return { busy: NaN, idle: NaN, steal: NaN };
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return { busy: (user + nice + system + irq + softirq) / USER_HZ, idle: (idle + iowait) / USER_HZ, steal: (steal ?? 0) / USER_HZ };
}
