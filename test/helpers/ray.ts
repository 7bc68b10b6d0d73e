// One real, throwaway Ray head per test file (scripts/ray-local: ray[default] 2.60 from PyPI, 2 CPUs,
// a 128 MiB object store, every port on 127.0.0.1), started in `before` and stopped (its processes
// gone, its dir removed) in `after`. Ray takes 10–40 s to start here: keep Ray tests in one file.
//
//   const ray = useRayHead();
//   test("…", async () => { … ray.url … });
//
// And the loopback check the issue asks for: which TCP sockets the head's processes hold (their fds'
// socket inodes, looked up in /proc/net/tcp and tcp6), and whether any has a non-loopback address.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { urlServer, useLocalServer, type UrlServer } from "./local-server.js";

export const RAY_LOCAL = fileURLToPath(new URL("../../scripts/ray-local", import.meta.url));

/** The first fetch installs ~450 MB of wheels with pip. */
const FETCH_TIMEOUT_MS = 10 * 60_000;
const START_TIMEOUT_S = 240;

/** The dashboard / Jobs API as `url` (e.g. http://127.0.0.1:41234), its dir, and `pid`: `ray start
 * --block`, the leader of the head's process group. */
export type TestRay = UrlServer;

export function useRayHead(): TestRay {
  return urlServer(
    useLocalServer({
      script: RAY_LOCAL,
      name: "the Ray head",
      key: "url",
      fetchTimeoutMs: FETCH_TIMEOUT_MS,
      startTimeoutS: START_TIMEOUT_S,
    }),
  );
}

/**
 * The head's processes now: its process group (ray-local starts it under setsid), any naming its
 * dir, and every descendant of those (a job's entrypoint, such as pipebench's load agent, runs in a
 * session of its own under the job supervisor).
 */
export function headProcesses(head: Pick<TestRay, "pid" | "dir">): number[] {
  const parent = new Map<number, number>();
  const found = new Set<number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] === "Z") continue;
      const pid = Number(name);
      parent.set(pid, Number(fields[1]));
      const cmdline = readFileSync(`/proc/${name}/cmdline`, "utf8");
      if (Number(fields[2]) === head.pid || cmdline.includes(`${head.dir}/t/`)) found.add(pid);
    } catch {
      // gone meanwhile
    }
  }
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parent) {
      if (!found.has(pid) && found.has(ppid)) {
        found.add(pid);
        grew = true;
      }
    }
  }
  return [...found];
}

export interface TcpSocket {
  readonly pid: number;
  readonly local: string;
  readonly remote: string;
  readonly state: string;
}

/** The TCP sockets (v4 and v6) these processes hold open, by their fds' socket inodes. */
export function tcpSocketsOf(pids: readonly number[]): TcpSocket[] {
  const owner = new Map<string, number>();
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
        const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
        if (inode !== undefined) owner.set(inode, pid);
      } catch {
        // closed meanwhile
      }
    }
  }
  const out: TcpSocket[] = [];
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      const pid = owner.get(cols[9]!);
      if (pid === undefined) continue;
      out.push({ pid, local: decodeAddress(cols[1]!), remote: decodeAddress(cols[2]!), state: cols[3]! });
    }
  }
  return out;
}

/** "0100007F:1F90" → "127.0.0.1:8080"; the 32-hex-digit v6 form → "[…]:port" (v4-mapped shown as v4). */
export function decodeAddress(hex: string): string {
  const [addr = "", port = ""] = hex.split(":");
  const p = Number.parseInt(port, 16);
  if (addr.length === 8) return `${v4(addr)}:${p}`;
  // Four little-endian 32-bit words.
  const words = (addr.match(/.{8}/g) ?? []).map((w) => (w.match(/../g) ?? []).reverse().join(""));
  if (words[0] === "00000000" && words[1] === "00000000" && words[2] === "0000FFFF") return `${v4((words[3]!.match(/../g) ?? []).reverse().join(""))}:${p}`;
  const groups = words.flatMap((w) => [w.slice(0, 4), w.slice(4)]).map((g) => Number.parseInt(g, 16).toString(16));
  return `[${groups.join(":")}]:${p}`;
}

function v4(littleEndianHex: string): string {
  return (littleEndianHex.match(/../g) ?? []).reverse().map((b) => Number.parseInt(b, 16)).join(".");
}

/** Loopback: 127.0.0.0/8 or ::1. (A listener on 0.0.0.0 or :: is not: it is reachable from outside.) */
export function isLoopback(address: string): boolean {
  return /^127\.\d+\.\d+\.\d+:\d+$/.test(address) || /^\[0:0:0:0:0:0:0:1\]:\d+$/.test(address);
}

/** The sockets with a local or remote address off loopback (remote 0.0.0.0:0 = a listener: no peer). */
export function offLoopback(sockets: readonly TcpSocket[]): TcpSocket[] {
  return sockets.filter((s) => !isLoopback(s.local) || (s.remote !== "0.0.0.0:0" && s.remote !== "[0:0:0:0:0:0:0:0]:0" && !isLoopback(s.remote)));
}
