// The PostgreSQL rules cite documents a user can open: their docs/runbooks file (listed in the
// index with the rule) and the PostgreSQL manual's page for each setting their advice touches;
// never a seed document or DESIGN.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { POSTGRES_RULES } from "../../src/diagnose/rules/postgres.js";

const MANUAL = "https://www.postgresql.org/docs/current/";
/** The settings each rule's advice may change, and the manual page (with anchor) for each. */
const SETTINGS: Record<string, string[]> = {
  "postgres.cache-hit-low": ["runtime-config-resource.html#GUC-SHARED-BUFFERS", "runtime-config-query.html#GUC-EFFECTIVE-CACHE-SIZE", "sql-altersystem.html"],
  "postgres.connections-high": ["runtime-config-connection.html#GUC-MAX-CONNECTIONS", "runtime-config-resource.html#GUC-WORK-MEM"],
  "postgres.slow-statements": ["sql-explain.html", "sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY"],
  "postgres.temp-files": ["runtime-config-resource.html#GUC-WORK-MEM", "sql-altersystem.html"],
};

test("each postgres rule cites its runbook, listed in the index with it, and the manual for each setting", () => {
  const index = readFileSync("docs/runbooks/README.md", "utf8").split("\n");
  assert.deepEqual(POSTGRES_RULES.map((r) => r.id).sort(), Object.keys(SETTINGS).sort());
  for (const rule of POSTGRES_RULES) {
    assert.doesNotMatch(rule.runbook, /seed 0|DESIGN/i, rule.id);
    const path = /^docs\/runbooks\/(postgres-[\w-]+\.md) · /.exec(rule.runbook);
    assert.ok(path?.[1] !== undefined, `${rule.id}: ${rule.runbook}`);
    assert.ok(existsSync(`docs/runbooks/${path[1]}`), path[1]);
    assert.ok(index.some((line) => line.includes(`](${path[1]})`) && line.includes(`\`${rule.id}\``)), `README.md lists ${path[1]} with ${rule.id}`);
    for (const page of SETTINGS[rule.id] ?? []) assert.ok(rule.runbook.includes(`${MANUAL}${page}`), `${rule.id} cites ${page}`);
  }
});
