// A service pipebench starts itself as the system under test (`start:` on an http target): it
// runs the command on a free port, waits until the service answers, and stops it afterwards.
// Its output is kept (the last lines only) so that a service that dies can say why.
import { spawn, type ChildProcess } from "node:child_process";
import { freePort } from "../free-port.js";
import { watchOwnerForGroup } from "../owner-watchdog.js";
import { resolve } from "node:path";
import type { ConnectContext } from "../driver.js";
import { TargetFailed } from "../../errors.js";
import { formatDuration } from "../../suite/units.js";
import type { HttpStart } from "./schema.js";

const OUTPUT_LINES = 40;
const POLL_MS = 100;

export interface StartedService {
  /** `http://127.0.0.1:PORT` unless the target gave its own url. */
  readonly url: string;
  readonly port: number;
  readonly pid: number | undefined;
  /** The service's last output lines, stdout and stderr interleaved. */
  output(): string[];
  /** SIGTERM to the service's process group, SIGKILL after `stopTimeout`; resolves when it exited. */
  stop(): Promise<void>;
}

export async function startService(
  start: HttpStart,
  ctx: ConnectContext,
  options: { url?: string } = {},
): Promise<StartedService> {
  const port = await freePort();
  const url = options.url ?? `http://127.0.0.1:${port}`;
  const env = { ...process.env, ...substituteRefs(start.env ?? {}, ctx), PORT: String(port) };
  const cwd = resolve(ctx.suiteDir, start.cwd ?? ".");
  const [command = "", ...args] = start.command;
  const shown = start.command.join(" ");

  ctx.log(`${ctx.name}: starting ${shown} on port ${port} …`);
  // `node` means the Node running pipebench, not whichever one PATH finds first. A process group of
  // its own (detached) lets stop() reach the children of wrappers such as `npm run` or `sh -c`.
  const child = spawn(command === "node" ? process.execPath : command, args, {
    cwd,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const output = captureOutput(child);
  const exited = exitOf(child);
  const closed = new Promise<void>((done) => child.once("close", () => done()));
  // If pipebench itself exits without closing the target, do not leave the service running; if it
  // is killed outright (no exit handler runs), the watchdog stops the service's group.
  const killOnExit = (): void => signalGroup(child, "SIGKILL");
  process.once("exit", killOnExit);
  if (child.pid !== undefined) {
    const watchdog = watchOwnerForGroup(child.pid, start.stopTimeout);
    child.once("exit", () => watchdog.cancel());
  }

  const service: StartedService = {
    url,
    port,
    pid: child.pid,
    output: () => output.lines(),
    async stop() {
      process.removeListener("exit", killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      signalGroup(child, "SIGTERM");
      const timer = setTimeout(() => signalGroup(child, "SIGKILL"), start.stopTimeout);
      await exited;
      clearTimeout(timer);
    },
  };

  let failure: string | undefined;
  try {
    failure = await waitUntilReady(url, start, shown, exited);
  } catch (error) {
    // Whatever went wrong while waiting, the service started here is stopped here.
    failure = `waiting for ${shown} to be ready failed: ${(error as Error).message}`;
  }
  if (failure === undefined) {
    ctx.log(`${ctx.name}: ${shown} is ready at ${url}`);
    return service;
  }
  await service.stop();
  // `exit` can come before the last output has been read from the pipes; give it a moment.
  await Promise.race([closed, sleep(200)]);
  throw new TargetFailed(ctx.name, `${failure}${outputBlock(output.lines())}`, {
    hint: `run it by hand to see why: cd ${cwd} && PORT=${port} ${shown}`,
  });
}

/** undefined once `ready` answers 2xx; otherwise why not. */
async function waitUntilReady(
  url: string,
  start: HttpStart,
  shown: string,
  exited: Promise<ExitInfo>,
): Promise<string | undefined> {
  let exit: ExitInfo | undefined;
  void exited.then((e) => (exit = e));
  // undici only for this polling, and only loaded when a target has `start:`.
  const { Client } = await import("undici");
  // undici's Client takes an origin; a target url may have a path (http://127.0.0.1:8080/api).
  const client = new Client(new URL(url).origin, { headersTimeout: 2_000, bodyTimeout: 2_000, connectTimeout: 2_000 });
  const deadline = Date.now() + start.timeout;
  let last = "no answer yet";
  try {
    for (;;) {
      if (exit !== undefined) return `${describeExit(shown, exit)} before GET ${start.ready} answered 2xx`;
      try {
        const response = await client.request({ method: "GET", path: start.ready });
        await response.body.dump();
        if (response.statusCode >= 200 && response.statusCode < 300) return undefined;
        last = `HTTP ${response.statusCode}`;
      } catch (error) {
        last = (error as { code?: string }).code ?? (error as Error).message;
      }
      if (Date.now() >= deadline) {
        return `${shown} did not answer 2xx on GET ${start.ready} within ${formatDuration(start.timeout)} (last: ${last})`;
      }
      await Promise.race([sleep(POLL_MS), exited]);
    }
  } finally {
    await client.destroy().catch(() => undefined);
  }
}

/** Replaces `{{targets.NAME.url}}` (any `{{ref}}`) with the value of a target connected earlier. */
export function substituteRefs(env: Record<string, string>, ctx: ConnectContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    out[key] = value.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (_, ref: string) => {
      const resolved = ctx.resolveRef(ref);
      if (resolved === undefined) {
        throw new TargetFailed(ctx.name, `start.env.${key} refers to {{${ref}}}, which has no value`, {
          hint: "name a target of this suite that has a URL, e.g. {{targets.pg.url}} for an embedded PostgreSQL target named pg",
        });
      }
      return resolved;
    });
  }
  return out;
}


interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

function exitOf(child: ChildProcess): Promise<ExitInfo> {
  return new Promise((done) => {
    // `error` without `exit` happens when the command cannot be spawned at all (ENOENT, EACCES).
    child.once("error", (error) => done({ code: null, signal: null, error }));
    child.once("exit", (code, signal) => done({ code, signal }));
  });
}

function describeExit(command: string, exit: ExitInfo): string {
  if (exit.error !== undefined) {
    const code = (exit.error as { code?: string }).code;
    const why = code === "ENOENT" ? "command not found" : exit.error.message;
    return `could not start ${command}: ${why}${code === undefined ? "" : ` (${code})`}`;
  }
  return exit.signal !== null
    ? `${command} was killed by ${exit.signal}`
    : `${command} exited with code ${exit.code ?? "?"}`;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already, or was never created: signal the process itself.
    child.kill(signal);
  }
}

/** Keeps the last OUTPUT_LINES lines of stdout and stderr, in the order they arrived. */
function captureOutput(child: ChildProcess): { lines(): string[] } {
  const lines: string[] = [];
  const partial = { stdout: "", stderr: "" };
  const take = (stream: "stdout" | "stderr") => (chunk: string) => {
    const parts = (partial[stream] + chunk).split(/\r?\n/);
    partial[stream] = parts.pop() ?? "";
    lines.push(...parts);
    if (lines.length > OUTPUT_LINES) lines.splice(0, lines.length - OUTPUT_LINES);
  };
  child.stdout?.setEncoding("utf8").on("data", take("stdout"));
  child.stderr?.setEncoding("utf8").on("data", take("stderr"));
  return {
    lines: () => [...lines, ...[partial.stdout, partial.stderr].filter((l) => l.length > 0)].slice(-OUTPUT_LINES),
  };
}

function outputBlock(lines: readonly string[]): string {
  if (lines.length === 0) return "; it printed nothing";
  return `; its last output:\n${lines.map((l) => `  | ${l}`).join("\n")}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
