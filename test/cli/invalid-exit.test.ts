// A run whose thresholds passed on a result pipebench itself marks INVALID exits 4, says why on its
// last line, and is stored, listed, reported and written to JUnit as invalid; --allow-invalid
// accepts it (exit 0). The invalid result is made the one way that holds on any machine, busy or
// quiet: a p99 threshold judged on 60 latencies (too-few-samples). DuckDB, in-process.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { pipebench } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-cli-invalid-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const suite = join(dir, "few.yaml");
writeFileSync(
  suite,
  `name: few-samples
targets:
  duck: { kind: duckdb }
scenarios:
  count:
    target: duck
    workload: { type: query, sql: "select count(*) from range(1000)" }
    load: { executor: closed, workers: 1, iterations: 60 }
    thresholds: ["p99 < 10s"]
  unjudged:
    target: duck
    workload: { type: query, sql: "select 1" }
    load: { executor: closed, workers: 1, iterations: 60 }
`,
);

function lastLines(stdout: string, n: number): string[] {
  return stdout.trimEnd().split("\n").slice(-n);
}

test("thresholds passed on an invalid result: exit 4, the reason printed last, stored and listed as INVALID", async () => {
  const store = join(dir, "invalid.db");
  const r = await pipebench(["run", suite, "--store", store]);
  assert.equal(r.code, 4, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /pipebench run 1 · few-samples · INVALID \(thresholds passed on results that cannot be trusted\)/);
  assert.match(r.stdout, /✓ p99 < 10s/);
  const [reason, hint] = lastLines(r.stdout, 2);
  // The verdict's line gives the first reason: too-few-samples here, unless a busy machine put schedule-lag first.
  assert.match(reason ?? "", /^INVALID: the thresholds passed, but count's result cannot be trusted: .+ \[(too-few-samples|schedule-lag)\]$/);
  assert.match(r.stdout, /\n {4}INVALID: p99 from 60 latencies \(needs ≥ 1,000.*\[too-few-samples\]\n/);
  assert.match(hint ?? "", /^ {2}exit 4: .*--allow-invalid/);
  // `unjudged` is as invalid, but no threshold judged it: it is not the reason.
  assert.doesNotMatch(reason ?? "", /more scenario/);

  const runs = await pipebench(["runs", "--store", store]);
  assert.match(runs.stdout, /few-samples +– +INVALID +4 /);

  const out = join(dir, "report");
  const report = await pipebench(["report", "latest", "--store", store, "--out", out]);
  assert.equal(report.code, 0, report.stderr);
  const junit = readFileSync(join(out, "junit.xml"), "utf8");
  assert.match(junit, /<testcase name="validity" classname="few-samples\.count"[^>]*>\s*<error message="result not valid: [^"]*p99 from 60 latencies[^"]*" type="invalid-result">/);
  assert.match(junit, /<testsuite name="count" tests="2" failures="0" errors="1"/);
  assert.match(readFileSync(join(out, "report.md"), "utf8"), /Invalid \(every threshold met, on results that cannot be trusted: exit 4\)/);
  assert.match(readFileSync(join(out, "report.html"), "utf8"), /<span class="badge warn">invalid<\/span>/);
});

test("--allow-invalid: the same run exits 0, says what it accepted, and JUnit passes the case", async () => {
  const store = join(dir, "allowed.db");
  const r = await pipebench(["run", suite, "--store", store, "--allow-invalid", "--format", "json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { status: string }).status, "passed");
  assert.match(r.stderr, /INVALID: the thresholds passed, but count's result cannot be trusted[^\n]*\n {2}accepted with --allow-invalid: exit 0/);

  const out = join(dir, "allowed-report");
  assert.equal((await pipebench(["report", "latest", "--store", store, "--out", out])).code, 0);
  const junit = readFileSync(join(out, "junit.xml"), "utf8");
  assert.doesNotMatch(junit, /<error/);
  assert.match(junit, /<testcase name="validity \(invalid, accepted with --allow-invalid\)"/);
});

test("a threshold that failed still exits 1 when the result is also invalid: the failure is the verdict, JUnit keeps both", async () => {
  const store = join(dir, "failed.db");
  const r = await pipebench(["run", suite, "--store", store, "--set", "scenarios.count.thresholds=[\"p99 < 1us\"]"]);
  assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
  assert.doesNotMatch(r.stdout, /INVALID: the thresholds passed/);
  assert.match((await pipebench(["runs", "--store", store])).stdout, /few-samples +(– +)?failed +1 /);

  // The threshold's failure is a <failure>; the numbers it judged are still not to be trusted, an
  // <error> of the measurement beside it, not a second failed threshold.
  const out = join(dir, "failed-report");
  assert.equal((await pipebench(["report", "latest", "--store", store, "--out", out])).code, 0);
  const junit = readFileSync(join(out, "junit.xml"), "utf8");
  assert.match(junit, /<testcase name="p99 &lt; 1us" classname="few-samples\.count"[^>]*>\s*<failure [^>]*type="threshold">/);
  assert.match(junit, /<testcase name="validity" classname="few-samples\.count"[^>]*>\s*<error message="result not valid: [^"]*p99 from 60 latencies[^"]*" type="invalid-result">/);
  assert.match(junit, /<testsuite name="count" tests="2" failures="1" errors="1"/);
});
