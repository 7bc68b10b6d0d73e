// `pipebench run --dashboard` as a user runs it: a real DuckDB suite of a few seconds into a temp
// store, followed over Server-Sent Events by a plain HTTP client from the first event, and by a
// second one that connects mid-run; the page fetched while the run goes on; the server gone once
// the command has exited.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { BIN } from "../cli/helpers.js";
import { accepts, followEvents, type EventStream, type SseEvent } from "./sse-client.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-dashboard-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const suite = join(dir, "live.yaml");
writeFileSync(
  suite,
  `name: live
targets:
  duck:
    kind: duckdb
    datasets:
      - { table: commodity_prices, generator: commodity-prices, rows: 2000, seed: 7 }
    queries:
      count: select count(*) from commodity_prices
scenarios:
  steady:
    target: duck
    workload: { type: query, query: count }
    load: { executor: constant-rate, rate: 100, duration: 3s, warmup: 2s }
    thresholds: ["p99 < 5s", "errors == 0"]
  flat-out:
    target: duck
    workload: { type: query, query: count }
    load: { executor: closed, workers: 2, duration: 2s }
    thresholds: ["p50 < 1us"]
`,
);

/** Everything that is not this host's loopback address 127.0.0.1, where the server must not answer. */
function otherAddresses(): string[] {
  const others = ["127.0.0.2", "::1"];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal && !a.address.startsWith("fe80")) others.push(a.address);
  }
  return others;
}

function progressOf(events: readonly SseEvent[], lane: number, phase?: string): SseEvent["data"][] {
  return events
    .filter((e) => e.event === "progress" && e.data.lane === lane && (phase === undefined || e.data.phase === phase))
    .map((e) => e.data);
}

