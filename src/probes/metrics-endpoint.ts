// The `metrics-endpoint` probe: a service's own /metrics, scraped at a scenario's start and end
// (and every `every` between), so the report can put the service's own request-duration
// percentiles beside pipebench's client-side ones — seed 002's first diagnosis step, `curl
// …/metrics | grep duration`. Prometheus histograms are cumulative since the service started, so
// the scenario's share is the difference of two scrapes; its quantiles are interpolated inside the
// buckets as histogram_quantile does, so they are only as fine as the service's buckets.
import { bucketQuantile, type Bucket } from "./bucket-quantile.js";
import { histogramSeries, sampleSum, scrape, type Exposition } from "./exposition.js";
import type { JsonValue, Probe, ProbeReading, ProbeSnapshot } from "./probe.js";

export interface MetricsEndpointOptions {
  /** The full URL of the metrics page, e.g. http://127.0.0.1:8080/metrics */
  url: string;
  /** The request-duration histogram, in seconds (prom-client's and client_python's convention). */
  histogram?: string;
  /** Only the histogram's series with these labels, e.g. { route: "/ingest" }. */
  labels?: Readonly<Record<string, string>>;
  /** The service's CPU limit in cores (default 1), for process_cpu_usage. */
  cpuLimit?: number;
  /** The service's memory limit in bytes, for process_memory_usage (none without it). */
  memoryLimitBytes?: number;
  sampleEveryMs?: number;
}

export const DEFAULT_HISTOGRAM = "http_request_duration_seconds";
const CPU = "process_cpu_seconds_total";
const RSS = "process_resident_memory_bytes";
const SCRAPE_TIMEOUT_MS = 5_000;
const MAX_HISTORY = 100_000;

/** Snapshot value keys: `le:<bound>` for each cumulative bucket (summed over the chosen series). */
const LE = "le:";

export function metricsEndpointProbe(options: MetricsEndpointOptions): Probe {
  const family = options.histogram ?? DEFAULT_HISTOGRAM;
  const rss: { at: number; bytes: number }[] = [];
  return {
    kind: "metrics-endpoint",
    fromMeasureStart: true,
    ...(options.sampleEveryMs === undefined ? {} : { sampleEveryMs: options.sampleEveryMs }),
    async read(): Promise<ProbeSnapshot> {
      const at = Date.now();
      const page = await scrape(options.url, [family, CPU, RSS], SCRAPE_TIMEOUT_MS);
      const snapshot = snapshotOf(at, page, family, options.labels ?? {});
      const bytes = snapshot.values.resident_bytes;
      if (bytes !== undefined) {
        rss.push({ at, bytes });
        if (rss.length > MAX_HISTORY) rss.splice(0, rss.length - MAX_HISTORY);
      }
      return snapshot;
    },
    summarize(before, after): ProbeReading {
      const seconds = (after.at - before.at) / 1000;
      const metrics: Record<string, number> = {};
      const notes: string[] = [];
      // One restart decision for the whole page (one process): judged per counter, a restarted
      // service's buckets (or CPU seconds) that grew past their old counts would subtract them.
      const from = restarted(before, after) ? undefined : before;
      const buckets = deltaBuckets(from, after);
      const requests = delta(from, after, "count");
      if (after.values.count === undefined) {
        const found = ((after.details as { histograms?: string[] } | undefined)?.histograms ?? []).join(", ");
        notes.push(`${options.url} has no histogram ${family}${found === "" ? "" : ` (its histograms: ${found}); name one with histogram:`}`);
      } else if (requests !== undefined) {
        metrics.server_requests = requests;
        if (seconds > 0) metrics.server_request_rate = requests / seconds;
        const sum = delta(from, after, "sum");
        if (requests > 0 && sum !== undefined) metrics.server_mean = (sum / requests) * 1000;
        for (const [name, q] of [["server_p50", 0.5], ["server_p95", 0.95], ["server_p99", 0.99]] as const) {
          const value = bucketQuantile(q, buckets);
          if (value !== undefined) metrics[name] = value * 1000;
        }
      }
      const cpu = delta(from, after, "cpu_seconds");
      if (cpu !== undefined && seconds > 0) {
        metrics.process_cpu_cores = cpu / seconds;
        metrics.process_cpu_usage = cpu / seconds / (options.cpuLimit ?? 1);
      }
      const seen = rss.filter((s) => s.at >= before.at && s.at <= after.at).map((s) => s.bytes);
      if (seen.length > 0) {
        const peak = Math.max(...seen);
        metrics.process_resident_memory_bytes = peak;
        if (options.memoryLimitBytes !== undefined) metrics.process_memory_usage = peak / options.memoryLimitBytes;
      }
      const bounds = buckets.filter((b) => Number.isFinite(b.le)).map((b) => b.le * 1000);
      const details: { [key: string]: JsonValue } = {
        url: options.url,
        histogram: family,
        // The bucket edges (ms) the percentiles are bounded by, and the scenario's counts in them.
        buckets: buckets.map((b) => ({ le: Number.isFinite(b.le) ? b.le * 1000 : "+Inf", count: b.count })),
        ...(options.cpuLimit === undefined ? {} : { cpuLimit: options.cpuLimit }),
        ...(options.memoryLimitBytes === undefined ? {} : { memoryLimitBytes: options.memoryLimitBytes }),
      };
      // Buckets are cumulative: the p99 is only the largest bound when more than 1 % of the requests
      // are past it (its rank falls in +Inf, which has no upper edge).
      const finite = buckets.filter((b) => Number.isFinite(b.le));
      const all = buckets.find((b) => b.le === Infinity)?.count ?? 0;
      const largest = finite[finite.length - 1];
      if (metrics.server_p99 !== undefined && largest !== undefined && largest.count < 0.99 * all) {
        notes.push(`some requests took longer than the histogram's largest bucket (${bounds[bounds.length - 1]} ms): its p99 is a lower bound`);
      }
      return { metrics, details, notes };
    },
  };
}

