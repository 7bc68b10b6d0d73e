// `npm test`: build (the CLI tests run bin/pipebench.js as a user would), type-check everything,
// then every *.test.ts under src/ and test/ with Node's test runner. Integration tests start the
// real servers they need (embedded PostgreSQL, DuckDB in-process, local HTTP servers); nothing
// is mocked.
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

function step(name, command, args) {
  const started = Date.now();
  const r = spawnSync(command, args, { stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`${name} failed`);
    process.exit(r.status ?? 1);
  }
  console.log(`${name}: ok (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

const tsc = join("node_modules", ".bin", "tsc");
step("build", tsc, ["-p", "tsconfig.build.json"]);
step("type check", tsc, ["--noEmit", "-p", "."]);

// Tests that judge timing on the real clock (a stall's effect on latency, how fast a refused
// connection is reported, which culprit set the pace, a search for the maximum sustainable rate) run last, one file at a time
// and in this order, so the other test files' load does not decide their outcome. Everything else
// runs two files at once.
const SERIAL = [
  join("test", "engine", "coordinated-omission.test.ts"),
  // Each bottleneck by construction, (d) with CPU burners of its own: the rest need a quiet machine.
  join("test", "diagnose", "culprit-truth.test.ts"),
  join("test", "drivers", "kafka", "unreachable.test.ts"),
  join("test", "cli", "find-max.test.ts"),
];

function runTests(files, concurrency) {
  if (files.length === 0) return 0;
  const r = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "--test",
      `--test-concurrency=${concurrency}`,
      "--test-reporter=spec",
      "--test-reporter-destination=stdout",
      // The time budget (20 minutes on 2 cores) is watched file by file: the slowest are listed.
      "--test-reporter=./scripts/slowest-files.mjs",
      "--test-reporter-destination=stdout",
      ...files,
    ],
    { stdio: "inherit" },
  );
  return r.status ?? 1;
}

const only = process.argv.slice(2);
const files = only.length > 0 ? only : [...find("src"), ...find("test")].sort();
const started = Date.now();
const parallel = runTests(files.filter((f) => !SERIAL.includes(f)), 2);
// The parallel tests leave the page cache full of dirty pages (broker logs, PostgreSQL clusters);
// their writeback would slow the fsyncs of the target find-max measures. Flush them first.
spawnSync("sync", { stdio: "inherit" });
const serial = runTests(SERIAL.filter((f) => files.includes(f)), 1);
console.log(`tests: ${parallel === 0 && serial === 0 ? "ok" : "FAILED"} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
process.exit(parallel !== 0 ? parallel : serial);
