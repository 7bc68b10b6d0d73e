// The console table's words for a closed loop that chooses its own concurrency (issue 12, item 7):
// `max ×auto` told nobody what ran; the row says the number chosen, `max ×N (auto)`, the stored
// result keeps it, and report.html's chart caption reads the same. A real DuckDB run through the CLI.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { pipebench } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-cli-table-words-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("a max loop's row names the concurrency it ran with: max ×N (auto), stored and reported the same", async () => {
  const suite = join(dir, "max.yaml");
  writeFileSync(
    suite,
    `name: max-words
targets:
  duck: { kind: duckdb }
scenarios:
  flat-out:
    target: duck
    workload: { type: query, sql: "select 1" }
    load: { executor: max, iterations: 200 }
`,
  );
  const store = join(dir, "results.db");
  const r = await pipebench(["run", suite, "--store", store]);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  const row = r.stdout.split("\n").find((l) => l.startsWith("flat-out "));
  const chosen = /\bmax ×(\d+) \(auto\)\s+200\s/.exec(row ?? "")?.[1];
  assert.ok(chosen !== undefined, `the row says how many ran at once: ${row}`);
  assert.doesNotMatch(r.stdout, /×auto/);

  const shown = await pipebench(["show", "latest", "--store", store, "--format", "json"]);
  const run = JSON.parse(shown.stdout) as { scenarioResults: { result: { workers?: number } }[] };
  assert.equal(run.scenarioResults[0]?.result.workers, Number(chosen), "the stored result keeps what the row says");

  const out = join(dir, "report");
  assert.equal((await pipebench(["report", "latest", "--store", store, "--out", out])).code, 0);
  assert.match(readFileSync(join(out, "report.html"), "utf8"), new RegExp(`max ×${chosen} \\(auto\\) · 200 ops in `), "the chart's caption");
});
