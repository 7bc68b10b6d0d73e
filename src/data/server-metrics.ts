// Seed 004's `metrics_hot` rows: a fleet of hosts, each scrape emitting every metric once.
// Row i is metric (i mod M) of host (⌊i / M⌋ mod H), so the first M·H rows cover every host and
// metric — seed 004's queries (cpu_usage_percent of server-000001, hosts like 'server-0000%')
// find rows after a single batch. Timestamps fall in the hour before the base time.
import type { Column, CreateOptions, Generator, RowSource, RowValue } from "./generator.js";
import { IsoTimestamps } from "./iso-time.js";
import { RowRandom, seedKey } from "./random.js";

const HOSTS = 1000;
const REGIONS = 5;
const WINDOW_MS = 3_600_000;

interface MetricKind {
  readonly name: string;
  readonly max: number;
  /** Values are rounded to this many decimals (percentages to 2, counters to 0). */
  readonly decimals: number;
}

/** cpu_usage_percent first: it is the metric seed 004's queries ask for. */
const METRICS: readonly MetricKind[] = [
  { name: "cpu_usage_percent", max: 100, decimals: 2 },
  { name: "memory_usage_percent", max: 100, decimals: 2 },
  { name: "disk_usage_percent", max: 100, decimals: 2 },
  { name: "disk_io_ops", max: 5000, decimals: 0 },
  { name: "network_in_bytes", max: 125_000_000, decimals: 0 },
  { name: "network_out_bytes", max: 125_000_000, decimals: 0 },
  { name: "load_average_1m", max: 16, decimals: 2 },
  { name: "http_requests_per_second", max: 2000, decimals: 1 },
  { name: "http_error_rate_percent", max: 5, decimals: 3 },
  { name: "gc_pause_ms", max: 200, decimals: 1 },
];

const ENVIRONMENTS = ["production", "production", "production", "production", "production", "production", "staging", "staging", "development", "test"];
const SERVICES = ["api-gateway", "checkout", "search", "inventory", "auth", "payments", "recommendations", "notifications"];

const columns: readonly Column[] = [
  { name: "time", sqlType: "timestamptz", duckType: "TIMESTAMPTZ" },
  { name: "metric_name", sqlType: "text", duckType: "VARCHAR" },
  { name: "value", sqlType: "double precision", duckType: "DOUBLE" },
  { name: "labels", sqlType: "jsonb", duckType: "JSON" },
  { name: "host", sqlType: "text", duckType: "VARCHAR" },
  { name: "region", sqlType: "text", duckType: "VARCHAR" },
  { name: "environment", sqlType: "text", duckType: "VARCHAR" },
];

interface Host {
  readonly name: string;
  readonly region: string;
  readonly environment: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The labels as JSON text, serialised once: they depend on the host only. */
  readonly labelsJson: string;
}

function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

function create(seed: number, options: CreateOptions = {}): RowSource {
  const base = options.baseTime ?? Date.now();
  const rng = new RowRandom(seedKey(seed, 0x5e11));
  const iso = new IsoTimestamps();

  // Per-host facts and a per (host, metric) load level, so hosts differ the way real fleets do
  // and seed 004's multi-host comparison has something to rank.
  const setup = new RowRandom(seedKey(seed, 0x4057));
  const hosts: Host[] = [];
  const level = new Float64Array(HOSTS * METRICS.length);
  for (let h = 0; h < HOSTS; h++) {
    setup.at(h);
    const name = `server-${String(h).padStart(6, "0")}`;
    const region = `region-${h % REGIONS}`;
    const environment = ENVIRONMENTS[setup.int(ENVIRONMENTS.length)] ?? "production";
    const service = SERVICES[setup.int(SERVICES.length)] ?? "api-gateway";
    const labels = Object.freeze({ host: name, region, environment, service });
    hosts.push({ name, region, environment, labels, labelsJson: JSON.stringify(labels) });
    for (let m = 0; m < METRICS.length; m++) level[h * METRICS.length + m] = 0.1 + 0.6 * setup.next();
  }

  function fields(i: number) {
    const m = i % METRICS.length;
    const h = Math.floor(i / METRICS.length) % HOSTS;
    const metric = METRICS[m] ?? METRICS[0]!;
    const host = hosts[h] ?? hosts[0]!;
    rng.at(i);
    const time = iso.format(base - rng.int(WINDOW_MS));
    const fraction = Math.min(1, Math.max(0, (level[h * METRICS.length + m] ?? 0.5) + 0.3 * (rng.next() - 0.5)));
    return { time, metric: metric.name, value: round(fraction * metric.max, metric.decimals), host };
  }

  return {
    row(i): readonly RowValue[] {
      const f = fields(i);
      return [f.time, f.metric, f.value, f.host.labelsJson, f.host.name, f.host.region, f.host.environment];
    },
    object(i) {
      const f = fields(i);
      return {
        time: f.time,
        metric_name: f.metric,
        value: f.value,
        labels: f.host.labels,
        host: f.host.name,
        region: f.host.region,
        environment: f.host.environment,
      };
    },
  };
}

export const serverMetrics: Generator = {
  name: "server-metrics",
  description: "seed 004's metrics_hot: 1000 hosts × 10 metrics, timestamps in the last hour, jsonb labels",
  columns,
  create,
};
