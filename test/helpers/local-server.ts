// What the tests' real servers have in common (scripts/kafka-local, trino-local, clickhouse-local):
// run a script with a bound, killing its whole process group on timeout; and one server per test
// file, fetched and started in `before`, stopped (its dir removed) in `after`, signalled by an
// `exit` listener if the file ends without `after`. Each script's `start --owner-pid` also leaves a
// watchdog that stops the server within a second or two of this process's death, even on SIGKILL.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, before } from "node:test";

// Process groups of the scripts still running (a perf tool, a start), killed if this process exits
// first, e.g. on an uncaught error.
const running = new Set<number>();
process.on("exit", () => {
  for (const pgid of running) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

export interface ScriptResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

function tail(text: string, lines = 40): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

/** The end of what a failed script printed: its last 40 lines of stderr, then of stdout. */
export function scriptOutput(stderr: string, stdout: string): string {
  return [tail(stderr), tail(stdout)].filter((part) => part !== "").join("\n");
}

/**
 * Runs `SCRIPT ARGS…` and collects its output. On timeout the whole process group (the script and
 * any java, mvn or apt-get under it) is killed and the promise rejects; a non-zero exit rejects too,
 * with the script's output, unless `allowFailure`.
 */
export function runScript(
  script: string,
  args: readonly string[],
  options: { timeoutMs: number; allowFailure?: boolean; env?: NodeJS.ProcessEnv },
): Promise<ScriptResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(script, args, {
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group, so a timeout can kill what runs below it too
      env: options.env ?? process.env,
    });
    if (child.pid !== undefined) running.add(child.pid);
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }, options.timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${script}: ${error.message}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (child.pid !== undefined) running.delete(child.pid);
      const what = `scripts/${basename(script)} ${args.join(" ")}`;
      if (timedOut) reject(new Error(`${what} did not finish within ${options.timeoutMs / 1000} s; killed.\n${scriptOutput(stderr, stdout)}`));
      else if (code !== 0 && options.allowFailure !== true) reject(new Error(`${what} failed (${signal ?? `exit ${code}`}):\n${scriptOutput(stderr, stdout)}`));
      else resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** A started server: what its start line printed, and how long start took. */
export interface LocalServer {
  /** `bootstrap=` (Kafka) or `url=` (Trino, ClickHouse). */
  readonly address: string;
  readonly dir: string;
  readonly pid: number;
  /** Milliseconds from `start` until the script found it ready. */
  readonly startMs: number;
}

export interface LocalServerSpec {
  /** The script's absolute path. */
  readonly script: string;
  /** For messages: "the Kafka broker". */
  readonly name: string;
  /** The start line's first field: `bootstrap=… dir=… pid=…` or `url=… dir=… pid=…`. */
  readonly key: "bootstrap" | "url";
  readonly fetchTimeoutMs: number;
  readonly startTimeoutS: number;
  /** Extra `start` arguments. */
  readonly startArgs?: readonly string[];
  /** Start in a fresh temp dir of this prefix (`--dir`), removed if the start fails. */
  readonly tempDirPrefix?: string;
}

/**
 * One server for the calling test file: fetched and started in `before`, stopped by its dir in
 * `after` (by its dir, so a server a test killed is cleaned up too). The returned function gives the
 * started server inside tests, and throws at import time.
 */
export function useLocalServer(spec: LocalServerSpec): () => LocalServer {
  let server: LocalServer | undefined;
  const onExit = (): void => {
    if (server) {
      try {
        process.kill(server.pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
  };

  before(
    async () => {
      await runScript(spec.script, ["fetch"], { timeoutMs: spec.fetchTimeoutMs });
      const dir = spec.tempDirPrefix === undefined ? undefined : await mkdtemp(join(tmpdir(), spec.tempDirPrefix));
      const args = ["start", ...(dir === undefined ? [] : ["--dir", dir]), "--timeout", String(spec.startTimeoutS), "--owner-pid", String(process.pid), ...(spec.startArgs ?? [])];
      let result: ScriptResult;
      try {
        result = await runScript(spec.script, args, { timeoutMs: (spec.startTimeoutS + 60) * 1000 });
      } catch (error) {
        if (dir !== undefined) {
          await runScript(spec.script, ["stop", "--dir", dir], { timeoutMs: 60_000, allowFailure: true }).catch(() => undefined);
          await rm(dir, { recursive: true, force: true });
        }
        throw error;
      }
      const match = new RegExp(`^${spec.key}=(\\S+) dir=(.+) pid=(\\d+)$`, "m").exec(result.stdout);
      if (!match) throw new Error(`scripts/${basename(spec.script)} start printed no ${spec.key} line:\n${scriptOutput(result.stderr, result.stdout)}`);
      server = { address: match[1]!, dir: match[2]!, pid: Number(match[3]), startMs: result.ms };
      process.on("exit", onExit);
    },
    { timeout: spec.fetchTimeoutMs + (spec.startTimeoutS + 90) * 1000 },
  );

  after(
    async () => {
      process.off("exit", onExit);
      if (server) await runScript(spec.script, ["stop", "--dir", server.dir], { timeoutMs: 90_000 });
      server = undefined;
    },
    { timeout: 120_000 },
  );

  return () => {
    if (!server) throw new Error(`${spec.name} is not running: use it inside tests, not at import time`);
    return server;
  };
}

/** What a test reads of a server reached by URL (Trino, ClickHouse, Prometheus). */
export interface UrlServer {
  readonly url: string;
  readonly dir: string;
  readonly pid: number;
  /** Milliseconds from `start` until the script found it ready. */
  readonly startMs: number;
}

/**
 * The server as getters, so a helper can hand its object out at import time and tests read it once
 * `before` has started the server (a helper adds its own methods with Object.assign, which leaves
 * these getters alone).
 */
export function urlServer(server: () => LocalServer): UrlServer {
  return {
    get url() {
      return server().address;
    },
    get dir() {
      return server().dir;
    },
    get pid() {
      return server().pid;
    },
    get startMs() {
      return server().startMs;
    },
  };
}
