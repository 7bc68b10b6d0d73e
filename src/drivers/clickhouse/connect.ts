// Connecting a clickhouse target: one @clickhouse/client (HTTP, keep-alive, `connections`
// sockets), the server's version read at once (`SELECT version()`: proof that it answers SQL, and
// what it supports), then the target's setup SQL. Anything that stops us from talking to the
// server becomes one TargetUnreachable line naming host:port and what to check.
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from "@clickhouse/client";
import { TargetFailed, TargetUnreachable, UsageError } from "../../errors.js";
import { clickHouseStatsProbe } from "../../probes/clickhouse-stats.js";
import type { Probe } from "../../probes/probe.js";
import { rememberSecret } from "../../store/redact.js";
import type { ConnectContext, Connection, PreparedWorkload } from "../driver.js";
import { hostPort } from "../endpoint.js";
import { unknownQueryProblem } from "../named-query.js";
import { clickHouseCode, serverSentence } from "./errors.js";
import { prepareInsert, type RowCounter } from "./insert.js";
import { prepareQuery } from "./query.js";
import type { ClickHouseTarget, ClickHouseWorkload } from "./schema.js";
import { featuresOf, parseVersion, type ServerFeatures } from "./server-features.js";
import { slots } from "./slots.js";

/** How long connecting (the version query) may take before the target counts as unreachable. */
const CONNECT_TIMEOUT_MS = 10_000;

export interface ClickHouseClientOptions {
  url: string;
  user: string;
  password?: string | undefined;
  database: string;
  connections: number;
  requestTimeoutMs: number;
  settings?: Readonly<Record<string, string | number | boolean>>;
}

/** A client for the target (the workloads') or for a probe (one connection of its own). */
export function clickHouseClient(o: ClickHouseClientOptions): ClickHouseClient {
  return createClient({
    url: o.url,
    username: o.user,
    password: o.password ?? "",
    database: o.database,
    max_open_connections: o.connections,
    request_timeout: o.requestTimeoutMs,
    application: "pipebench",
    // Errors reach the engine, which counts them by kind; the client's own log would print each one too.
    log: { level: ClickHouseLogLevel.OFF },
    // Only the suite's settings: 18.16 refuses any setting it does not know, for the whole request.
    clickhouse_settings: { ...(o.settings ?? {}) },
  });
}

/** The server's version and what it supports; throws what the server or the network said. */
export async function readFeatures(client: ClickHouseClient): Promise<ServerFeatures> {
  const version = await scalar(client, "SELECT version()");
  const type = await scalar(client, "SELECT type FROM system.columns WHERE database = 'system' AND table = 'query_log' AND name = 'type'");
  return featuresOf(parseVersion(version ?? "0"), type === "" ? undefined : type);
}

/** The first field of the first row, as text ("" when there is no row). */
export async function scalar(client: ClickHouseClient, sql: string): Promise<string> {
  const result = await client.query({ query: sql, format: "TabSeparated" });
  return (await result.text()).split("\n")[0] ?? "";
}

export async function connectClickHouse(target: ClickHouseTarget, ctx: ConnectContext): Promise<Connection<ClickHouseWorkload>> {
  if (target.password !== undefined && target.password !== "") rememberSecret(target.password);
  const options: ClickHouseClientOptions = { ...target, settings: target.settings };
  const client = clickHouseClient({ ...options, requestTimeoutMs: Math.min(target.requestTimeoutMs, CONNECT_TIMEOUT_MS) });
  let features: ServerFeatures;
  try {
    features = await readFeatures(client);
  } catch (error) {
    await client.close().catch(() => undefined);
    throw unreachable(error, target, ctx.name);
  }
  await client.close().catch(() => undefined);
  // The workloads' client, with the suite's request timeout (the first one used the connect timeout).
  const work = clickHouseClient(options);
  try {
    await runSetup(work, target.setup, ctx.name);
  } catch (error) {
    await work.close().catch(() => undefined);
    throw error;
  }
  return clickHouseConnection(target, ctx.name, work, features);
}

