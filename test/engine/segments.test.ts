// Segments on fake time: N interleaved parts of a scenario hold every operation of the whole once,
// at the whole schedule's times, numbered as the whole numbers them; merged, they give exactly the
// single process's result (counts, histograms, per-second series).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { OpContext, Observer, Operation, PreparedWorkload } from "../../src/drivers/driver.js";
import { FakeClock } from "../../src/engine/clock.js";
import type { LoadProfile } from "../../src/engine/load.js";
import { mergeWorkerParts, type WorkerPart } from "../../src/engine/recording-merge.js";
import { fromWire, toWire } from "../../src/engine/recording-wire.js";
import { recordScenario, runScenario } from "../../src/engine/run-scenario.js";
import { checkpointWriter } from "../../src/engine/checkpoint.js";
import { runScenarioLoad } from "../../src/engine/scenario-load.js";
import { localWorkers, runOnWorkers } from "../../src/engine/scenario-worker.js";
import type { SuiteScenario } from "../../src/suite/types.js";
import { constantRateSchedule, rampSchedule, segmentSchedule, segmentShare, stepsSchedule, type Schedule } from "../../src/engine/schedule.js";

function all(s: Schedule): number[] {
  return Array.from({ length: s.count }, (_, i) => s.offsetMs(i));
}

describe("segmentSchedule", () => {
  const schedules: [string, Schedule][] = [
    ["constant 200/s 4 s", constantRateSchedule(200, 4000)],
    ["constant 7/s 300 ms", constantRateSchedule(7, 300)],
    ["ramp 10→500/s 3 s", rampSchedule(10, 500, 3000)],
    ["steps", stepsSchedule([{ rate: 50, duration: 1000 }, { rate: 0.5, duration: 3000 }, { rate: 300, duration: 500 }])],
  ];
  for (const [name, whole] of schedules) {
    for (const n of [1, 2, 3, 7]) {
      test(`${name} in ${n} parts: every operation once, at the whole schedule's time`, () => {
        const parts = Array.from({ length: n }, (_, k) => segmentSchedule(whole, k, n));
        assert.equal(parts.reduce((c, p) => c + p.count, 0), whole.count);
        const byGlobal = new Map<number, number>();
        parts.forEach((p) => {
          for (let j = 0; j < p.count; j++) byGlobal.set(p.globalIndex(j), p.offsetMs(j));
        });
        assert.deepEqual([...byGlobal.keys()].sort((a, b) => a - b), Array.from({ length: whole.count }, (_, i) => i));
        assert.deepEqual([...byGlobal].sort((a, b) => a[0] - b[0]).map(([, ms]) => ms), all(whole));
        for (const ms of [0, 1, 333, 1000, 2500, whole.durationMs]) {
          assert.equal(parts.reduce((c, p) => c + p.countBefore(ms), 0), whole.countBefore(ms), `countBefore(${ms})`);
        }
      });
    }
  }

  test("segmentShare splits a whole number into parts that sum to it, one apart at most", () => {
    for (const v of [0, 1, 2, 5, 10, 23, 100, 1001]) {
      for (const n of [1, 2, 3, 4, 7, 16]) {
        const parts = Array.from({ length: n }, (_, k) => segmentShare(v, k, n));
        assert.equal(parts.reduce((a, b) => a + b, 0), v, `${v} in ${n}`);
        assert.ok(Math.max(...parts) - Math.min(...parts) <= 1);
      }
    }
  });

  test("a segment out of range is refused", () => {
    assert.throws(() => segmentSchedule(constantRateSchedule(1, 1000), 3, 3), RangeError);
    assert.throws(() => segmentShare(10, 0, 0), RangeError);
  });
});

/** An operation whose latency is a function of its global number, remembering when each ran. */
function op(clock: FakeClock, calls: { seq: number; at: number }[]): Operation {
  return async (ctx: OpContext) => {
    calls.push({ seq: ctx.seq, at: clock.now() });
    await clock.sleep(1 + ((ctx.seq * 37) % 53));
    if (ctx.seq % 41 === 0) throw new Error("every 41st fails");
    return { records: 2, bytes: 10 };
  };
}

