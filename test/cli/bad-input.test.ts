// Bad input, tried as a user would: the built CLI, a real suite file, a real closed port.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { pipebench } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-cli-bad-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const BAD = fileURLToPath(new URL("../fixtures/suites/bad.yaml", import.meta.url));

test("a suite with a misspelt key, a wrong type and an unknown target prints all three, exits 2 and stores nothing", async () => {
  const store = join(dir, "bad.db");
  const r = await pipebench(["run", BAD, "--store", store]);
  assert.equal(r.code, 2, r.stderr);
  // Each problem names the file, its line and column, the field, and a fix.
  assert.match(r.stderr, /bad\.yaml:13:\d+\s+scenarios\.writes\.workload\.batchsize/);
  assert.match(r.stderr, /did you mean "batchSize"\?/);
  assert.match(r.stderr, /bad\.yaml:14:\d+\s+scenarios\.writes\.load\.workers/);
  assert.match(r.stderr, /expected a (whole )?number/);
  assert.match(r.stderr, /bad\.yaml:16:\d+\s+scenarios\.reads\.target/);
  assert.match(r.stderr, /'pgg'/);
  assert.match(r.stderr, /did you mean "pg"\?/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  assert.equal(existsSync(store), false, "nothing stored");
});

test("a query name the target does not define is reported with its line before anything starts", async () => {
  const file = join(dir, "unknown-query.yaml");
  writeFileSync(
    file,
    [
      "targets:",
      "  duck: { kind: duckdb, queries: { count: select 1 } }",
      "scenarios:",
      "  q:",
      "    target: duck",
      "    workload: { type: query, query: cuont }",
      "    load: { executor: closed, workers: 1, iterations: 1 }",
      "",
    ].join("\n"),
  );
  const r = await pipebench(["run", file, "--store", join(dir, "q.db")]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /unknown-query\.yaml:6:\d+\s+scenarios\.q\.workload\.query/);
  assert.match(r.stderr, /did you mean "count"\?/);
});

test("an unreachable PostgreSQL gives one line naming host and port, exit 3", async () => {
  // A port that was free a moment ago: nothing listens there.
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const file = join(dir, "unreachable.yaml");
  writeFileSync(
    file,
    [
      "targets:",
      `  pg: { kind: postgres, url: "postgres://postgres:secret@127.0.0.1:${port}/postgres" }`,
      "scenarios:",
      "  q:",
      "    target: pg",
      "    workload: { type: query, sql: select 1 }",
      "    load: { executor: closed, workers: 1, iterations: 1 }",
      "",
    ].join("\n"),
  );
  const r = await pipebench(["run", file, "--store", join(dir, "u.db")]);
  assert.equal(r.code, 3, r.stderr);
  const errorLines = r.stderr.split("\n").filter((l) => l.startsWith("error:"));
  assert.equal(errorLines.length, 1, r.stderr);
  assert.match(errorLines[0] ?? "", new RegExp(`127\\.0\\.0\\.1:${port}`));
  assert.doesNotMatch(r.stderr, /secret/, "the password is not printed");
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
});

test("bad flags are usage errors with exit 2", async () => {
  const r = await pipebench(["run", BAD, "--duration", "soon", "--store", join(dir, "f.db")]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--duration soon is not a duration/);
  // The bad --duration stored nothing, not even an empty store.
  const show = await pipebench(["show", "12345", "--store", join(dir, "f.db")]);
  assert.equal(show.code, 2);
  assert.match(show.stderr, /there is no results store at .*f\.db/);
});
