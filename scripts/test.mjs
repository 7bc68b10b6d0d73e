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

// The longest files start first (two at a time, each next file when a slot frees): started last in
// name order (test/workers/*), they left one slot running alone at the end of the phase. Taken from
// the list this script prints after each phase; the rest follow in name order.
const LONGEST_FIRST = [
  join("test", "drivers", "trino", "trino.test.ts"),
  join("test", "workers", "local-workers.test.ts"),
  join("test", "drivers", "ray", "ray.test.ts"),
  join("test", "cli", "compare.test.ts"),
  join("test", "workers", "find-max-workers.test.ts"),
  join("test", "cli", "kafka-suites.test.ts"),
  join("test", "cli", "quickstart.test.ts"),
  join("test", "probes", "server-metrics.test.ts"),
  join("test", "workers", "postgres-rows.test.ts"),
  join("test", "cli", "init.test.ts"),
  join("test", "cli", "bad-input-battery.test.ts"),
  join("test", "diagnose", "generator-saturation.test.ts"),
];

function longestFirst(files) {
  const first = LONGEST_FIRST.filter((f) => files.includes(f));
  return [...first, ...files.filter((f) => !first.includes(f))];
}

function runTests(files, concurrency) {
  if (files.length === 0) return 0;
  const runner = join("scripts", "run-tests.mjs");
  const r = spawnSync(process.execPath, ["--import", "tsx", runner, String(concurrency), ...files], { stdio: "inherit" });
  return r.status ?? 1;
}

const only = process.argv.slice(2);
const files = only.length > 0 ? only : [...find("src"), ...find("test")].sort();
const started = Date.now();
const parallel = runTests(longestFirst(files.filter((f) => !SERIAL.includes(f))), 2);
// The parallel tests leave the page cache full of dirty pages (broker logs, PostgreSQL clusters);
// their writeback would slow the fsyncs of the target find-max measures. Flush them first.
spawnSync("sync", { stdio: "inherit" });
const serial = runTests(SERIAL.filter((f) => files.includes(f)), 1);
console.log(`tests: ${parallel === 0 && serial === 0 ? "ok" : "FAILED"} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
process.exit(parallel !== 0 ? parallel : serial);
