// Which process owns a running run, and whether that process is still there. A run is begun with
// its owner (pid, host, a start token); a later pipebench that finds the run still `running` asks
// `ownerGone` before marking it `incomplete`, so a run another live process is writing is left alone.
//
// A pid alone is not enough: after a crash the pid may be given to an unrelated process. On Linux
// the start token is the boot id plus the process's start time in clock ticks since boot
// (/proc/<pid>/stat field 22): exact, and immune to wall-clock changes. Elsewhere there is no token
// and only "does the pid exist" is asked — a reused pid then keeps a dead run `running` (safe side).
// The owner's pid namespace follows an `@`: a process in another one (a container sharing the store
// or /tmp under the same hostname) cannot be seen from here, so it is never judged gone.
import { readFileSync, readlinkSync } from "node:fs";
import { hostname } from "node:os";

export interface RunOwner {
  pid: number;
  host: string;
  /** Opaque; equal tokens for one pid mean one process. Undefined where it cannot be read. */
  start?: string;
}

export function currentOwner(): RunOwner {
  const start = processStartToken(process.pid);
  const ns = pidNamespace();
  return { pid: process.pid, host: hostname(), ...(start === undefined ? {} : { start: ns === undefined ? start : `${start}@${ns}` }) };
}

/** The inode of this process's pid namespace (/proc/self/ns/pid → "pid:[4026531836]"). */
function pidNamespace(): string | undefined {
  try {
    return /\[(\d+)\]/.exec(readlinkSync("/proc/self/ns/pid"))?.[1];
  } catch {
    return undefined;
  }
}

/** `<boot id>:<start ticks>` of a live process on Linux; undefined elsewhere or when it is gone. */
export function processStartToken(pid: number): string | undefined {
  const stat = procStat(pid);
  const bootId = readOr("/proc/sys/kernel/random/boot_id");
  if (stat === undefined || bootId === undefined) return undefined;
  return `${bootId.trim()}:${stat.startTicks}`;
}

/**
 * True only when the owner is certainly gone: it ran on this host and its pid no longer exists, is
 * a zombie, or now belongs to a process that started at another time (or in another boot).
 * Another host's runs are never judged: their processes cannot be seen from here.
 */
export function ownerGone(owner: RunOwner): boolean {
  if (owner.host !== hostname()) return false;
  const [started, ns] = (owner.start ?? "").split("@");
  if (ns !== undefined && ns !== pidNamespace()) return false;
  if (!processAlive(owner.pid)) return true;
  if (owner.start === undefined) return false;
  const now = processStartToken(owner.pid);
  return now !== undefined && now !== started;
}

/** A process with this pid exists on this host and is not a zombie (dead, awaiting its parent). */
export function processAlive(pid: number): boolean {
  return pidExists(pid) && procStat(pid)?.state !== "Z";
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, as another user's process.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

interface ProcStat {
  state: string;
  startTicks: string;
}

function procStat(pid: number): ProcStat | undefined {
  const text = readOr(`/proc/${pid}/stat`);
  if (text === undefined) return undefined;
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ")".
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const state = fields[0];
  const startTicks = fields[19]; // field 22 of the whole line; `fields` starts at field 3
  return state === undefined || startTicks === undefined ? undefined : { state, startTicks };
}

function readOr(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
