// `run --workers N` against the real quickstart ingest service (embedded PostgreSQL behind it, both
// started once here, on 127.0.0.1): N worker processes each run segment i/N of the scenario from one
// agreed start time, and the coordinator merges them into one stored run. The merge must be exact
// (the whole schedule's operations, once each; the merged histogram the sum of the parts'), judged
// once, and a worker SIGKILLed mid-run must leave an incomplete run that names it and keeps what it
// had reported.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import type { Connection } from "../../src/drivers/driver.js";
import { driverSchemas } from "../../src/drivers/index.js";
import { http, HttpTargetSchema, type HttpWorkload } from "../../src/drivers/http/index.js";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../src/drivers/postgres/embedded.js";
import type { WorkerPart } from "../../src/engine/recording-merge.js";
import { runSuite } from "../../src/engine/run-suite.js";
import { constantRateSchedule, segmentShare } from "../../src/engine/schedule.js";
import type { ScenarioWork, WorkerPool } from "../../src/engine/scenario-worker.js";
import { decodeHistogram, LatencyHistogram } from "../../src/metrics/histogram.js";
import { ResultsStore } from "../../src/store/results-store.js";
import { loadSuite } from "../../src/suite/load-suite.js";
import { ProcessWorkerPool } from "../../src/workers/process-worker.js";
import { expandK8sVars, workerCommand } from "../../src/export/k8s-job.js";
import { BIN, pipebench } from "../cli/helpers.js";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "pipebench-workers-"));

function suiteFile(name: string, url: string, rate: number, duration: string, seed: number): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}
targets:
  ingest:
    kind: http
    url: ${url}
    connections: 10
scenarios:
  ingest:
    target: ingest
    workload: { type: request, method: POST, path: /ingest, body: { generator: transactions, seed: ${seed} }, expect: { status: 201 } }
    load: { executor: constant-rate, rate: ${rate}, duration: ${duration} }
    thresholds: [ "p99 < 5s", "error_rate < 1%" ]
