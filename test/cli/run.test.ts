// A run as a user makes it, against a real PostgreSQL that pipebench starts itself (embedded):
// thresholds decide the exit code, the run is stored, `runs` lists it, `show` prints it, and an
// interrupted run keeps what it measured.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { BIN, pipebench } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-cli-run-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const store = join(dir, "results.db");

const suite = join(dir, "small.yaml");
writeFileSync(
  suite,
  `name: small
targets:
  pg: { kind: postgres, embedded: true, pool: 2 }
probes:
  - { kind: postgres-stats, target: pg }
scenarios:
  writes:
    target: pg
    workload: { type: insert, table: metrics_hot, method: copy, batchSize: 500, generator: server-metrics }
    load: { executor: closed, workers: 2, iterations: 20 }
    thresholds: ["errors == 0", "throughput > 1/s"]
  reads:
    target: pg
    workload: { type: query, sql: "select count(*) from metrics_hot" }
    load: { executor: constant-rate, rate: 20, duration: 1s }
    thresholds: ["p50 < 1us"]
thresholds: ["connection_usage < 90%"]
`,
);

test("a failed threshold exits 1; the run is stored, listed and shown with ✓ and ✗", async () => {
  const r = await pipebench(["run", suite, "--store", store, "--out", join(dir, "out")]);
  assert.equal(r.code, 1, r.stderr + r.stdout);
  assert.match(r.stdout, /pipebench run 1 · small · FAILED \(thresholds\)/);
  assert.match(r.stdout, /✓ errors == 0\s+0\b/);
  assert.match(r.stdout, /✗ p50 < 1us\s+[\d.]+(ms|µs)/);
  assert.match(r.stdout, /✓ connection_usage < 90%/);
  assert.match(r.stdout, /^writes\s+pg\s+closed ×2\s+20\s/m);

  const written = JSON.parse(readFileSync(join(dir, "out", "results.json"), "utf8")) as {
    scenarioResults: { name: string; result: { records: number; ops: number } }[];
  };
  assert.equal(written.scenarioResults[0]?.result.records, 20 * 500, "exactly the rows asked for");
  assert.equal(written.scenarioResults[1]?.result.ops, 20, "20 ops/s for 1 s");

  const runs = await pipebench(["runs", "--store", store]);
  assert.equal(runs.code, 0);
  assert.match(runs.stdout, /^\s*1\s+\S+ \S+\s+small\s+–\s+failed\s+1\s+2\s/m);

  const show = await pipebench(["show", "1", "--store", store]);
  assert.equal(show.code, 0);
  assert.match(show.stdout, /✗ p50 < 1us/);
  const json = await pipebench(["show", "latest", "--store", store, "--format", "json"]);
  assert.equal((JSON.parse(json.stdout) as { id: number }).id, 1);
});

test("--set and --scenario narrow a run; passing thresholds exit 0", async () => {
  const r = await pipebench(["run", "--allow-invalid", suite, "--store", store, "--scenario", "writes", "--set", "scenarios.writes.load.iterations=4"]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /^writes\s+pg\s+closed ×2\s+4\s/m);
  assert.doesNotMatch(r.stdout, /^reads/m);
});

test("Ctrl-C stops the run, keeps the partial results marked interrupted, exits 130", async () => {
  const long = join(dir, "long.yaml");
  writeFileSync(
    long,
    `targets:
  pg: { kind: postgres, embedded: true, pool: 2 }
scenarios:
  reads:
    target: pg
    workload: { type: query, sql: "select 1" }
    load: { executor: constant-rate, rate: 50, duration: 60s }
`,
  );
  const child = spawn(process.execPath, [BIN, "run", long, "--store", store], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  // Interrupt once the scenario is under way.
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (stderr.includes("reads")) {
        clearInterval(poll);
        setTimeout(() => {
          child.kill("SIGINT");
          resolve();
        }, 2000);
      }
    }, 100);
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  assert.equal(code, 130, stderr);
  const show = await pipebench(["show", "latest", "--store", store, "--format", "json"]);
  const run = JSON.parse(show.stdout) as { status: string; scenarioResults: { result: { status: string; ops: number } }[] };
  assert.equal(run.status, "interrupted");
  assert.equal(run.scenarioResults[0]?.result.status, "interrupted");
  assert.ok((run.scenarioResults[0]?.result.ops ?? 0) >= 50, "about 2 s of 50 ops/s kept");
});
