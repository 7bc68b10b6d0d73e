// server.cpu-high judges a PromQL reading only in the unit its query says: a counter of CPU seconds
// or a reading nobody can tell is not a share of the CPU, percent and cores are converted, and the
// finding says what it read. Stored readings shaped as the prometheus probe stores them (its
// details keep each query), through the real diagnose path.
import assert from "node:assert/strict";
import { test } from "node:test";
import { cpuUnit, memoryUnit } from "../../src/diagnose/promql-unit.js";
import { diagnose, type Finding } from "../../src/diagnose/diagnose.js";
import { reading, run, scenario } from "./fixtures.js";

const cases: [name: string, query: string, kind: "share" | "not-a-share", factor?: number][] = [
  // Seed 002's own alert: rate(container_cpu_usage_seconds_total) against 0.7, cores of one core.
  ["cpu", `rate(container_cpu_usage_seconds_total{pod=~"ingest.*"}[1m])`, "share", 1],
  ["cpu", `sum by (pod) (rate(container_cpu_usage_seconds_total[1m])) / 4`, "share", 1],
  ["cpu", `100 * rate(process_cpu_seconds_total{job="ingest"}[15s])`, "share", 0.01],
  ["cpu", `rate(process_cpu_seconds_total[15s]) * 100`, "share", 0.01],
  ["cpu", `sum(rate(container_cpu_usage_seconds_total[1m])) / sum(kube_pod_container_resource_limits{resource="cpu"})`, "share", 1],
  ["cpu", `1 - avg(rate(node_cpu_seconds_total{mode="idle"}[1m]))`, "share", 1],
  ["cpu", `avg(instance:node_cpu_utilisation:rate5m)`, "share", 1],
  ["cpu", `max_over_time(rate(process_cpu_seconds_total[5s])[1m:5s])`, "share", 1],
  ["cpu_percent", `my_service_cpu{job="ingest"}`, "share", 0.01],
  ["cpu_seconds_total", `process_cpu_seconds_total{job="ingest"}`, "not-a-share"],
  ["cpu", `process_cpu_seconds_total{job="ingest"}`, "not-a-share"],
  ["cpu", `my_service_cpu{job="ingest"}`, "not-a-share"],
  ["cpu", `count(up)`, "not-a-share"],
  ["cpu", `rate(http_requests_total[1m])`, "not-a-share"],
];

test("the unit of a PromQL cpu reading, from its query (Prometheus's grammar) or else its name", () => {
  for (const [name, query, kind, factor] of cases) {
    const unit = cpuUnit(name, query);
    assert.equal(unit.kind, kind, `${name}: ${query} → ${JSON.stringify(unit)}`);
    if (unit.kind === "share") assert.equal(unit.factor, factor, `${name}: ${query}`);
  }
});

/** A scenario whose prometheus probe read these queries' peaks. */
function promqlRun(readings: Record<string, [value: number, query: string]>) {
  const metrics = Object.fromEntries(Object.entries(readings).map(([k, [v]]) => [k, v]));
  const details = Object.fromEntries(Object.entries(readings).map(([k, [v, query]]) => [k, { query, max: v, mean: v, last: v, samples: 5 }]));
  return run([scenario({ target: "ingest", targetKind: "http", probes: [reading("prometheus", "promql", metrics, details)] })]);
}

const cpuHigh = (findings: Finding[]): Finding | undefined => findings.find((f) => f.id === "server.cpu-high");

test("server.cpu-high: a counter of CPU seconds or a reading of no known unit is never read as a share", () => {
  // 37 CPU seconds since the process started, and a number nobody said the unit of: no finding (before: 3,700 %).
  const quiet = diagnose(promqlRun({ cpu_seconds_total: [37, `process_cpu_seconds_total{job="ingest"}`], cpu: [12, `my_service_cpu{job="ingest"}`] }));
  assert.equal(cpuHigh(quiet), undefined, JSON.stringify(cpuHigh(quiet)?.evidence));
});

