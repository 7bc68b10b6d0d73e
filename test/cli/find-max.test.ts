// `--find-max` on the quickstart's HTTP ingest scenario (the ingest service writing to the embedded
// PostgreSQL): one search with 4 s steps (confirmation steps 8 s), 70–140 s. Each step is stored
// with its variant and checks, the answer is a rate its confirmation steps accepted by majority,
// `show` gives the same answer, and a closed-loop scenario is refused (exit 2). This file runs last
// and alone (scripts/test.mjs).
//
// How repeatable the answer is (issue 4 asks ±10 % over three runs) is measured by bench/find-max,
// not asserted here: on this 2-core VM the service's own capacity moves between minutes (4.4 %
// between fresh instances, run as fast as it goes for 40 s; its commits wait on the VM's disk), so
// triples held ±10 % six times in seven, and the search's own repeatability is held to ±10 % against
// a modelled target in test/sweep/find-max-search.test.ts. Two CI runs of 2026-11-22 failed the
// ±15 % over three searches this test asserted before: one with type-checking beside it (3,230 /
// 2,480 / 2,730), one on a quiet machine whose third search met a target a third slower
// (calibration 1,924/s against 2,956/s; 3,220 / 3,270 / 2,590).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { StoredRun } from "../../src/store/results-store.js";
import { pipebench } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-cli-find-max-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const store = join(dir, "results.db");

function answerOf(stdout: string): number {
  const m = /find-max http-ingest: (?:maximum sustainable rate|sustains at least) ([\d,]+)\/s/.exec(stdout);
  assert.ok(m, `no answer in:\n${stdout.slice(stdout.indexOf("find-max"))}`);
  return Number((m[1] ?? "").replaceAll(",", ""));
}

test("a search of the quickstart ingest scenario: its steps stored, its answer confirmed by majority and shown again", { timeout: 600_000 }, async () => {
  const r = await pipebench(["run", "--find-max", "--step-duration", "4s", "--store", store], {}, 300_000);
  assert.equal(r.code, 0, `${r.stderr.slice(-2000)}\n${r.stdout.slice(-3000)}`);
  const answer = answerOf(r.stdout);
  console.log(r.stdout.slice(r.stdout.indexOf("find-max http-ingest")).split("\n\n")[0]);

  // As stored: every step a scenario with its rate and phase, the stability checks among its
  // thresholds, the run passed; `show` prints the same answer.
  const shown = await pipebench(["show", "latest", "--store", store, "--format", "json"]);
  const run = JSON.parse(shown.stdout) as StoredRun;
  assert.equal(run.status, "passed");
  assert.ok(run.scenarioResults.length >= 3);
  const [calibration, ...steps] = run.scenarioResults;
  assert.equal(calibration?.name, "http-ingest[calibrate]");
  assert.equal(calibration?.variant?.["find-max"], "calibrate");
  for (const s of steps) {
    assert.match(s.name, /^http-ingest\[rate=\d+\]$/);
    assert.equal(typeof s.variant?.["load.rate"], "number");
    assert.match(String(s.variant?.["find-max"]), /^(ramp|retest|confirm)$/);
    assert.ok(s.thresholds.some((t) => t.expr.startsWith("achieved ≥ 95%")), s.name);
  }
  // The answer is a rate that at least two of its confirmation steps passed, more than failed.
  const confirms = run.scenarioResults.filter((s) => s.variant?.["find-max"] === "confirm" && s.variant["load.rate"] === answer);
  const passes = confirms.filter((s) => s.thresholds.every((t) => t.passed)).length;
  assert.ok(passes >= 2 && passes > confirms.length - passes, `${passes} of ${confirms.length} confirmation steps at ${answer}/s passed`);
  const table = await pipebench(["show", "latest", "--store", store]);
  assert.equal(answerOf(table.stdout), answer);
  // The answer's interval, read back from the same steps: around the answer, in the JSON too.
  assert.match(table.stdout, /\n {2}interval [\d,]+\/s – (open|[\d,]+\/s) \(noise/);
  const interval = (JSON.parse(shown.stdout) as { findMax?: { interval?: { low: number; high?: number } } }).findMax?.interval;
  assert.ok(interval !== undefined && interval.low <= answer && (interval.high ?? Infinity) > answer, JSON.stringify(interval));
  // An open loop sustains about what the closed-loop calibration completed (1.1–1.35 times it in
  // the searches checked): far outside that, the search has gone wrong, whatever the machine.
  const calibrated = calibration?.result.opsPerSec ?? 0;
  assert.ok(answer > calibrated * 0.5 && answer < calibrated * 2.5, `answer ${answer}/s against a calibration of ${calibrated}/s`);
});

test("--find-max refuses a closed-loop scenario and bad flags before anything runs (exit 2)", async () => {
  const never = join(dir, "never.db");
  const cases: [string[], RegExp][] = [
    [["--find-max", "--scenario", "copy-batch-100"], /constant-rate scenario, and copy-batch-100 is closed/],
    [["--find-max", "--step-duration", "0.2s"], /--step-duration 0.2s is not a step of at least 1 s/],
    [["--find-max", "--start-rate", "lots"], /--start-rate lots is not a rate/],
    [["--find-max", "--trials", "3"], /--find-max runs one search, and --trials 3 asks for 3 of them/],
  ];
  for (const [args, expected] of cases) {
    const r = await pipebench(["run", "--store", never, ...args]);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, expected);
  }
});
