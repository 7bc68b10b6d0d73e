// Shared by the interruption tests: run the interrupt fixture suite (an embedded PostgreSQL and the
// ingest service started by `start.command`), send a signal a few seconds into its HTTP scenario,
// and report what pipebench started, how it ended, and how long the ending took.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { BIN } from "./helpers.js";

export const INTERRUPT_SUITE = fileURLToPath(new URL("../fixtures/suites/interrupt.yaml", import.meta.url));

export interface SignalledRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  /** From the signal to the process's exit. */
  endedInMs: number;
  /** What pipebench had started when the signal was sent, by pid. */
  started: { postgres: number; ingest: number };
}

/** The process's state letter (R, S, Z …), or undefined when no such process exists. */
export function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
  } catch {
    return undefined;
  }
}

/** Gone: no such process, or a zombie waiting to be reaped by init. */
export function gone(pid: number): boolean {
  const state = procState(pid);
  return state === undefined || state === "Z";
}

/** Direct children of `pid`, with their command lines. */
function children(pid: number): { pid: number; cmd: string }[] {
  const out: { pid: number; cmd: string }[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid !== pid) continue;
      out.push({ pid: Number(entry), cmd: readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ") });
    } catch {
      // exited while we looked
    }
  }
  return out;
}

/**
 * What pipebench left in the TMPDIR it ran with. Node's compile cache (bin/pipebench.js enables it)
 * is kept there on purpose, shared by every later start, as tsc's is: not a temp dir of the run.
 */
export function leftInTmp(tmp: string): string[] {
  return readdirSync(tmp).filter((name) => name !== "node-compile-cache");
}

/**
 * Runs the suite with `tmp` as its TMPDIR (so every temp dir it makes is ours to check) and sends
 * `signal` `afterMs` into the HTTP scenario.
 */
export function runAndSignal(store: string, tmp: string, signal: NodeJS.Signals, afterMs: number): Promise<SignalledRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "run", INTERRUPT_SUITE, "--store", store], {
      env: { ...process.env, NO_COLOR: "1", TMPDIR: tmp },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let timer: NodeJS.Timeout | undefined;
    let sentAt = 0;
    let started = { postgres: -1, ingest: -1 };
    const onData = (chunk: string): void => {
      output += chunk;
      if (timer === undefined && /▸ \[2\/2\] http-ingest/.test(output)) {
        timer = setTimeout(() => {
          const kids = children(child.pid ?? -1);
          const find = (re: RegExp): number => kids.find((k) => re.test(k.cmd))?.pid ?? -1;
          started = { postgres: find(/\/bin\/postgres -D /), ingest: find(/ingest-service\.js/) };
          sentAt = performance.now();
          child.kill(signal);
        }, afterMs);
      }
    };
    child.stdout.setEncoding("utf8").on("data", onData);
    child.stderr.setEncoding("utf8").on("data", onData);
    const bound = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("error", reject);
    child.on("exit", (code, sig) => {
      const endedInMs = performance.now() - sentAt;
      clearTimeout(bound);
      clearTimeout(timer);
      // `exit` can precede the last output; `close` follows it.
      child.on("close", () => resolve({ code, signal: sig, output, endedInMs, started }));
    });
  });
}
