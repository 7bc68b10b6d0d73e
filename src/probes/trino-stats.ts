// The `trino-stats` probe: what seed 000 Day 7 asks of a slow Trino, read from the coordinator
// before, during and after a scenario:
//
//   - nodes: system.runtime.nodes (active nodes, and how many of them are workers proper);
//   - queries: system.runtime.queries by state (QUEUED, RUNNING …), the probe's own left out;
//   - memory: each active node's general pool (GET <node>/v1/status → memoryInfo.pool), summed.
//
// Samples are gauges, so the interval's metrics are the largest queue, concurrency and memory
// reservation seen between `before` and `after`, plus the nodes at the end. Reads use their own
// client (source "pipebench-probe"), not the workload's sockets.
import { TrinoClient } from "../drivers/trino/protocol.js";
import type { JsonValue, Probe, ProbeReading, ProbeSnapshot } from "./probe.js";

export interface TrinoStatsOptions {
  /** The coordinator's base URL (the target's). */
  url: string;
  user: string;
  sampleEveryMs?: number;
}

const SOURCE = "pipebench-probe";
/** Samples kept for the interval maxima; at one a second this is over a day. */
const MAX_HISTORY = 100_000;
/** A node's /v1/status that does not answer in this long is left out of the memory sum. */
const NODE_STATUS_TIMEOUT_MS = 2_000;

interface Sample {
  at: number;
  queued: number;
  running: number;
  reserved: number;
}

export function trinoStatsProbe(options: TrinoStatsOptions): Probe & { close(): Promise<void> } {
  const client = new TrinoClient({ url: options.url, connections: 2, session: { user: options.user, source: SOURCE, properties: {} } });
  const samples: Sample[] = [];
  return {
    kind: "trino-stats",
    ...(options.sampleEveryMs === undefined ? {} : { sampleEveryMs: options.sampleEveryMs }),
    async read(): Promise<ProbeSnapshot> {
      const snapshot = await readSnapshot(client);
      const v = snapshot.values;
      samples.push({ at: snapshot.at, queued: v.queued_queries ?? 0, running: v.running_queries ?? 0, reserved: v.memory_reserved_bytes ?? 0 });
      if (samples.length > MAX_HISTORY) samples.splice(0, samples.length - MAX_HISTORY);
      return snapshot;
    },
    summarize(before, after): ProbeReading {
      const seen = samples.filter((s) => s.at >= before.at && s.at <= after.at);
      const max = (pick: (s: Sample) => number): number => Math.max(0, ...seen.map(pick));
      const pool = after.values.memory_pool_bytes ?? 0;
      const reserved = max((s) => s.reserved);
      const workers = after.values.workers ?? 0;
      const nodes = after.values.active_nodes ?? 0;
      const notes: string[] = [];
      if (nodes <= 1) notes.push("one node does all the work (coordinator included): seed 000 Day 7 scales Trino workers for this");
      if (after.values.nodes_unanswered) notes.push(`${after.values.nodes_unanswered} node(s) did not answer /v1/status: memory is summed over the others`);
      return {
        metrics: {
          trino_active_nodes: nodes,
          trino_workers: workers,
          trino_queued_queries: max((s) => s.queued),
          trino_running_queries: max((s) => s.running),
          trino_memory_pool_bytes: pool,
          trino_memory_reserved_bytes: reserved,
          trino_memory_usage: pool > 0 ? reserved / pool : 0,
        },
        ...(after.details === undefined ? {} : { details: after.details }),
        notes,
      };
    },
    close: () => client.close(),
  };
}

async function readSnapshot(client: TrinoClient): Promise<ProbeSnapshot> {
  const at = Date.now();
  const nodes = await client.execute("SELECT node_id, http_uri, node_version, coordinator, state FROM system.runtime.nodes", { keepRows: 1000 });
  const queries = await client.execute(`SELECT state, count(*) FROM system.runtime.queries WHERE coalesce(source, '') <> '${SOURCE}' GROUP BY state`, { keepRows: 100 });

  const byState: Record<string, number> = {};
  for (const [state, n] of queries.data) byState[String(state)] = Number(n);
  const active = nodes.data.filter((r) => r[4] === "active");
  let pool = 0;
  let reserved = 0;
  let unanswered = 0;
  const memory = await Promise.all(active.map((r) => nodeMemory(client, String(r[1]))));
  for (const m of memory) {
    if (m === undefined) unanswered++;
    else {
      pool += m.maxBytes;
      reserved += m.reservedBytes;
    }
  }
  const values: Record<string, number> = {
    active_nodes: active.length,
    workers: active.filter((r) => r[3] !== true).length,
    queued_queries: byState.QUEUED ?? 0,
    running_queries: (byState.RUNNING ?? 0) + (byState.PLANNING ?? 0) + (byState.STARTING ?? 0) + (byState.FINISHING ?? 0),
    memory_pool_bytes: pool,
    memory_reserved_bytes: reserved,
    nodes_unanswered: unanswered,
  };
  const details: { [key: string]: JsonValue } = {
    nodes: nodes.data.map((r) => ({ node_id: String(r[0]), http_uri: String(r[1]), version: String(r[2]), coordinator: r[3] === true, state: String(r[4]) })),
    queries_by_state: byState,
  };
  return { at, values, details };
}

/** A node's general memory pool, from its /v1/status (the coordinator's own URL when it is that node). */
async function nodeMemory(client: TrinoClient, httpUri: string): Promise<{ maxBytes: number; reservedBytes: number } | undefined> {
  try {
    const path = new URL(httpUri).origin === new URL(client.url).origin ? "/v1/status" : undefined;
    const status = (path !== undefined
      ? await client.getJson(path, AbortSignal.timeout(NODE_STATUS_TIMEOUT_MS))
      : await (await fetch(`${httpUri}/v1/status`, { signal: AbortSignal.timeout(NODE_STATUS_TIMEOUT_MS) })).json()) as {
      memoryInfo?: { pool?: { maxBytes?: unknown; reservedBytes?: unknown } };
    };
    const p = status.memoryInfo?.pool;
    if (p === undefined) return undefined;
    return { maxBytes: Number(p.maxBytes ?? 0), reservedBytes: Number(p.reservedBytes ?? 0) };
  } catch {
    return undefined;
  }
}
