// Two real runs of a small DuckDB suite (in-process, a few seconds each) in a temporary store, made
// through the CLI as a user makes them: run 1 the baseline, run 2 with one setting changed (the
// open-loop rate). The suite's name carries `</script>`, quotes and an ampersand on purpose: a
// report must print it as text, never let it end a script element.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipebench } from "../cli/helpers.js";

export const HOSTILE_SUITE_NAME = `duck </script><script>window.pwned=1</script> & "small"`;

export interface ReportFixture {
  dir: string;
  store: string;
  suite: string;
  cleanup(): void;
}

export function suiteYaml(rate: number): string {
  return `name: ${JSON.stringify(HOSTILE_SUITE_NAME)}
targets:
  duck:
    kind: duckdb
    datasets:
      - { table: prices, generator: commodity-prices, rows: 2000, seed: 7 }
    queries:
      count: select count(*) from prices
      agg: select commodity, avg(price) from prices group by commodity
scenarios:
  count:
    target: duck
    workload: { type: query, query: count }
    load: { executor: constant-rate, rate: ${rate}, duration: 3s }
    thresholds: ["p95 < 500ms", "error_rate < 1%"]
  agg:
    target: duck
    workload: { type: query, query: agg }
    load: { executor: closed, workers: 1, duration: 2s }
    thresholds: ["p99 < 1us"]
`;
}

/** Runs 1 (rate 50/s) and 2 (rate 100/s): run 2's thresholds include one that must fail. */
export async function makeRuns(prefix: string): Promise<ReportFixture> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const store = join(dir, "results.db");
  const suite = join(dir, "duck.yaml");
  writeFileSync(suite, suiteYaml(50));
  const first = await pipebench(["run", suite, "--store", store]);
  assert.equal(first.code, 1, `run 1 exits 1 (p99 < 1us fails): ${first.stderr}`);
  writeFileSync(suite, suiteYaml(100));
  const second = await pipebench(["run", suite, "--store", store]);
  assert.equal(second.code, 1, `run 2 exits 1 (p99 < 1us fails): ${second.stderr}`);
  return { dir, store, suite, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