test("server.cpu-high: percent and cores over a limit are converted; the finding says what was read and what was not judged", () => {
  // 45 % is below 70 %: quiet (before: 4,500 %).
  assert.equal(cpuHigh(diagnose(promqlRun({ cpu: [45, `100 * rate(process_cpu_seconds_total{job="ingest"}[15s])`] }))), undefined);
  // 1.2 cores of 4 (the query divides by 4): 30 %, quiet (before: 120 %... of what?).
  assert.equal(cpuHigh(diagnose(promqlRun({ cpu: [0.3, `rate(process_cpu_seconds_total{job="ingest"}[15s]) / 4`] }))), undefined);

  const f = cpuHigh(
    diagnose(
      promqlRun({
        cpu: [85, `100 * rate(process_cpu_seconds_total{job="ingest"}[15s])`],
        cpu_seconds_total: [37, `process_cpu_seconds_total{job="ingest"}`],
      }),
    ),
  );
  assert.ok(f, "85 % of one core is above 70 %");
  assert.equal(
    f.evidence[0],
    `promql.cpu: 85% at its peak over the scenario (the runbook's target: below 70%) — read 85 in percent of one core from 100 * rate(process_cpu_seconds_total{job="ingest"}[15s])`,
  );
  assert.ok(
    f.evidence.includes("promql.cpu_seconds_total (37) not judged: a counter (CPU seconds since the process started), not a share"),
    JSON.stringify(f.evidence),
  );

  // Seed 002's query, cores with no limit: one core assumed, and said.
  const seed = cpuHigh(diagnose(promqlRun({ cpu: [0.92, `rate(container_cpu_usage_seconds_total{pod=~"ingest.*"}[1m])`] })));
  assert.match(seed?.evidence[0] ?? "", /^promql\.cpu: 92% at its peak .* read 0\.92 in cores, read as a share of one core \(the query names no limit/);
});

const memoryCases: [name: string, query: string, kind: "share" | "not-a-share", factor?: number][] = [
  // Seed 002's alert: usage over the container's limit.
  ["memory", `container_memory_usage_bytes{pod=~"ingest.*"} / container_spec_memory_limit_bytes{pod=~"ingest.*"}`, "share", 1],
  ["memory", `max(container_memory_working_set_bytes) / max(kube_pod_container_resource_limits{resource="memory"})`, "share", 1],
  ["memory", `100 * container_memory_usage_bytes / container_spec_memory_limit_bytes`, "share", 0.01],
  ["memory", `1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes`, "share", 1],
  ["memory_ratio", `my_service_memory{job="ingest"}`, "share", 1],
  ["mem_percent", `my_service_memory{job="ingest"}`, "share", 0.01],
  ["memory", `process_resident_memory_bytes{job="ingest"}`, "not-a-share"],
  ["memory_bytes", `sum(container_memory_usage_bytes)`, "not-a-share"],
  ["memory", `my_service_memory{job="ingest"}`, "not-a-share"],
];

test("the unit of a PromQL memory reading: bytes are a share only over a limit or a total", () => {
  for (const [name, query, kind, factor] of memoryCases) {
    const unit = memoryUnit(name, query);
    assert.equal(unit.kind, kind, `${name}: ${query} → ${JSON.stringify(unit)}`);
    if (unit.kind === "share") assert.equal(unit.factor, factor, `${name}: ${query}`);
  }
});

test("server.memory-high: resident bytes are never read as a share (before: 1.2e8 × 100 %); usage over the limit is, and says so", () => {
  const memoryHigh = (findings: Finding[]): Finding | undefined => findings.find((f) => f.id === "server.memory-high");
  assert.equal(memoryHigh(diagnose(promqlRun({ memory: [123_456_789, `process_resident_memory_bytes{job="ingest"}`] }))), undefined);
  const seed = `container_memory_usage_bytes{pod=~"ingest.*"} / container_spec_memory_limit_bytes{pod=~"ingest.*"}`;
  assert.equal(memoryHigh(diagnose(promqlRun({ memory: [0.5, seed] }))), undefined, "50 % of the limit is below 80 %");
  const f = memoryHigh(diagnose(promqlRun({ memory: [0.91, seed], memory_bytes: [123_456_789, `process_resident_memory_bytes{job="ingest"}`] })));
  assert.ok(f, "91 % of the limit is above 80 %");
  assert.equal(f.evidence[0], `promql.memory: 91% at its peak over the scenario (the runbook's target: below 80%) — read 0.91 in a share of the memory limit (bytes ÷ the limit) from ${seed}`);
  assert.ok(f.evidence.some((e) => e.startsWith("promql.memory_bytes (123,000,000) not judged: bytes, not a share")), JSON.stringify(f.evidence));
});
