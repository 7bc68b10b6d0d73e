// One real, throwaway Trino server per test file (scripts/trino-local: Trino 476 from Maven Central,
// one node on 127.0.0.1, tpch and memory catalogs), started in `before` and stopped (its temp dir
// removed) in `after`. Trino takes 15–60 s to start here, so keep Trino tests in one file. Call at
// the top level of a test file:
//
//   const trino = useTrinoServer();
//   test("…", async () => { … trino.url … });
//
// Needs a Java 22+ JDK (found by the script: TRINO_JAVA_HOME, JAVA_HOME or /usr/lib/jvm) and, the
// first time, Maven. If either is missing, `before` fails with the script's message naming what to
// install: no silent skip.
//
// Leftovers: `start --owner-pid` leaves a watchdog that stops the server and removes its dir within
// a second or two of this test process's death (even on SIGKILL); an `exit` listener signals the
// server at once.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before } from "node:test";

export const TRINO_LOCAL = fileURLToPath(new URL("../../scripts/trino-local", import.meta.url));

/** The first fetch downloads ~240 MB with Maven. */
const FETCH_TIMEOUT_MS = 10 * 60_000;
const START_TIMEOUT_S = 180;

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

export interface TrinoLocalResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs `scripts/trino-local ARGS…`; rejects on timeout (killing its process group) or a non-zero exit. */
export function trinoLocal(args: readonly string[], options: { timeoutMs: number; allowFailure?: boolean }): Promise<TrinoLocalResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(TRINO_LOCAL, args, { stdio: ["ignore", "pipe", "pipe"], detached: true });
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
      reject(new Error(`cannot run ${TRINO_LOCAL}: ${error.message}`));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (child.pid !== undefined) running.delete(child.pid);
      const what = `scripts/trino-local ${args.join(" ")}`;
      const out = `${stderr.trimEnd().split("\n").slice(-40).join("\n")}\n${stdout}`;
      if (timedOut) reject(new Error(`${what} did not finish within ${options.timeoutMs / 1000} s; killed.\n${out}`));
      else if (code !== 0 && options.allowFailure !== true) reject(new Error(`${what} failed (exit ${code}):\n${out}`));
      else resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

export interface TestTrino {
  /** The coordinator, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly dir: string;
  readonly pid: number;
  /** Milliseconds from `start` until a real query was answered. */
  readonly startMs: number;
}

export interface TrinoServerOptions {
  /** Run at most this many queries at once (a resource group; the rest queue). */
  readonly maxConcurrent?: number;
}

export function useTrinoServer(options: TrinoServerOptions = {}): TestTrino {
  let server: TestTrino | undefined;
  let dir: string | undefined;
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
      await trinoLocal(["fetch"], { timeoutMs: FETCH_TIMEOUT_MS });
      dir = await mkdtemp(join(tmpdir(), "pipebench-trino-test-"));
      let result: TrinoLocalResult;
      try {
        const limit = options.maxConcurrent === undefined ? [] : ["--max-concurrent", String(options.maxConcurrent)];
        result = await trinoLocal(["start", "--dir", dir, "--timeout", String(START_TIMEOUT_S), "--owner-pid", String(process.pid), ...limit], {
          timeoutMs: (START_TIMEOUT_S + 30) * 1000,
        });
      } catch (error) {
        await trinoLocal(["stop", "--dir", dir], { timeoutMs: 60_000, allowFailure: true }).catch(() => undefined);
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
      const match = /^url=(\S+) dir=(.+) pid=(\d+)$/m.exec(result.stdout);
      if (!match) throw new Error(`scripts/trino-local start printed no url line:\n${result.stdout}\n${result.stderr}`);
      server = { url: match[1]!, dir: match[2]!, pid: Number(match[3]), startMs: result.ms };
      process.on("exit", onExit);
    },
    { timeout: FETCH_TIMEOUT_MS + (START_TIMEOUT_S + 60) * 1000 },
  );

  after(
    async () => {
      process.off("exit", onExit);
      if (dir) await trinoLocal(["stop", "--dir", dir], { timeoutMs: 60_000 });
      server = undefined;
    },
    { timeout: 90_000 },
  );

  const started = (): TestTrino => {
    if (!server) throw new Error("the Trino server is not running: use it inside tests, not at import time");
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
