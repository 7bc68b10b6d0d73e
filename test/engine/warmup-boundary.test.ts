// The warm-up boundary for observed latency: the engine puts an operation in the warm-up by its
// intended start, and an observing workload's arrivals must fall on the same side as the operation
// that sent them. A warm-up operation that starts late (after the boundary) still sends a warm-up
// message when it stamps with wallNow(ctx). On fake time, with one operation that holds the event
// loop (as CPU-bound work does) so that the next one starts late, across the boundary.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Observer, OpContext, PreparedWorkload } from "../../src/drivers/driver.js";
import { FakeClock } from "../../src/engine/clock.js";
import { runScenario } from "../../src/engine/run-scenario.js";

/** Sends take 10 ms; each message "arrives" 5 ms after its send. Operation 8 holds the loop for 45 ms after stamping. */
function lateWorkload(clock: FakeClock, stampWithContext: boolean) {
  let observer: Observer | undefined;
  const late: { seq: number; warmup: boolean; startedAt: number }[] = [];
  const workload: PreparedWorkload = {
    observes: "end_to_end",
    attach: (o) => (observer = o),
    async run(ctx: OpContext) {
      if (observer === undefined) throw new Error("an operation before attach");
      late.push({ seq: ctx.seq, warmup: ctx.warmup === true, startedAt: clock.now() });
      const stamp = stampWithContext ? observer.wallNow(ctx) : observer.wallNow();
      const obs = observer;
      void clock.sleep(5).then(() => obs.arrived(stamp));
      // Time passes without a yield: nothing else runs meanwhile (FakeClock keeps its time private).
      if (ctx.seq === HOG_SEQ) (clock as unknown as { time: number }).time += HOG_MS;
      await clock.sleep(10);
    },
  };
  return { workload, late };
}

const HOG_SEQ = 8;
const HOG_MS = 45;

async function run(stampWithContext: boolean) {
  const clock = new FakeClock();
  const w = lateWorkload(clock, stampWithContext);
  // 50/s intended (every 20 ms) for 200 ms of warm-up and 400 ms measured. Operation 8 (intended at
  // 160 ms) holds the loop until 205 ms: operation 9, intended at 180 ms (warm-up), starts at 205 ms.
  const result = await clock.run(
    runScenario({
      clock,
      load: { executor: "constant-rate", rate: 50, duration: 400, warmup: 200 },
      operation: w.workload.run,
      observe: w.workload,
      settleTimeoutMs: 100,
    }),
  );
  return { result, late: w.late };
}

test("a warm-up operation that starts after the boundary sends a warm-up message: arrivals match the measured operations", async () => {
  const { result, late } = await run(true);
  const lateWarmup = late.filter((op) => op.warmup && op.startedAt >= 200);
  assert.ok(lateWarmup.length >= 1, `the schedule must run late across the boundary: ${JSON.stringify(late)}`);
  assert.equal(result.observed?.latency.count, result.ops, "each measured operation's message, and only those, is timed");
  assert.equal(result.observed?.warmupArrivals, late.filter((op) => op.warmup).length);
});

test("stamping without the context is what went wrong: a late warm-up operation's message is timed as measured", async () => {
  const { result } = await run(false);
  assert.ok((result.observed?.latency.count ?? 0) > result.ops, `${result.observed?.latency.count} timed for ${result.ops} measured operations`);
});
