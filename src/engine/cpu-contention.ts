// Did pipebench get the CPU it wanted? A generator on a busy machine starts operations late and
// reads clocks late, and none of that is the target's doing nor a fault of pipebench's code. The
// kernel keeps the evidence, read at the start and the end of the measured interval:
//
//   /proc/self/schedstat   this process's main thread (the event loop): time on a CPU and time
//                          runnable but waiting for one; the wait is the starvation itself
//   /proc/pressure/cpu     "some": time in which some runnable task on the machine waited
//   /proc/stat             every CPU's busy and steal time: the other processes' CPU is the busy
//                          time less this process's own, steal is what the hypervisor took
//   cgroup cpu.stat        time a CPU quota held this process's cgroup back
//
// Starved means it waited for a CPU for at least as long as it ran, and long enough to matter, or
// the hypervisor or a quota took a tenth of the time. Where a file is missing (not Linux, an old
// kernel) that reading is absent; without schedstat there is no verdict at all.
import { availableParallelism } from "node:os";
import { join } from "node:path";
import type { MachineContention } from "../metrics/summary.js";
import { parseProcStat } from "../probes/host.js";
import { cpuQuotas, read, type CpuQuota } from "./spare-cpu.js";

/** Waiting for a CPU at least this share of the time it wanted one... */
export const STARVED_WAIT_SHARE = 0.5;
/** ...and for at least this share of the measured time, is starvation. */
export const STARVED_WAIT_PERCENT = 5;
/** Steal or cgroup throttling above this share of the time starves the process too. */
export const STARVED_TAKEN_PERCENT = 10;
/** USER_HZ: /proc/stat counts in 1/100 s. */
const TICK_MS = 10;

interface Snapshot {
  runNs: number;
  waitNs: number;
  slices: number;
  pressureMicros: number | undefined;
  busyTicks: number | undefined;
  stealTicks: number | undefined;
  allTicks: number | undefined;
  throttledMicros: number | undefined;
}

export class ContentionMeter {
  private readonly quotas: CpuQuota[];
  private readonly cores: number;
  private first: Snapshot | undefined;

  /** `fsRoot`: where /proc and /sys are (a fake tree in tests). */
  constructor(private readonly fsRoot = "/") {
    this.quotas = cpuQuotas(fsRoot);
    this.cores = availableParallelism();
  }

  start(): void {
    this.first = this.snapshot();
  }

  /**
   * The readings since `start`, given this process's CPU (µs, user + system) and the real time
   * (ms) over the same interval; undefined where schedstat cannot be read.
   */
  stop(ownCpuMicros: number, elapsedMs: number): MachineContention | undefined {
    const a = this.first;
    const b = this.snapshot();
    if (a === undefined || b === undefined || !(elapsedMs > 0)) return undefined;
    const pct = (ms: number): number => round1((Math.max(0, ms) / elapsedMs) * 100);
    const runMs = (b.runNs - a.runNs) / 1e6;
    const waitMs = (b.waitNs - a.waitNs) / 1e6;
    const out: Omit<MachineContention, "starved"> = {
      runPercent: pct(runMs),
      waitPercent: pct(waitMs),
      waitShare: runMs + waitMs > 0 ? Math.round((waitMs / (runMs + waitMs)) * 100) / 100 : 0,
      meanWaitMs: b.slices > a.slices ? Math.round((waitMs / (b.slices - a.slices)) * 1000) / 1000 : 0,
    };
    const delta = (pick: (s: Snapshot) => number | undefined): number | undefined => {
      const [x, y] = [pick(a), pick(b)];
      return x === undefined || y === undefined ? undefined : y - x;
    };
    const pressure = delta((s) => s.pressureMicros);
    if (pressure !== undefined) out.pressurePercent = pct(pressure / 1000);
    const busy = delta((s) => s.busyTicks);
    if (busy !== undefined) {
      out.othersCpuPercent = pct(busy * TICK_MS - ownCpuMicros / 1000);
      out.cores = this.cores;
    }
    const steal = delta((s) => s.stealTicks);
    const all = delta((s) => s.allTicks);
    if (steal !== undefined && all !== undefined && all > 0) out.stealPercent = round1((steal / all) * 100);
    const throttled = delta((s) => s.throttledMicros);
    if (throttled !== undefined) out.throttledPercent = pct(throttled / 1000);
    return { ...out, starved: isStarved(out) };
  }

  private snapshot(): Snapshot | undefined {
    const sched = (read(join(this.fsRoot, "proc/self/schedstat")) ?? "").trim().split(/\s+/).map(Number);
    const [runNs, waitNs, slices] = sched;
    if (runNs === undefined || waitNs === undefined || !Number.isFinite(runNs) || !Number.isFinite(waitNs)) return undefined;
    const psi = /^some .*total=(\d+)$/m.exec(read(join(this.fsRoot, "proc/pressure/cpu")) ?? "");
    const statText = read(join(this.fsRoot, "proc/stat"));
    const stat = statText === undefined ? undefined : parseProcStat(statText);
    const ticks = (...modes: string[]): number | undefined =>
      stat === undefined ? undefined : modes.reduce((sum, m) => sum + (stat[`cpu_${m}_ticks`] ?? 0), 0);
    const throttled = this.quotas.map((q) => q.throttledMicros()).filter((x): x is number => x !== undefined);
    return {
      runNs,
      waitNs,
      slices: slices !== undefined && Number.isFinite(slices) ? slices : 0,
      pressureMicros: psi === null ? undefined : Number(psi[1]),
      busyTicks: ticks("user", "nice", "system", "irq", "softirq"),
      stealTicks: ticks("steal"),
      allTicks: ticks("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"),
      throttledMicros: throttled.length === 0 ? undefined : Math.max(...throttled),
    };
  }
}

/** The verdict: waited at least as long as it ran and long enough to matter, or CPU was taken. */
export function isStarved(c: Omit<MachineContention, "starved">): boolean {
  const waited = c.waitShare >= STARVED_WAIT_SHARE && c.waitPercent >= STARVED_WAIT_PERCENT;
  return waited || cpuTaken(c);
}

/** CPU taken from outside the machine's processes: steal (the hypervisor) or a cgroup's quota. */
export function cpuTaken(c: Pick<MachineContention, "stealPercent" | "throttledPercent">): boolean {
  return (c.stealPercent ?? 0) >= STARVED_TAKEN_PERCENT || (c.throttledPercent ?? 0) >= STARVED_TAKEN_PERCENT;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