test("--dashboard: live events from start to final status, history for late clients, a self-contained page, 127.0.0.1 only, closed at exit", async () => {
  const child = spawn(process.execPath, [BIN, "run", suite, "--store", join(dir, "results.db"), "--dashboard"], {
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const killer = setTimeout(() => child.kill("SIGKILL"), 90_000);
  let stderr = "";
  let stdout = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));

  try {
    // The URL is printed before any load starts (before the target is even connected).
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.setEncoding("utf8").on("data", (d: string) => {
        stderr += d;
        const m = /live view: (http:\/\/127\.0\.0\.1:(\d+)\/)/.exec(stderr);
        if (m?.[1] !== undefined) resolve(m[1]);
      });
      void exited.then(() => reject(new Error(`exited without a dashboard URL:\n${stderr}`)));
    });
    assert.doesNotMatch(stderr.slice(0, stderr.indexOf("live view:")), /creating commodity_prices|▸/, "URL first, then the run");
    const port = Number(new URL(url).port);

    const first = await followEvents(url);
    assert.match(String(first.headers["content-type"]), /^text\/event-stream/);

    // Mid-run: the first measured second is in, the run goes on.
    await first.waitFor((e) => e.event === "progress" && e.data.phase === "measure" && Number(e.data.ops) > 0);

    // A second client now gets the history so far, then follows along.
    const late = await followEvents(url);
    const firstIds = first.events.map((e) => e.id);
    await late.waitFor((e) => e.id >= (firstIds.at(-1) ?? 0));
    assert.deepEqual(late.events.slice(0, firstIds.length), first.events.slice(0, firstIds.length), "the same history, in order");
    assert.equal(late.events[0]?.event, "run-start");

    // The page, while the run goes on: one document, nothing fetched from elsewhere.
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type") ?? "", /^text\/html/);
    assert.match(page.headers.get("content-security-policy") ?? "", /default-src 'none'/);
    const html = await page.text();
    assert.match(html, /^<!doctype html>/i);
    assert.match(html, /uPlot/, "uPlot is inlined");
    assert.match(html, /new EventSource\("events"\)/, "the page follows its own server's events");
    assert.doesNotMatch(html, /<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=/i, "no element loads anything");
    assert.doesNotMatch(html, /\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i, "no external src/href");
    assert.doesNotMatch(html, /@import|url\(\s*["']?(https?:)?\/\//i, "no external stylesheet or font");

    // Listening on 127.0.0.1 only.
    assert.equal(await accepts("127.0.0.1", port), true);
    for (const address of otherAddresses()) {
      assert.equal(await accepts(address, port), false, `nothing answers on ${address}:${port}`);
    }

    const code = await exited;
    await Promise.all([first.ended, late.ended]); // the server ends the streams after the final status
    assert.equal(code, 1, `a failed threshold exits 1\n${stderr}\n${stdout}`);

    const events = first.events;
    assert.deepEqual(late.events, events, "the late client saw everything the first did");
    assert.deepEqual(events.map((e) => e.id), events.map((_, i) => i + 1), "ids count up from 1");

    const start = events[0]?.data;
    assert.equal(start?.type, "run-start");
    assert.equal(start?.suite, "live");
    assert.deepEqual((start?.scenarios as { name: string }[]).map((s) => s.name), ["steady", "flat-out"]);

    const starts = events.filter((e) => e.event === "scenario-start").map((e) => e.data);
    assert.deepEqual(starts.map((s) => [s.lane, s.index, s.name, s.warmupMs]), [[1, 0, "steady", 2000], [2, 1, "flat-out", 0]]);

    // steady: the warm-up seconds, then per-second numbers near the asked 100/s.
    assert.ok(progressOf(events, 1, "warmup").length >= 1, "a warm-up second is reported as warm-up");
    // Records/s and percentiles are those of the last complete measured second: none before it.
    const measured = progressOf(events, 1, "measure").filter((p) => Number(p.elapsedMs) >= 1000);
    assert.ok(measured.length >= 2, `at least two complete measured seconds, got ${measured.length}`);
    // The median second, so one stalled second on a busy machine does not decide it (of two or
    // three seconds, loosely: the count is checked exactly at the end).
    const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
    const opsPerSec = median(measured.map((p) => Number(p.opsPerSec)));
    const recordsPerSec = median(measured.map((p) => Number(p.recordsPerSec)));
    assert.ok(opsPerSec > 50 && opsPerSec < 150, `ops/s near 100: ${opsPerSec}`);
    assert.ok(recordsPerSec > 50 && recordsPerSec < 150, `records/s near 100: ${recordsPerSec}`);
    assert.ok(measured.some((p) => Number(p.p50Ms) > 0), "a p50 is shown");
    for (const p of measured) {
      assert.equal(p.errorsPerSec, 0);
      if (p.p50Ms !== null) assert.ok(Number(p.p99Ms) >= Number(p.p50Ms), `p50 ${p.p50Ms} ≤ p99 ${p.p99Ms}`);
      assert.ok(Number(p.t) >= 2, "measured seconds come after the 2 s warm-up on the x axis");
    }
    const ts = progressOf(events, 1).map((p) => Number(p.t));
    assert.deepEqual(ts, [...ts].sort((a, b) => a - b), "time goes forward");
    // flat-out: a closed loop as fast as DuckDB answers.
    assert.ok(progressOf(events, 2).some((p) => Number(p.opsPerSec) > 100), "flat-out runs faster than 100/s");

    // Thresholds as judged at each scenario's end.
    const ends = events.filter((e) => e.event === "scenario-end").map((e) => e.data);
    assert.deepEqual(ends.map((e) => [e.lane, e.name, e.status]), [[1, "steady", "completed"], [2, "flat-out", "completed"]]);
    const judged = ends.map((e) => (e.thresholds as { expr: string; passed: boolean; shown: string }[]).map((t) => [t.expr, t.passed]));
    assert.deepEqual(judged, [[["p99 < 5s", true], ["errors == 0", true]], [["p50 < 1us", false]]]);
    assert.ok(Math.abs(Number(ends[0]?.ops) - 300) <= 3, `steady: about 300 ops, got ${ends[0]?.ops}`);
    const shown = (ends[1]?.thresholds as { shown: string }[])[0]?.shown ?? "";
    assert.match(shown, /\d(ms|µs|us)$/, "the measured value as the console prints it");

    // The final status, last.
    const end = events.at(-1)?.data;
    assert.equal(end?.type, "run-end");
    assert.equal(end?.status, "failed");
    assert.equal(end?.exitCode, 1);
    assert.equal(end?.runId, 1);
    assert.match(stdout, /stored as run 1/);

    // Closed with the command: nothing answers any more.
    assert.equal(await accepts("127.0.0.1", port), false, "the server is gone after the run");
  } finally {
    clearTimeout(killer);
    child.kill("SIGKILL");
  }
});

/** The CLI with the dashboard on: its URL once printed, its exit code, what it wrote to stderr. */
function runWithDashboard(args: readonly string[]) {
  const child = spawn(process.execPath, [BIN, "run", ...args, "--dashboard"], {
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  let stderr = "";
  const exited = new Promise<number | null>((resolve) =>
    child.on("close", (code) => {
      clearTimeout(killer);
      resolve(code);
    }),
  );
  const url = new Promise<string>((resolve, reject) => {
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
      const m = /live view: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stderr);
      if (m?.[1] !== undefined) resolve(m[1]);
    });
    void exited.then(() => reject(new Error(`exited without a dashboard URL:\n${stderr}`)));
  });
  return { child, url, exited, stderr: () => stderr };
}

