import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { SuiteError } from "../../src/errors.js";
import { formatSuiteError } from "../../src/suite/format-error.js";
import { loadSuite } from "../../src/suite/load-suite.js";
import { fakeDrivers } from "./fake-drivers.js";

test("prints like a compiler: file:line:col, path, message, the fix indented, then a count", () => {
  const error = new SuiteError([
    { file: "/work/suites/bad.yaml", line: 12, column: 7, path: "scenarios.writes.workload.batchsize", message: "unknown key", fix: 'did you mean "batchSize"?' },
    { file: "/work/suites/bad.yaml", path: "", message: "cannot read the suite: no such file" },
  ]);
  assert.equal(
    formatSuiteError(error, { cwd: "/work" }),
    [
      "suites/bad.yaml:12:7  scenarios.writes.workload.batchsize: unknown key",
      '    did you mean "batchSize"?',
      "suites/bad.yaml  cannot read the suite: no such file",
      "2 problems in suites/bad.yaml",
    ].join("\n"),
  );
});

test("paths outside the working directory stay absolute; one problem is singular; a hint is printed", () => {
  const error = new SuiteError([{ file: "/elsewhere/s.yaml", line: 1, column: 1, path: "name", message: "must not be empty" }], {
    hint: "see suites/quickstart.yaml",
  });
  assert.equal(
    formatSuiteError(error, { cwd: "/work" }),
    ["/elsewhere/s.yaml:1:1  name: must not be empty", "1 problem in /elsewhere/s.yaml", "hint: see suites/quickstart.yaml"].join("\n"),
  );
});

test("the bad fixture, end to end", async () => {
  const fixtures = fileURLToPath(new URL("../fixtures/suites/", import.meta.url));
  const error = await loadSuite(join(fixtures, "bad.yaml"), { env: {} }, fakeDrivers).catch((e: unknown) => e);
  assert.ok(error instanceof SuiteError);
  assert.equal(
    formatSuiteError(error, { cwd: join(fixtures, "..") }),
    [
      "suites/bad.yaml:13:7  scenarios.writes.workload.batchsize: unknown key",
      '    did you mean "batchSize"?',
      'suites/bad.yaml:14:40  scenarios.writes.load.workers: expected a number, got string "lots"',
      "    write a number, e.g. 10",
      "suites/bad.yaml:16:13  scenarios.reads.target: scenario reads names target 'pgg', which is not defined; targets are: pg, duck",
      '    did you mean "pg"?',
      "3 problems in suites/bad.yaml",
    ].join("\n"),
  );
});
