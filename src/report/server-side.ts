// What the service said about itself beside what pipebench measured: the metrics-endpoint probe's
// request-duration percentiles (from the service's own histogram, so bounded by its buckets) next
// to the client-side ones, and the prometheus probe's `promql.*` readings. Read from a stored
// scenario only; the console summary (run, show) and report.md print these lines.
import type { StoredScenario } from "../store/results-store.js";
import { formatCount, formatMs, formatRate } from "./format.js";

/** The scenario's interval reading of `probe` (of its own target's service, for metrics-endpoint). */
function interval(s: StoredScenario, probe: string): { target: string | null; metrics: Readonly<Record<string, number>> } | undefined {
  const p = s.probes.find((r) => r.phase === "interval" && r.probe === probe && (probe !== "metrics-endpoint" || r.target === s.target));
  return p === undefined ? undefined : { target: p.target, metrics: p.reading.metrics };
}

/**
 * `ingest's own /metrics: p50 2.1ms p95 40ms p99 68ms (bucket-bounded) · 1,000 requests 200/s ·
 * pipebench: p50 2.7ms p95 73ms p99 216ms`, or undefined without a metrics-endpoint reading.
 */
export function serverLatencyLine(s: StoredScenario): string | undefined {
  const r = interval(s, "metrics-endpoint");
  if (r === undefined) return undefined;
  const m = r.metrics;
  const who = `${r.target ?? s.target}'s own /metrics:`;
  if (m.server_requests === undefined) return `${who} no request-duration histogram (see the notes)`;
  const own =
    m.server_p50 === undefined
      ? "no requests in this scenario"
      : `p50 ${formatMs(m.server_p50)}  p95 ${formatMs(m.server_p95)}  p99 ${formatMs(m.server_p99)} (bucket-bounded)`;
  const rate = m.server_request_rate === undefined ? "" : ` ${formatRate(m.server_request_rate)}`;
  const l = s.result.latency;
  const client = l.count > 0 ? ` · pipebench: p50 ${formatMs(l.p50)}  p95 ${formatMs(l.p95)}  p99 ${formatMs(l.p99)}` : "";
  return `${who} ${own} · ${formatCount(m.server_requests)} requests${rate}${client}`;
}

/** `promql  cpu 0.12 · memory 0.31 (largest of the samples)`, or undefined without a prometheus reading. */
export function promqlLine(s: StoredScenario): string | undefined {
  const r = interval(s, "prometheus");
  if (r === undefined) return undefined;
  const entries = Object.entries(r.metrics);
  if (entries.length === 0) return "promql  no query returned a value (see the notes)";
  return `promql  ${entries.map(([name, v]) => `${name} ${formatNumber(v)}`).join(" · ")} (largest of the samples)`;
}

function formatNumber(v: number): string {
  if (v === 0 || Math.abs(v) >= 1000) return Math.round(v).toLocaleString("en-US");
  return Number(v.toPrecision(3)).toString();
}
