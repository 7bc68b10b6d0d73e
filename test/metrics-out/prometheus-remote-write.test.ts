// `pipebench run --prometheus-rw`: a real Prometheus (scripts/prometheus-local, Debian's 2.42 with
// the remote-write receiver and native histograms on) receives the live metrics of a run against a
// real HTTP service on loopback. After the run, /api/v1/query must give back what pipebench stored:
// the same operation and error counts, and a p99 from the exported histograms within one bucket of
// the stored p99, for each scenario and for both scenarios merged.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { decodeHistogram, mergeHistograms } from "../../src/metrics/histogram.js";
import { nativeIndex, NATIVE_SCHEMA } from "../../src/metrics-out/histogram-export.js";
import { ResultsStore } from "../../src/store/results-store.js";
import { pipebench } from "../cli/helpers.js";
import { usePrometheus } from "../helpers/prometheus.js";

const prom = usePrometheus();

let server: Server | undefined;
let dir = "";
let port = 0;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "pipebench-rw-"));
  // Answers after 0–22 ms (a spread of latencies for the histograms), every 40th with a 503.
  let n = 0;
  server = createServer((_req, res) => {
    n++;
    const fail = n % 40 === 0;
    setTimeout(() => res.writeHead(fail ? 503 : 200).end("ok"), (n * 7) % 23);
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
after(async () => {
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  if (dir !== "") await rm(dir, { recursive: true, force: true });
});

function suiteText(): string {
  return `name: remote-write
targets:
  svc: { kind: http, url: "http://127.0.0.1:${port}" }
scenarios:
  fast:
    target: svc
    workload: { type: request, method: GET, path: /fast }
    load: { executor: constant-rate, rate: 150, duration: 4s }
    thresholds: ["p99 < 30ms"]
  slow:
    target: svc
    workload: { type: request, method: GET, path: /slow }
    load: { executor: constant-rate, rate: 80, duration: 3s }
`;
}

async function one(expr: string): Promise<number> {
  const result = await prom.query(expr);
  assert.equal(result.length, 1, `${expr}: ${JSON.stringify(result)}`);
  return result[0]!.value;
}

/** How many native buckets apart two latencies in seconds are. */
const bucketsApart = (a: number, b: number): number => Math.abs(nativeIndex(a) - nativeIndex(b));

test("after a run, Prometheus holds the stored counts, and p99s from the exported histograms within one bucket of the stored ones", async () => {
  const suite = join(dir, "suite.yaml");
  const store = join(dir, "results.db");
  await writeFile(suite, suiteText());
  const r = await pipebench(["run", suite, "--store", store, "--allow-invalid", "--prometheus-rw", `${prom.url}/api/v1/write`]);
  // 503s fail nothing here (no error_rate threshold); p99 < 30ms may fail on a busy machine: exit 0 or 1.
  assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}\n${r.stderr}`);
  assert.match(r.stderr, /live metrics: \d+ pushes to the remote-write endpoint\n/);

  const results = await ResultsStore.open(store);
  let run;
  try {
    run = await results.getRun("latest");
  } finally {
    results.close();
  }
  assert.ok(run !== undefined);
  const id = String(run.id);
  const histograms = [];
  for (const s of run.scenarioResults) {
    const sel = `run_id="${id}", scenario="${s.name}"`;
    const result = s.result;
    assert.ok(result.ops > 100, `${s.name}: ${result.ops} ops`);
    assert.equal(await one(`pipebench_operations_total{${sel}}`), result.ops, `${s.name} operations`);
    assert.ok(result.errors > 0, `${s.name}: the service's 503s are errors`);
    assert.equal(await one(`sum(pipebench_errors_total{${sel}})`), result.errors, `${s.name} errors`);
    assert.equal(await one(`pipebench_errors_total{${sel}, kind="HTTP_503"}`), result.errorsByClass.HTTP_503, `${s.name} HTTP_503`);
    assert.equal(await one(`pipebench_in_flight{${sel}}`), 0, `${s.name} in flight after the run`);
    // Live: samples arrived during the scenario (once a second), not only the stored result at its end.
    assert.ok((await one(`count_over_time(pipebench_operations_total{${sel}}[10m])`)) >= 2, `${s.name}: live samples`);
    assert.ok((await one(`min_over_time(pipebench_operations_total{${sel}}[10m])`)) < result.ops, `${s.name}: a sample before the end`);
    assert.equal(await one(`histogram_count(pipebench_latency_seconds{${sel}})`), result.latency.count);

    const storedP99 = result.latency.p99 / 1000;
    const nativeP99 = await one(`histogram_quantile(0.99, pipebench_latency_seconds{${sel}})`);
    assert.ok(bucketsApart(nativeP99, storedP99) <= 1, `${s.name}: native p99 ${nativeP99} s vs stored ${storedP99} s (schema ${NATIVE_SCHEMA})`);
    // Classic buckets: the same p99 lands between the same (or a neighbouring) pair of edges.
    const classicP99 = await one(`histogram_quantile(0.99, sum by (le) (pipebench_latency_seconds_bucket{${sel}}))`);
    const edges = (await prom.query(`pipebench_latency_seconds_bucket{${sel}}`)).map((x) => Number(x.metric.le)).sort((a, b) => a - b);
    const slot = (v: number): number => edges.findIndex((e) => v <= e);
    assert.ok(Math.abs(slot(classicP99) - slot(storedP99)) <= 1, `${s.name}: classic p99 ${classicP99} s vs stored ${storedP99} s, edges ${edges.join(",")}`);
    histograms.push(decodeHistogram(result.latencyHistogram));
  }
  assert.equal(run.scenarioResults.length, 2);

  // Histograms merge: the p99 of both scenarios together, from Prometheus's sum of the two series,
  // matches the p99 of the stored histograms merged (what percentile gauges could never give).
  const mergedP99 = mergeHistograms(histograms).valueAtPercentile(99) / 1e6;
  const promMerged = await one(`histogram_quantile(0.99, sum(pipebench_latency_seconds{run_id="${id}"}))`);
  assert.ok(bucketsApart(promMerged, mergedP99) <= 1, `merged p99 ${promMerged} s vs stored ${mergedP99} s`);
  assert.equal(await one(`sum(pipebench_operations_total{run_id="${id}"})`), run.scenarioResults.reduce((n, s) => n + s.result.ops, 0));
  // The Grafana dashboard of this run (export grafana) asks Prometheus what it holds: each query
  // but the dropped count (nothing was dropped) answers with a series.
  const dashboard = await pipebench(["export", "grafana", id, "--store", store]);
  assert.equal(dashboard.code, 0, `export grafana: ${dashboard.stderr}`);
  const panels = (JSON.parse(dashboard.stdout) as { panels: { targets?: { expr: string }[] }[] }).panels;
  const exprs = panels.flatMap((p) => p.targets ?? []).map((t) => t.expr.replaceAll("$run_id", id).replaceAll("$__rate_interval", "1m"));
  assert.equal(exprs.length, 2 * (2 + 4 + 3));
  for (const expr of exprs.filter((e) => !e.includes("dropped"))) {
    assert.ok((await prom.query(expr)).length > 0, `no data for the dashboard's ${expr}`);
  }
});

test("--prometheus-rw that is not an http(s) URL is refused before anything runs (exit 2)", async () => {
  const suite = join(dir, "suite-bad-url.yaml");
  await writeFile(suite, suiteText());
  const r = await pipebench(["run", suite, "--store", join(dir, "bad.db"), "--prometheus-rw", "127.0.0.1:9090"]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /--prometheus-rw 127\.0\.0\.1:9090 is not an http\(s\) URL/);
});

test("a remote-write endpoint that refuses the pushes is reported, and the run still ends by its thresholds", async () => {
  const suite = join(dir, "suite-refused.yaml");
  await writeFile(suite, suiteText().replace(/  slow:[\s\S]*$/, ""));
  // Prometheus's query API is no remote-write endpoint: it answers each push with an error status.
  const r = await pipebench(["run", suite, "--store", join(dir, "refused.db"), "--allow-invalid", "--prometheus-rw", `${prom.url}/api/v1/query`]);
  assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}\n${r.stderr}`);
  assert.match(r.stderr, /prometheus remote write to http:\/\/127\.0\.0\.1:\d+\/api\/v1\/query failed: 4\d\d/);
  assert.match(r.stderr, /live metrics: (\d+) pushes to the remote-write endpoint, \1 failed/);
});
