import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { LoadProfile } from "../../src/engine/load.js";

describe("closed-loop load profiles must be able to end", () => {
  const cases = [
    [{ executor: "closed", workers: 4 }, "closed needs duration or iterations"],
    [{ executor: "max" }, "max needs duration or iterations"],
    [{ executor: "max", concurrency: 8, warmup: "5s" }, "max needs duration or iterations"],
  ] as const;
  for (const [input, message] of cases) {
    test(`${JSON.stringify(input)} → "${message}", with a fix`, () => {
      const parsed = LoadProfile.safeParse(input);
      assert.equal(parsed.success, false);
      const issue = parsed.error?.issues.find((i) => i.message === message);
      assert.ok(issue, JSON.stringify(parsed.error?.issues));
      assert.deepEqual(issue.path, []);
      assert.match(String((issue as { params?: { fix?: string } }).params?.fix), /duration: "60s".*iterations: 10000/);
    });
  }

  const valid = [
    { executor: "closed", workers: 4, duration: "30s" },
    { executor: "closed", workers: 4, iterations: 1000 },
    { executor: "max", duration: 60 },
  ] as const;
  for (const input of valid) test(`${JSON.stringify(input)} is valid`, () => assert.ok(LoadProfile.safeParse(input).success));

  test("every problem is reported at once", () => {
    const parsed = LoadProfile.safeParse({ executor: "closed", workers: 0 });
    assert.deepEqual(parsed.error?.issues.map((i) => i.path.join(".") || "(profile)"), ["workers", "(profile)"]);
  });
});
