// `pipebench export prometheus-rules`, checked by Prometheus's own promtool (Debian's prometheus
// package, which .ci/run installs): the rules load (`check rules`), and `test rules` feeds series
// that break each threshold, and series that keep it, and expects exactly the alerts that follow.
// The expected values are worked out here by hand from the series, not from the rule code.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { stringify } from "yaml";
import { pipebench } from "../cli/helpers.js";

const SUITE = `name: ingest-slo
targets:
  ingest: { kind: http, url: "http://127.0.0.1:1" }
scenarios:
  ingest:
    target: ingest
    workload: { type: request, method: POST, path: /ingest }
    load: { executor: constant-rate, rate: 10, duration: 5s }
    thresholds: ["p95 < 100ms", "p99 <= 250ms", "mean < 50ms", "error_rate < 0.1%", "throughput > 5/s", "max < 1s"]
probes:
  - kind: prometheus
    url: http://127.0.0.1:1
    queries: { cpu: 'rate(process_cpu_seconds_total{job="ingest"}[5m])' }
thresholds: ["promql.cpu < 0.7"]
monitoring:
  latency: http_request_duration_seconds{job="ingest"}
  requests: http_requests_total{job="ingest"}
  errors: http_requests_total{job="ingest", code=~"5.."}
  scenarios:
    ingest: '{route="/ingest"}'
`;

let dir = "";
let rulesFile = "";
let stderr = "";

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "pipebench-rules-"));
  await writeFile(join(dir, "suite.yaml"), SUITE);
  rulesFile = join(dir, "rules.yaml");
  const r = await pipebench(["export", "prometheus-rules", join(dir, "suite.yaml"), "-o", rulesFile]);
  assert.equal(r.code, 0, r.stderr);
  stderr = r.stderr;
});
after(async () => {
  if (dir !== "") await rm(dir, { recursive: true, force: true });
});