thresholds: [ "p99 < 5s" ]
`,
  );
  return file;
}

/** The pool, with every worker's part kept as it came back, and a hook on each closed second. */
function spied(pool: ProcessWorkerPool, onSecond?: (index: number, t: number) => void): WorkerPool & { parts: WorkerPart[] } {
  const parts: WorkerPart[] = [];
  return {
    parts,
    startDelayMs: pool.startDelayMs,
    open: () => pool.open(),
    get workers() {
      return pool.workers.map((w) => ({
        segment: w.segment,
        prepare: (work: ScenarioWork) =>
          w.prepare({ ...work, onSecond: (segment, second) => onSecond?.(segment.index, second.point.t) }),
        run: async (startAt: number) => {
          const part = await w.run(startAt);
          parts.push(part);
          return part;
        },
        end: (seqs: number) => w.end(seqs),
        close: () => w.close(),
      }));
    },
  };
}

describe("run --workers against the quickstart ingest service", { timeout: 240_000 }, () => {
  let database: EmbeddedPostgres;
  let service: Connection<HttpWorkload>;
  let url: string;

  before(async () => {
    database = await startEmbeddedPostgres({ target: "pg" });
    const target = HttpTargetSchema.parse({
      kind: "http",
      start: { command: ["node", "dist/quickstart/ingest-service.js"], env: { DATABASE_URL: "{{targets.pg.url}}" }, ready: "/health" },
    });
    service = await http.connect(target, {
      name: "ingest",
      suiteDir: repo,
      log: () => undefined,
      resolveRef: (ref) => (ref === "targets.pg.url" ? database.url : undefined),
    });
    url = service.info.url ?? "";
  });
  after(async () => {
    await service?.close();
    await database?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function transactions(): Promise<{ rows: number; distinct: number }> {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const r = await client.query<{ n: string; d: string }>("SELECT count(*) AS n, count(DISTINCT transaction_id) AS d FROM transactions");
      await client.query("TRUNCATE transactions");
      return { rows: Number(r.rows[0]?.n), distinct: Number(r.rows[0]?.d) };
    } finally {
      await client.end();
    }
  }

  /** Where a test's runs go: an SQLite file, or a database of its own on the embedded PostgreSQL (--store postgres://…). */
  const stores: { name: string; at(label: string): Promise<string> }[] = [
    { name: "SQLite", at: (label) => Promise.resolve(join(dir, `${label}.db`)) },
    {
      name: "PostgreSQL",
      at: async (label) => {
        const name = `store_${label.replace(/\W/g, "_")}`;
        const client = new pg.Client({ connectionString: database.url });
        await client.connect();
        await client.query(`CREATE DATABASE ${name}`).finally(() => client.end());
        const url = new URL(database.url);
        url.pathname = `/${name}`;
        return url.toString();
      },
    },
  ];

  for (const kind of stores) {
    it(`3 workers: the whole schedule once, each transaction distinct, start skew stored, judged once (${kind.name} store)`, async (t) => {
      const store = await kind.at("cli");
      const r = await pipebench(["run", suiteFile("three", url, 90, "2s", 3), "--workers", "3", "--store", store]);
      // 4 only when the machine was too busy to trust the numbers.
      assert.ok(r.code === 0 || r.code === 4, `exit ${r.code}\n${r.stderr}\n${r.stdout}`);
      const expected = constantRateSchedule(90, 2000).count;
      const s = await ResultsStore.open(store);
      try {
        const run = await s.getRun("latest");
        const scenario = run?.scenarioResults[0];
        assert.ok(run !== undefined && scenario !== undefined);
        const result = scenario.result;
        assert.equal(result.ops + result.errors + (result.dropped ?? 0), expected, "the merged parts are the whole schedule");
        assert.equal(result.errors, 0);
        assert.equal(decodeHistogram(result.latencyHistogram).count, result.ops);
        assert.equal(result.series.reduce((n, p) => n + p.ops, 0), result.ops, "the per-second series sums to the total");
        const segments = result.segments ?? [];
        assert.deepEqual(segments.map((w) => w.worker), ["1/3", "2/3", "3/3"]);
        assert.deepEqual(segments.map((w) => w.ops), [0, 1, 2].map((k) => segmentShare(expected, k, 3)));
        t.diagnostic(`start skew per worker: ${segments.map((w) => `${w.worker} ${w.startSkewMs} ms`).join(", ")}`);
        for (const w of segments) {
          // Stored, and never before the agreed time; how late is the machine's (printed above, not asserted).
          assert.ok(w.startSkewMs !== null && w.startSkewMs >= -5, `worker ${w.worker} started ${w.startSkewMs} ms off the agreed time`);
          assert.ok(w.validity !== undefined, "each worker's own verdict is kept");
        }
        // Judged once, on the merged result: one outcome per threshold, not one per worker.
        assert.deepEqual(scenario.thresholds.map((t) => t.expr), ["p99 < 5s", "error_rate < 1%"]);
        assert.equal(run.thresholds.length, 1);
      } finally {
        await s.close();
      }
      // Every worker wrote its own operations: seq is the whole schedule's operation number.
      assert.deepEqual(await transactions(), { rows: expected, distinct: expected });
      const show = await pipebench(["show", "latest", "--store", store]);
      assert.equal(show.code, 0, show.stderr);
      // Each worker's share and start; INVALID after one whose own numbers cannot be trusted (a busy machine).
      assert.match(show.stdout, /^ {4}3 workers, merged: 1\/3 60 ops start [+-]\d+ ms( INVALID)? · 2\/3 60 ops start [+-]\d+ ms( INVALID)? · 3\/3 60 ops start [+-]\d+ ms( INVALID)?$/m);
    });
  }

  it("the merged histogram is exactly the sum of the workers' recordings, per second too", async () => {
    const file = suiteFile("exact", url, 60, "2s", 4);
    const suite = await loadSuite(file, { set: [] }, driverSchemas);
    const pool = new ProcessWorkerPool(3, [file]);
    const spy = spied(pool);
    const store = await ResultsStore.open(join(dir, "exact.db"));
    try {
      const outcome = await runSuite(suite, { store, workers: spy });
      const result = outcome.scenarios[0]?.result;
      assert.ok(result !== undefined);
      assert.equal(spy.parts.length, 3);
      const sum = new LatencyHistogram();
      let ops = 0;
      for (const part of spy.parts) {
        assert.equal(part.kind, "reported");
        if (part.kind !== "reported") continue;
        sum.add(part.outcome.recording.latency);
        ops += part.outcome.recording.ops;
        // A worker's total is every one of its operations, and so is the sum of its seconds.
        assert.equal(part.outcome.recording.latency.count, part.outcome.recording.ops);
        const seconds = new LatencyHistogram();
        for (const s of part.seconds) seconds.add(decodeHistogram(s.latency));
        assert.equal(seconds.encode(), part.outcome.recording.latency.encode());
      }
      assert.equal(ops, constantRateSchedule(60, 2000).count);
      assert.equal(result.latencyHistogram, sum.encode(), "merged = the histogram of every operation of every worker");
      assert.deepEqual(result.latency, sum.summary());
      // Per-second percentiles from the per-second histograms added, not averaged.
      for (const point of result.series) {
        const second = new LatencyHistogram();
        for (const part of spy.parts) for (const s of part.seconds) if (s.point.t === point.t) second.add(decodeHistogram(s.latency));
        if (second.count > 0) assert.equal(point.p99, second.valueAtPercentile(99) / 1000);
      }
    } finally {
      await pool.close();
      await store.close();
    }
    await transactions();
  });

  for (const kind of stores) {
    it(`one of 3 workers SIGKILLed mid-run: incomplete, that worker named, the others whole, its reported seconds kept (${kind.name} store)`, async () => {
      const file = suiteFile(`killed-${kind.name}`, url, 60, "4s", 5);
      const suite = await loadSuite(file, { set: [] }, driverSchemas);
      const pool = new ProcessWorkerPool(3, [file]);
      let killed = false;
      // Worker 2/3 dies once it has reported its second measured second.
      const spy = spied(pool, (index, t) => {
        if (index === 1 && t === 1 && !killed) {
          killed = true;
          process.kill(pool.workers[1]?.pid ?? -1, "SIGKILL");
        }
      });
      const store = await ResultsStore.open(await kind.at("killed"));
      try {
        const outcome = await runSuite(suite, { store, workers: spy });
        assert.ok(killed);
        const stored = (await store.getRun(outcome.runId))?.scenarioResults[0]?.result;
        assert.ok(stored !== undefined);
        assert.equal(stored.status, "interrupted");
        assert.match(stored.failure ?? "", /^incomplete: worker 2\/3 stopped after 2 s \(killed by SIGKILL\)/);
        assert.notEqual(outcome.status, "passed");
        const [a, b, c] = stored.segments ?? [];
        const whole = constantRateSchedule(60, 4000).count;
        assert.equal(a?.status, "completed");
        assert.equal(c?.status, "completed");
        assert.equal(a?.ops, segmentShare(whole, 0, 3));
        assert.equal(c?.ops, segmentShare(whole, 2, 3));
        assert.equal(b?.status, "lost");
        assert.match(b?.failure ?? "", /SIGKILL/);
        const lost = spy.parts.find((p) => p.kind === "lost");
        assert.ok(lost !== undefined && lost.seconds.length === 2);
        const reportedOps = lost.seconds.reduce((n, s) => n + s.point.ops, 0);
        assert.equal(b?.ops, reportedOps);
        // Its two seconds at 20/s: about 40 operations, not the whole 80 and not nothing.
        assert.ok(reportedOps >= 30 && reportedOps < segmentShare(whole, 1, 3), `kept ${reportedOps}`);
        assert.equal(stored.ops, (a?.ops ?? 0) + (c?.ops ?? 0) + reportedOps);
      } finally {
        await pool.close();
        await store.close();
      }
    });
  }

  for (const kind of stores) {
    it(`a single process SIGKILLed mid-scenario keeps all but the last second (checkpoints) (${kind.name} store)`, async () => {
      await transactions();
      const store = await kind.at("single-killed");
      const rate = 40;
      const child = spawn(process.execPath, [BIN, "run", suiteFile("single", url, rate, "8s", 6), "--store", store], {
        env: { ...process.env, NO_COLOR: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      let timer: NodeJS.Timeout | undefined;
      const killedAt = new Promise<void>((resolve) => {
        const onData = (chunk: string): void => {
          output += chunk;
          // 3.5 s after the scenario starts: three whole seconds closed, the fourth under way.
          if (timer === undefined && /\[1\/1\] ingest/.test(output)) {
            timer = setTimeout(() => {
              child.kill("SIGKILL");
              resolve();
            }, 3500);
          }
        };
        child.stdout.setEncoding("utf8").on("data", onData);
        child.stderr.setEncoding("utf8").on("data", onData);
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("close", (_code, signal) => resolve(signal)));
      const bound = setTimeout(() => child.kill("SIGKILL"), 60_000);
      await killedAt;
      assert.equal(await exited, "SIGKILL", output);
      clearTimeout(bound);
      const sent = (await transactions()).rows;
      const s = await ResultsStore.open(store);
      try {
        const run = await s.getRun("latest");
        assert.equal(run?.status, "incomplete");
        const kept = run?.scenarioResults[0];
        assert.ok(kept !== undefined, "the killed scenario is stored (before checkpoints it was lost whole)");
        const r = kept.result;
        assert.equal(r.status, "interrupted");
        assert.match(r.failure ?? "", /^incomplete: /);
        assert.ok(r.series.length >= 2, `seconds kept: ${r.series.length}`);
        assert.equal(r.series.reduce((n, p) => n + p.ops, 0), r.ops);
        assert.equal(decodeHistogram(r.latencyHistogram).count, r.ops, "the kept histogram holds the kept operations");
        // All but the last second: what the service stored, less at most about two seconds' worth
        // (the second under way and the checkpoint of the one just closed).
        assert.ok(r.ops <= sent && r.ops >= sent - 2 * rate, `kept ${r.ops} of ${sent} sent`);
      } finally {
        await s.close();
      }
    });
  }

  for (const kind of stores) {
    it(`the Indexed Job's command, run here once per index with the variable Kubernetes sets: segments that sum to the whole, started together (${kind.name} store)`, async () => {
      await transactions();
      const file = suiteFile("job", url, 60, "2s", 7);
      // Ahead of two CLI start-ups on a busy machine (4 s was not enough at load 30).
      const at = Date.now() + 10_000;
      // A shared store comes from the environment, as the exported Secret gives it; files go under /results.
      const shared = kind.name === "PostgreSQL" ? await kind.at("job") : undefined;
      // The exported container command, its paths mapped to this machine.
      const command = workerCommand({ file: "job.yaml", workers: 2, startAt: String(at), name: "job", suiteDir: dir, resultsDir: join(dir, kind.name), storeFromEnv: shared !== undefined });
      const runs = await Promise.all(
        [0, 1].map((index) => pipebench(expandK8sVars(command, { JOB_COMPLETION_INDEX: String(index) }).slice(1), shared === undefined ? {} : { PIPEBENCH_STORE: shared })),
      );
      for (const r of runs) assert.ok(r.code === 0 || r.code === 4, `exit ${r.code}\n${r.stderr}\n${r.stdout}`);
      const whole = constantRateSchedule(60, 2000).count;
      let ops = 0;
      for (const index of [0, 1]) {
        const s = await ResultsStore.open(shared ?? join(dir, kind.name, `job-${index}.db`));
        try {
          // In a shared store, the generator's run is the one holding its segment.
          const stored = await Promise.all((await s.listRuns()).map((r) => s.getRun(r.id)));
          const result = stored.map((r) => r?.scenarioResults[0]?.result).find((r) => r?.segments?.[0]?.worker === `${index + 1}/2`);
          assert.ok(result !== undefined);
          assert.equal(result.ops, segmentShare(whole, index, 2));
          const [own] = result.segments ?? [];
          // Started together: not before the agreed time, and the stored skew is how late it was (its
          // size is the machine's: a CLI start-up at load 12 took the generator past the 10 s given).
          const skew = own?.startSkewMs ?? null;
          assert.ok(skew !== null && skew >= -5, `skew ${skew}`);
          assert.ok(Math.abs(result.startedAt - (at + skew)) <= 5, `started at ${result.startedAt - at} ms after the agreed time, skew ${skew}`);
          ops += result.ops;
        } finally {
          await s.close();
        }
      }
      assert.equal(ops, whole);
      assert.deepEqual(await transactions(), { rows: whole, distinct: whole });

      // The pods' recordings merged into one run, as run --workers merges: exact, judged once.
      const merged = shared ?? join(dir, kind.name, "job-merged.db");
      const m = await pipebench(["merge", file, join(dir, kind.name, "recordings"), "--store", merged]);
      assert.ok(m.code === 0 || m.code === 4, `exit ${m.code}\n${m.stderr}\n${m.stdout}`);
      assert.match(m.stdout, /2 workers, merged: 1\/2 60 ops start [+-]\d+ ms( INVALID)? · 2\/2 60 ops start [+-]\d+ ms( INVALID)?/);
      const s = await ResultsStore.open(merged);
      try {
        const run = await s.getRun("latest");
        const result = run?.scenarioResults[0]?.result;
        assert.equal(result?.ops, whole);
        assert.equal(decodeHistogram(result?.latencyHistogram ?? "").count, whole);
        assert.deepEqual(run?.scenarioResults[0]?.thresholds.map((t) => t.expr), ["p99 < 5s", "error_rate < 1%"]);
        assert.equal(run?.thresholds.length, 1);
        if (shared !== undefined) assert.equal((await s.listRuns()).length, 3, "the two generators' runs and the merged one, in one store");
      } finally {
        await s.close();
      }
    });
  }

  it("the coordinator interrupted (its signal alone, not the group's): every worker stops at its second's end, the merged run interrupted", async () => {
    const file = suiteFile("interrupted", url, 30, "20s", 8);
    const suite = await loadSuite(file, { set: [] }, driverSchemas);
    const pool = new ProcessWorkerPool(2, [file]);
    const controller = new AbortController();
    const spy = spied(pool, (_index, t) => {
      if (t === 1) controller.abort();
    });
    const store = await ResultsStore.open(join(dir, "interrupted.db"));
    try {
      const outcome = await runSuite(suite, { store, workers: spy, signal: controller.signal });
      assert.equal(outcome.status, "interrupted");
      const result = outcome.scenarios[0]?.result;
      assert.equal(result?.status, "interrupted");
      assert.deepEqual(result?.segments?.map((w) => w.status), ["interrupted", "interrupted"]);
      // Whether it stopped is judged by what was measured, not by the wall clock (worker start-up on a busy machine).
      assert.ok((result?.durationS ?? 20) < 10, `measured ${result?.durationS} s of 20`);
    } finally {
      await pool.close();
      await store.close();
    }
    await transactions();
  });
});
