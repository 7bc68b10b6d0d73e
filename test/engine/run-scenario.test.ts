// The executors on fake time: exact counts, exact start times, no sleeping in the test.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { OpContext, OpOutcome, Operation } from "../../src/drivers/driver.js";
import { FakeClock } from "../../src/engine/clock.js";
import type { LoadProfile } from "../../src/engine/load.js";
import { runScenario, type Progress, type ScenarioRunOptions } from "../../src/engine/run-scenario.js";

interface Call {
  seq: number;
  worker: number;
  at: number;
  signal: AbortSignal;
}

/** An operation that takes `ms` of fake time (a function of the call) and remembers its calls. */
function timedOp(clock: FakeClock, ms: number | ((call: Call) => number), outcome?: OpOutcome) {
  const calls: Call[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const run: Operation = async (ctx: OpContext) => {
    const call = { seq: ctx.seq, worker: ctx.worker, at: clock.now(), signal: ctx.signal };
    calls.push(call);
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    await clock.sleep(typeof ms === "number" ? ms : ms(call));
    inFlight--;
    return outcome;
  };
  return { run, calls, maxInFlight: () => maxInFlight };
}

function run(clock: FakeClock, load: LoadProfile, operation: Operation, extra: Partial<ScenarioRunOptions> = {}) {
  return clock.run(runScenario({ clock, load, operation, ...extra }));
}

/** A Ctrl-C at `ms` on the fake clock: the signal the run is given. */
function interruptAt(clock: FakeClock, ms: number): AbortSignal {
  const controller = new AbortController();
  void clock.sleep(ms).then(() => controller.abort());
  return controller.signal;
}

const near = (actual: number, expected: number, tolerance: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual}, expected ${expected} ± ${tolerance}`);

describe("constant-rate executor", () => {
  test("issues exactly rate × duration operations, each at its intended time", async () => {
    const clock = new FakeClock();
    const op = timedOp(clock, 20, { records: 3, bytes: 100 });
    const r = await run(clock, { executor: "constant-rate", rate: 50, duration: 4000 }, op.run);
    assert.equal(op.calls.length, 200);
    assert.deepEqual(
      op.calls.map((c) => c.at),
      Array.from({ length: 200 }, (_, i) => i * 20),
    );
    assert.deepEqual(op.calls.map((c) => c.seq), Array.from({ length: 200 }, (_, i) => i));
    assert.equal(r.status, "completed");
    assert.deepEqual([r.ops, r.errors, r.records, r.bytes], [200, 0, 600, 20_000]);
    assert.deepEqual([r.durationS, r.opsPerSec, r.throughput, r.mbps, r.errorRate], [4, 50, 150, 0.005, 0]);
    near(r.latency.p50, 20, 0.02, "latency p50");
    assert.deepEqual(r.latency, r.service, "no queueing: latency equals service time");
    // Seconds count operations by completion: the one started at 980 ms ends at 1000 ms, in second 1.
    assert.deepEqual(r.series.map((p) => p.ops), [49, 50, 50, 50, 1]);
    assert.equal(r.startedAt, clock.wallNow() - clock.now());
    assert.equal(r.generator.askedRate, 50);
    assert.equal(r.generator.achievedRate, 50);
    assert.equal(r.generator.saturated, false);
    assert.match(r.latencyHistogram, /^HISTFAAA/);
  });

  test("the warm-up runs first at the same rate and is excluded from every number", async () => {
    const clock = new FakeClock();
    // Warm-up operations are slow (cold caches); measured ones are fast.
    const op = timedOp(clock, (c) => (c.at < 1000 ? 500 : 10));
    const r = await run(clock, { executor: "constant-rate", rate: 20, duration: 2000, warmup: 1000 }, op.run);
    assert.equal(op.calls.length, 20 + 40);
    assert.deepEqual(op.calls.map((c) => c.seq), Array.from({ length: 60 }, (_, i) => i), "sequence numbers continue");
    assert.equal(op.calls[20]?.at, 1000, "the first measured operation starts right after the warm-up");
    assert.deepEqual([r.ops, r.warmupS, r.durationS, r.opsPerSec], [40, 1, 2, 20]);
    near(r.latency.max, 10, 0.02, "no warm-up latency in the result");
    assert.equal(r.series.length, 2);
    assert.equal(r.startedAt, clock.wallNow() - clock.now() + 1000);
  });

  test("maxInFlight caps concurrency; the wait for a slot counts in latency and start delay, not in service time", async () => {
    const clock = new FakeClock();
    const op = timedOp(clock, 50);
    const r = await run(clock, { executor: "constant-rate", rate: 100, duration: 1000, maxInFlight: 2 }, op.run);
    assert.equal(op.maxInFlight(), 2);
    // Two slots of 50 ms carry 40 ops/s of the 100 asked; the rest never started.
    near(r.ops, 40, 1, "ops");
    near(r.service.max, 50, 0.05, "service time");
    assert.ok(r.latency.p99 > 500, `latency p99 ${r.latency.p99} includes the queueing`);
    assert.ok((r.startDelay?.p99 ?? 0) > 450, `start delay p99 ${r.startDelay?.p99} is that queueing`);
    assert.equal(r.clientWait, undefined, "the operation does not say when it sends: no client wait");
    // The rest were dropped: counted apart, never errors of the target.
    near(r.dropped ?? 0, 60, 1, "dropped");
    assert.equal(r.dropped, r.droppedBy?.["max-in-flight"]);
    assert.equal(r.errors, 0);
    assert.equal(r.generator.saturated, false, "the slots were full, the generator was not");
    assert.match(r.generator.warnings.join("\n"), /never started because maxInFlight \(2\)/);
    assert.match(r.generator.warnings.join("\n"), /started more than 10 ms late because maxInFlight/);
    assert.ok(r.generator.lateStarts > 30);
  });
});

describe("ramp and steps executors", () => {
  test("ramp issues the integral of its rate, rising second by second", async () => {
    const clock = new FakeClock();
    const op = timedOp(clock, 1);
    const r = await run(clock, { executor: "ramp", from: 10, to: 30, duration: 2000 }, op.run);
    assert.equal(r.ops, 40);
    assert.deepEqual(r.series.map((p) => p.ops), [15, 25]);
    assert.equal(r.generator.askedRate, 20);
  });

  test("steps issue each step's rate for its duration", async () => {
    const clock = new FakeClock();
    const op = timedOp(clock, 1);
    const load: LoadProfile = {
      executor: "steps",
      steps: [
        { rate: 10, duration: 1000 },
        { rate: 40, duration: 2000 },
        { rate: 5, duration: 1000 },
      ],
    };
    const r = await run(clock, load, op.run);
    assert.equal(r.ops, 10 + 80 + 5);
    assert.deepEqual(r.series.map((p) => p.ops), [10, 40, 40, 5]);
    assert.equal(r.durationS, 4);
  });
});

describe("closed and max executors", () => {
  test("closed with iterations issues exactly that many measured operations", async () => {
    const clock = new FakeClock();
    const op = timedOp(clock, 7);
    const r = await run(clock, { executor: "closed", workers: 3, iterations: 10 }, op.run);
    assert.equal(op.calls.length, 10);
    assert.equal(r.ops, 10);
    assert.deepEqual(new Set(op.calls.map((c) => c.worker)), new Set([0, 1, 2]));
    assert.equal(op.maxInFlight(), 3);
    assert.deepEqual(r.latency, r.service, "in a closed loop latency is service time");
    near(r.durationS, 0.028, 0.0005, "measured until the last operation finished");
    assert.equal(r.generator.askedRate, null);
  });

  test("closed iterations exclude the warm-up's operations", async () => {
    const clock = new FakeClock();
    const op = timedOp(clock, 10);
    const r = await run(clock, { executor: "closed", workers: 2, iterations: 6, warmup: 100 }, op.run);
    assert.equal(op.calls.length, 20 + 6); // 2 workers × 10 ops in 100 ms, then 6
    assert.equal(r.ops, 6);
  });

  test("closed with a duration keeps every worker busy until it ends", async () => {
    const clock = new FakeClock();
    const op = timedOp(clock, 10);
    const r = await run(clock, { executor: "closed", workers: 4, duration: 1000 }, op.run);
    assert.equal(r.ops, 400);
    assert.deepEqual([r.durationS, r.opsPerSec], [1, 400]);
  });

  test("max keeps the driver's concurrency hint in flight", async () => {
    const clock = new FakeClock();
    const op = timedOp(clock, 5);
    const r = await run(clock, { executor: "max", iterations: 30 }, op.run, { concurrencyHint: 3 });
    assert.equal(op.maxInFlight(), 3);
    assert.equal(r.ops, 30);
    const r2 = await run(clock, { executor: "max", iterations: 30, concurrency: 6 }, timedOp(clock, 5).run, {
      concurrencyHint: 3,
    });
    assert.equal(r2.ops, 30);
  });

  test("closed and max need a duration or iterations", async () => {
    const op = timedOp(new FakeClock(), 1);
    await assert.rejects(runScenario({ load: { executor: "closed", workers: 1 }, operation: op.run }), /closed needs duration or iterations/);
    await assert.rejects(runScenario({ load: { executor: "max" }, operation: op.run }), /max needs duration or iterations/);
  });
});

describe("stopping", () => {
  test("an interrupt finishes the measured second under way, then stops and keeps the partial results", async () => {
    const clock = new FakeClock();
    const op = timedOp(clock, 5);
    const r = await run(clock, { executor: "constant-rate", rate: 100, duration: 10_000 }, op.run, { signal: interruptAt(clock, 2500) });
    assert.equal(r.status, "interrupted");
    assert.equal(r.durationS, 3);
    assert.equal(op.calls.length, 300, "operations kept starting until the second's end, none after");
    assert.equal(r.ops, 300);
    assert.equal(r.opsPerSec, 100);
    assert.deepEqual(r.series.map((p) => [p.t, p.ops]), [[0, 100], [1, 100], [2, 100]], "whole seconds only");
    assert.match(r.failure ?? "", /interrupted after 3 s of 10 s/);
    assert.ok(op.calls.every((c) => c.signal.aborted), "operations' signal is aborted on stop");
    assert.deepEqual(r.generator.warnings, []);
  });

  test("an interrupt in the last whole second, after the schedule's last start, still interrupts", async () => {
    // 1/s for 5.5 s starts at 0, 1, …, 5 s; Ctrl-C at 4.5 s waits for 5 s, and by then launching has
    // ended. Interrupted with 5 whole seconds, not completed with the start at 5 s silently dropped.
    const clock = new FakeClock();
    const op = timedOp(clock, 5);
    const r = await run(clock, { executor: "constant-rate", rate: 1, duration: 5500 }, op.run, { signal: interruptAt(clock, 4500) });
    assert.equal(r.status, "interrupted");
    assert.equal(r.durationS, 5);
    assert.equal(r.ops, 5);
    assert.equal(r.opsPerSec, 1);
    assert.match(r.failure ?? "", /interrupted after 5 s/);
  });

  test("an interrupt finishing its second does not record what completes after it", async () => {
    const clock = new FakeClock();
    // 300 ms operations: those started in the last 300 ms of the second would end in the next one.
    const op = timedOp(clock, 300);
    const r = await run(clock, { executor: "closed", workers: 2, duration: 10_000 }, op.run, { signal: interruptAt(clock, 1200) });
    assert.equal(r.status, "interrupted");
    assert.equal(r.durationS, 2);
    // Each worker completes at 300, 600, …, 1800 within the 2 s; the ones ending at 2100 are not counted.
    assert.equal(r.ops, 12);
    assert.deepEqual(r.series.map((p) => [p.t, p.ops]), [[0, 6], [1, 6]]);
  });

  test("an interrupt during the warm-up returns an empty measured result", async () => {
    const clock = new FakeClock();
    const r = await run(clock, { executor: "constant-rate", rate: 10, duration: 1000, warmup: 1000 }, timedOp(clock, 1).run, {
      signal: interruptAt(clock, 300),
    });
    assert.deepEqual([r.status, r.ops, r.durationS, r.opsPerSec], ["interrupted", 0, 0, 0]);
    assert.match(r.failure ?? "", /during the warm-up/);
  });

  test("a target whose every operation fails for 3 s stops the scenario as failed", async () => {
    const clock = new FakeClock();
    const refused: Operation = async () => {
      await clock.sleep(1);
      throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    };
    const r = await run(clock, { executor: "constant-rate", rate: 50, duration: 60_000 }, refused);
    assert.equal(r.status, "failed");
    assert.match(r.failure ?? "", /every operation failed for 3 s in a row: 150 of 150 errors were refused \(ECONNREFUSED\)/);
    assert.equal(r.durationS, 3);
    assert.deepEqual(r.errorsByClass, { ECONNREFUSED: 150 });
    assert.deepEqual(r.errorSamples, ["Error: connect ECONNREFUSED 127.0.0.1:5432"]);
    assert.equal(r.errorRate, 1);
  });

  test("a target that fails for 2 s and recovers is not failed", async () => {
    const clock = new FakeClock();
    const flaky: Operation = async () => {
      await clock.sleep(1);
      if (clock.now() < 2000) throw new TypeError("fetch failed");
      return {};
    };
    const r = await run(clock, { executor: "constant-rate", rate: 20, duration: 5000 }, flaky);
    assert.equal(r.status, "completed");
    assert.deepEqual([r.ops, r.errors, r.errorRate], [60, 40, 0.4]);
  });

  test("operations still in flight 10 s after the end count as timeout-at-end errors", async () => {
    const clock = new FakeClock();
    const signals: AbortSignal[] = [];
    const hang: Operation = (ctx) =>
      new Promise((_, reject) => {
        signals.push(ctx.signal);
        ctx.signal.addEventListener("abort", () => reject(new Error("aborted")));
      });
    const r = await run(clock, { executor: "closed", workers: 2, duration: 1000 }, hang);
    assert.equal(r.status, "completed");
    assert.deepEqual([r.ops, r.errors], [0, 2]);
    assert.deepEqual(r.errorsByClass, { "timeout-at-end": 2 }, "the aborts that follow are not counted");
    assert.equal(clock.now(), 11_000);
    assert.ok(signals.every((s) => s.aborted));
  });

  test("a target that hangs mid-run shows as empty seconds, its timeouts at the end", async () => {
    // 10/s for 6 s (4 s without failure detection), the target answering only for its first 2 s.
    const clock = new FakeClock();
    const hangsAfter2s: Operation = (ctx) =>
      clock.now() < 2000
        ? clock.sleep(5).then(() => undefined)
        : new Promise((_, reject) => ctx.signal.addEventListener("abort", () => reject(new Error("aborted"))));
    const r = await run(clock, { executor: "constant-rate", rate: 10, duration: 6000 }, hangsAfter2s);
    assert.deepEqual([r.ops, r.errors], [20, 40]);
    assert.deepEqual(
      r.series.map((p) => [p.t, p.ops, p.errors]),
      [[0, 10, 0], [1, 10, 0], [2, 0, 0], [3, 0, 0], [4, 0, 0], [5, 0, 0], [6, 0, 40]],
    );
  });

  test("an interrupt while waiting for the last operations ends the wait at once", async () => {
    const clock = new FakeClock();
    const hang: Operation = (ctx) =>
      new Promise((_, reject) => ctx.signal.addEventListener("abort", () => reject(new Error("aborted"))));
    const r = await run(clock, { executor: "closed", workers: 2, duration: 1000 }, hang, { signal: interruptAt(clock, 3000) });
    assert.equal(r.status, "interrupted");
    assert.match(r.failure ?? "", /while 2 operations were still in flight/);
    assert.deepEqual([r.ops, r.errors, r.durationS], [0, 0, 1]);
    assert.equal(clock.now(), 3000);
  });

  test("an operation that throws instead of rejecting is a counted error", async () => {
    const clock = new FakeClock();
    const throws: Operation = () => {
      throw new RangeError("bad parameter");
    };
    const r = await run(clock, { executor: "constant-rate", rate: 10, duration: 1000 }, throws);
    assert.deepEqual([r.ops, r.errors, r.errorsByClass], [0, 10, { RangeError: 10 }]);
  });
});

describe("progress", () => {
  test("reports about once per second, warm-up then measure", async () => {
    const clock = new FakeClock();
    const seen: Progress[] = [];
    await run(clock, { executor: "constant-rate", rate: 10, duration: 3000, warmup: 1500 }, timedOp(clock, 2).run, {
      onProgress: (p) => seen.push(p),
    });
    assert.deepEqual(
      seen.map((p) => [p.phase, p.elapsedMs, p.totalMs, p.ops]),
      [
        ["warmup", 1000, 1500, 10],
        ["measure", 500, 3000, 5],
        ["measure", 1500, 3000, 15],
        ["measure", 2500, 3000, 25],
      ],
    );
    assert.deepEqual(seen.map((p) => p.opsPerSec), [10, 10, 10, 10]);
    assert.equal(seen[1]?.p99Ms, null, "no measured second closed yet");
    near(seen[2]?.p99Ms ?? 0, 2, 0.01, "p99 of the last measured second");
  });

  test("a progress callback that throws stops the run and rejects with its error", async () => {
    const clock = new FakeClock();
    const promise = run(clock, { executor: "constant-rate", rate: 10, duration: 5000 }, timedOp(clock, 1).run, {
      onProgress: () => {
        throw new Error("printer broke");
      },
    });
    await assert.rejects(promise, /printer broke/);
  });
});

/**
 * A client with `slots` connections to a target that answers in `serviceMs` whatever its load: an
 * operation waits in a FIFO for a free slot, says `sent()` when it gets one, then takes serviceMs.
 */
function slottedOp(clock: FakeClock, slots: number, serviceMs: number) {
  let busy = 0;
  const queue: (() => void)[] = [];
  const run: Operation = async (ctx: OpContext) => {
    if (busy >= slots) await new Promise<void>((resolve) => queue.push(resolve));
    busy++;
    ctx.sent();
    await clock.sleep(serviceMs);
    busy--;
    queue.shift()?.();
    return undefined;
  };
  return run;
}

describe("four times per operation: start delay, client wait, service time, latency", () => {
  test("queued for a connection: the wait is client wait, the target's share stays its service time", async () => {
    const clock = new FakeClock();
    // 2 slots × 10 ms carry 200/s; asked 300/s for 1 s: the queue in the client grows.
    const r = await run(clock, { executor: "constant-rate", rate: 300, duration: 1000 }, slottedOp(clock, 2, 10), {
      signalsSent: true,
      clientSlots: { count: 2, setting: "connections" },
    });
    assert.equal(r.errors, 0);
    near(r.service.p50, 10, 0.05, "service p50");
    near(r.service.max, 10, 0.05, "service max");
    assert.ok((r.clientWait?.p99 ?? 0) > 400, `client wait p99 ${r.clientWait?.p99}`);
    assert.ok((r.startDelay?.max ?? 1) < 0.01, "the schedule itself was kept");
    // Latency = start delay + client wait + service time, each from the engine's clock.
    near(r.latency.max, (r.clientWait?.max ?? 0) + 10, 0.5, "latency max");
    assert.deepEqual(r.clientSlots, { count: 2, setting: "connections" });
    // Service time by operations at the target: pinned at the two slots, flat. (One sent as another
    // is answered counts that one too: its settlement is read a microtask later.)
    const top = r.serviceByConcurrency?.at(-1);
    assert.deepEqual([top?.from, top?.to], [2, 3]);
    assert.ok((top?.meanAtTarget ?? 0) >= 2 && (top?.meanAtTarget ?? 0) <= 3, JSON.stringify(top));
    near(top?.meanServiceMs ?? 0, 10, 0.05, "service at 2");
  });

  test("a target that queues: service time grows with the operations at it", async () => {
    const clock = new FakeClock();
    // Sent at once, served one at a time in 5 ms: 200/s, asked 300/s, so the queue is the target's.
    let chain = Promise.resolve();
    const serial: Operation = async (ctx: OpContext) => {
      ctx.sent();
      const turn = chain.then(() => clock.sleep(5));
      chain = turn;
      await turn;
      return undefined;
    };
    const r = await run(clock, { executor: "constant-rate", rate: 300, duration: 1000 }, serial, { signalsSent: true });
    const buckets = r.serviceByConcurrency ?? [];
    const first = buckets[0];
    const last = buckets.at(-1);
    assert.ok(first !== undefined && last !== undefined && last.meanAtTarget >= 4 * first.meanAtTarget, JSON.stringify(buckets));
    assert.ok(last.meanServiceMs >= 3 * first.meanServiceMs, JSON.stringify(buckets));
    assert.ok((r.clientWait?.max ?? 1) < 0.01, "no queue in the client");
  });

  test("at the end, operations never sent are dropped; operations sent and unanswered are the target's timeouts", async () => {
    const clock = new FakeClock();
    // One slot held forever from the first operation: every later one waits in the client.
    const r = await run(clock, { executor: "constant-rate", rate: 10, duration: 1000 }, slottedOp(clock, 1, 1e9), { signalsSent: true });
    assert.equal(r.errors, 1, "the one sent: a timeout at the end");
    assert.deepEqual(r.errorsByClass, { "timeout-at-end": 1 });
    assert.equal(r.dropped, 9);
    assert.deepEqual(r.droppedBy, { "never-sent": 9 });
    assert.equal(r.errorRate, 1, "error rate counts what reached the target only");
  });

  test("sent less than a second before the drain ends: cut off by pipebench, not the target's timeout", async () => {
    const clock = new FakeClock();
    // One slot turning over every 5 s: sent at 0, 5 and 10 s; the drain ends 10 s after the 1 s scenario.
    const r = await run(clock, { executor: "constant-rate", rate: 10, duration: 1000 }, slottedOp(clock, 1, 5000), { signalsSent: true });
    assert.equal(r.ops, 2);
    assert.equal(r.errors, 0);
    assert.deepEqual(r.droppedBy, { "never-sent": 7, "cut-off": 1 });
  });

  test("a workload that does not say when it sends: no client wait, all in flight at the end are timeouts", async () => {
    const clock = new FakeClock();
    const r = await run(clock, { executor: "constant-rate", rate: 10, duration: 1000 }, slottedOp(clock, 1, 1e9));
    assert.equal(r.clientWait, undefined);
    assert.equal(r.errors, 10);
    assert.equal(r.dropped, 0);
  });

  test("closed loops have no start delay and never drop", async () => {
    const clock = new FakeClock();
    const r = await run(clock, { executor: "closed", workers: 4, duration: 500 }, slottedOp(clock, 2, 10), { signalsSent: true });
    assert.equal(r.startDelay, undefined);
    assert.equal(r.dropped, undefined);
    near(r.clientWait?.p50 ?? 0, 10, 0.05, "two workers of four wait one service time for a slot");
  });
});