function promtool(args: string[]): { code: number | null; output: string } {
  const r = spawnSync("promtool", args, { encoding: "utf8", timeout: 60_000 });
  assert.equal(r.error, undefined, `promtool (apt-get install prometheus): ${String(r.error)}`);
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

const LABELS = { service: "ingest-slo", scenario: "ingest" };
const SERIES = 'job="ingest", route="/ingest"';

/** Cumulative classic buckets, requests per minute in each (le in seconds). */
function buckets(perMinute: Record<string, number>, sumPerMinute: number): { series: string; values: string }[] {
  let cumulative = 0;
  const out = Object.entries(perMinute).map(([le, n]) => {
    cumulative += n;
    return { series: `http_request_duration_seconds_bucket{${SERIES}, le="${le}"}`, values: `0+${cumulative}x90` };
  });
  out.push({ series: `http_request_duration_seconds_count{${SERIES}}`, values: `0+${cumulative}x90` });
  out.push({ series: `http_request_duration_seconds_sum{${SERIES}}`, values: `0+${sumPerMinute}x90` });
  return out;
}

function requests(ok: number, failed: number): { series: string; values: string }[] {
  return [
    { series: `http_requests_total{${SERIES}, code="200"}`, values: `0+${ok}x90` },
    { series: `http_requests_total{${SERIES}, code="500"}`, values: `0+${failed}x90` },
  ];
}

interface Expected {
  alertname: string;
  alerts: { severity: string; description: string }[];
}

/** One promtool unit test: the series, and the alerts expected firing at 80m. */
function unitTest(name: string, series: { series: string; values: string }[], expected: Expected[]): unknown {
  return {
    name,
    interval: "1m",
    input_series: series,
    alert_rule_test: expected.map((e) => ({
      eval_time: "80m",
      alertname: e.alertname,
      exp_alerts: e.alerts.map((a) => ({
        exp_labels: { ...LABELS, severity: a.severity },
        exp_annotations: {
          summary: summaryOf(e.alertname, a.severity),
          description: a.description,
        },
      })),
    })),
  };
}

function summaryOf(alertname: string, _severity: string): string {
  switch (alertname) {
    case "HighLatencyP95":
      return "p95 latency of ingest-slo (ingest) breaks the load test's threshold p95 < 100ms";
    case "HighLatencyP99":
      return "p99 latency of ingest-slo (ingest) breaks the load test's threshold p99 <= 250ms";
    case "HighLatencyMean":
      return "mean latency of ingest-slo (ingest) breaks the load test's threshold mean < 50ms";
    default:
      return "ingest-slo (ingest) burns its error budget (objective 99.9% from the load test's threshold error_rate < 0.1%)";
  }
}

const PAGE = "the budget of 0.001 burns at 14.4× over 1h and 5m, or 6× over 6h and 30m";
const TICKET = "the budget of 0.001 burns at 1× over 3d and 6h";
const none = (alertname: string): Expected => ({ alertname, alerts: [] });

async function promtoolTest(tests: unknown[]): Promise<{ code: number | null; output: string }> {
  const file = join(dir, `test-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, stringify({ rule_files: [rulesFile], evaluation_interval: "1m", tests }));
  return promtool(["test", "rules", file]);
}

test("the exported rules load in promtool, and the thresholds without a service-side equivalent are named on stderr", async () => {
  const r = promtool(["check", "rules", rulesFile]);
  assert.equal(r.code, 0, r.output);
  // 5 recording rules (one per burn-rate window), p95, p99, mean, page + ticket burn alerts, and
  // the prometheus probe's promql.cpu on its own query.
  assert.match(r.output, /SUCCESS: 11 rules found/);
  assert.match(stderr, /skipped scenarios\.ingest\.thresholds\.4 "throughput > 5\/s"/);
  assert.match(stderr, /skipped scenarios\.ingest\.thresholds\.5 "max < 1s": a histogram's buckets cannot tell its max/);
  const text = await readFile(rulesFile, "utf8");
  assert.match(text, /histogram_quantile\(0\.95, sum by \(le\) \(rate\(http_request_duration_seconds_bucket\{job="ingest", route="\/ingest"\}\[5m\]\)\)\) >= 0\.1\n/);
});

test("latency that breaks p95 < 100ms and mean < 50ms fires their alerts (p95 175ms by the buckets); p99 = 235ms keeps p99 <= 250ms quiet", async () => {
  // Per minute: 80 requests ≤ 50ms, 10 in (50, 100], 10 in (100, 250]: p95 = 0.1 + 0.15 × 5/10 = 0.175 s,
  // p99 = 0.1 + 0.15 × 9/10 = 0.235 s; the mean 6 s / 100 = 60ms.
  const series = [...buckets({ "0.05": 80, "0.1": 10, "0.25": 10, "+Inf": 0 }, 6), ...requests(1000, 0)];
  const r = await promtoolTest([
    unitTest("latency breaks p95 and mean", series, [
      { alertname: "HighLatencyP95", alerts: [{ severity: "warning", description: "p95 over 5m is 175ms (threshold p95 < 100ms)" }] },
      { alertname: "HighLatencyMean", alerts: [{ severity: "warning", description: "mean over 5m is 60ms (threshold mean < 50ms)" }] },
      none("HighLatencyP99"),
      none("ErrorBudgetBurn"),
    ]),
  ]);
  assert.equal(r.code, 0, r.output);
});

test("latency within every threshold fires nothing", async () => {
  // 97 ≤ 50ms, 2 in (50, 100], 1 in (100, 250]: p95 ≈ 49ms, p99 = 100ms, mean 3 s / 100 = 30ms.
  const series = [...buckets({ "0.05": 97, "0.1": 2, "0.25": 1, "+Inf": 0 }, 3), ...requests(1000, 0)];
  const r = await promtoolTest([
    unitTest("latency within thresholds", series, [none("HighLatencyP95"), none("HighLatencyP99"), none("HighLatencyMean"), none("ErrorBudgetBurn")]),
  ]);
  assert.equal(r.code, 0, r.output);
});

test("error ratios: 10% pages and tickets, 0.5% (5× the 0.1% budget) tickets only, 0.05% fires nothing", async () => {
  const quiet = buckets({ "0.05": 100, "+Inf": 0 }, 1);
  const r = await promtoolTest([
    unitTest("10% errors", [...quiet, ...requests(900, 100)], [
      {
        alertname: "ErrorBudgetBurn",
        alerts: [
          { severity: "page", description: `error ratio 10% over the long window: ${PAGE}` },
          { severity: "ticket", description: `error ratio 10% over the long window: ${TICKET}` },
        ],
      },
    ]),
    // 5× is below the page factors (14.4, 6) and above the ticket's (1).
    unitTest("0.5% errors", [...quiet, ...requests(995, 5)], [
      { alertname: "ErrorBudgetBurn", alerts: [{ severity: "ticket", description: `error ratio 0.5% over the long window: ${TICKET}` }] },
    ]),
    unitTest("0.05% errors", [...quiet, ...requests(1999, 1)], [none("ErrorBudgetBurn")]),
  ]);
  assert.equal(r.code, 0, r.output);
});

test("a suite-level error_rate alerts on the whole service's ratio only, not once more on each scenario's", async () => {
  const file = join(dir, "suite-level.yaml");
  const rules = join(dir, "suite-level-rules.yaml");
  await writeFile(file, SUITE.replace('thresholds: ["promql.cpu < 0.7"]', 'thresholds: ["promql.cpu < 0.7", "error_rate < 1%"]'));
  const r = await pipebench(["export", "prometheus-rules", file, "-o", rules]);
  assert.equal(r.code, 0, r.stderr);
  // 10% errors: both objectives burn past every factor; one page and one ticket each, four in all.
  const suiteWide = (severity: string, shape: string): unknown => ({
    exp_labels: { service: "ingest-slo", severity },
    exp_annotations: {
      summary: "ingest-slo burns its error budget (objective 99% from the load test's threshold error_rate < 1%)",
      description: `error ratio 10% over the long window: the budget of 0.01 burns at ${shape}`,
    },
  });
  const scenario = (severity: string, shape: string): unknown => ({
    exp_labels: { ...LABELS, severity },
    exp_annotations: { summary: summaryOf("ErrorBudgetBurn", severity), description: `error ratio 10% over the long window: ${shape}` },
  });
  const test = {
    name: "10% errors, suite and scenario objectives",
    interval: "1m",
    input_series: [...buckets({ "0.05": 100, "+Inf": 0 }, 1), ...requests(900, 100)],
    alert_rule_test: [
      {
        eval_time: "80m",
        alertname: "ErrorBudgetBurn",
        exp_alerts: [
          suiteWide("page", "14.4× over 1h and 5m, or 6× over 6h and 30m"),
          suiteWide("ticket", "1× over 3d and 6h"),
          scenario("page", PAGE),
          scenario("ticket", TICKET),
        ],
      },
    ],
  };
  const testFile = join(dir, "suite-level-test.yaml");
  await writeFile(testFile, stringify({ rule_files: [rules], evaluation_interval: "1m", tests: [test] }));
  const t = promtool(["test", "rules", testFile]);
  assert.equal(t.code, 0, t.output);
});

test("promql.cpu < 0.7 alerts on the probe's own query (seed 002's HighCPUUsage): 0.8 of a core fires after 5m, 0.5 does not", async () => {
  const cpu = (perMinute: number): { series: string; values: string }[] => [
    { series: 'process_cpu_seconds_total{job="ingest"}', values: `0+${perMinute}x90` },
  ];
  const expected = (value: string): unknown => ({
    eval_time: "80m",
    alertname: "PromqlCpu",
    exp_alerts:
      value === ""
        ? []
        : [
            {
              exp_labels: { service: "ingest-slo", severity: "warning" },
              exp_annotations: {
                summary: "cpu of ingest-slo breaks the load test's threshold promql.cpu < 0.7",
                description: `cpu is ${value} (threshold promql.cpu < 0.7; query rate(process_cpu_seconds_total{job="ingest"}[5m]))`,
              },
            },
          ],
  });
  const r = await promtoolTest([
    { name: "0.8 of a core", interval: "1m", input_series: cpu(48), alert_rule_test: [expected("0.8")] },
    { name: "0.5 of a core", interval: "1m", input_series: cpu(30), alert_rule_test: [expected("")] },
  ]);
  assert.equal(r.code, 0, r.output);
});

test("a latency threshold without monitoring.latency exits 2 naming the field, the threshold's line and the fix", async () => {
  const file = join(dir, "unmapped.yaml");
  await writeFile(file, SUITE.replace(/monitoring:[\s\S]*$/, ""));
  const r = await pipebench(["export", "prometheus-rules", file]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /unmapped\.yaml:9:\d+ +monitoring\.latency: "p95 < 100ms" needs monitoring\.latency/);
  assert.match(r.stderr, /add monitoring: \{ latency: "http_request_duration_seconds/);
  assert.match(r.stderr, /monitoring\.requests: "error_rate < 0\.1%" needs monitoring\.requests/);
  assert.equal(r.stdout, "");
});

test("with monitoring.scenarios, a scenario it does not name gets no rules (its thresholds are skipped, said on stderr)", async () => {
  const file = join(dir, "two-scenarios.yaml");
  await writeFile(
    file,
    SUITE.replace(
      "probes:",
      `  db:
    target: ingest
    workload: { type: request, method: GET, path: /db }
    load: { executor: constant-rate, rate: 10, duration: 5s }
    thresholds: ["p95 < 5ms"]
probes:`,
    ),
  );
  const r = await pipebench(["export", "prometheus-rules", file]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /skipped scenarios\.db\.thresholds "p95 < 5ms": not under monitoring\.scenarios/);
  assert.doesNotMatch(r.stdout, /scenario: db/);
  assert.match(r.stdout, /scenario: ingest/);
});

test("monitoring.scenarios naming a scenario the suite does not have exits 2 at its line", async () => {
  const file = join(dir, "typo.yaml");
  await writeFile(file, SUITE.replace("    ingest: '{route=", "    ingset: '{route="));
  const r = await pipebench(["export", "prometheus-rules", file]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /typo\.yaml:20:\d+ +monitoring\.scenarios\.ingset: names scenario "ingset", which the suite does not have/);
});

test("a monitoring selector that is not one PromQL vector selector is a suite mistake (exit 2)", async () => {
  const file = join(dir, "bad-selector.yaml");
  await writeFile(file, SUITE.replace('requests: http_requests_total{job="ingest"}', "requests: rate(http_requests_total[5m])"));
  const r = await pipebench(["export", "prometheus-rules", file]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /bad-selector\.yaml:\d+:\d+ +monitoring\.requests: expected a Prometheus metric selector/);
});

test("a suite none of whose thresholds becomes an alert exits 2, saying which thresholds do", async () => {
  const file = join(dir, "no-alerts.yaml");
  const thresholds = '["p95 < 100ms", "p99 <= 250ms", "mean < 50ms", "error_rate < 0.1%", "throughput > 5/s", "max < 1s"]';
  await writeFile(file, SUITE.replace(thresholds, '["throughput > 5/s"]').replace('thresholds: ["promql.cpu < 0.7"]', "thresholds: []"));
  const r = await pipebench(["export", "prometheus-rules", file]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /no threshold of this suite becomes an alert/);
  assert.match(r.stderr, /latency thresholds \(p95 < 100ms\), error_rate thresholds \(error_rate < 0\.1%\) and a prometheus probe's readings \(promql\.cpu < 0\.7\)/);
  assert.equal(r.stdout, "");
});

test("a budget too large to burn at 14.4× or 6× (error_rate < 20%) leaves those windows out, says so, and pages on none", async () => {
  const file = join(dir, "large-budget.yaml");
  const rules = join(dir, "large-budget-rules.yaml");
  await writeFile(file, SUITE.replace('"error_rate < 0.1%"', '"error_rate < 20%"'));
  const r = await pipebench(["export", "prometheus-rules", file, "-o", rules]);
  assert.equal(r.code, 0, r.stderr);
  // 14.4 × 0.2 and 6 × 0.2 are error ratios past 1: alerts on them could never fire.
  assert.match(r.stderr, /skipped scenarios\.ingest\.thresholds\.3 "error_rate < 20%": burn windows left out, as they would need an error ratio past 100 %: 14\.4× over 1h and 5m \(page\), 6× over 6h and 30m \(page\)/);
  const text = await readFile(rules, "utf8");
  assert.doesNotMatch(text, /severity: page/);
  assert.match(text, /rate3d\{service="ingest-slo", scenario="ingest"\} > \(1 \* 0\.2\)/);
  const check = promtool(["check", "rules", rules]);
  assert.equal(check.code, 0, check.output);
});