function snapshotOf(at: number, page: Exposition, family: string, labels: Readonly<Record<string, string>>): ProbeSnapshot {
  const values: Record<string, number> = {};
  const series = histogramSeries(page, family, labels);
  if (series.length > 0) {
    values.count = 0;
    values.sum = 0;
    for (const s of series) {
      values.count += s.count;
      values.sum += s.sum ?? 0;
      for (const [le, n] of Object.entries(s.buckets)) values[LE + le] = (values[LE + le] ?? 0) + n;
    }
  }
  const cpu = sampleSum(page, CPU);
  if (cpu !== undefined) values.cpu_seconds = cpu;
  const rss = sampleSum(page, RSS);
  if (rss !== undefined) values.resident_bytes = rss;
  const histograms = [...page.types].filter(([, type]) => type === "histogram").map(([name]) => name);
  return { at, values, details: { histograms } };
}

/** after − before; a counter that went down (the service restarted) counts from zero. */
function delta(before: ProbeSnapshot | undefined, after: ProbeSnapshot, key: string): number | undefined {
  const a = after.values[key];
  if (a === undefined) return undefined;
  const b = before?.values[key] ?? 0;
  return a >= b ? a - b : a;
}

/** The service restarted between the scrapes: a counter of its page (count, sum, a bucket, CPU seconds) went down. */
function restarted(before: ProbeSnapshot, after: ProbeSnapshot): boolean {
  return Object.entries(before.values).some(
    ([key, b]) => (key === "count" || key === "sum" || key === "cpu_seconds" || key.startsWith(LE)) && after.values[key] !== undefined && after.values[key]! < b,
  );
}

function deltaBuckets(before: ProbeSnapshot | undefined, after: ProbeSnapshot): Bucket[] {
  const out: Bucket[] = [];
  for (const key of Object.keys(after.values)) {
    if (!key.startsWith(LE)) continue;
    const bound = key.slice(LE.length);
    out.push({ le: bound === "+Inf" ? Infinity : Number(bound), count: delta(before, after, key) ?? 0 });
  }
  return out.sort((x, y) => x.le - y.le);
}
