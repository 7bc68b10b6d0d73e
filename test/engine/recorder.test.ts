import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ScenarioRecorder } from "../../src/metrics/recorder.js";

const MEASURE_START = 10_000;

function recorder(): ScenarioRecorder {
  return new ScenarioRecorder({ measureStartMs: MEASURE_START });
}

describe("ScenarioRecorder", () => {
  test("latency runs from the intended start, service time from the actual start", () => {
    const r = recorder();
    // Meant to start at +0, started 40 ms late (queued), took 10 ms.
    r.recordOp(MEASURE_START, MEASURE_START + 40, MEASURE_START + 40, MEASURE_START + 50, 1, 1, 0);
    r.close(MEASURE_START + 100);
    const rec = r.recording();
    assert.ok(Math.abs(rec.latency.summary().max - 50) < 0.1, `latency ${rec.latency.summary().max}`);
    assert.ok(Math.abs(rec.service.summary().max - 10) < 0.02, `service ${rec.service.summary().max}`);
    assert.equal(rec.lateStarts, 1, "started more than 10 ms late");
  });

  test("warm-up operations are counted apart and excluded from every number", () => {
    const r = recorder();
    r.recordOp(MEASURE_START - 1, MEASURE_START - 1, MEASURE_START - 1, MEASURE_START + 500, 1, 7, 700); // finished after warm-up: still warm-up
    r.recordError(MEASURE_START - 5, MEASURE_START - 5, MEASURE_START - 4, Object.assign(new Error("x"), { code: "ECONNRESET" }));
    r.recordOp(MEASURE_START, MEASURE_START, MEASURE_START, MEASURE_START + 2, 1, 3, 30);
    r.close(MEASURE_START + 1000);
    const rec = r.recording();
    assert.deepEqual(
      [rec.ops, rec.errors, rec.records, rec.bytes, rec.warmupOps, rec.warmupErrors],
      [1, 0, 3, 30, 1, 1],
    );
    assert.equal(rec.latency.count, 1);
    assert.equal(rec.service.count, 1);
    assert.deepEqual(rec.errorsByClass, {});
    assert.deepEqual(r.allErrorsByClass(), new Map([["ECONNRESET", 1]]));
  });

  test("one series point per second, by completion time, with that second's p50 and p99", () => {
    const r = recorder();
    for (let i = 0; i < 100; i++) {
      const t = MEASURE_START + i * 10;
      r.recordOp(t, t, t, t + (i === 99 ? 300 : 5), 1, 2, 10); // #99 finishes in second 1
    }
    r.tick(MEASURE_START + 3_000); // second 2 passes with nothing finishing
    r.recordError(MEASURE_START + 3_100, MEASURE_START + 3_100, MEASURE_START + 3_200, new Error("boom"));
    r.close(MEASURE_START + 3_500);
    const { series } = r.recording();
    assert.deepEqual(
      series.map((p) => [p.t, p.ops, p.errors, p.records, p.bytes]),
      [
        [0, 99, 0, 198, 990],
        [1, 1, 0, 2, 10],
        [2, 0, 0, 0, 0],
        [3, 0, 1, 0, 0], // the partial last second is kept because something happened in it
      ],
    );
    assert.ok(Math.abs((series[0]?.p99 ?? 0) - 5) < 0.01);
    assert.ok(Math.abs((series[1]?.p50 ?? 0) - 300) < 0.5);
    assert.deepEqual([series[2]?.p50, series[2]?.p99], [null, null]);
  });

  test("the total latency histogram holds every second's values, the current one included", () => {
    const r = recorder();
    for (let i = 0; i < 2_500; i++) r.recordOp(MEASURE_START + i, MEASURE_START + i, MEASURE_START + i, MEASURE_START + i + 1, 1, 1, 0);
    const before = r.recording(); // mid-second, not closed
    assert.equal(before.latency.count, 2_500);
    assert.equal(before.series.length, 2);
    r.close(MEASURE_START + 2_600);
    assert.equal(r.recording().latency.count, 2_500);
    assert.equal(r.recording().series.length, 3);
  });

  test("errors are counted by class with one sample message per class, at most five", () => {
    const r = new ScenarioRecorder({ measureStartMs: 0 });
    const fail = (error: unknown): void => r.recordError(1, 1, 2, error);
    for (let i = 0; i < 3; i++) fail(Object.assign(new Error(`connect ECONNREFUSED #${i}`), { code: "ECONNREFUSED" }));
    fail(new TypeError("bad"));
    for (const code of ["E1", "E2", "E3", "E4"]) fail(Object.assign(new Error(code), { code }));
    fail("a string");
    const rec = r.recording();
    assert.equal(rec.errors, 9);
    assert.deepEqual(rec.errorsByClass, { ECONNREFUSED: 3, TypeError: 1, E1: 1, E2: 1, E3: 1, E4: 1, Error: 1 });
    assert.deepEqual(rec.errorSamples, ["Error: connect ECONNREFUSED #0", "TypeError: bad", "Error: E1", "Error: E2", "Error: E3"]);
    assert.equal(rec.latency.count, 0, "failures are not latencies");
  });

  test("after close, late settlements are ignored", () => {
    const r = recorder();
    r.recordOp(MEASURE_START, MEASURE_START, MEASURE_START, MEASURE_START + 1, 1, 1, 0);
    r.close(MEASURE_START + 10);
    r.recordOp(MEASURE_START, MEASURE_START, MEASURE_START, MEASURE_START + 20_000, 1, 1, 0);
    r.recordError(MEASURE_START, MEASURE_START, MEASURE_START + 20_000, new Error("late"));
    r.recordErrors("timeout-at-end", 3, "late");
    const rec = r.recording();
    assert.deepEqual([rec.ops, rec.errors, rec.series.length], [1, 0, 1]);
  });

  test("a long run keeps one series point per second and nothing per operation", () => {
    const r = new ScenarioRecorder({ measureStartMs: 0 });
    for (let i = 0; i < 200_000; i++) r.recordOp(i, i, i, i + 0.25, 1, 1, 0); // 200 s at 1000/s
    r.close(200_001);
    const rec = r.recording();
    assert.equal(rec.ops, 200_000);
    assert.equal(rec.series.length, 200);
  });
});

