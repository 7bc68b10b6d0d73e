// One real, throwaway ClickHouse server per test file (scripts/clickhouse-local: Debian's
// clickhouse-server, 18.16 here, in the foreground on free 127.0.0.1 ports with its own temp dir),
// started in `before` and stopped (its dir removed) in `after`. Call at the top level of a file:
//
//   const ch = useClickHouse();
//   test("…", async () => { … ch.url … });
//
// Needs clickhouse-server installed (`scripts/clickhouse-local fetch` as root, which .ci/run does).
// If it is missing, `before` fails with the script's message naming what to install: no silent skip.
//
// Leftovers: `start --owner-pid` leaves a watchdog that stops the server and removes its dir within
// a second or two of this test process's death (even on SIGKILL), and an `exit` listener signals
// the server at once.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { after, before } from "node:test";

export const CLICKHOUSE_LOCAL = fileURLToPath(new URL("../../scripts/clickhouse-local", import.meta.url));

/** The first fetch installs two Debian packages (~22 s); a start takes well under a second. */
const FETCH_TIMEOUT_MS = 5 * 60_000;
const START_TIMEOUT_S = 60;

export interface ScriptResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs `scripts/clickhouse-local ARGS…`; rejects on timeout, or on a non-zero exit unless `allowFailure`. */
export function clickhouseLocal(args: readonly string[], options: { timeoutMs: number; allowFailure?: boolean }): Promise<ScriptResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(CLICKHOUSE_LOCAL, args, { stdio: ["ignore", "pipe", "pipe"], detached: true });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, "SIGKILL"); // the script and anything under it (apt-get)
      } catch {
        child.kill("SIGKILL");
      }
    }, options.timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${CLICKHOUSE_LOCAL}: ${error.message}`));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      const what = `scripts/clickhouse-local ${args.join(" ")}`;
      if (timedOut) reject(new Error(`${what} did not finish within ${options.timeoutMs / 1000} s; killed.\n${stderr}`));
      else if (code !== 0 && !options.allowFailure) reject(new Error(`${what} failed (exit ${code}):\n${stderr}\n${stdout}`));
      else resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

export interface TestClickHouse {
  /** The HTTP interface, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly dir: string;
  readonly pid: number;
  /** Milliseconds from `start` to a SELECT 1 answered. */
  readonly startMs: number;
}

export function useClickHouse(): TestClickHouse {
  let server: TestClickHouse | undefined;
  const onExit = (): void => {
    // Synchronous last resort if the file ends without `after` (the watchdog also cleans up).
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
      await clickhouseLocal(["fetch"], { timeoutMs: FETCH_TIMEOUT_MS });
      const result = await clickhouseLocal(["start", "--timeout", String(START_TIMEOUT_S), "--owner-pid", String(process.pid)], {
        timeoutMs: (START_TIMEOUT_S + 30) * 1000,
      });
      const match = /^url=(\S+) dir=(\S+) pid=(\d+)$/m.exec(result.stdout);
      if (!match) throw new Error(`scripts/clickhouse-local start printed no url line:\n${result.stdout}\n${result.stderr}`);
      server = { url: match[1]!, dir: match[2]!, pid: Number(match[3]), startMs: result.ms };
      process.on("exit", onExit);
    },
    { timeout: FETCH_TIMEOUT_MS + (START_TIMEOUT_S + 60) * 1000 },
  );

  after(
    async () => {
      process.off("exit", onExit);
      // By its dir: a test may have killed the server (a server stopped mid-run), and the dir still goes.
      if (server) await clickhouseLocal(["stop", server.dir], { timeoutMs: 60_000 });
      server = undefined;
    },
    { timeout: 90_000 },
  );

  const started = (): TestClickHouse => {
    if (!server) throw new Error("the ClickHouse server is not running: use it inside tests, not at import time");
    return server;
  };
  return {
    get url() {
      return started().url;
    },
    get dir() {
      return started().dir;
    },
    get pid() {
      return started().pid;
    },
    get startMs() {
      return started().startMs;
    },
  };
}
