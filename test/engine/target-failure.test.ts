import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { firstErrorReason, TargetFailureDetector } from "../../src/engine/target-failure.js";

describe("TargetFailureDetector", () => {
  const errors = (n: number): Map<string, number> => new Map([["ECONNREFUSED", n]]);

  test("three all-failing seconds in a row make a failure, naming the dominant error", () => {
    const d = new TargetFailureDetector();
    assert.equal(d.observe(100, 0, errors(0)), undefined);
    assert.equal(d.observe(100, 10, errors(10)), undefined);
    assert.equal(d.observe(100, 20, errors(20)), undefined);
    assert.match(d.observe(100, 30, errors(30)) ?? "", /failed for 3 s in a row: 30 of 30 errors were refused \(ECONNREFUSED\)/);
  });

  test("one success breaks the streak; an idle second neither extends nor breaks it", () => {
    const d = new TargetFailureDetector();
    d.observe(0, 10, errors(10));
    d.observe(0, 20, errors(20));
    d.observe(1, 30, errors(30)); // a success
    d.observe(1, 40, errors(40));
    d.observe(1, 40, errors(40)); // idle: a hung target between timeouts
    assert.equal(d.observe(1, 50, errors(50)), undefined);
    assert.match(d.observe(1, 60, errors(60)) ?? "", /failed for 3 s/);
  });
});

describe("TargetFailureDetector with a limit below 100%", () => {
  const errors = (n: number): Map<string, number> => new Map([["HTTP_503", n]]);

  test("abortAt 50% for 2 s: two seconds at ≥ 50% errors stop it, one under 50% breaks the streak", () => {
    const d = new TargetFailureDetector({ rate: 0.5, seconds: 2 });
    assert.equal(d.observe(60, 40, errors(40)), undefined); // 40 % of the first second
    assert.equal(d.observe(110, 90, errors(90)), undefined); // 50 %: the streak starts
    assert.equal(d.observe(170, 130, errors(130)), undefined); // 40 %: broken
    assert.equal(d.observe(200, 200, errors(200)), undefined); // 70 %
    assert.match(
      d.observe(240, 260, errors(260)) ?? "",
      /^50% or more of the operations failed for 2 s in a row: 130 of 130 errors were server 503$/,
    );
  });
});

test("onError abort names the first error and when: seconds into the measured interval, or the warm-up", () => {
  assert.equal(firstErrorReason("57P01", 2_340), "onError abort: the first error, server 57P01 admin_shutdown, at 2.3 s");
  assert.equal(firstErrorReason("ECONNRESET", -500), "onError abort: the first error, reset (ECONNRESET), in the warm-up");
});
