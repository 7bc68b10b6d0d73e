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
import { fileURLToPath } from "node:url";
import { runScript, urlServer, useLocalServer, type ScriptResult } from "./local-server.js";

export const CLICKHOUSE_LOCAL = fileURLToPath(new URL("../../scripts/clickhouse-local", import.meta.url));

/** The first fetch installs two Debian packages (~22 s); a start takes well under a second. */
const FETCH_TIMEOUT_MS = 5 * 60_000;
const START_TIMEOUT_S = 60;

export type { ScriptResult };

/** Runs `scripts/clickhouse-local ARGS…` (see runScript). */
export function clickhouseLocal(args: readonly string[], options: { timeoutMs: number; allowFailure?: boolean }): Promise<ScriptResult> {
  return runScript(CLICKHOUSE_LOCAL, args, options);
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
  const server = useLocalServer({
    script: CLICKHOUSE_LOCAL,
    name: "the ClickHouse server",
    key: "url",
    fetchTimeoutMs: FETCH_TIMEOUT_MS,
    startTimeoutS: START_TIMEOUT_S,
  });
  return urlServer(server);
}
