// Generators with no coordinator (`--segment i/N --start-at T`, the pods of an Indexed Job) start
// every scenario together, not only the first: each computes a later scenario's start as the one
// before's agreed start + its planned length + SCENARIO_MARGIN_MS. Two real CLI processes on a
// two-scenario DuckDB suite (in-process: no server to start).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { SCENARIO_MARGIN_MS, agreedNextStart } from "../../src/engine/scenario-load.js";
import { ResultsStore } from "../../src/store/results-store.js";
import { pipebench } from "../cli/helpers.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-agreed-start-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("a later scenario's agreed start: the one before's + warm-up + measured time + the margin; none after iterations", () => {
  assert.equal(agreedNextStart(1_000, { executor: "constant-rate", rate: 10, duration: 2_000, warmup: 500 }), 1_000 + 500 + 2_000 + SCENARIO_MARGIN_MS);
  assert.equal(agreedNextStart(1_000, { executor: "closed", workers: 2, duration: 3_000 }), 1_000 + 3_000 + SCENARIO_MARGIN_MS);
  assert.equal(agreedNextStart(1_000, { executor: "closed", workers: 2, iterations: 50 }), undefined);
});

test("two --segment generators with --start-at start the second scenario together too, at its agreed time", { timeout: 120_000 }, async () => {
  const file = join(dir, "two.yaml");
  writeFileSync(
    file,
    [
      "name: two",
      "targets:",
      "  duck: { kind: duckdb }",
      "scenarios:",
      "  first:",
      "    target: duck",
      '    workload: { type: query, sql: "select 1" }',
      "    load: { executor: constant-rate, rate: 40, duration: 1s }",
      "  second:",
      "    target: duck",
      '    workload: { type: query, sql: "select 2" }',
      "    load: { executor: constant-rate, rate: 40, duration: 1s }",
      "",
    ].join("\n"),
  );
  // A generator that starts after this only shows a larger skew: the second scenario's agreed start,
  // 16 s on, is what both must wait for.
  const at = Date.now() + 3_000;
  const runs = await Promise.all(
    [0, 1].map((index) =>
      pipebench(["run", file, "--allow-invalid", "--segment", `${index}/2`, "--start-at", String(at), "--store", join(dir, `segment-${index}.db`)]),
    ),
  );
  for (const r of runs) assert.equal(r.code, 0, `${r.stderr}\n${r.stdout}`);
  const second = at + 1_000 + SCENARIO_MARGIN_MS;
  for (const index of [0, 1]) {
    const store = await ResultsStore.open(join(dir, `segment-${index}.db`));
    try {
      const run = await store.getRun("latest");
      const [a, b] = run?.scenarioResults ?? [];
      assert.ok(a !== undefined && b !== undefined);
      for (const [s, agreed] of [[a, at], [b, second]] as const) {
        const skew = s.result.segments?.[0]?.startSkewMs ?? null;
        // Not before the agreed time, and the stored skew is how late it was.
        assert.ok(skew !== null && skew >= -5, `${s.name} of segment ${index}: skew ${skew}`);
        assert.ok(Math.abs(s.result.startedAt - (agreed + skew)) <= 5, `${s.name} of segment ${index} started ${s.result.startedAt - agreed} ms after its agreed time, skew ${skew}`);
      }
    } finally {
      await store.close();
    }
  }
});
