// Input errors in one round, and the right advice (issue 12, item 8), as a user meets them: the built
// CLI, the real drivers' schemas, a suite file on disk. Each suite is checked with --dry-run, which
// reports what a run would (every problem, exit 2) and connects to nothing.
import assert from "node:assert/strict";
import { drivers } from "../../src/drivers/index.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { pipebench } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-cli-advice-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function suite(name: string, lines: readonly string[]): string {
  const file = join(dir, name);
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

const HTTP_TARGET = ["targets:", "  api: { kind: http, url: http://127.0.0.1:9 }"];

/** The lines that name a problem (file:line:col), without the fixes under them. */
function problems(stderr: string): string[] {
  return stderr.split("\n").filter((l) => /\.yaml:\d+:\d+ /.test(l));
}

test("a load: indented one level too shallow is one problem that says so, with the spaces it has and needs", async () => {
  const file = suite("shallow.yaml", [
    ...HTTP_TARGET,
    "scenarios:",
    "  ingest:",
    "    target: api",
    "    workload: { type: request, path: /ingest }",
    "  load:", // 7
    "    executor: constant-rate",
    "    rate: 100",
    "    duration: 10s",
  ]);
  const r = await pipebench(["run", file, "--dry-run"]);
  assert.equal(r.code, 2, r.stderr);
  assert.deepEqual(problems(r.stderr), [
    `${file}:7:3  scenarios.load: "load:" belongs to scenario ingest above it, but is indented one level too shallow (2 spaces; it needs 4), so it reads as a scenario named "load"`,
  ]);
  assert.match(r.stderr, /add 2 spaces before "load:" and each line under it/);
  assert.match(r.stderr, /1 problem in /);
});

test("an unknown workload type is reported in the same round as an unknown target kind", async () => {
  const file = suite("kinds.yaml", [
    "targets:",
    "  api: { kind: htttp, url: http://127.0.0.1:9 }", // 2
    "scenarios:",
    "  ingest:",
    "    target: api",
    "    workload: { type: reqest, path: /ingest }", // 6
    "    load: { executor: constant-rate, rate: 100, duration: 10s }",
  ]);
  const r = await pipebench(["run", file, "--dry-run"]);
  assert.equal(r.code, 2, r.stderr);
  assert.deepEqual(
    problems(r.stderr).map((l) => l.replace(`${file}:`, "")),
    [`2:16  targets.api.kind: unknown kind "htttp"; kinds are: ${Object.keys(drivers).join(", ")}`, '6:23  scenarios.ingest.workload.type: unknown type "reqest"; types are: request'],
  );
  assert.match(r.stderr, /did you mean "request"\?/);
});

test("k6 thresholds get pipebench's metric and units in the fix", async () => {
  const file = suite("k6.yaml", [
    ...HTTP_TARGET,
    "scenarios:",
    "  ingest:",
    "    target: api",
    "    workload: { type: request, path: /ingest }",
    "    load: { executor: constant-rate, rate: 100, duration: 10s }",
    "    thresholds:",
    "      - http_req_duration p(95)<500",
    "      - p(95)<500",
    "      - http_req_failed rate<0.01",
  ]);
  const r = await pipebench(["run", file, "--dry-run"]);
  assert.equal(r.code, 2, r.stderr);
  const fixes = r.stderr.split("\n").filter((l) => l.startsWith("    "));
  assert.deepEqual(fixes, ["    write p95 < 500ms", "    write p95 < 500ms", "    write error_rate < 1%"]);
  assert.doesNotMatch(r.stderr, /write http_req_duration </);
});

test("expect: 200 on an HTTP request names status", async () => {
  const file = suite("expect.yaml", [
    ...HTTP_TARGET,
    "scenarios:",
    "  ingest:",
    "    target: api",
    "    workload: { type: request, path: /ingest, expect: 200 }",
    "    load: { executor: constant-rate, rate: 100, duration: 10s }",
  ]);
  const r = await pipebench(["run", file, "--dry-run"]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /scenarios\.ingest\.workload\.expect: expected a map, got number 200\n    write expect: \{ status: 200 \}\n/);
});

test("--duration 2 does not hide an invalid duration: 1 minute in the file", async () => {
  const file = suite("duration.yaml", [
    ...HTTP_TARGET,
    "scenarios:",
    "  ingest:",
    "    target: api",
    "    workload: { type: request, path: /ingest }",
    "    load: { executor: constant-rate, rate: 100, duration: 1 minute }", // 7
  ]);
  const r = await pipebench(["run", file, "--dry-run", "--duration", "2"]);
  assert.equal(r.code, 2, r.stderr);
  assert.deepEqual(problems(r.stderr), [
    `${file}:7:59  scenarios.ingest.load.duration: "1 minute" is not a duration (the file's value; --duration replaces it in this run)`,
  ]);
  assert.match(r.stderr, /write "1m"/);
});
