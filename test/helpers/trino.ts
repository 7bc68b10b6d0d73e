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
import { fileURLToPath } from "node:url";
import { runScript, urlServer, useLocalServer, type ScriptResult } from "./local-server.js";

export const TRINO_LOCAL = fileURLToPath(new URL("../../scripts/trino-local", import.meta.url));

/** The first fetch downloads ~240 MB with Maven. */
const FETCH_TIMEOUT_MS = 10 * 60_000;
const START_TIMEOUT_S = 180;

export type TrinoLocalResult = ScriptResult;

/** Runs `scripts/trino-local ARGS…` (see runScript). */
export function trinoLocal(args: readonly string[], options: { timeoutMs: number; allowFailure?: boolean }): Promise<TrinoLocalResult> {
  return runScript(TRINO_LOCAL, args, options);
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
  const server = useLocalServer({
    script: TRINO_LOCAL,
    name: "the Trino server",
    key: "url",
    fetchTimeoutMs: FETCH_TIMEOUT_MS,
    startTimeoutS: START_TIMEOUT_S,
    tempDirPrefix: "pipebench-trino-test-",
    startArgs: options.maxConcurrent === undefined ? [] : ["--max-concurrent", String(options.maxConcurrent)],
  });
  return urlServer(server);
}
