// `pipebench compare` on real runs (DuckDB in-process, 5 trials of 1 s each): the same paced suite
// run twice is "no change" on throughput (no false alarm); a query 10× heavier is significantly
// worse, and --fail-on-regression exits 1 for it; the baseline ref and a single-trial bootstrap work.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { compareRuns, type RunComparison } from "../../src/compare/compare.js";
import type { StoredRun } from "../../src/store/results-store.js";
import { pipebench } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-cli-compare-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const store = join(dir, "results.db");
const suite = join(dir, "duck.yaml");
const LIGHT = "select sum(i * i) from range(200000) t(i)";
const HEAVY = "select sum(i * i) from range(2000000) t(i)";
writeFileSync(
  suite,
  `name: duck-compare
targets:
  duck: { kind: duckdb }
scenarios:
  sum:
    target: duck
    workload: { type: query, sql: "${LIGHT}" }
    load: { executor: closed, workers: 1, duration: 1s, warmup: 0s }
  paced:
    target: duck
    workload: { type: query, sql: "${LIGHT}" }
    load: { executor: constant-rate, rate: 50, duration: 1s, warmup: 0s }
`,
);

async function run(tag: string, ...args: string[]): Promise<void> {
  const r = await pipebench(["run", "--allow-invalid", suite, "--store", store, "--tag", tag, ...args]);
  // Exit 0: no thresholds in this suite, so anything else is a failure to run.
  assert.equal(r.code, 0, r.stderr);
}

async function compare(a: string, b: string, ...args: string[]): Promise<{ code: number | null; comparison: RunComparison; stderr: string }> {
  const r = await pipebench(["compare", a, b, "--store", store, "--format", "json", ...args]);
  assert.ok(r.stdout.startsWith("{"), `compare ${a} ${b} printed no JSON (exit ${r.code}): ${r.stderr}`);
  return { code: r.code, comparison: JSON.parse(r.stdout) as RunComparison, stderr: r.stderr };
}

function metric(c: RunComparison, name: string, scenario = "sum") {
  const m = c.metrics.find((x) => x.scenario === scenario && x.metric === name);
  assert.ok(m, `no ${name} in ${JSON.stringify(c.metrics.map((x) => x.metric))}`);
  return m;
}

before(async () => {
  // "No false alarm" is checked on the paced scenario, whose throughput is its schedule's. A closed
  // loop's throughput is the machine's speed, and the other tests running beside this one change
  // that between two runs, even two run at the same time: their trials fall into step, one run's
  // always overlapping the other's work between trials (121/s against 172/s, all five trials apart,
  // in one CI run). No statistics can tell that from a change in the suite.
  await Promise.all([run("first", "--trials", "5"), run("second", "--trials", "5")]);
  await run("heavy", "--trials", "5", "--scenario", "sum", "--set", `scenarios.sum.workload.sql=${HEAVY}`);
});

// The gate as CI should run it: alpha 0.01. At 0.05 a correct test still calls 8 of the 252 equally
// likely rank orders of two identical 5-trial samples different (1 pair in 31: a flaky test); at
// 0.01 only complete separation counts (2 of 252), which a 10× heavier query still reaches.
const GATE = ["--fail-on-regression", "5%", "--alpha", "0.01"];

test("the same paced suite twice: throughput is no change (~), and the gate does not name it", async () => {
  const { comparison, stderr } = await compare("first", "second", ...GATE);
  const t = metric(comparison, "throughput", "paced");
  assert.doesNotMatch(stderr, /paced throughput/);
  assert.equal(t.before.n, 5);
  assert.equal(t.after.n, 5);
  assert.equal(t.verdict, "no change", JSON.stringify(t));
  assert.deepEqual(comparison.settings, []);
  assert.deepEqual(comparison.environment, []);
  // The closed loop's five trials a side go through the rank test; its verdict is the machine's.
  const closed = metric(comparison, "throughput");
  assert.equal(closed.test, "mann-whitney");
  assert.deepEqual([closed.before.values.length, closed.after.values.length], [5, 5]);
});

test("a query 10× heavier: throughput significantly worse, --fail-on-regression 5% exits 1 (and the reverse is better)", async () => {
  const worse = await compare("second", "heavy", ...GATE);
  assert.equal(worse.code, 1);
  assert.match(worse.stderr, /regression: .*sum throughput -\d/);
  const t = metric(worse.comparison, "throughput");
  assert.equal(t.verdict, "worse");
  assert.ok(t.changePct !== null && t.changePct < -50, String(t.changePct));
  assert.ok(t.pValue !== null && t.pValue < 0.01);
  assert.ok(t.ci95 !== null && t.ci95[1] < 0, `interval ${JSON.stringify(t.ci95)} should lie below 0`);
  assert.equal(metric(worse.comparison, "p50").verdict, "worse");
  // What changed between the runs is named: the setting that made it slower, and the scenario the
  // heavy run left out (its latency, measured alone, would be judged against one measured beside
  // another run: a difference of load, not of the suite).
  assert.deepEqual(worse.comparison.settings[0], { path: "scenarios.sum.workload.sql", before: LIGHT, after: HEAVY });
  assert.deepEqual(worse.comparison.settings.map((s) => s.path), ["scenarios.sum.workload.sql", "scenarios.paced"]);

  const better = await compare("heavy", "second", ...GATE);
  assert.equal(better.code, 0, better.stderr);
  assert.equal(metric(better.comparison, "throughput").verdict, "better");
  assert.equal(metric(better.comparison, "p50").verdict, "better");
});

