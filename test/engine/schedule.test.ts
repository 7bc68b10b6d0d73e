import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  constantRateSchedule,
  rampSchedule,
  stepsSchedule,
  type Schedule,
} from "../../src/engine/schedule.js";

const close = (actual: number, expected: number, what: string, tolerance = 1e-6): void =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} ≠ ${expected}`);

function offsets(schedule: Schedule, indexes: readonly number[]): number[] {
  return indexes.map((i) => schedule.offsetMs(i));
}

describe("constant-rate schedule", () => {
  const cases: { rate: number; durationMs: number; count: number; at: [number, number][] }[] = [
    { rate: 200, durationMs: 4000, count: 800, at: [[0, 0], [1, 5], [799, 3995]] },
    { rate: 1, durationMs: 1000, count: 1, at: [[0, 0]] },
    { rate: 3, durationMs: 1000, count: 3, at: [[1, 333.333333], [2, 666.666667]] },
    { rate: 0.5, durationMs: 3000, count: 2, at: [[1, 2000]] }, // 1.5 due: a second one at 2 s
    { rate: 7, durationMs: 300, count: 3, at: [[2, 285.714286]] }, // 2.1 due → 3 operations
    { rate: 0.1, durationMs: 30_000, count: 3, at: [[2, 20_000]] }, // 0.1·30 = 3.0000000000000004
    { rate: 50_000, durationMs: 60_000, count: 3_000_000, at: [[2_999_999, 59_999.98]] },
    { rate: 100, durationMs: 0, count: 0, at: [] },
    // 194.3·86,400 = 16,787,520 exactly; in floating point a hair over, past an absolute slack.
    { rate: 194.3, durationMs: 86_400_000, count: 16_787_520, at: [] },
  ];
  for (const c of cases) {
    test(`${c.rate}/s for ${c.durationMs} ms: ${c.count} operations`, () => {
      const s = constantRateSchedule(c.rate, c.durationMs);
      assert.equal(s.count, c.count);
      for (const [i, ms] of c.at) close(s.offsetMs(i), ms, `offset of #${i}`);
      if (s.count > 0) assert.ok(s.offsetMs(s.count - 1) < c.durationMs, "the last operation is inside the duration");
      assert.equal(s.countBefore(c.durationMs), c.count);
    });
  }

  test("countBefore counts the operations due before a time", () => {
    const s = constantRateSchedule(10, 1000);
    assert.deepEqual([0, 1, 99, 100, 101, 500, 1000, 5000].map((ms) => s.countBefore(ms)), [0, 1, 1, 1, 2, 5, 10, 10]);
  });

  test("rejects a rate that is not positive", () => {
    assert.throws(() => constantRateSchedule(0, 1000), RangeError);
    assert.throws(() => constantRateSchedule(Number.NaN, 1000), RangeError);
  });
});

describe("ramp schedule", () => {
  const cases: { from: number; to: number; durationMs: number; count: number; firstSecond: number }[] = [
    { from: 100, to: 300, durationMs: 2000, count: 400, firstSecond: 150 }, // N(1) = 100 + 50
    { from: 300, to: 100, durationMs: 2000, count: 400, firstSecond: 250 }, // ramping down
    { from: 10, to: 30, durationMs: 2000, count: 40, firstSecond: 15 },
    { from: 50, to: 50, durationMs: 2000, count: 100, firstSecond: 50 }, // flat: same as constant
    { from: 1, to: 1000, durationMs: 10_000, count: 5005, firstSecond: 51 }, // N(1) = 1 + 49.95 = 50.95
  ];
  for (const c of cases) {
    test(`${c.from}→${c.to}/s over ${c.durationMs} ms: ${c.count} operations, ${c.firstSecond} in the first second`, () => {
      const s = rampSchedule(c.from, c.to, c.durationMs);
      assert.equal(s.count, c.count);
      assert.equal(s.countBefore(1000), c.firstSecond);
      assert.equal(s.offsetMs(0), 0);
      // Offsets rise strictly and stay inside the duration.
      let previous = -1;
      for (let i = 0; i < s.count; i++) {
        const t = s.offsetMs(i);
        assert.ok(t > previous, `offset #${i} rises`);
        previous = t;
      }
      assert.ok(previous < c.durationMs);
    });
  }

  test("the i-th start solves N(t) = i (the integral of the rate)", () => {
    const s = rampSchedule(100, 300, 2000);
    // N(t) = 100 t + 50 t² (t in s): N(1) = 150, N(0.6) = 78, and #399 at (−100 + √89800) / 100 s.
    close(s.offsetMs(150), 1000, "#150");
    close(s.offsetMs(78), 600, "#78");
    close(s.offsetMs(399), (-100 + Math.sqrt(89_800)) * 10, "#399");
    for (const [from, to, ms] of [[10, 1000, 10_000], [1000, 10, 10_000], [5, 6, 60_000]] as const) {
      const r = rampSchedule(from, to, ms);
      const n = (t: number): number => from * t + ((to - from) / (ms / 1000)) * t * t / 2;
      for (const i of [1, 7, Math.floor(r.count / 2), r.count - 1]) close(n(r.offsetMs(i) / 1000), i, `${from}→${to} #${i}`, 1e-6);
    }
  });

  test("gaps shrink as the rate rises, to 1/rate at the top", () => {
    const s = rampSchedule(10, 1000, 10_000);
    const gap = (i: number): number => s.offsetMs(i + 1) - s.offsetMs(i);
    assert.ok(gap(0) > gap(100) && gap(100) > gap(1000));
    close(gap(s.count - 2), 1, "last gap ≈ 1/1000 s", 0.01);
  });
});

describe("steps schedule", () => {
  test("piecewise constant rates, back to back", () => {
    const s = stepsSchedule([
      { rate: 10, duration: 1000 },
      { rate: 20, duration: 1000 },
      { rate: 5, duration: 2000 },
    ]);
    assert.equal(s.count, 10 + 20 + 10);
    assert.equal(s.durationMs, 4000);
    assert.deepEqual(offsets(s, [0, 9, 10, 11, 29, 30, 39]), [0, 900, 1000, 1050, 1950, 2000, 3800]);
    assert.deepEqual([1000, 1500, 2000, 3000].map((ms) => s.countBefore(ms)), [10, 20, 30, 35]);
  });

  test("a step boundary between two operations carries the fraction over", () => {
    // 1.5 operations due in the first 500 ms at 3/s; the next is due 0.5 operations into step two.
    const s = stepsSchedule([
      { rate: 3, duration: 500 },
      { rate: 2, duration: 1000 },
    ]);
    assert.equal(s.count, 4); // N = 1.5 + 2 = 3.5
    close(s.offsetMs(1), 333.333333, "#1");
    close(s.offsetMs(2), 750, "#2");
    close(s.offsetMs(3), 1250, "#3");
  });

  test("zero-length steps are skipped", () => {
    const s = stepsSchedule([
      { rate: 10, duration: 1000 },
      { rate: 1000, duration: 0 },
      { rate: 20, duration: 500 },
    ]);
    assert.equal(s.count, 20);
    assert.deepEqual(offsets(s, [10, 11]), [1000, 1050]);
  });

  test("needs at least one step", () => assert.throws(() => stepsSchedule([]), RangeError));
});
