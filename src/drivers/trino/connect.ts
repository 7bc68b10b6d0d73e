// Connecting a trino target: prove the coordinator answers (/v1/info, then a real query: a
// coordinator can say "not starting" before it has a worker), load the datasets, run the setup
// SQL. Anything that stops us from talking to it is one TargetUnreachable line naming host:port.
import { firstLine, TargetFailed, TargetUnreachable } from "../../errors.js";
import { trinoStatsProbe } from "../../probes/trino-stats.js";
import type { Probe } from "../../probes/probe.js";
import type { ConnectContext, Connection } from "../driver.js";
import { createDataset } from "./datasets.js";
import { TrinoClient, TrinoQueryError } from "./protocol.js";
import { prepareQuery } from "./query.js";
import type { TrinoTarget, TrinoWorkload } from "./schema.js";
import { hostPort } from "../endpoint.js";
import { runSetup } from "../setup-sql.js";
import { INFO_TIMEOUT_MS, unreachable } from "./unreachable.js";

/** How long a coordinator that says it is still starting is waited for. */
const STARTING_WAIT_MS = 60_000;

export async function connectTrino(target: TrinoTarget, ctx: ConnectContext): Promise<Connection<TrinoWorkload>> {
  const session = {
    user: target.user,
    source: target.source,
    ...(target.catalog === undefined ? {} : { catalog: target.catalog }),
    ...(target.schema === undefined ? {} : { schema: target.schema }),
    properties: target.session,
  };
  const client = new TrinoClient({ url: target.url, session, connections: target.connections });
  let version: string;
  try {
    version = await versionOf(client, target.url, ctx);
    await ready(client, target.url, ctx.name);
    for (const dataset of target.datasets) {
      ctx.log(`${ctx.name}: loading ${dataset.catalog}.${dataset.schema}.${dataset.table}: ${dataset.rows.toLocaleString("en-US")} rows of ${dataset.generator} …`);
      const created = await createDataset(client, dataset).catch((error: unknown) => {
        throw new TargetFailed(ctx.name, `could not load dataset ${dataset.table} into ${dataset.catalog}.${dataset.schema}: ${firstLine(error)}`, {
          hint: `the catalog must be one whose connector creates tables (e.g. connector.name=memory in etc/catalog/${dataset.catalog}.properties)`,
          cause: error,
        });
      });
      ctx.log(`${ctx.name}: loaded ${created.table} in ${(created.ms / 1000).toFixed(2)}s`);
    }
    await runSetup(target.setup, { target: ctx.name, run: (sql) => client.execute(sql) });
  } catch (error) {
    await client.close();
    throw error;
  }

  const probes: (Probe & { close(): Promise<void> })[] = [];
  return {
    info: { version, url: target.url },
    prepare: (workload, scenario) => prepareQuery({ name: ctx.name, client, queries: target.queries, connections: target.connections }, workload, scenario),
    probe(kind: string): Probe | undefined {
      if (kind !== "trino-stats") return undefined;
      const probe = trinoStatsProbe({ url: target.url, user: target.user });
      probes.push(probe);
      return probe;
    },
    async close() {
      await Promise.all(probes.map((p) => p.close()));
      await client.close();
    },
  };
}

/** "Trino 476", from /v1/info; waits while the coordinator says it is starting. */
async function versionOf(client: TrinoClient, url: string, ctx: ConnectContext): Promise<string> {
  const deadline = Date.now() + STARTING_WAIT_MS;
  let said = false;
  for (;;) {
    let info: { nodeVersion?: { version?: unknown }; starting?: unknown };
    try {
      info = (await client.getJson("/v1/info", AbortSignal.timeout(INFO_TIMEOUT_MS))) as typeof info;
    } catch (error) {
      throw unreachable(error, url, ctx.name);
    }
    const version = `Trino ${String(info.nodeVersion?.version ?? "unknown")}`;
    if (info.starting !== true) return version;
    if (Date.now() > deadline) {
      throw new TargetUnreachable(ctx.name, `Trino at ${hostPort(url)} is still starting after ${STARTING_WAIT_MS / 1000} s`, { hint: "look at the coordinator's server.log" });
    }
    if (!said) ctx.log(`${ctx.name}: Trino at ${hostPort(url)} is starting; waiting …`);
    said = true;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** A real query answered: right after start-up Trino can refuse queries with "nodes is empty". */
async function ready(client: TrinoClient, url: string, target: string): Promise<void> {
  const deadline = Date.now() + STARTING_WAIT_MS;
  for (;;) {
    try {
      await client.execute("SELECT 1");
      return;
    } catch (error) {
      const retry = error instanceof TrinoQueryError && /nodes is empty|no nodes available/i.test(error.message);
      if (!retry || Date.now() > deadline) {
        if (error instanceof TrinoQueryError) {
          throw new TargetFailed(target, `Trino at ${hostPort(url)} cannot run SELECT 1: ${error.code}: ${error.message}`, { hint: "look at the coordinator's server.log", cause: error });
        }
        throw unreachable(error, url, target);
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}
