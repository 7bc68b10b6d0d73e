// The interval around a find-max answer, from constructed steps: the bracket (answer … lowest
// rejected rate) widened by the noise the search measured between passing confirmation steps at one
// rate, or by a step's standard error from its per-second rates when that is larger.
import assert from "node:assert/strict";
import { test } from "node:test";
import { findMaxInterval, intervalsOverlap, type IntervalStep } from "../../src/sweep/find-max-interval.js";

/** A step whose later seconds are `perSecond` (completed = their mean). */
function step(phase: string, rate: number, passed: boolean, perSecond: number[]): IntervalStep {
  return { phase, rate, passed, completed: perSecond.reduce((s, n) => s + n, 0) / perSecond.length, perSecond };
}
const flat = (n: number): number[] => [n, n, n, n, n, n];

// 2,000/s accepted twice (2,000 and 1,900 completed), 2,100/s rejected twice (1,950 and 800: a
// collapse, which says nothing of the noise).
const search = [
  step("ramp", 1400, true, flat(1400)),
  step("ramp", 2100, false, flat(1700)),
  step("confirm", 2000, true, flat(2000)),
  step("confirm", 2000, true, flat(1900)),
  step("confirm", 2100, false, flat(1950)),
  step("confirm", 2100, false, flat(800)),
];

test("the bracket widened by 2 × the spread between passing confirmation steps at one rate", () => {
  const i = findMaxInterval(search, 2000, 2100);
  // Relative to the rate: (1.0, 0.95), one degree of freedom: sd 0.05 / √2 = 3.54 %.
  const expected = 0.05 / Math.SQRT2;
  assert.ok(Math.abs(i.stepNoise - expected) < 1e-9, `${i.stepNoise} vs ${expected}`);
  assert.ok(i.secondNoise < 1e-12, "flat seconds carry no noise");
  assert.equal(i.noise, i.stepNoise);
  assert.deepEqual({ steps: i.steps, rates: i.rates, z: i.z, answer: i.answer, rejected: i.rejected }, { steps: 2, rates: 1, z: 2, answer: 2000, rejected: 2100 });
  // 2,000 × (1 − 2 × 3.54 %) = 1,858.6 → 1,850 (down); 2,100 × (1 + 2 × 3.54 %) = 2,248.5 → 2,250 (up).
  assert.equal(i.low, 1850);
  assert.equal(i.high, 2250);
  assert.ok(i.low <= i.answer && (i.high ?? 0) >= (i.rejected ?? 0));
});

test("ramp and calibration steps measure no noise: only confirmation steps at a shared rate do", () => {
  const i = findMaxInterval([step("ramp", 2000, true, flat(2000)), step("ramp", 2000, false, flat(1500)), step("confirm", 2000, true, flat(2000))], 2000, 2100);
  assert.equal(i.stepNoise, 0);
  assert.equal(i.low, 2000);
  assert.equal(i.high, 2100);
});

test("two steps that happen to agree still carry their per-second noise, as a step's standard error", () => {
  const jittery = [1900, 2100, 1900, 2100, 1900, 2100];
  const i = findMaxInterval([step("confirm", 2000, true, jittery), step("confirm", 2000, true, jittery)], 2000);
  assert.equal(i.stepNoise, 0);
  // Per second: sd of ±100 around 2,000 (n − 1 = 5) = 5.48 %; over a 6-second step ÷ √6 = 2.24 %.
  const perSecond = Math.sqrt((6 * 100 ** 2) / 5) / 2000;
  assert.ok(Math.abs(i.secondNoise - perSecond / Math.sqrt(6)) < 1e-9);
  assert.equal(i.noise, i.secondNoise);
  assert.equal(i.low, 1910);
});

test("no rate rejected above the answer: the high end is open", () => {
  const i = findMaxInterval(search.slice(2, 4), 2000);
  assert.equal(i.high, undefined);
  assert.equal(i.rejected, undefined);
  assert.equal(i.low, 1850);
});

test("steps too short to say (no later seconds) leave the bracket as it is", () => {
  const short: IntervalStep[] = [{ phase: "confirm", rate: 150, passed: true, completed: undefined, perSecond: [] }];
  assert.deepEqual(findMaxInterval(short, 150, 160), { low: 150, high: 160, rejected: 160, answer: 150, noise: 0, stepNoise: 0, secondNoise: 0, steps: 0, rates: 0, z: 2 });
});


const overlapCases: [string, { low: number; high?: number }[], boolean][] = [
  ["all share 2,900–2,950", [{ low: 2800, high: 3000 }, { low: 2900, high: 3100 }, { low: 2700, high: 2950 }], true],
  ["touching ends overlap", [{ low: 2000, high: 2100 }, { low: 2100, high: 2300 }], true],
  ["the third lies below the others", [{ low: 3030, high: 3580 }, { low: 3070, high: 3640 }, { low: 2430, high: 2890 }], false],
  ["an open high end reaches up", [{ low: 2000 }, { low: 3500, high: 3600 }], true],
  ["none", [], false],
];
for (const [name, intervals, expected] of overlapCases) {
  test(`intervals overlap: ${name}`, () => assert.equal(intervalsOverlap(intervals), expected));
}
