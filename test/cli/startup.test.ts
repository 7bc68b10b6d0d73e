// The CLI loads a command's modules only when that command runs: `--help`, `--version` and a store
// listing start in ~0.1 s, not the ~1 s that loading the engine, every driver's schemas and the
// report's charts took (src/cli/main.ts). Checked by the modules Node resolves in a real start.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { BIN } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-startup-"));
after(() => rmSync(dir, { recursive: true, force: true }));

// A module hook that prints every URL Node resolves, one line each, on stderr.
const HOOK = `export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  process.stderr.write("resolved " + r.url + "\\n");
  return r;
}`;
const REGISTER = `import { register } from "node:module"; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOK)}`)});`;

/** The project's modules and packages a CLI start with these arguments loads. */
function loaded(args: readonly string[]): string[] {
  const r = spawnSync(process.execPath, ["--import", `data:text/javascript,${encodeURIComponent(REGISTER)}`, BIN, ...args], { encoding: "utf8" });
  assert.ok(r.status === 0 || r.status === 2, `exit ${r.status}: ${r.stderr}`);
  return r.stderr.split("\n").flatMap((line) => (line.startsWith("resolved file:") ? [line.slice("resolved ".length)] : []));
}

const RUNNING = [/\/dist\/engine\//, /\/dist\/drivers\//, /\/dist\/suite\/(load-suite|schema)\.js$/, /\/node_modules\/zod\//];
const READING = [/\/dist\/report\//, /\/dist\/store\/(results|sqlite|postgres)-store\.js$/, /\/node_modules\/pg\//];

function assertNone(args: readonly string[], unwanted: readonly RegExp[]): void {
  const urls = loaded(args);
  assert.ok(urls.some((u) => u.endsWith("/dist/cli/main.js")), `${args.join(" ")}: the hook saw no module:\n${urls.join("\n")}`);
  assert.deepEqual(urls.filter((u) => unwanted.some((h) => h.test(u))), [], args.join(" "));
}

test("--help and --version load no engine, driver, suite loader, store or report module; a store listing on SQLite no engine and no pg", () => {
  assertNone(["--help"], [...RUNNING, ...READING]);
  assertNone(["--version"], [...RUNNING, ...READING]);
  // The default store is an SQLite file: pg is loaded for a postgres:// store only.
  assertNone(["runs", "--store", join(dir, "none.db")], [...RUNNING, /\/node_modules\/pg\//]);
});

test("run loads what it runs: the engine and the drivers' schemas", () => {
  const urls = loaded(["run", "--dry-run"]);
  assert.ok(urls.some((u) => /\/dist\/engine\//.test(u)), urls.join("\n"));
  assert.ok(urls.some((u) => /\/dist\/drivers\/kafka\/schema\.js$/.test(u)), urls.join("\n"));
});
