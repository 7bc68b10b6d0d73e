// Faults in the target, end to end: a real PostgreSQL (embedded, this file's own) stopped mid-run
// the hard way (SIGQUIT to the postmaster: PostgreSQL's immediate shutdown) while `pipebench run`
// queries it at a constant rate.
//   - onError: continue, the server started again 2.5 s later: the scenario runs to its end, errors
//     are counted by class (reset / refused / 57P03 while it starts) and per second, and queries
//     succeed again; the run passes (exit 0), `show` prints the errors line and `diagnose` the outage.
//   - the default: the server stays down, the scenario stops once every query failed for 3 s,
//     stored as failed with its partial metrics, exit 3.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { errorsByKind } from "../../src/drivers/error-classes.js";
import { useEmbeddedPostgres } from "../helpers/postgres.js";
import { BIN, pipebench } from "./helpers.js";

const pg = useEmbeddedPostgres();
const dir = mkdtempSync(join(tmpdir(), "pipebench-pg-restart-"));
let restarted: ChildProcess | undefined;
after(async () => {
  if (restarted) await stopPostmaster(restarted);
  rmSync(dir, { recursive: true, force: true });
});

const suite = (onError: string, duration: string): string => `
name: pg-restart
targets:
  pg:
    kind: postgres
    url: \${PG_URL}
    pool: 4
scenarios:
  reads:
    target: pg
    workload: { type: query, sql: "select 1" }
    load: { executor: constant-rate, rate: 200, duration: ${duration} }
${onError === "" ? "" : `    onError: ${onError}`}
`;

const dataDir = (): string => join(pg.server.dir, "data");
const postmasterPid = (): number => Number(readFileSync(join(dataDir(), "postmaster.pid"), "utf8").split("\n")[0]);

/** Starts the postmaster again with the command line it wrote (postmaster.opts), as the data dir's owner. */
function startPostmaster(): ChildProcess {
  const opts = readFileSync(join(dataDir(), "postmaster.opts"), "utf8").trim();
  const binary = opts.split(" ")[0] ?? "";
  const args = [...opts.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1] ?? "");
  const owner = statSync(dataDir());
  const child = spawn(binary, args, { cwd: pg.server.dir, uid: owner.uid, gid: owner.gid, detached: true, stdio: "ignore" });
  child.on("error", () => undefined);
  return child;
}

async function stopPostmaster(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once("exit", done));
  child.kill("SIGQUIT");
  await exited;
}

interface Run {
  code: number | null;
  output: string;
}

/** Runs the suite; `faults` fire at their times after the scenario's start line. */
function runWithFaults(suiteFile: string, store: string, faults: [number, () => void][]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "run", "--allow-invalid", suiteFile, "--store", store], {
      env: { ...process.env, NO_COLOR: "1", PG_URL: pg.url },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const timers: NodeJS.Timeout[] = [];
    const onData = (chunk: string): void => {
      output += chunk;
      if (timers.length === 0 && /▸ \[1\/1\] reads/.test(output)) for (const [ms, fault] of faults) timers.push(setTimeout(fault, ms));
    };
    child.stdout.setEncoding("utf8").on("data", onData);
    child.stderr.setEncoding("utf8").on("data", onData);
    const bound = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(bound);
      for (const t of timers) clearTimeout(t);
      resolve({ code, output });
    });
  });
}

interface Shown {
  status: string;
  exitCode: number;
  scenarioResults: {
    result: {
      status: string;
      ops: number;
      errors: number;
      failure?: string;
      errorsByClass: Record<string, number>;
      errorSeries?: { t: number; byClass: Record<string, number> }[];
      series: { t: number; ops: number; errors: number }[];
    };
  }[];
}

async function shown(store: string): Promise<{ json: Shown; text: string }> {
  const json = await pipebench(["show", "latest", "--store", store, "--format", "json"]);
  assert.equal(json.code, 0, json.stderr);
  const text = await pipebench(["show", "latest", "--store", store], { NO_COLOR: "1" });
  return { json: JSON.parse(json.stdout) as Shown, text: text.stdout };
}

