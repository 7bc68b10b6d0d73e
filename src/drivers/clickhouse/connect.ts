// Connecting a clickhouse target: one @clickhouse/client (HTTP, keep-alive, `connections`
// sockets), the server's version read at once (`SELECT version()`: proof that it answers SQL, and
// what it supports), then the target's setup SQL. Anything that stops us from talking to the
// server becomes one TargetUnreachable line naming host:port and what to check.
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from "@clickhouse/client";
import { TargetUnreachable, UsageError } from "../../errors.js";
import { clickHouseStatsProbe } from "../../probes/clickhouse-stats.js";
import type { Probe } from "../../probes/probe.js";
import { rememberSecret } from "../../store/redact.js";
import type { ConnectContext, Connection, PreparedWorkload } from "../driver.js";
import { hostPort } from "../endpoint.js";
import { unknownQueryProblem } from "../named-query.js";
import { runSetup } from "../setup-sql.js";
import { Unreachable } from "../unreachable.js";
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
    await runSetup(target.setup, { target: ctx.name, run: (query) => work.command({ query }), describe: (e) => (e instanceof Error ? serverSentence(e.message) : String(e)) });
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

/** One line naming host:port, what went wrong and what to check. */
export function unreachable(error: unknown, target: ClickHouseTarget, name: string): TargetUnreachable {
  const u = new Unreachable(error, {
    product: "ClickHouse",
    at: hostPort(target.url),
    target: name,
    refused: { ask: "is the server running, and is this its HTTP port (8123 by default, not the native 9000)?", hint: "start one with scripts/clickhouse-local start (it prints url=…), then set CLICKHOUSE_URL to that url" },
    reset: "is this the HTTP port? (the native protocol's 9000 closes HTTP requests)",
  });
  const network = u.network();
  if (network) return network;
  const code = clickHouseCode(error);
  const said = error instanceof Error ? serverSentence(error.message) : String(error);
  if (code === 192 || code === 193 || code === 194 || code === 516) {
    return u.fail(`ClickHouse at ${u.reach.at} refused user "${target.user}" (${said}): check user and password in targets.${name}`, "the user must exist in the server's users.xml (or CREATE USER) and be allowed from this address");
  }
  if (code === 81) {
    return u.fail(`ClickHouse at ${u.reach.at} has no database "${target.database}" (${said}): create it, or fix targets.${name}.database`, `e.g. CREATE DATABASE ${target.database}`);
  }
  return u.timedOut(CONNECT_TIMEOUT_MS) ?? u.other(said);
}
