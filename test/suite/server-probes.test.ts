// The prometheus and metrics-endpoint probes in a suite: what each takes, what each needs, and
// `promql.<name>` thresholds checked against the probe's queries, all before anything starts.
import assert from "node:assert/strict";
import { test } from "node:test";
import { BASE, issueAt, issuesOf, load, yaml } from "./helpers.js";

const PROM = ["probes:", "  - kind: prometheus", "    url: http://127.0.0.1:9090", "    every: 2s", "    queries:", "      cpu: rate(process_cpu_seconds_total[1m])", "      memory: process_resident_memory_bytes / 4e9"];

test("a prometheus probe and a metrics-endpoint probe load, with promql.<name> and ingest's server_p99 thresholds", () => {
  const suite = load(
    yaml(
      ...BASE,
      '    thresholds: ["promql.cpu < 0.7", "promql.memory < 80%", "api.server_p99 < 100ms"]',
      ...PROM,
      "  - { kind: metrics-endpoint, target: api, histogram: request_duration_seconds, labels: { route: /ingest }, cpuLimit: 2, memoryLimit: 4GB }",
    ),
  );
  const prometheus = suite.probes.find((p) => p.kind === "prometheus");
  assert.deepEqual(prometheus, {
    kind: "prometheus",
    everyMs: 2000,
    url: "http://127.0.0.1:9090",
    queries: { cpu: "rate(process_cpu_seconds_total[1m])", memory: "process_resident_memory_bytes / 4e9" },
    index: 0,
  });
  const endpoint = suite.probes.find((p) => p.kind === "metrics-endpoint");
  assert.equal(endpoint?.target, "api");
  assert.equal(endpoint?.histogram, "request_duration_seconds");
  assert.deepEqual(endpoint?.labels, { route: "/ingest" });
  assert.equal(endpoint?.memoryLimitBytes, 4 * 1024 ** 3);
  const ingest = suite.scenarios.find((s) => s.name === "ingest")!;
  assert.deepEqual(
    ingest.thresholds.map((t) => t.metric),
    ["promql.cpu", "promql.memory", "api.server_p99"],
  );
});

test("keys of another probe kind, a missing url or queries, and a bad reading name are located", () => {
  const issues = issuesOf(
    yaml(
      ...BASE,
      "probes:",
      "  - { kind: prometheus, target: api, histogram: x }",
      "  - { kind: metrics-endpoint, target: api, queries: { a: up } }",
      "  - { kind: host, url: http://x }",
      "  - { kind: metrics-endpoint, target: pg }",
    ),
  );
  assert.match(issueAt(issues, "probes[0].target").message, /a prometheus probe takes no target/);
  assert.match(issueAt(issues, "probes[0].histogram").fix ?? "", /kind, url, queries, every/);
  assert.ok(issues.some((i) => i.path === "probes[0]" && /needs url/.test(i.message)));
  assert.ok(issues.some((i) => i.path === "probes[0]" && /needs queries/.test(i.message)));
  assert.match(issueAt(issues, "probes[1].queries").message, /a metrics-endpoint probe takes no queries/);
  assert.match(issueAt(issues, "probes[2].url").message, /a host probe takes no url/);
  assert.match(issueAt(issues, "probes[3]").message, /target pg is a postgres target: its server has no \/metrics page/);

  const names = issuesOf(yaml(...BASE, "probes:", "  - kind: prometheus", "    url: http://p:9090", "    queries: { p99: up, Bad-Name: up }"));
  assert.match(issueAt(names, "probes[0].queries.p99").message, /cannot name a reading/);
  assert.match(issueAt(names, "probes[0].queries.Bad-Name").message, /cannot name a reading/);
});

test("a promql threshold names one of the probe's queries, and needs the probe", () => {
  const unknown = issuesOf(yaml(...BASE, '    thresholds: ["promql.cpuu < 0.7"]', ...PROM));
  const issue = issueAt(unknown, "scenarios.ingest.thresholds[0]");
  assert.match(issue.message, /the prometheus probe has no query named cpuu; its queries are: cpu, memory/);
  assert.match(issue.fix ?? "", /cpu/);
  const none = issuesOf(yaml(...BASE, '    thresholds: ["promql.cpu < 0.7"]'));
  assert.match(issueAt(none, "scenarios.ingest.thresholds[0]").message, /no prometheus probe in this suite reads cpu/);
  // "promql" is the readings' name, not a target's.
  const reserved = issuesOf(yaml(...BASE).replace("  api:", "  promql:").replace("target: api", "target: promql"));
  assert.ok(reserved.some((i) => i.path === "targets.promql" && /reserved \(the prometheus probe's readings\)/.test(i.message)), JSON.stringify(reserved));
});
