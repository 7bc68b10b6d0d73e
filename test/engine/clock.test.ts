import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createRealClock, FakeClock, realClock } from "../../src/engine/clock.js";

describe("FakeClock", () => {
  test("sleeps resolve in time order as time advances, each at its own time", async () => {
    const clock = new FakeClock();
    const woke: [string, number][] = [];
    for (const [name, ms] of [["b", 20], ["a", 10], ["c", 30]] as const) {
      void clock.sleep(ms).then(() => woke.push([name, clock.now()]));
    }
    await clock.advance(25);
    assert.deepEqual(woke, [["a", 10], ["b", 20]]);
    assert.equal(clock.now(), 25);
    await clock.advance(5);
    assert.deepEqual(woke.at(-1), ["c", 30]);
  });

  test("code woken by a sleep can sleep again within the same advance", async () => {
    const clock = new FakeClock();
    const ticks: number[] = [];
    void (async () => {
      for (let i = 0; i < 5; i++) {
        await clock.sleep(100);
        ticks.push(clock.now());
      }
    })();
    await clock.advance(350);
    assert.deepEqual(ticks, [100, 200, 300]);
  });

  test("an aborted sleep resolves at once", async () => {
    const clock = new FakeClock();
    const ac = new AbortController();
    const sleeping = clock.sleep(1_000_000, ac.signal);
    ac.abort();
    await sleeping;
    assert.equal(clock.pendingSleeps, 0);
    await clock.sleep(5, ac.signal); // already aborted: resolves without waiting
  });

  test("run moves time until the promise settles, and says when code waits on something else", async () => {
    const clock = new FakeClock({ startMs: 1000, wallStartMs: Date.UTC(2030, 0, 1) });
    const value = await clock.run((async () => {
      await clock.sleep(60_000);
      return clock.now();
    })());
    assert.equal(value, 61_000);
    assert.equal(clock.wallNow(), Date.UTC(2030, 0, 1) + 60_000);
    await assert.rejects(clock.run(new Promise(() => undefined)), /waiting on something other than the clock/);
  });
});

describe("realClock", () => {
  test("sleep is precise: it neither returns early nor late by more than a few ms", async () => {
    // Spinning always, as it does on a host with a core to spare (the default depends on the host).
    const clock = createRealClock("always");
    const lateness: number[] = [];
    for (const ms of [0.5, 3, 7, 12, 0.5, 3, 7, 12]) {
      const start = clock.now();
      await clock.sleep(ms);
      const late = clock.now() - start - ms;
      assert.ok(late >= 0, `sleep(${ms}) returned ${-late} ms early`);
      lateness.push(late);
    }
    // Generous for a busy CI machine; a timer-only sleep is late by ~1 ms on every call.
    assert.ok(Math.min(...lateness) < 1, `lateness ${lateness.join(", ")} ms`);
    assert.ok((clock.spinCpuMicros?.() ?? 0) > 0, "the precise sleeps spun");
  });

  test("without spinning, sleep is never early and uses no busy-wait CPU", async () => {
    const clock = createRealClock("never");
    for (const ms of [0.3, 1.5, 4]) {
      const start = clock.now();
      await clock.sleep(ms);
      const late = clock.now() - start - ms;
      assert.ok(late >= 0, `sleep(${ms}) returned ${-late} ms early`);
      assert.ok(late < 250, `sleep(${ms}) was ${late} ms late`); // a descheduled process on a loaded machine
    }
    assert.equal(clock.spinCpuMicros?.(), 0);
  });

  test("sleep(0) yields to the event loop", async () => {
    let ran = false;
    setImmediate(() => (ran = true));
    await realClock.sleep(0);
    assert.equal(ran, true);
  });

  test("an abort ends a long sleep at once", async () => {
    const ac = new AbortController();
    const start = realClock.now();
    setTimeout(() => ac.abort(), 5);
    await realClock.sleep(60_000, ac.signal);
    assert.ok(realClock.now() - start < 1000);
  });
});