test("the table prints medians, the change with p and n, the interval and the verdict; ~ for no change", async () => {
  const r = await pipebench(["compare", "second", "heavy", "--store", store]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /run \d+ \(second\) → run \d+ \(heavy\)/);
  assert.match(r.stdout, /settings that differ[\s\S]*scenarios\.sum\.workload\.sql/);
  assert.match(r.stdout, /throughput .* -\d+\.\d+% \(p=0\.0\d\d n=5\) +\[-\d[\d.]*%, -\d[\d.]*%\] +WORSE/);
  assert.match(r.stdout, /need >= 6 samples for confidence interval at level 0\.95/);
  const same = await pipebench(["compare", "first", "second", "--store", store, "--alpha", "0.01"]);
  assert.match(same.stdout, /\npaced\n  throughput .* ~ \((p=\d\.\d{3} )?n=5\) .*~\n/);
});

test("baseline set / show, and `compare baseline latest` uses the baseline of the latest run's suite", async () => {
  const set = await pipebench(["baseline", "set", "first", "--store", store]);
  assert.equal(set.code, 0, set.stderr);
  assert.match(set.stdout, /run \d+ \(first\) is now the baseline of suite duck-compare/);
  const show = await pipebench(["baseline", "show", "--store", store]);
  assert.match(show.stdout, /duck-compare\s+\d+\s+first/);
  const { code, comparison } = await compare("baseline", "latest");
  assert.equal(code, 0);
  assert.equal(comparison.before.tag, "first");
  assert.equal(comparison.after.tag, "heavy");
  const missing = await pipebench(["baseline", "show", "--suite", "nope", "--store", store]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /suite nope has no baseline/);
  const bad = await pipebench(["compare", "first", "no-such-run", "--store", store]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /no run "no-such-run"[\s\S]*hint:/);
  const badPct = await pipebench(["compare", "first", "second", "--fail-on-regression", "five", "--store", store]);
  assert.equal(badPct.code, 2);
});

test("single trials: latency percentiles are bootstrapped from the stored histograms", async () => {
  await run("one-light");
  await run("one-heavy", "--set", `scenarios.sum.workload.sql=${HEAVY}`);
  const { comparison } = await compare("one-light", "one-heavy");
  const p50 = metric(comparison, "p50");
  assert.equal(p50.test, "bootstrap");
  assert.equal(p50.verdict, "worse");
  assert.ok(p50.ci95 !== null && p50.ci95[0] > 0, JSON.stringify(p50.ci95));
});

test("environments that differ are listed (library API on the stored runs)", async () => {
  const shown = await pipebench(["show", "first", "--store", store, "--format", "json"]);
  const first = JSON.parse(shown.stdout) as StoredRun;
  const elsewhere: StoredRun = {
    ...first,
    id: first.id + 100,
    environment: { ...first.environment, node: "v22.11.0", host: { ...first.environment.host, cores: 64 } },
  };
  const c = compareRuns(first, elsewhere);
  assert.ok(c.environment.some((e) => /^node: v\d.* → v22\.11\.0$/.test(e)), JSON.stringify(c.environment));
  assert.ok(c.environment.some((e) => /^host cores: \d+ → 64$/.test(e)), JSON.stringify(c.environment));
  // Identical trials: every metric is no change, nothing is called better or worse.
  assert.ok(c.metrics.every((m) => m.verdict === "no change"), JSON.stringify(c.metrics.map((m) => [m.metric, m.verdict])));
});

// The README's "Before and after" on the real embedded PostgreSQL, in the same store (after the
// tests above, which read `latest`): batch 100 → 5000 is a change of the operation, and the gate
// judges the work per record. 5 trials a side (fewer can never be significant at alpha 0.05) of 1 s.
const COPY_SUITE = fileURLToPath(new URL("../../suites/postgres-copy.yaml", import.meta.url));

