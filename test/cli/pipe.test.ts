// `pipebench run … | head -1`: the reader closes the pipe after one line. The run goes on, is
// stored, and exits with its own code; no stack trace, no "threshold failed" exit 1 for a pipe.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { ResultsStore } from "../../src/store/results-store.js";
import { BIN } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-pipe-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function suite(threshold: string): string {
  const file = join(dir, `${threshold.replace(/\W+/g, "-")}.yaml`);
  writeFileSync(
    file,
    `name: piped
targets:
  duck: { kind: duckdb }
scenarios:
${Array.from({ length: 6 }, (_, i) => `  q${i}:
    target: duck
    workload: { type: query, sql: "select ${i}" }
    load: { executor: closed, workers: 1, iterations: 20 }
    thresholds: ["${threshold}"]`).join("\n")}
`,
  );
  return file;
}

/** Runs `pipebench run FILE | head -1` in bash; pipebench's own exit code and stderr. */
function throughHead(file: string, store: string): { code: number; stderr: string; shown: string } {
  const errFile = join(dir, "stderr.txt");
  const r = spawnSync(
    "bash",
    ["-c", `"${process.execPath}" "${BIN}" run --allow-invalid "${file}" --store "${store}" 2>"${errFile}" | head -1; exit \${PIPESTATUS[0]}`],
    { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } },
  );
  return { code: r.status ?? -1, stderr: readFileSync(errFile, "utf8"), shown: r.stdout };
}

test("a passing run read through head -1: exit 0, no stack trace, the run stored as passed", async () => {
  const store = join(dir, "pass.db");
  const r = throughHead(suite("max < 10s"), store);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /EPIPE|Error|    at /);
  assert.equal(r.shown.split("\n").length, 2, "head printed one line");
  const db = await ResultsStore.open(store);
  try {
    assert.equal((await db.getRun("latest"))?.status, "passed");
  } finally {
    await db.close();
  }
});

test("a failing threshold read through head -1 still exits 1", () => {
  const r = throughHead(suite("max < 1us"), join(dir, "fail.db"));
  assert.equal(r.code, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /EPIPE|    at /);
});