test("onError continue: PostgreSQL stopped and started again mid-run — errors by class per second, then queries resume", { timeout: 60_000 }, async (t) => {
  const file = join(dir, "continue.yaml");
  // 10 s: the restarted server (crash recovery first) has until the last second to answer fully.
  writeFileSync(file, suite("continue", "10s"));
  const store = join(dir, "continue.db");
  const run = await runWithFaults(file, store, [
    [2_000, () => process.kill(postmasterPid(), "SIGQUIT")],
    [4_500, () => (restarted = startPostmaster())],
  ]);
  assert.equal(run.code, 0, run.output);
  const { json, text } = await shown(store);
  const r = json.scenarioResults[0]!.result;
  const context = JSON.stringify({ byClass: r.errorsByClass, errorSeries: r.errorSeries, series: r.series.map((p) => [p.t, p.ops, p.errors]) });
  t.diagnostic(`${text.split("\n").find((l) => l.includes("errors:"))?.trim()} ${context}`);
  assert.equal(json.status, "passed");
  assert.equal(r.status, "completed", context);
  const kinds = errorsByKind(r.errorsByClass);
  assert.ok((kinds.refused ?? 0) > 0, `refused while it was down: ${context}`);
  assert.equal(r.errorsByClass.Error, undefined, `no unclassified errors: ${context}`);
  // Errors per second sum to the total and lie in the outage (seconds 1–8), not at the start or end.
  const series = r.errorSeries ?? [];
  assert.equal(series.reduce((n, p) => n + Object.values(p.byClass).reduce((a, b) => a + b, 0), 0), r.errors, context);
  assert.ok(series.length > 0 && series.every((p) => p.t >= 1 && p.t <= 8), context);
  // Before and after: queries answered (of 200 a second; a stall under load moves some across a
  // second's edge).
  assert.ok((r.series[0]?.ops ?? 0) > 100, context);
  assert.ok((r.series.find((p) => p.t === 9)?.ops ?? 0) > 100 && r.series.find((p) => p.t === 9)?.errors === 0, context);
  assert.match(text, /errors: [\d,]+ \([\d,]+ refused.*\), first at \d s, last at \d s/, text);
  // diagnose names the outage: when, what, and that the target answered again.
  const diagnosed = await pipebench(["diagnose", "latest", "--store", store], { NO_COLOR: "1" });
  assert.match(diagnosed.stdout, /The target was unavailable for \d s, then answered again/, diagnosed.stdout + diagnosed.stderr);
  assert.match(diagnosed.stdout, /from \d s to \d s of the scenario: [\d,]+ errors \([\d,]+ refused/, diagnosed.stdout);
  // The report says what the errors were and when, under its scenario table.
  const out = join(dir, "report");
  const report = await pipebench(["report", "latest", "--store", store, "--out", out]);
  assert.equal(report.code, 0, report.stderr);
  assert.match(readFileSync(join(out, "report.md"), "utf8"), /^- reads: errors: [\d,]+ \([\d,]+ refused.*\), first at \d s, last at \d s$/m);
});

test("the default: PostgreSQL stopped and not started again — the scenario stops after 3 s of failures, exit 3, partial results stored", { timeout: 60_000 }, async () => {
  // postmaster.pid names the server running now: the first test's restarted one, if it ran.
  const file = join(dir, "default.yaml");
  writeFileSync(file, suite("", "20s"));
  const store = join(dir, "default.db");
  const started = Date.now();
  const run = await runWithFaults(file, store, [[1_500, () => process.kill(postmasterPid(), "SIGQUIT")]]);
  assert.equal(run.code, 3, run.output);
  assert.ok(Date.now() - started < 15_000, "it stopped well before the scenario's 20 s");
  assert.match(run.output, /scenario reads failed: every operation failed for 3 s in a row: \d+ of \d+ errors were refused \(ECONNREFUSED\)/, run.output);
  const { json } = await shown(store);
  assert.equal(json.status, "error");
  assert.equal(json.exitCode, 3);
  const r = json.scenarioResults[0]!.result;
  assert.equal(r.status, "failed");
  // About 300 (1.5 s at 200/s), counted from the run's start line, not from its first query.
  assert.ok(r.ops > 50, `the queries before the stop are kept: ${r.ops}`);
  assert.ok(r.errors > 0 && (r.errorSeries ?? []).length >= 3, JSON.stringify(r.errorSeries));
});