function clickHouseConnection(
  target: ClickHouseTarget,
  name: string,
  client: ClickHouseClient,
  features: ServerFeatures,
): Connection<ClickHouseWorkload> {
  // Row counters outlive one scenario: a later scenario (or trial) writing the same table with the
  // same generator and seed continues where the last stopped instead of repeating its rows.
  const counters = new Map<string, RowCounter>();
  const inFlight = slots(target.connections);
  const probes: (Probe & { close(): Promise<void> })[] = [];
  const c = { client, features, slots: inFlight, connections: target.connections };
  let closing: Promise<void> | undefined;
  return {
    info: { version: `ClickHouse ${features.version.text}`, url: target.url },
    async prepare(workload, scenario): Promise<PreparedWorkload> {
      if (workload.type === "insert") {
        const key = `${workload.table}\u0000${workload.generator}\u0000${workload.seed}`;
        let counter = counters.get(key);
        if (!counter) counters.set(key, (counter = { next: 0 }));
        return prepareInsert(c, workload, counter);
      }
      const problem = unknownQueryProblem(workload, target.queries, name);
      if (problem) throw new UsageError(`scenario ${scenario}: ${problem.message}`, { hint: problem.fix });
      return prepareQuery(c, workload, target.queries, scenario);
    },
    probe(kind: string): Probe | undefined {
      if (kind !== "clickhouse-stats") return undefined;
      const probe = clickHouseStatsProbe({
        client: clickHouseClient({ ...target, connections: 1, settings: {} }),
        features,
        database: target.database,
      });
      probes.push(probe);
      return probe;
    },
    close(): Promise<void> {
      closing ??= (async () => {
        await Promise.all(probes.map((p) => p.close()));
        await client.close().catch(() => undefined);
      })();
      return closing;
    },
  };
}

async function runSetup(client: ClickHouseClient, statements: readonly string[], target: string): Promise<void> {
  for (const [i, sql] of statements.entries()) {
    try {
      await client.command({ query: sql });
    } catch (error) {
      const oneLine = sql.replace(/\s+/g, " ").trim();
      throw new TargetFailed(target, `targets.${target}.setup[${i}] failed: ${serverSentence((error as Error).message)}`, {
        hint: `the statement was: ${oneLine.length > 160 ? `${oneLine.slice(0, 157)}…` : oneLine}`,
        cause: error,
      });
    }
  }
}

const NETWORK: Readonly<Record<string, [string, string]>> = {
  ECONNREFUSED: ["connection refused", "is the server running, and is this its HTTP port (8123 by default, not the native 9000)?"],
  ENOTFOUND: ["host not found", "check the host name"],
  EAI_AGAIN: ["host name lookup failed", "check the host name and that DNS works from this machine"],
  EHOSTUNREACH: ["no route to host", "is the host up, and is a firewall in the way?"],
  ENETUNREACH: ["network unreachable", "check the network path from this machine to the server"],
  ECONNRESET: ["connection reset", "is this the HTTP port? (the native protocol's 9000 closes HTTP requests)"],
  ETIMEDOUT: ["connect timed out", "is the host up, and is a firewall in the way?"],
};

/** One line naming host:port, what went wrong and what to check. */
export function unreachable(error: unknown, target: ClickHouseTarget, name: string): TargetUnreachable {
  const at = hostPort(target.url);
  const where = `targets.${name}.url`;
  const errno = (error as { code?: unknown }).code;
  const fail = (message: string, hint: string) => new TargetUnreachable(name, message, { hint, cause: error });
  const network = typeof errno === "string" ? NETWORK[errno] : undefined;
  if (network) return fail(`cannot reach ClickHouse at ${at} (${errno}: ${network[0]}): check the url in ${where}`, network[1]);
  const code = clickHouseCode(error);
  const said = error instanceof Error ? serverSentence(error.message) : String(error);
  if (code === 192 || code === 193 || code === 194 || code === 516) {
    return fail(`ClickHouse at ${at} refused user "${target.user}" (${said}): check user and password in targets.${name}`, "the user must exist in the server's users.xml (or CREATE USER) and be allowed from this address");
  }
  if (code === 81) {
    return fail(`ClickHouse at ${at} has no database "${target.database}" (${said}): create it, or fix targets.${name}.database`, `e.g. CREATE DATABASE ${target.database}`);
  }
  if (error instanceof Error && /timeout/i.test(error.message)) {
    return fail(`cannot reach ClickHouse at ${at} (no answer within ${CONNECT_TIMEOUT_MS / 1000} s): check the url in ${where}`, "is the host up, and is a firewall in the way?");
  }
  return fail(`cannot connect to ClickHouse at ${at}: ${said}`, `check the server and the url in ${where}`);
}
