// Does this process have a whole core to spare? The clock's busy-wait asks (clock.ts): spinning on a
// core that something else needs takes it from the target. Two limits count, whichever is tighter:
//
//   the CPUs it may run on   their idle time (os.cpus(), only those in the process's affinity set:
//                            taskset, docker --cpuset-cpus); a core idle elsewhere is no use to it
//   its cgroups' CPU quotas  each quota on its cgroup or a parent minus what that cgroup used
//                            (cgroup v2 cpu.max, v1 cfs_quota_us; a parent's use includes its
//                            other children): in a container limited to 2 cores of an idle 64-core
//                            host, the host has cores to spare and the container may have none,
//                            and a spin there comes out of its own quota, where CFS throttles the
//                            whole container
//
// What the spin itself used counts as spare: it would give that back.
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";

/** Cores to spare over an interval: idle CPU time plus what the spin used, per ms of the interval. */
export function spareCores(idleMs: number, spinMicros: number, elapsedMs: number): number {
  return elapsedMs > 0 ? (idleMs + spinMicros / 1000) / elapsedMs : 0;
}

/** A /proc or /sys file's text, or undefined where it is not there (not Linux, not mounted). */
export function read(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** "0-3,8,10-11" (cpuset list format) → the CPU numbers; undefined when it does not parse. */
export function parseCpuList(text: string): Set<number> | undefined {
  const out = new Set<number>();
  for (const part of text.trim().split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (m === null) return undefined;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    for (let cpu = from; cpu <= to; cpu++) out.add(cpu);
  }
  return out.size > 0 ? out : undefined;
}

/** The CPUs this process may run on (`Cpus_allowed_list` in /proc/self/status), when it says. */
export function allowedCpus(fsRoot = "/"): Set<number> | undefined {
  const status = read(join(fsRoot, "proc/self/status"));
  const line = status?.split("\n").find((l) => l.startsWith("Cpus_allowed_list:"));
  return line === undefined ? undefined : parseCpuList(line.slice(line.indexOf(":") + 1));
}

/**
 * A cgroup with a CPU quota: how many cores it allows, and a reader of what it has used (µs), which
 * for a parent includes its other children; undefined when the usage cannot be read.
 */
export interface CpuQuota {
  cores: number;
  usageMicros(): number | undefined;
  /** Time the quota held the cgroup back (cpu.stat), µs, cumulative; undefined when unreadable. */
  throttledMicros(): number | undefined;
}

/** `name N` in a cpu.stat file, × `scale`. */
function statField(file: string, name: string, scale: number): number | undefined {
  const m = new RegExp(`^${name} (\\d+)$`, "m").exec(read(file) ?? "");
  return m === null ? undefined : Number(m[1]) * scale;
}

/** cgroup v2: `cpu.max` is "max 100000" (no quota) or "200000 100000"; `cpu.stat` has usage_usec. */
function v2Quota(dir: string): CpuQuota | undefined {
  const [quota, period] = (read(join(dir, "cpu.max")) ?? "").trim().split(/\s+/);
  const cores = Number(quota) / Number(period);
  if (!(cores > 0)) return undefined;
  return {
    cores,
    usageMicros: () => statField(join(dir, "cpu.stat"), "usage_usec", 1),
    throttledMicros: () => statField(join(dir, "cpu.stat"), "throttled_usec", 1),
  };
}

/**
 * cgroup v1: cpu.cfs_quota_us (-1: no quota) over cpu.cfs_period_us; usage from cpuacct.usage (ns)
 * in `acctDir`, the same cgroup in the cpuacct hierarchy, when it is known to be the same one.
 */
function v1Quota(cpuDir: string, acctDir: string | undefined): CpuQuota | undefined {
  const cores = Number(read(join(cpuDir, "cpu.cfs_quota_us"))) / Number(read(join(cpuDir, "cpu.cfs_period_us")));
  if (!(cores > 0)) return undefined;
  return {
    cores,
    usageMicros: () => {
      const ns = acctDir === undefined ? Number.NaN : Number(read(join(acctDir, "cpuacct.usage")));
      return Number.isFinite(ns) && ns >= 0 ? ns / 1000 : undefined;
    },
    throttledMicros: () => statField(join(cpuDir, "cpu.stat"), "throttled_time", 1e-3),
  };
}

/**
 * The cgroup's directory and each parent up to the mount's root (a quota may sit on any of them).
 * A path with ".." lies outside this cgroup namespace: only the mount's root is ours to read.
 */
function upFrom(mount: string, path: string): string[] {
  const parts = path.split("/").filter((p) => p !== "");
  if (parts.includes("..")) return [mount];
  return parts.map((_, i) => join(mount, ...parts.slice(0, parts.length - i))).concat(mount);
}

/** /proc/self/cgroup lines, "id:controllers:path" (a path may itself hold colons). */
function cgroupLines(text: string): { controllers: string[]; path: string }[] {
  return text.split("\n").flatMap((line) => {
    const a = line.indexOf(":");
    const b = line.indexOf(":", a + 1);
    return a < 0 || b < 0 ? [] : [{ controllers: line.slice(a + 1, b).split(",").filter((c) => c !== ""), path: line.slice(b + 1) }];
  });
}

/**
 * Every CPU quota on this process's cgroup and its parents, v2 or v1; none when no quota is set or
 * the files are not there (not Linux, no cgroup fs mounted).
 */
export function cpuQuotas(fsRoot = "/"): CpuQuota[] {
  const lines = cgroupLines(read(join(fsRoot, "proc/self/cgroup")) ?? "");
  const base = join(fsRoot, "sys/fs/cgroup");
  const found: (CpuQuota | undefined)[] = [];
  for (const { controllers, path } of lines) {
    if (controllers.length === 0) {
      // v2, mounted alone at /sys/fs/cgroup or beside v1 at /sys/fs/cgroup/unified.
      for (const mount of [base, join(base, "unified")]) found.push(...upFrom(mount, path).map(v2Quota));
    } else if (controllers.includes("cpu")) {
      const joined = controllers.join(",");
      const cpuMount = [join(base, joined), join(base, "cpu")].find((d) => read(join(d, "cpu.cfs_period_us")) !== undefined);
      if (cpuMount === undefined) continue;
      // Usage comes from the cpuacct hierarchy: the same directories when the controllers are
      // mounted together, else the cpuacct line's, but only when it names the same cgroup.
      const acct = lines.find((l) => l.controllers.includes("cpuacct"));
      const acctDirs = controllers.includes("cpuacct")
        ? upFrom(cpuMount, path)
        : acct !== undefined && acct.path === path
          ? upFrom(join(base, acct.controllers.join(",")), path)
          : [];
      found.push(...upFrom(cpuMount, path).map((dir, i) => v1Quota(dir, acctDirs[i])));
    }
  }
  return found.filter((q): q is CpuQuota => q !== undefined);
}

/** Each CPU's idle time, ms, cumulative: os.cpus() (tests pass their own). */
export type CpuIdleTimes = () => readonly number[];

const osIdleTimes: CpuIdleTimes = () => cpus().map((cpu) => cpu.times.idle);

/**
 * Reads the spare cores over the interval since its last reading. The first reading only starts the
 * interval: it answers the tightest quota (its usage includes the spin, so no more is to spare) or,
 * with none, Infinity.
 */
export class SpareCpuMeter {
  private readonly allowed: Set<number> | undefined;
  private readonly quotas: CpuQuota[];
  private last: { at: number; idleMs: number; usage: (number | undefined)[]; spinMicros: number } | undefined;

  /** `fsRoot`: where /proc and /sys are (a fake tree in tests). */
  constructor(fsRoot = "/", private readonly idleTimes: CpuIdleTimes = osIdleTimes) {
    this.allowed = allowedCpus(fsRoot);
    this.quotas = cpuQuotas(fsRoot);
  }

  /** The smallest quota it found (cores), if any. */
  get quotaCores(): number | undefined {
    return this.quotas.length === 0 ? undefined : Math.min(...this.quotas.map((q) => q.cores));
  }

  /** Idle ms (cumulative) of the CPUs this process may run on. */
  private idleMs(): number {
    // os.cpus() lists the online CPUs in order: index i is CPU i unless some are offline.
    return this.idleTimes().reduce((sum, idle, i) => (this.allowed === undefined || this.allowed.has(i) ? sum + idle : sum), 0);
  }

  /** `now`: ms on any monotonic clock; `spinMicros`: the spin's CPU so far (cumulative). */
  read(now: number, spinMicros: number): number {
    const reading = { at: now, idleMs: this.idleMs(), usage: this.quotas.map((q) => q.usageMicros()), spinMicros };
    const last = this.last;
    this.last = reading;
    if (last === undefined) return this.quotaCores ?? Number.POSITIVE_INFINITY;
    const elapsed = now - last.at;
    const spin = spinMicros - last.spinMicros;
    // Each quota's room is what its cgroup (with any siblings under it) left of it; a quota whose
    // usage cannot be read still caps the answer at its size.
    const left = this.quotas.map((q, i) => {
      const [before, after] = [last.usage[i], reading.usage[i]];
      return before === undefined || after === undefined ? q.cores : spareCores(q.cores * elapsed - (after - before) / 1000, spin, elapsed);
    });
    return Math.min(spareCores(reading.idleMs - last.idleMs, spin, elapsed), ...left);
  }
}
