// The `host` probe: CPU, memory and load of the machine pipebench runs on, read from Linux /proc.
// Snapshots hold cumulative CPU tick counters, so any two of them give the CPU use of the interval
// between (the same arithmetic as `top` and `vmstat`); memory and load are point-in-time gauges,
// reported as of the later snapshot. Elsewhere than Linux it falls back to node:os, with a note.
import { readFile } from "node:fs/promises";
import os from "node:os";
import type { JsonValue, Probe, ProbeReading, ProbeSnapshot } from "./probe.js";

/** The per-mode columns of the `cpu` line of /proc/stat, in file order (see proc(5)). */
const CPU_MODES = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"] as const;
type CpuMode = (typeof CPU_MODES)[number];

/** Above this share of steal time the hypervisor is taking CPU away, and timings get noisy. */
const STEAL_NOTE_FRACTION = 0.05;

export interface HostProbeOptions {
  /** Sample period while a scenario runs; default 1000 ms. */
  everyMs?: number;
}

export function hostProbe(options: HostProbeOptions = {}): Probe {
  const cpu = cpuIdentity();
  const onLinux = process.platform === "linux";
  return {
    kind: "host",
    sampleEveryMs: options.everyMs ?? 1000,
    read: async () => {
      const values = onLinux ? await readProc() : readNodeOs();
      return { at: Date.now(), values, details: { cores: cpu.cores, model: cpu.model } };
    },
    summarize: (before, after) => summarizeHost(before, after, cpu, onLinux),
  };
}

async function readProc(): Promise<Record<string, number>> {
  const [stat, meminfo, loadavg] = await Promise.all([
    readFile("/proc/stat", "utf8"),
    readFile("/proc/meminfo", "utf8"),
    readFile("/proc/loadavg", "utf8"),
  ]);
  return { ...parseProcStat(stat), ...parseMeminfo(meminfo), ...parseLoadavg(loadavg) };
}

/** `cpu  35376 0 6204 …` → `cpu_user_ticks: 35376, …` (the aggregate line over all cores). */
export function parseProcStat(text: string): Record<string, number> {
  const line = text.split("\n").find((l) => l.startsWith("cpu "));
  const fields = (line ?? "").trim().split(/\s+/).slice(1).map(Number);
  const values: Record<string, number> = {};
  CPU_MODES.forEach((mode, i) => {
    values[`cpu_${mode}_ticks`] = fields[i] ?? 0;
  });
  return values;
}

/** MemTotal and MemAvailable in bytes. MemAvailable, not MemFree: page cache can be reclaimed. */
export function parseMeminfo(text: string): Record<string, number> {
  const kib = (key: string): number => {
    const m = new RegExp(`^${key}:\\s+(\\d+)\\s*kB`, "m").exec(text);
    return m ? Number(m[1]) * 1024 : 0;
  };
  return { mem_total_bytes: kib("MemTotal"), mem_available_bytes: kib("MemAvailable") };
}

export function parseLoadavg(text: string): Record<string, number> {
  const [l1, l5, l15] = text.trim().split(/\s+/).map(Number);
  return { load1: l1 ?? 0, load5: l5 ?? 0, load15: l15 ?? 0 };
}

/** Non-Linux: node:os gives per-core times in ms (no iowait/steal) and free (not available) memory. */
function readNodeOs(): Record<string, number> {
  let user = 0, nice = 0, system = 0, idle = 0, irq = 0;
  for (const { times } of os.cpus()) {
    user += times.user;
    nice += times.nice;
    system += times.sys;
    idle += times.idle;
    irq += times.irq;
  }
  const [l1, l5, l15] = os.loadavg();
  return {
    cpu_user_ticks: user,
    cpu_nice_ticks: nice,
    cpu_system_ticks: system,
    cpu_idle_ticks: idle,
    cpu_iowait_ticks: 0,
    cpu_irq_ticks: irq,
    cpu_softirq_ticks: 0,
    cpu_steal_ticks: 0,
    mem_total_bytes: os.totalmem(),
    mem_available_bytes: os.freemem(),
    load1: l1 ?? 0,
    load5: l5 ?? 0,
    load15: l15 ?? 0,
  };
}

interface CpuIdentity {
  cores: number;
  model: string;
}

function cpuIdentity(): CpuIdentity {
  return { cores: os.availableParallelism(), model: os.cpus()[0]?.model.trim() ?? "unknown" };
}

export function summarizeHost(
  before: ProbeSnapshot,
  after: ProbeSnapshot,
  cpu: CpuIdentity = cpuIdentity(),
  fromProc = true,
): ProbeReading {
  const notes: string[] = [];
  const delta = (mode: CpuMode): number =>
    Math.max(0, (after.values[`cpu_${mode}_ticks`] ?? 0) - (before.values[`cpu_${mode}_ticks`] ?? 0));
  const total = CPU_MODES.reduce((acc, mode) => acc + delta(mode), 0);

  const metrics: Record<string, number> = {};
  for (const mode of CPU_MODES) metrics[`cpu_${mode}`] = total > 0 ? delta(mode) / total : 0;
  // iowait is idle time spent waiting on disk: the CPU could have run something else.
  metrics.cpu_usage = total > 0 ? 1 - (delta("idle") + delta("iowait")) / total : 0;
  if (total === 0) notes.push("the interval was too short for /proc/stat to count CPU ticks; cpu_usage is 0");

  const memTotal = after.values.mem_total_bytes ?? 0;
  const memUsed = Math.max(0, memTotal - (after.values.mem_available_bytes ?? 0));
  metrics.memory_total_bytes = memTotal;
  metrics.memory_used_bytes = memUsed;
  metrics.memory_usage = memTotal > 0 ? memUsed / memTotal : 0;

  metrics.load1 = after.values.load1 ?? 0;
  metrics.load5 = after.values.load5 ?? 0;
  metrics.load15 = after.values.load15 ?? 0;
  metrics.load1_per_core = cpu.cores > 0 ? metrics.load1 / cpu.cores : 0;

  if ((metrics.cpu_steal ?? 0) > STEAL_NOTE_FRACTION) {
    notes.push(
      `the hypervisor took ${percent(metrics.cpu_steal ?? 0)} of this host's CPU (steal time); ` +
        "latencies measured here are noisy, prefer a dedicated machine for comparisons",
    );
  }
  if (!fromProc) {
    notes.push("not Linux: CPU and memory come from node:os (no iowait or steal; free memory, not available)");
  }

  const details: JsonValue = { cores: cpu.cores, model: cpu.model, intervalMs: after.at - before.at };
  return { metrics, details, notes };
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}
