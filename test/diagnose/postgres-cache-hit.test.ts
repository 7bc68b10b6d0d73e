// The cache-hit finding from a real run: an embedded PostgreSQL with the smallest shared_buffers it
// accepts (128kB, 16 pages) and a table two hundred times larger, read by query scenarios through
// the CLI; `pipebench diagnose` then reports the ratio with the server's own settings quoted.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { Finding } from "../../src/diagnose/diagnose.js";
import { pipebench } from "../cli/helpers.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-diagnose-pg-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const store = join(dir, "results.db");
const suite = join(dir, "cache.yaml");
writeFileSync(
  suite,
  `name: cache-hit
targets:
  pg:
    kind: postgres
    embedded: { settings: { shared_buffers: "128kB" } }
    pool: 2
    setup:
      # ~27 MB of heap against 128 kB of shared_buffers.
      - create table big as select g as id, md5(g::text) || md5((g + 1)::text) as payload from generate_series(1, 200000) g
    queries:
      scan: select count(*), sum(length(payload)) from big where id % 7 = 0
      prefix: select max(id) from big where payload like 'ab%'
probes:
  - { kind: postgres-stats, target: pg }
scenarios:
  scan-big:
    target: pg
    workload: { type: query, query: scan }
    load: { executor: closed, workers: 1, iterations: 6 }
  prefix-big:
    target: pg
    workload: { type: query, query: prefix }
    load: { executor: closed, workers: 1, iterations: 6 }
`,
);

test("diagnose finds the low cache hit ratio and quotes shared_buffers as the server has it", async () => {
  const run = await pipebench(["run", "--allow-invalid", suite, "--store", store]);
  assert.equal(run.code, 0, run.stderr);
  // Every run's summary ends with its findings.
  assert.match(run.stdout, /\nFindings\n/);
  assert.match(run.stdout, /postgres\.cache-hit-low/);

  const r = await pipebench(["diagnose", "latest", "--store", store, "--format", "json"]);
  assert.equal(r.code, 0, r.stderr);
  const { findings } = JSON.parse(r.stdout) as { findings: Finding[] };
  const cache = findings.filter((f) => f.id === "postgres.cache-hit-low");
  // Seen in both scenarios, printed once: the worse one's numbers, both named.
  assert.equal(cache.length, 1);
  assert.deepEqual([...(cache[0]?.scenarios ?? [])].sort(), ["prefix-big", "scan-big"]);
  for (const f of cache) {
    assert.equal(f.area, "postgres");
    const ratio = /cache hit ([\d.]+)% over the scenario \(target ≥ 99%\)/.exec(f.evidence[0] ?? "");
    assert.ok(ratio, f.evidence[0]);
    // Sequential scans of 27 MB through 16 pages: nearly every block comes from outside.
    assert.ok(Number(ratio[1]) < 50, `cache hit ${ratio[1]} %`);
    assert.ok(f.evidence.some((e) => /shared_buffers 128kB/.test(e)), f.evidence.join(" | "));
    assert.match(f.recommendation, /shared_buffers = '\d+[MG]B' \(now 128kB\)/);
    assert.match(f.recommendation, /embedded: \{ settings: \{ shared_buffers: "\d+[MG]B"/);
    assert.match(f.runbook, /^docs\/runbooks\/postgres-cache-hit\.md · shared_buffers https:\/\/www\.postgresql\.org\/docs\/current\/runtime-config-resource\.html#GUC-SHARED-BUFFERS · /);
  }

  const table = await pipebench(["diagnose", "latest", "--store", store]);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /\[(high|medium)\] PostgreSQL cache hit ratio below 99 %/);
  assert.match(table.stdout, /runbook: docs\/runbooks\/postgres-cache-hit\.md · /);
});