test("the README's before and after (COPY batch 100 → 5000) passes --fail-on-regression 5%: throughput judged per record, per-operation latency not comparable", async () => {
  for (const [tag, ...set] of [["batch-100"], ["batch-5000", "--set", "scenarios.copy.workload.batchSize=5000"]] as const) {
    const r = await pipebench(["run", "--allow-invalid", COPY_SUITE, "--store", store, "--trials", "5", "--duration", "1", "--tag", tag, ...set]);
    assert.equal(r.code, 0, r.stderr);
  }
  // Per record, p50 and p95 of batch 100 and batch 5000 are close (about 10 µs each here), so which
  // side wins them is the machine's noise: the gate names the throughput and the per-operation
  // metrics, which are 36 times worse per operation and must not be judged.
  const r = await pipebench(["compare", "batch-100", "batch-5000", "--store", store, "--fail-on-regression", "5%", "--gate", "throughput,ops,p50,p95,p99,pg.mean_query_time"]);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /note: copy: the operation changed \(100 records an operation in run \d+, 5000 in run \d+\): ops\/s and the latencies of an operation are not comparable/);
  // Throughput is judged by the gate, per record. Better is what a quiet machine shows (the README:
  // p=0.008, all 5 trials apart); on a busy one the trials overlap (p=0.087 at load 7, '~'): the
  // verdict is the machine's, but never worse, and it is in the tally, not set apart.
  assert.match(r.stdout, /\n  throughput .* (\+\d[\d.]*% \(p=0\.\d+ n=5\) .* better|~ \(p=0\.\d+ n=5\) .* ~)\n/);
  assert.match(r.stdout, /\n  p50 per record +\d[\d.]*µs ± ∞ ¹ +\d[\d.]*µs ± ∞ ¹ .* (better|~|WORSE)\n/);
  assert.match(r.stdout, /\n  per operation \(100 → 5000 records\):\n    ops .* not comparable\n    p50 .* not comparable\n    p95 .* not comparable\n    p99 .* not comparable\n/);
  assert.match(r.stdout, /    pg\.mean_query_time .* not comparable\n/);
  assert.match(r.stdout, /\n\d+ better, \d+ worse, \d+ unchanged; 7 not comparable \(of another operation\), not counted$/m);
  assert.match(r.stderr, /not judged, of another operation \(the operation changed\): copy ops, p50, p95, p99, pg\.mean_query_time\n/);
  assert.match(r.stderr, /no metric significantly worse by more than 5% \(gate: throughput, ops, p50, p95, p99, pg\.mean_query_time\)\n$/);

  const json = await compare("batch-100", "batch-5000");
  assert.deepEqual(json.comparison.operationChanges.map((o) => [o.scenario, o.recordsPerOp]), [["copy", [100, 5000]]]);
  assert.equal(metric(json.comparison, "p99", "copy").verdict, "not comparable");
  assert.ok(["better", "no change"].includes(metric(json.comparison, "throughput", "copy").verdict), "judged, and not worse");
  // Named in --gate, a metric of another operation is said not to be judged.
  const gated = await pipebench(["compare", "batch-100", "batch-5000", "--store", store, "--fail-on-regression", "5%", "--gate", "throughput,p99"]);
  assert.equal(gated.code, 0, gated.stderr);
  assert.match(gated.stderr, /not judged, of another operation \(the operation changed\): copy p99\nno metric significantly worse by more than 5% \(gate: throughput, p99\)\n$/);
});

test("--gate names what --fail-on-regression judges; a name not in the runs is exit 2 with the names there are", async () => {
  // The heavy query: throughput and latency worse. Gated on error_rate alone, the build passes.
  const errorsOnly = await pipebench(["compare", "second", "heavy", "--store", store, ...GATE, "--gate", "error_rate"]);
  assert.equal(errorsOnly.code, 0, errorsOnly.stderr);
  assert.match(errorsOnly.stderr, /^no metric significantly worse by more than 5% \(gate: error_rate\)\n$/);
  const throughputOnly = await pipebench(["compare", "second", "heavy", "--store", store, ...GATE, "--gate", "throughput"]);
  assert.equal(throughputOnly.code, 1, throughputOnly.stderr);
  assert.match(throughputOnly.stderr, /^regression \(gate: throughput\): 1 metric\(s\) significantly worse by more than 5%: sum throughput -\d[\d.]*%\n$/);

  const unknown = await pipebench(["compare", "second", "heavy", "--store", store, "--fail-on-regression", "5%", "--gate", "throughput,p999,latency"]);
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stdout, "");
  assert.match(unknown.stderr, /^error: --gate p999, latency: not metrics of run \d+ and run \d+\n  hint: the metrics of these runs: /);
  const listed = /the metrics of these runs: (.*)\n/.exec(unknown.stderr)?.[1]?.split(", ") ?? [];
  for (const name of ["throughput", "p50", "p95", "p99", "error_rate", "service.p99"]) assert.ok(listed.includes(name), `${name} in ${listed.join(", ")}`);
  const alone = await pipebench(["compare", "second", "heavy", "--store", store, "--gate", "throughput"]);
  assert.equal(alone.code, 2);
  assert.match(alone.stderr, /--gate names what --fail-on-regression judges/);
});

test("two runs of different suites: exit 2, one error line and its hint, nothing on stdout", async () => {
  const r = await pipebench(["compare", "batch-100", "second", "--store", store]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /^error: run \d+ \(batch-100\) is of suite postgres-copy and run \d+ \(second\) of suite duck-compare: compare needs two runs of one suite\n  hint: list one suite's runs with: pipebench runs --suite duck-compare\n$/);
});
