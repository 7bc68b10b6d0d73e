// `pipebench run --dry-run` checks the suite and prints the plan — targets and where they are,
// scenarios with their loads, durations and operations — and connects to, starts and stores
// nothing; with --scenario, --set, --duration and --rate applied as a run applies them. A broken
// suite exits 2 with every problem, as a run does.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { pipebench, type CliResult } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-cli-dry-run-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const store = join(dir, "results.db");

function context(r: CliResult): string {
  return `exit ${r.code}\n${r.stderr}\n${r.stdout}`;
}

/** The plan's row for a scenario, its cells split on runs of spaces. */
function row(stdout: string, scenario: string): string[] {
  const line = stdout.split("\n").find((l) => l.startsWith(`${scenario} `));
  assert.ok(line !== undefined, `no row for ${scenario}:\n${stdout}`);
  return line.split(/\s{2,}/);
}

test("the quickstart's plan: targets, scenarios, the open loop's operations; nothing started or stored", async () => {
  const started = Date.now();
  const r = await pipebench(["run", "suites/quickstart.yaml", "--dry-run", "--store", store]);
  assert.equal(r.code, 0, context(r));
  // The embedded PostgreSQL alone takes seconds to start; nothing was started.
  assert.ok(Date.now() - started < 15_000, `${Date.now() - started} ms`);
  assert.equal(existsSync(store), false, "the results store was not even opened");
  assert.doesNotMatch(r.stderr, /starting|ready at/);

  assert.match(r.stdout, /^plan · quickstart · 12 scenarios · /m);
  assert.match(r.stdout, /^\s+pg\s+postgres\s+embedded/m);
  assert.match(r.stdout, /^\s+duck\s+duckdb\s+in-process/m);
  assert.match(r.stdout, /^\s+ingest\s+http\s+started by command: node \.\.\/dist\/quickstart\/ingest-service\.js$/m);
  // 200/s for 15 s after 2 s of warm-up at 200/s.
  assert.deepEqual(row(r.stdout, "http-ingest"), ["http-ingest", "ingest", "request POST /ingest", "constant-rate 200/s", "2s", "15s", "3,000 (+400 warm-up)"]);
  assert.deepEqual(row(r.stdout, "concurrent-writers").slice(3), ["closed, 10 workers", "1s", "–", "100 iterations"]);
  assert.match(r.stdout, /^operations: 3,000 scheduled \(open loop\) \+ 1,020 iterations \(closed loops\), warm-up excluded$/m);
  assert.match(r.stdout, /^valid: nothing was started, connected to or stored/m);
});

test("--scenario, --rate, --duration and --set change the plan as they change a run", async () => {
  const r = await pipebench([
    "run", "suites/quickstart.yaml", "--dry-run", "--store", store,
    "--scenario", "http-ingest", "--rate", "300", "--duration", "4s", "--set", "scenarios.http-ingest.load.warmup=1s",
  ]);
  assert.equal(r.code, 0, context(r));
  assert.deepEqual(row(r.stdout, "http-ingest").slice(3), ["constant-rate 300/s", "1s", "4s", "1,200 (+300 warm-up)"]);
  assert.doesNotMatch(r.stdout, /^copy-batch-100 /m);
  assert.match(r.stdout, /not used by the chosen scenarios, not connected: duck/);
  assert.equal(existsSync(store), false);
});

test("ramps and steps: the operations of their schedules; closed loops: workers and time, operations unknown", async () => {
  const suite = join(dir, "shapes.yaml");
  writeFileSync(
    suite,
    `targets:
  api: { kind: http, url: "http://db.example.com:8080/v1" }
scenarios:
  ramp:
    target: api
    workload: { type: request, path: /a }
    load: { executor: ramp, from: 100, to: 300, duration: 10s }
  steps:
    target: api
    workload: { type: request, method: POST, path: /b }
    load: { executor: steps, steps: [{ rate: 100, duration: 2s }, { rate: 300, duration: 3s }] }
  loop:
    target: api
    workload: { type: request }
    load: { executor: closed, workers: 4, duration: 10s }
`,
  );
  const r = await pipebench(["run", suite, "--dry-run", "--store", store]);
  assert.equal(r.code, 0, context(r));
  assert.match(r.stdout, /^\s+api\s+http\s+db\.example\.com:8080$/m);
  // (100 + 300) / 2 × 10 s; 100 × 2 + 300 × 3.
  assert.deepEqual(row(r.stdout, "ramp").slice(3), ["ramp 100/s → 300/s", "–", "10s", "2,000"]);
  assert.deepEqual(row(r.stdout, "steps").slice(3), ["steps 100/s, 300/s", "–", "5s", "1,100"]);
  assert.deepEqual(row(r.stdout, "loop").slice(3), ["closed, 4 workers", "–", "10s", "unknown"]);
  assert.match(r.stdout, /^operations: 3,100 scheduled \(open loop\), warm-up excluded; 1 closed loop runs for a time/m);
  assert.match(r.stdout, /^time under load: 25s,/m);

  const json = await pipebench(["run", suite, "--dry-run", "--format", "json", "--store", store]);
  assert.equal(json.code, 0, context(json));
  const plan = JSON.parse(json.stdout) as { scenarios: { name: string; operations?: number }[] };
  assert.deepEqual(plan.scenarios.map((s) => [s.name, s.operations]), [["ramp", 2000], ["steps", 1100], ["loop", undefined]]);
  assert.equal(existsSync(store), false);
});

test("a broken suite: exit 2, every problem with its line, nothing stored", async () => {
  const suite = join(dir, "broken.yaml");
  writeFileSync(
    suite,
    `targets:
  api: { kind: htp, url: "http://127.0.0.1:8080" }
scenarios:
  get:
    target: api
    workload: { type: request }
    load: { executor: constant, rate: 100, duration: 10s }
`,
  );
  const r = await pipebench(["run", suite, "--dry-run", "--store", store]);
  assert.equal(r.code, 2, context(r));
  assert.match(r.stderr, /broken\.yaml:2:\d+ +targets\.api\.kind: unknown kind "htp"/);
  assert.match(r.stderr, /broken\.yaml:7:\d+ +scenarios\.get\.load\.executor: unknown executor "constant"/);
  assert.match(r.stderr, /^2 problems in /m);
  assert.equal(r.stdout, "");
  assert.equal(existsSync(store), false);

  // --max-rate refuses in a dry run as in a run.
  const capped = await pipebench(["run", "suites/quickstart.yaml", "--dry-run", "--max-rate", "100", "--store", store]);
  assert.equal(capped.code, 2, context(capped));
  assert.match(capped.stderr, /--max-rate 100\/s: scenario http-ingest asks 200\/s/);
});
