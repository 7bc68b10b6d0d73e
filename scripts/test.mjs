// `npm test`: type-check, then every *.test.ts under test/ and src/ with Node's test runner.
// Integration tests start the real servers they need (embedded PostgreSQL, DuckDB in-process,
// local HTTP servers); nothing is mocked.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

function find(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) find(path, out);
    else if (entry.name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

const only = process.argv.slice(2);
const files = only.length > 0 ? only : [...find("src"), ...find("test")].sort();

const tsc = spawnSync("npx", ["tsc", "--noEmit", "-p", "."], { stdio: "inherit" });
if (tsc.status !== 0) {
  console.error("type check failed");
  process.exit(tsc.status ?? 1);
}

const run = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=2", "--test-reporter=spec", ...files],
  { stdio: "inherit" },
);
process.exit(run.status ?? 1);