async function finalEvent(stream: EventStream): Promise<SseEvent["data"]> {
  return (await stream.waitFor((e) => e.event === "run-end")).data;
}

test("Ctrl-C: the page gets the interrupted status, the command exits 130 and the server goes with it", async () => {
  const cli = runWithDashboard([suite, "--store", join(dir, "interrupted.db"), "--scenario", "steady", "--duration", "30s"]);
  try {
    const url = await cli.url;
    const stream = await followEvents(url);
    await stream.waitFor((e) => e.event === "progress" && e.data.phase === "measure");
    cli.child.kill("SIGINT");
    const end = await finalEvent(stream);
    assert.deepEqual([end.status, end.exitCode], ["interrupted", 130]);
    const scenarioEnd = stream.events.find((e) => e.event === "scenario-end")?.data;
    assert.equal(scenarioEnd?.status, "interrupted", "what was measured is kept and shown");
    assert.equal(await cli.exited, 130, cli.stderr());
    assert.equal(await accepts("127.0.0.1", Number(new URL(url).port)), false);
  } finally {
    cli.child.kill("SIGKILL");
  }
});

test("a target that cannot be reached: the page shows the error; --dashboard-linger keeps it up, then the command exits", async () => {
  const unreachable = join(dir, "unreachable.yaml");
  writeFileSync(
    unreachable,
    `name: unreachable
targets:
  api: { kind: http, url: "http://127.0.0.1:9" }
scenarios:
  ping:
    target: api
    workload: { type: request, path: / }
    load: { executor: constant-rate, rate: 10, duration: 2s }
`,
  );
  const cli = runWithDashboard([unreachable, "--store", join(dir, "unreachable.db"), "--dashboard-linger", "2"]);
  try {
    const url = await cli.url;
    const stream = await followEvents(url);
    const end = await finalEvent(stream);
    const endedAt = Date.now();
    assert.deepEqual([end.status, end.exitCode, end.runId], ["error", 3, null]);
    assert.match(String(end.failure), /cannot reach http target "api"/);
    // Lingering: the page is still served after the end…
    assert.equal((await fetch(url)).status, 200);
    assert.match(cli.stderr(), /live view stays at http:\/\/127\.0\.0\.1:\d+\/ for 2 s/);
    // …and then the command exits with the error's code.
    assert.equal(await cli.exited, 3, cli.stderr());
    assert.ok(Date.now() - endedAt >= 1_000, "it lingered");
    assert.equal(await accepts("127.0.0.1", Number(new URL(url).port)), false);
  } finally {
    cli.child.kill("SIGKILL");
  }
});
