// Coordinated omission, against a real HTTP server on 127.0.0.1 (no mocks).
//
// The server answers at once except for one 1-second stall. The open loop asks for 200 ops/s over
// one connection (maxInFlight 1): while the stalled request holds it, the ~200 operations that come
// due queue in the generator. Timed from their intended start — as a user arriving on schedule would
// experience them — they wait up to a second, so ≥ 1% of all operations are slow. Timed from their
// actual start (service time), only the stalled one is. A tool that timed from the actual start
// (the coordinated-omission bug) would report a p99 of a few milliseconds.
//
// The closed loop, against the same stall, waits instead of sending: it records one slow operation
// among thousands, so its p99 stays small and only its max shows the stall. Both are true; they
// answer different questions, which is why the open loop is the default for latency.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { runScenario } from "../../src/engine/run-scenario.js";
import { httpGet, Pool, startStallingServer, type StallingServer } from "./stalling-server.js";

const STALL_MS = 1000;
const RATE = 200;
const WARMUP_MS = 500;
const DURATION_MS = 4000;

describe("coordinated omission against a stalling HTTP server", () => {
  let server: StallingServer;
  let pool: Pool;

  before(async () => {
    // The stall begins 1.5 s into the measured interval (warm-up requests count too).
    server = await startStallingServer({ stallAtRequest: (RATE * (WARMUP_MS + 1500)) / 1000, stallMs: STALL_MS });
    pool = new Pool(server.url, { connections: 1, pipelining: 1 });
  });

  after(async () => {
    await pool.close();
    await server.close();
  });

  test("open loop: latency from the intended start shows the stall, service time does not", async () => {
    const r = await runScenario({
      load: { executor: "constant-rate", rate: RATE, duration: DURATION_MS, warmup: WARMUP_MS, maxInFlight: 1 },
      operation: httpGet(pool),
    });
    assert.equal(r.status, "completed");
    assert.equal(r.errors, 0);
    assert.equal(r.ops, (RATE * DURATION_MS) / 1000, "every scheduled operation ran");
    // ~200 of 800 operations were due during the stall; the slowest 1% waited ~1 s.
    assert.ok(r.latency.p99 >= 300, `latency p99 ${r.latency.p99} ms should show the 1 s stall`);
    assert.ok(r.latency.max >= STALL_MS * 0.9 && r.latency.max < STALL_MS * 3, `latency max ${r.latency.max} ms`);
    // One stalled operation of 800 is below the 99th percentile of service time.
    assert.ok(r.service.p99 < 100, `service p99 ${r.service.p99} ms should not include queueing`);
    assert.ok(r.service.max >= STALL_MS * 0.9, `service max ${r.service.max} ms: the stalled request itself`);
    assert.ok(r.generator.lateStarts >= 100, `late starts ${r.generator.lateStarts}: the queued operations`);
    assert.match(r.generator.warnings.join("\n"), /because maxInFlight \(1\) operations were in flight/);
  });

  test("closed loop: one slow operation among thousands, so p99 stays small and max shows the stall", async () => {
    server.rearm();
    const r = await runScenario({
      load: { executor: "closed", workers: 1, duration: 3000 },
      operation: httpGet(pool),
    });
    assert.equal(r.status, "completed");
    assert.equal(r.errors, 0);
    assert.ok(r.ops >= 500, `ops ${r.ops}`); // the stall comes at request 400; one slow op in ≥ 500 is above p99
    assert.ok(r.latency.max >= STALL_MS * 0.9, `latency max ${r.latency.max} ms: the one stalled request`);
    assert.ok(r.latency.p99 < 100, `latency p99 ${r.latency.p99} ms: the queued requests were never sent`);
    assert.deepEqual(r.latency, r.service, "closed loop: latency is service time");
  });
});
