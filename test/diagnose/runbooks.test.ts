// A runbook a finding cites is a file a user can open: every docs/runbooks path a rule names exists.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { test } from "node:test";
import { RULES } from "../../src/diagnose/diagnose.js";

test("every docs/runbooks file a rule cites is in the repository", () => {
  const cited = RULES.flatMap((rule) => [...rule.runbook.matchAll(/docs\/runbooks\/[\w.-]+\.md/g)].map((m) => [rule.id, m[0]] as const));
  assert.ok(cited.some(([id]) => id === "culprit.client"), "the culprit rules cite theirs");
  for (const [id, path] of cited) assert.ok(existsSync(path), `${id} cites ${path}, which does not exist`);
});
