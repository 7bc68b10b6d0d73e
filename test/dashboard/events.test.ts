// The event feed on a real run with --trials: each trial is its own lane on the page, and the
// seconds that ended after the last progress event come with the scenario's end.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { DashboardFeed, type DashboardEvent } from "../../src/dashboard/events.js";
import { driverSchemas } from "../../src/drivers/index.js";
import { runSuite, type ScenarioOutcome } from "../../src/engine/run-suite.js";
import { ResultsStore } from "../../src/store/results-store.js";
import { loadSuite } from "../../src/suite/load-suite.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-dashboard-events-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("trials are lanes of their own; a scenario's last seconds come with its end", async () => {
  const file = join(dir, "trials.yaml");
  writeFileSync(
    file,
    `name: trials
targets:
  duck: { kind: duckdb, queries: { one: select 1 } }
scenarios:
  quick:
    target: duck
    workload: { type: query, query: one }
    load: { executor: closed, workers: 1, duration: 1500ms }
    thresholds: ["errors == 0"]
`,
  );
  const suite = await loadSuite(file, { set: [] }, driverSchemas);
  const store = await ResultsStore.open(join(dir, "results.db"));
  try {
    const feed = new DashboardFeed();
    feed.runStart(suite, { trials: 2 });
    // What the engine handed the feed, to replay below.
    const calls: ScenarioOutcome[] = [];
    const outcome = await runSuite(suite, { store, trials: 2, hooks: feed.observe({ scenarioEnd: (o) => calls.push(o) }) });
    feed.end({ status: outcome.status === "running" ? "error" : outcome.status, exitCode: outcome.exitCode, runId: outcome.runId, thresholds: outcome.thresholds });

    const events = feed.history().map((e) => JSON.parse(e.json) as DashboardEvent);
    const starts = events.flatMap((e) => (e.type === "scenario-start" ? [[e.lane, e.index, e.trial, e.trials]] : []));
    assert.deepEqual(starts, [[1, 0, 0, 2], [2, 0, 1, 2]]);
    const progressLanes = new Set(events.flatMap((e) => (e.type === "progress" ? [e.lane] : [])));
    assert.deepEqual([...progressLanes], [1, 2], "each trial's seconds on its own lane");

    const ends = events.flatMap((e) => (e.type === "scenario-end" ? [e] : []));
    assert.deepEqual(ends.map((e) => [e.lane, e.status, e.thresholds.map((t) => t.passed)]), [[1, "completed", [true]], [2, "completed", [true]]]);
    for (const end of ends) {
      // Progress comes each second; the measured interval runs to 1.5 s: the last half second
      // ended after the last progress event, so it is the tail.
      const progress = events.flatMap((e) => (e.type === "progress" && e.lane === end.lane ? [e.t] : []));
      const lastT = progress.at(-1) ?? 0;
      assert.ok(end.tail.length >= 1, "the last seconds are not lost");
      assert.ok(end.tail.every((p) => p.t > lastT), `only seconds after the last progress (${lastT}): ${JSON.stringify(end.tail)}`);
      const last = end.tail.at(-1)!;
      assert.ok(Math.abs(last.t - end.durationS) < 0.2, `the tail ends with the scenario: ${last.t} vs ${end.durationS}`);
      assert.ok(last.opsPerSec > 0 && last.recordsPerSec > 0 && last.p99Ms !== null, JSON.stringify(last));
    }
    assert.equal(events.at(-1)?.type, "run-end");

    // A progress timer that fires late (at 1.45 s, on a loaded machine) still shows the second that
    // ended at 1 s, so the half second after it comes with the end.
    const scenario = suite.scenarios[0]!;
    const late = new DashboardFeed();
    late.runStart(suite);
    late.scenarioStart(scenario, 0, 1);
    late.progress(scenario, { phase: "measure", elapsedMs: 1450, totalMs: 1500, ops: 100, errors: 0, opsPerSec: 70, p99Ms: 1, errorsPerSec: 0, recordsPerSec: 70, p50Ms: 1 });
    late.scenarioEnd(calls[0]!);
    const end = late.history().map((e) => JSON.parse(e.json) as DashboardEvent).find((e) => e.type === "scenario-end");
    assert.ok(end?.type === "scenario-end");
    assert.deepEqual(end.tail.map((p) => p.t), [Math.round(end.durationS * 1000) / 1000]);
  } finally {
    await store.close();
  }
});
