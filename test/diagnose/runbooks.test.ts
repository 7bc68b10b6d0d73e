// A runbook a finding cites is a file a user can open: every docs/runbooks path a rule names exists,
// and no rule cites a document that is not in the repository (the seed documents, DESIGN).
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { RULES } from "../../src/diagnose/diagnose.js";

const RUNBOOK_PATH = /docs\/runbooks\/[\w.-]+\.md/g;

test("every docs/runbooks file a rule cites is in the repository", () => {
  const cited = RULES.flatMap((rule) => [...rule.runbook.matchAll(RUNBOOK_PATH)].map((m) => [rule.id, m[0]] as const));
  assert.ok(cited.some(([id]) => id === "culprit.client"), "the culprit rules cite theirs");
  for (const [id, path] of cited) assert.ok(existsSync(path), `${id} cites ${path}, which does not exist`);
});

// The PostgreSQL rules are being converted separately; every other rule already cites a runbook here.
const converted = RULES.filter((rule) => !rule.id.startsWith("postgres."));

test("no rule but the postgres ones cites a seed document or DESIGN, and each cites a docs/runbooks file", () => {
  const areas = new Set(converted.map((rule) => rule.id.split(".")[0]));
  for (const area of ["culprit", "generator", "target", "kafka", "http", "host"]) assert.ok(areas.has(area), `the ${area} rules are checked`);
  for (const rule of converted) {
    assert.doesNotMatch(rule.runbook, /seed 0|DESIGN/i, `${rule.id} cites "${rule.runbook}"`);
    assert.match(rule.runbook, /docs\/runbooks\/[\w.-]+\.md/, `${rule.id} cites no docs/runbooks file: "${rule.runbook}"`);
  }
});

test("docs/runbooks/README.md lists every runbook a rule cites, with the rule", () => {
  const index = readFileSync("docs/runbooks/README.md", "utf8");
  for (const rule of converted) {
    for (const [path] of rule.runbook.matchAll(RUNBOOK_PATH)) {
      const file = path.slice("docs/runbooks/".length);
      const row = index.split("\n").find((line) => line.includes(`](${file})`));
      assert.ok(row !== undefined, `README.md has no row for ${file} (cited by ${rule.id})`);
      assert.ok(row.includes(`\`${rule.id}\``), `README.md's row for ${file} does not name ${rule.id}`);
    }
  }
});
