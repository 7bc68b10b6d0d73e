// The README's sample outputs are real runs pasted as printed (issue 12, item 9): they must not
// show the machine's own paths (its working tree, temp dirs, home), which tell a reader nothing and
// differ on theirs. That holds because `pipebench run` prints the store's path relative to the
// working directory; both are checked here, the CLI on a real DuckDB run.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, test } from "node:test";
import { BIN } from "../cli/helpers.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** An absolute path of some machine: a working tree, a temp dir, a home, wherever it begins a word. */
const MACHINE_PATH = /(?:^|[\s"'`(=:])(\/(?:work|tmp|home|root|Users|private|var\/folders)\/[^\s"'`)]*)|[A-Z]:\\Users\\/gm;

test("the README shows no machine's own path", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const found = [...readme.matchAll(MACHINE_PATH)].map((m) => {
    const line = readme.slice(0, m.index).split("\n").length;
    return `README.md:${line}: ${m[0].trim()}`;
  });
  assert.deepEqual(found, []);
  assert.match(readme, /^stored as run \d+ in \.pipebench\/results\.db — see it again with: pipebench show \d+$/m, "the quickstart's last line, as printed");
});

const dir = realpathSync(mkdtempSync(join(tmpdir(), "pipebench-readme-paths-")));
after(() => rmSync(dir, { recursive: true, force: true }));

test("pipebench run names its store relative to the working directory: its stdout and stderr have no absolute path", () => {
  writeFileSync(
    join(dir, "one.yaml"),
    `name: one
targets:
  duck: { kind: duckdb }
scenarios:
  select:
    target: duck
    workload: { type: query, sql: "select 1" }
    load: { executor: closed, workers: 1, iterations: 5 }
`,
  );
  // The default store, as the README's quickstart runs: none named in the environment either.
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  delete env["PIPEBENCH_STORE"];
  const r = spawnSync(process.execPath, [BIN, "run", "one.yaml"], {
    cwd: dir,
    env,
    encoding: "utf8",
    timeout: 120_000,
  });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /^stored as run 1 in \.pipebench\/results\.db — see it again with: pipebench show 1$/m);
  assert.ok(!r.stdout.includes(dir), `stdout names ${dir}:\n${r.stdout}`);
  assert.deepEqual([...r.stdout.matchAll(MACHINE_PATH)].map((m) => m[0].trim()), []);
  // The progress on stderr names it the same way, so a pasted terminal shows no machine path either.
  assert.match(r.stderr, /^pipebench · one · 1 scenario · results → \.pipebench\/results\.db$/m);
  assert.deepEqual([...r.stderr.matchAll(MACHINE_PATH)].map((m) => m[0].trim()), [], r.stderr);
});