describe("ScenarioRecorder: errors per second by class", () => {
  test("only seconds with errors get a point; warm-up errors none, but the onError listener hears them all", () => {
    const heard: string[] = [];
    const r = new ScenarioRecorder({ measureStartMs: MEASURE_START, onError: (c) => heard.push(c) });
    const err = (code: string): Error => Object.assign(new Error(code), { code });
    r.recordError(MEASURE_START - 5, MEASURE_START - 5, MEASURE_START - 4, err("ECONNRESET")); // warm-up
    r.recordOp(MEASURE_START, MEASURE_START, MEASURE_START, MEASURE_START + 10, 1, 1, 0);
    r.recordError(MEASURE_START + 1100, MEASURE_START + 1100, MEASURE_START + 1200, err("ECONNREFUSED"));
    r.recordError(MEASURE_START + 1300, MEASURE_START + 1300, MEASURE_START + 1400, err("ECONNREFUSED"));
    r.recordError(MEASURE_START + 1500, MEASURE_START + 1500, MEASURE_START + 1600, err("HTTP_503"));
    r.recordOp(MEASURE_START + 2000, MEASURE_START + 2000, MEASURE_START + 2000, MEASURE_START + 2010, 1, 1, 0);
    r.recordError(MEASURE_START + 3100, MEASURE_START + 3100, MEASURE_START + 3500, err("TIMEOUT"));
    r.close(MEASURE_START + 3600);
    const rec = r.recording();
    assert.deepEqual(rec.errorSeries, [
      { t: 1, byClass: { ECONNREFUSED: 2, HTTP_503: 1 } },
      { t: 3, byClass: { TIMEOUT: 1 } },
    ]);
    assert.deepEqual(rec.series.map((p) => p.errors), [0, 3, 0, 1]);
    assert.deepEqual(heard, ["ECONNRESET", "ECONNREFUSED", "ECONNREFUSED", "HTTP_503", "TIMEOUT"]);
  });
});
