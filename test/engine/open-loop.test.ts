// The open-loop launcher alone, on fake time, with a stand-in runner: what it counts as a wait for
// maxInFlight, which generator health reads to tell a slow target from a slow generator.
import assert from "node:assert/strict";
import { test } from "node:test";
import { FakeClock } from "../../src/engine/clock.js";
import { InFlight } from "../../src/engine/in-flight.js";
import { runOpenLoop } from "../../src/engine/open-loop.js";
import type { OpRunner } from "../../src/engine/op-runner.js";
import { constantRateSchedule } from "../../src/engine/schedule.js";

/** Operations that take `msAt(now)` of fake time, counted in flight meanwhile. */
function runner(clock: FakeClock, inFlight: InFlight, msAt: (nowMs: number) => number): OpRunner {
  const launch = (): Promise<void> => {
    inFlight.started(true);
    return clock.sleep(msAt(clock.now())).then(() => inFlight.settled(true, false));
  };
  return { launch } as unknown as OpRunner;
}

test("waits for maxInFlight are counted in the measured phase only, not in the warm-up", async () => {
  // 100/s with 2 in flight: a cold target (50 ms a call) for the first half of the 1 s warm-up, warm
  // (1 ms) after, so the launcher has caught up before the measured phase starts.
  const clock = new FakeClock();
  const inFlight = new InFlight();
  const outcome = await clock.run(
    runOpenLoop({
      phases: [
        { startMs: 0, schedule: constantRateSchedule(100, 1000) },
        { startMs: 1000, schedule: constantRateSchedule(100, 2000) },
      ],
      runner: runner(clock, inFlight, (at) => (at < 500 ? 50 : 1)),
      inFlight,
      clock,
      maxInFlight: 2,
      stop: new AbortController().signal,
    }),
  );
  assert.equal(outcome.capWaits, 0, "the warm-up's waits do not excuse measured late starts");
  assert.equal(outcome.notStarted, 0);
  assert.ok(outcome.launched > 200);
});
