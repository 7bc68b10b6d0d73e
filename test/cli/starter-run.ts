// `pipebench init KIND FILE`, then `pipebench run FILE` as written: what every starter must do. Used
// by test/cli/init.test.ts, and by the Trino and ClickHouse test files beside the server they start.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pipebench, type CliResult } from "./helpers.js";

function context(r: CliResult): string {
  return `exit ${r.code}\n${r.stderr}\n${r.stdout}`;
}

/** Writes KIND's starter into DIR/KIND/, checks its shape, runs it into `store`: exit 0, passed. */
export async function initAndRunStarter(kind: string, dir: string, store: string, env: NodeJS.ProcessEnv = {}): Promise<void> {
  const file = join(dir, kind, `${kind}-suite.yaml`);
  const init = await pipebench(["init", kind, file]);
  assert.equal(init.code, 0, context(init));
  assert.match(init.stdout, new RegExp(`^wrote ${file}: `, "m"));
  assert.match(init.stdout, new RegExp(`^  pipebench run ${file}`, "m"), "it says what to run next");
  const text = readFileSync(file, "utf8");
  const lines = text.split("\n").length;
  assert.ok(lines >= 20 && lines <= 60, `a short starter: ${lines} lines`);
  assert.match(text, /^# yaml-language-server: \$schema=pipebench\.schema\.json$/m);
  assert.ok(existsSync(join(dirname(file), "pipebench.schema.json")), "the schema the modeline names is beside it");

  const run = await pipebench(["run", "--allow-invalid", file, "--store", store], env, 120_000);
  assert.equal(run.code, 0, context(run));
  assert.match(run.stdout, new RegExp(`· ${kind}-starter · passed ·`));
}
