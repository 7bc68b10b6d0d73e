// The scale-out flags: --segment i/N, --workers N|auto, --start-at; bad values are usage errors
// (exit 2) that say what to write.
import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { test } from "node:test";
import { parseSegment, parseStartAt, parseWorkers } from "../../src/cli/scale-out.js";
import { UsageError } from "../../src/errors.js";

test("--segment i/N is 0-based and within N", () => {
  assert.deepEqual(parseSegment("0/3"), { index: 0, count: 3 });
  assert.deepEqual(parseSegment("2/3"), { index: 2, count: 3 });
  for (const bad of ["3/3", "1/0", "-1/3", "a/3", "1", "1/2/3"]) {
    assert.throws(() => parseSegment(bad), (e: unknown) => e instanceof UsageError && /is not a segment/.test(e.message) && /0 ≤ index < count/.test(e.hint ?? ""), bad);
  }
});

test("--workers N, or auto for one per core", () => {
  assert.equal(parseWorkers("4"), 4);
  assert.equal(parseWorkers("auto"), availableParallelism());
  for (const bad of ["0", "1.5", "x", "257"]) assert.throws(() => parseWorkers(bad), UsageError, bad);
});

test("--start-at takes epoch ms or an ISO time", () => {
  assert.equal(parseStartAt("1765044000000"), 1765044000000);
  assert.equal(parseStartAt("2026-12-06T18:00:00Z"), Date.UTC(2026, 11, 6, 18));
  assert.throws(() => parseStartAt("soon"), UsageError);
});
