import assert from "node:assert/strict";
import { test } from "node:test";
import { BASE, issueAt, issuesOf, load, yaml } from "./helpers.js";

const withOnError = (value: string): string => yaml(...BASE, `    onError: ${value}`);

test("onError: continue, abort, a limit, and absent (the engine's default)", () => {
  assert.deepEqual(load(withOnError("continue")).scenarios.find((s) => s.name === "ingest")?.onError, { kind: "continue" });
  assert.deepEqual(load(withOnError("abort")).scenarios.find((s) => s.name === "ingest")?.onError, { kind: "abort" });
  assert.deepEqual(load(withOnError("{ abortAt: 50%, for: 5s }")).scenarios.find((s) => s.name === "ingest")?.onError, {
    kind: "limit",
    rate: 0.5,
    seconds: 5,
  });
  assert.deepEqual(load(withOnError("{ abortAt: 20% }")).scenarios.find((s) => s.name === "ingest")?.onError, {
    kind: "limit",
    rate: 0.2,
    seconds: 3,
  });
  assert.equal(load(yaml(...BASE)).scenarios.find((s) => s.name === "ingest")?.onError, undefined);
});

test("a bad onError names the field", () => {
  const issues = issuesOf(withOnError("{ abortAt: 150%, for: 5s }"));
  assert.match(issueAt(issues, "scenarios.ingest.onError.abortAt").message, /percentage/);
  const half = issueAt(issuesOf(withOnError("{ abortAt: 0.5 }")), "scenarios.ingest.onError.abortAt");
  assert.match(half.message, /0\.5 is ambiguous/);
  assert.equal(half.fix, "write 50% for that fraction, or 0.5% if you mean it");
  assert.equal(issueAt(issuesOf(withOnError("{ abortat: 50% }")), "scenarios.ingest.onError.abortat").fix, 'did you mean "abortAt"?');
  assert.match(issueAt(issuesOf(withOnError("{ abortAt: 50%, for: 500ms }")), "scenarios.ingest.onError.for").message, /at least 1s/);
  assert.ok(issuesOf(withOnError("stop")).some((i) => i.path.startsWith("scenarios.ingest.onError")), JSON.stringify(issuesOf(withOnError("stop"))));
});
