// `pipebench init KIND FILE` writes a starter suite that `pipebench run FILE` runs to exit 0 as
// written: the embedded PostgreSQL, DuckDB in-process, an HTTP service it starts itself, and a
// broker from scripts/kafka-local (this file's own, its address in KAFKA_BOOTSTRAP as the starter's
// comment says). init never overwrites a suite.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { useKafkaBroker } from "../helpers/kafka.js";
import { pipebench, type CliResult } from "./helpers.js";
import { initAndRunStarter } from "./starter-run.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-cli-init-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const store = join(dir, "results.db");

function context(r: CliResult): string {
  return `exit ${r.code}\n${r.stderr}\n${r.stdout}`;
}

const initAndRun = (kind: string, env: NodeJS.ProcessEnv = {}): Promise<void> => initAndRunStarter(kind, dir, store, env);

test("init postgres: the embedded PostgreSQL starter runs to exit 0", { timeout: 150_000 }, () => initAndRun("postgres"));
test("init duckdb: the DuckDB starter runs to exit 0", { timeout: 150_000 }, () => initAndRun("duckdb"));
test("init http: the starter with a started HTTP service runs to exit 0", { timeout: 150_000 }, () => initAndRun("http"));

describe("kafka", () => {
  const broker = useKafkaBroker();
  test("init kafka: the starter runs to exit 0 against scripts/kafka-local with KAFKA_BOOTSTRAP set", { timeout: 150_000 }, async () => {
    await initAndRun("kafka", { KAFKA_BOOTSTRAP: broker.bootstrap });
    const text = readFileSync(join(dir, "kafka", "kafka-suite.yaml"), "utf8");
    // The comment at the top says how to start the broker and what to export.
    assert.match(text, /^#\s+\S*kafka-local fetch$/m);
    assert.match(text, /^#\s+export KAFKA_BOOTSTRAP=\$\(\S*kafka-local start \| sed /m);
    assert.match(text, /brokers: \$\{KAFKA_BOOTSTRAP\}/);
  });
});

test("without KAFKA_BOOTSTRAP the kafka starter names the variable: exit 2", async () => {
  const file = join(dir, "unset", "kafka.yaml");
  const init = await pipebench(["init", "kafka", file]);
  assert.equal(init.code, 0, context(init));
  // An undefined value leaves the variable out of the child's environment.
  const run = await pipebench(["run", file, "--store", store], { KAFKA_BOOTSTRAP: undefined });
  assert.equal(run.code, 2, context(run));
  assert.match(run.stderr, /KAFKA_BOOTSTRAP/);
});

test("init refuses to overwrite a file: exit 2, the file unchanged, a hint", async () => {
  const file = join(dir, "mine.yaml");
  writeFileSync(file, "my suite\n");
  const r = await pipebench(["init", "http", file]);
  assert.equal(r.code, 2, context(r));
  assert.match(r.stderr, /already exists; nothing was written/);
  assert.match(r.stderr, /hint: choose another path .* or delete it/);
  assert.equal(readFileSync(file, "utf8"), "my suite\n");
});

test("init keeps a schema file that is there, and writes KIND.yaml into a directory", async () => {
  const sub = join(dir, "existing");
  mkdirSync(sub);
  writeFileSync(join(sub, "pipebench.schema.json"), "{}\n");
  const r = await pipebench(["init", "duckdb", sub]);
  assert.equal(r.code, 0, context(r));
  assert.ok(existsSync(join(sub, "duckdb.yaml")));
  assert.equal(readFileSync(join(sub, "pipebench.schema.json"), "utf8"), "{}\n");
  assert.match(r.stdout, /kept .*pipebench\.schema\.json/);
});

test("init without a kind lists the kinds and writes nothing; an unknown kind exits 2", async () => {
  const list = await pipebench(["init"]);
  assert.equal(list.code, 0, context(list));
  for (const kind of ["postgres", "duckdb", "http", "kafka"]) assert.match(list.stdout, new RegExp(`^  ${kind}\\s+\\S`, "m"));

  const typo = await pipebench(["init", "postgress", join(dir, "typo.yaml")]);
  assert.equal(typo.code, 2, context(typo));
  assert.match(typo.stderr, /did you mean "postgres"/);
  assert.ok(!existsSync(join(dir, "typo.yaml")));
});