async function whole(load: LoadProfile, startMs = 0) {
  const clock = new FakeClock({ startMs });
  const calls: { seq: number; at: number }[] = [];
  const result = await clock.run(runScenario({ clock, load, operation: op(clock, calls) }));
  return { result, calls };
}

async function inParts(load: LoadProfile, n: number) {
  const calls: { seq: number; at: number }[] = [];
  const parts: WorkerPart[] = [];
  for (let k = 0; k < n; k++) {
    const clock = new FakeClock();
    const recorded = await clock.run(recordScenario({ clock, load, operation: op(clock, calls), segment: { index: k, count: n } }));
    // Through the wire, as a worker process ships it.
    const { outcome, seconds, startSkewMs } = fromWire(JSON.parse(JSON.stringify(toWire(recorded, { index: k, count: n }))));
    parts.push({ kind: "reported", segment: { index: k, count: n }, outcome, seconds, startSkewMs });
  }
  return { result: mergeWorkerParts(parts), calls };
}

describe("merged segments equal the single process", () => {
  const open: LoadProfile = { executor: "constant-rate", rate: 120, duration: 3000, warmup: 500 };
  test("open loop, 3 parts: the same operations at the same times; the same counts, histograms and series", async () => {
    const one = await whole(open);
    const three = await inParts(open, 3);
    const key = (c: { seq: number; at: number }) => `${c.seq}@${c.at}`;
    assert.deepEqual(three.calls.map(key).sort(), one.calls.map(key).sort());
    const a = one.result;
    const b = three.result;
    assert.deepEqual([b.ops, b.errors, b.records, b.bytes, b.dropped], [a.ops, a.errors, a.records, a.bytes, a.dropped]);
    assert.deepEqual(b.errorsByClass, a.errorsByClass);
    assert.equal(b.latencyHistogram, a.latencyHistogram);
    assert.equal(b.serviceHistogram, a.serviceHistogram);
    assert.equal(b.startDelayHistogram, a.startDelayHistogram);
    assert.deepEqual(b.latency, a.latency);
    assert.deepEqual(b.series, a.series);
    assert.deepEqual(b.errorSeries, a.errorSeries);
    assert.equal(b.segments?.length, 3);
    assert.deepEqual(b.segments?.map((s) => s.ops + s.errors), [0, 1, 2].map((k) => segmentShare(a.ops + a.errors, k, 3)));
  });

  test("closed loop, 3 parts: workers and iterations split, operation numbers distinct", async () => {
    const closed: LoadProfile = { executor: "closed", workers: 5, iterations: 23 };
    const one = await whole(closed);
    const three = await inParts(closed, 3);
    assert.equal(three.result.ops + three.result.errors, 23);
    assert.equal(one.result.ops + one.result.errors, 23);
    assert.equal(new Set(three.calls.map((c) => c.seq)).size, 23, "globally unique operation numbers");
    assert.equal(three.result.workers, 5);
  });

  test("3 LocalWorkers through runOnWorkers (the coordinator's path): the single process's numbers, each worker's part named", async () => {
    // The workers start 50 ms after being asked (the pool's start delay): the single process starts
    // at the same fake time, so the floating-point offsets, and so every latency, are the same.
    const one = await whole(open, 50);
    const clock = new FakeClock();
    const calls: { seq: number; at: number }[] = [];
    const { result: merged, seqs } = await clock.run(
      runOnWorkers(localWorkers(3, clock), {
        scenario: { name: "s" } as SuiteScenario,
        ordinal: 0,
        trial: 0,
        options: { clock, load: open, operation: op(clock, calls) },
      }),
    );
    assert.equal(seqs, one.calls.length, "the scenario's operation numbers, told to its workload");
    assert.equal(calls.length, one.calls.length);
    assert.deepEqual([merged.ops, merged.errors], [one.result.ops, one.result.errors]);
    assert.equal(merged.latencyHistogram, one.result.latencyHistogram);
    assert.deepEqual(merged.series.map((p) => p.ops), one.result.series.map((p) => p.ops));
    assert.deepEqual(merged.segments?.map((w) => [w.worker, w.startSkewMs]), [["1/3", 0], ["2/3", 0], ["3/3", 0]]);
  });
  test("an observing workload on 3 workers: the merged result keeps the first worker's observed latency and counters, in process and through the wire", async () => {
    /** Each operation's message arrives 5 ms after it is sent; every 10th is counted as duplicated. */
    const observing = (clock: FakeClock): PreparedWorkload => {
      let observer: Observer | undefined;
      return {
        observes: "end_to_end",
        attach: (o) => void (observer = o),
        run: async (ctx: OpContext) => {
          const stamp = observer!.wallNow(ctx);
          await clock.sleep(5);
          observer!.arrived(stamp);
          if (ctx.seq % 10 === 0) observer!.count("duplicated");
        },
        settle: async () => ({ lost: 0 }),
      };
    };
    const clock = new FakeClock();
    const workload = observing(clock);
    const { result: local } = await clock.run(
      runOnWorkers(localWorkers(3, clock), {
        scenario: { name: "s" } as SuiteScenario,
        ordinal: 0,
        trial: 0,
        options: { clock, load: open, operation: workload.run, observe: workload },
      }),
    );
    assert.equal(local.observed?.name, "end_to_end");
    assert.ok((local.observed?.latency.count ?? 0) > 0, "arrivals timed");
    assert.ok((local.counters?.duplicated ?? 0) > 0);

    const parts: WorkerPart[] = [];
    for (let k = 0; k < 3; k++) {
      const c = new FakeClock();
      const w = observing(c);
      const segment = { index: k, count: 3 };
      const recorded = await c.run(recordScenario({ clock: c, load: open, operation: w.run, observe: w, segment }));
      const { outcome, seconds, startSkewMs } = fromWire(JSON.parse(JSON.stringify(toWire(recorded, segment))));
      parts.push({ kind: "reported", segment, outcome, seconds, startSkewMs });
    }
    const wired = mergeWorkerParts(parts);
    const head = parts[0];
    const first = head?.kind === "reported" ? head.outcome.observed : undefined;
    assert.equal(wired.observed?.name, "end_to_end");
    assert.equal(wired.observed?.latency.count, first?.arrivals);
    assert.ok((wired.counters?.duplicated ?? 0) > 0);
  });
  test("progress on workers comes from their seconds, with the measured length a single process shows (steps: their durations added)", async () => {
    const steps: LoadProfile = { executor: "steps", steps: [{ rate: 40, duration: 2000 }, { rate: 80, duration: 2000 }] };
    const clock = new FakeClock();
    const totals: (number | null)[] = [];
    const single: (number | null)[] = [];
    await clock.run(runScenario({ clock, load: steps, operation: op(clock, []), onProgress: (p) => void single.push(p.totalMs) }));
    const c = new FakeClock();
    const { result: merged } = await c.run(
      runScenarioLoad({
        scenario: { name: "s", load: steps } as SuiteScenario,
        ordinal: 0,
        trial: 0,
        options: { clock: c, load: steps, operation: op(c, []) },
        checkpoints: checkpointWriter({ executor: "steps", startedAt: 0, warmupMs: 0 }, () => Promise.resolve()),
        progress: (p) => void totals.push(p.totalMs),
        workers: localWorkers(2, c),
      }),
    );
    assert.equal(merged.segments?.length, 2);
    assert.ok(totals.length > 0, "progress reported");
    assert.deepEqual([...new Set(totals)], [4000]);
    assert.deepEqual([...new Set(single)], [4000]);
  });
});
