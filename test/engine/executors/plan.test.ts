// Each executor's plan, read from its load profile alone: the schedule it starts on, its warm-up,
// the measured length, and the operation numbers the profile fixes (what a later scenario's rows
// start after, and what independent generators can compute without a coordinator).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { planOf } from "../../../src/engine/executors/index.js";

describe("open loops", () => {
  test("each profile's own schedule", () => {
    assert.equal(planOf({ executor: "constant-rate", rate: 100, duration: 3000 }).schedule?.count, 300);
    assert.equal(planOf({ executor: "ramp", from: 0.5, to: 1.5, duration: 10_000 }).schedule?.count, 10);
    assert.equal(planOf({ executor: "steps", steps: [{ rate: 1, duration: 2000 }] }).schedule?.count, 2);
  });

  test("warm-up runs at the rate the measured schedule starts with, and counts in the fixed operations", () => {
    const ramp = planOf({ executor: "ramp", from: 10, to: 1000, duration: 3000, warmup: 2000 });
    assert.equal(planOf({ executor: "constant-rate", rate: 100, duration: 3000, warmup: 2000 }).warmup?.count, 200);
    assert.equal(ramp.warmup?.count, 20);
    assert.equal(planOf({ executor: "steps", steps: [{ rate: 5, duration: 1000 }], warmup: 1000 }).warmup?.count, 5);
    assert.equal(planOf({ executor: "constant-rate", rate: 100, duration: 3000 }).warmup, undefined);
    assert.equal(ramp.fixedCount, 20 + (ramp.schedule?.count ?? 0));
    assert.equal(ramp.measuredMs, 3000);
  });
});

describe("closed loops", () => {
  test("no schedule; measured for their duration; iterations fix the count only without warm-up or duration", () => {
    assert.deepEqual(planOf({ executor: "closed", workers: 4, duration: 5000 }), { measuredMs: 5000, fixedCount: undefined });
    assert.deepEqual(planOf({ executor: "closed", workers: 4, iterations: 50 }), { measuredMs: undefined, fixedCount: 50 });
    assert.equal(planOf({ executor: "max", iterations: 50, warmup: 1000 }).fixedCount, undefined);
    assert.equal(planOf({ executor: "max", iterations: 50, duration: 2000 }).fixedCount, undefined);
  });
});
