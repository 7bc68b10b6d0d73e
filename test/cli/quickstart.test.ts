// The README's main command, `pipebench run` with no suite: embedded PostgreSQL, DuckDB and the
// ingest service all start, every scenario runs, the verdict decides the exit code, it is stored.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { parse } from "yaml";
import { pipebench } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-quickstart-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("pipebench run with no suite runs the embedded quickstart end to end and stores it", { timeout: 240_000 }, async () => {
  const store = join(dir, "results.db");
  const r = await pipebench(["run", "--store", store]);
  // 4 on a machine too busy to trust the numbers: then the last line says why.
  assert.ok(r.code === 0 || r.code === 1 || r.code === 4, `exit ${r.code}\n${r.stderr}\n${r.stdout}`);
  if (r.code === 4) assert.match(r.stdout, /\nINVALID: the thresholds passed, but .*\n {2}exit 4: [^\n]*\n$/);
  const suite = parse(readFileSync(new URL("../../suites/quickstart.yaml", import.meta.url), "utf8")) as {
    scenarios: Record<string, unknown>;
  };
  for (const name of Object.keys(suite.scenarios)) {
    assert.match(r.stdout, new RegExp(`^${name}\\s`, "m"), `${name} is in the summary`);
  }
  assert.match(r.stdout, /suite thresholds/);
  assert.match(r.stdout, /[✓✗] cache_hit_ratio > 99%\s+\d/);
  assert.match(r.stdout, /[✓✗] p99 < 2s\s+\d/);
  // The ingest service's own request-duration percentiles (its /metrics), beside pipebench's.
  assert.match(r.stdout, /ingest's own \/metrics: p50 \S+ {2}p95 \S+ {2}p99 \S+ \(bucket-bounded\) · [\d,]+ requests [\d.,]+\/s · pipebench: p50 /);
  assert.doesNotMatch(r.stdout, /\b0 ops\b/);
  const runs = await pipebench(["runs", "--store", store]);
  assert.match(runs.stdout, /quickstart\s+–\s+(passed|failed|INVALID)/);
});
