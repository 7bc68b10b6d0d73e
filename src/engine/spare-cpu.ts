// Does this process have a whole core to spare? The clock's busy-wait asks (clock.ts): spinning on a
// core that something else needs takes it from the target. Two limits count, whichever is tighter:
//
//   the CPUs it may run on   their idle time (os.cpus(), only those in the process's affinity set:
//                            taskset, docker --cpuset-cpus); a core idle elsewhere is no use to it
//   its cgroup's CPU quota   quota minus what the cgroup used (cgroup v2 cpu.max, v1 cfs_quota_us):
//                            in a container limited to 2 cores of an idle 64-core host, the host
//                            has cores to spare and the container may have none, and a spin there
//                            comes out of its own quota, where CFS throttles the whole container
//
// What the spin itself used counts as spare: it would give that back.
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";

/** Cores to spare over an interval: idle CPU time plus what the spin used, per ms of the interval. */
export function spareCores(idleMs: number, spinMicros: number, elapsedMs: number): number {
  return elapsedMs > 0 ? (idleMs + spinMicros / 1000) / elapsedMs : 0;
}

function read(file: string): string | undefined {
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

/** A cgroup CPU quota: how many cores it allows, and a reader of what the cgroup has used (µs). */
export interface CpuQuota {
  cores: number;
  usageMicros(): number | undefined;
}

interface Level {
  cores: number;
  usageMicros(): number | undefined;
}

/** cgroup v2: `cpu.max` is "max 100000" (no quota) or "200000 100000"; `cpu.stat` has usage_usec. */
function v2Level(dir: string): Level | undefined {
  const [quota, period] = (read(join(dir, "cpu.max")) ?? "").trim().split(/\s+/);
  const cores = Number(quota) / Number(period);
  if (!(cores > 0)) return undefined;
  return {
    cores,
    usageMicros: () => {
      const m = /^usage_usec (\d+)$/m.exec(read(join(dir, "cpu.stat")) ?? "");
      return m === null ? undefined : Number(m[1]);
    },
  };
}

/** cgroup v1: cpu.cfs_quota_us (-1: no quota) over cpu.cfs_period_us; cpuacct.usage in ns. */
function v1Level(cpuDir: string, acctDir: string): Level | undefined {
  const cores = Number(read(join(cpuDir, "cpu.cfs_quota_us"))) / Number(read(join(cpuDir, "cpu.cfs_period_us")));
  if (!(cores > 0)) return undefined;
  return {
    cores,
    usageMicros: () => {
      const ns = Number(read(join(acctDir, "cpuacct.usage")));
      return Number.isFinite(ns) && ns >= 0 ? ns / 1000 : undefined;
    },
  };
}

/** The cgroup's directory and each parent up to the mount's root (a quota may sit on any of them). */
function upFrom(mount: string, path: string): string[] {
  const parts = path.split("/").filter((p) => p !== "" && p !== "..");
  return parts.map((_, i) => join(mount, ...parts.slice(0, parts.length - i))).concat(mount);
}

/**
 * The tightest CPU quota on this process's cgroup or its parents, v2 or v1; undefined when none is
 * set or the files are not there (not Linux, no cgroup fs mounted).
 */
export function cpuQuota(fsRoot = "/"): CpuQuota | undefined {
  const cgroups = (read(join(fsRoot, "proc/self/cgroup")) ?? "").split("\n").map((l) => l.split(":"));
  const base = join(fsRoot, "sys/fs/cgroup");
  const levels: (Level | undefined)[] = [];
  for (const [, controllers, path] of cgroups) {
    if (controllers === undefined || path === undefined) continue;
    if (controllers === "") {
      // v2, mounted alone at /sys/fs/cgroup or beside v1 at /sys/fs/cgroup/unified.
      for (const mount of [base, join(base, "unified")]) {
        for (const dir of upFrom(mount, path)) levels.push(v2Level(dir));
      }
    } else if (controllers.split(",").includes("cpu")) {
      const names = controllers.split(",");
      const cpuMount = [join(base, controllers), join(base, "cpu")].find((d) => read(join(d, "cpu.cfs_period_us")) !== undefined);
      const acctLine = cgroups.find((c) => c[1]?.split(",").includes("cpuacct"));
      const acctMount = names.includes("cpuacct") ? cpuMount : join(base, acctLine?.[1] ?? "cpuacct");
      if (cpuMount === undefined || acctMount === undefined) continue;
      const cpuDirs = upFrom(cpuMount, path);
      const acctDirs = upFrom(acctMount, acctLine?.[2] ?? path);
      cpuDirs.forEach((dir, i) => levels.push(v1Level(dir, acctDirs[i] ?? acctMount)));
    }
  }
  return levels.reduce((tightest, l) => (l !== undefined && (tightest === undefined || l.cores < tightest.cores) ? l : tightest), undefined);
}

/** Each CPU's idle time, ms, cumulative: os.cpus() (tests pass their own). */
export type CpuIdleTimes = () => readonly number[];

const osIdleTimes: CpuIdleTimes = () => cpus().map((cpu) => cpu.times.idle);

/**
 * Reads the spare cores over the interval since its last reading. The first reading only starts the
 * interval (and answers Infinity: nothing is known yet).
 */
export class SpareCpuMeter {
  private readonly allowed: Set<number> | undefined;
  private readonly quota: CpuQuota | undefined;
  private last: { at: number; idleMs: number; usageMicros: number | undefined; spinMicros: number } | undefined;

  /** `fsRoot`: where /proc and /sys are (a fake tree in tests). */
  constructor(fsRoot = "/", private readonly idleTimes: CpuIdleTimes = osIdleTimes) {
    this.allowed = allowedCpus(fsRoot);
    this.quota = cpuQuota(fsRoot);
  }

  /** The quota it found, if any (cores). */
  get quotaCores(): number | undefined {
    return this.quota?.cores;
  }

  /** Idle ms (cumulative) of the CPUs this process may run on. */
  private idleMs(): number {
    // os.cpus() lists the online CPUs in order: index i is CPU i unless some are offline.
    return this.idleTimes().reduce((sum, idle, i) => (this.allowed === undefined || this.allowed.has(i) ? sum + idle : sum), 0);
  }

  /** `now`: ms on any monotonic clock; `spinMicros`: the spin's CPU so far (cumulative). */
  read(now: number, spinMicros: number): number {
    const reading = { at: now, idleMs: this.idleMs(), usageMicros: this.quota?.usageMicros(), spinMicros };
    const last = this.last;
    this.last = reading;
    if (last === undefined) return Number.POSITIVE_INFINITY;
    const elapsed = now - last.at;
    const spin = spinMicros - last.spinMicros;
    let spare = spareCores(reading.idleMs - last.idleMs, spin, elapsed);
    if (this.quota !== undefined && reading.usageMicros !== undefined && last.usageMicros !== undefined) {
      const quotaIdleMs = this.quota.cores * elapsed - (reading.usageMicros - last.usageMicros) / 1000;
      spare = Math.min(spare, spareCores(quotaIdleMs, spin, elapsed));
    }
    return spare;
  }
}
