// The engine's only source of time. Injected, so the executors run on fake time in tests.
import { setImmediate as nextTurn } from "node:timers";
import { performance } from "node:perf_hooks";
import { SpareCpuMeter } from "./spare-cpu.js";

export interface Clock {
  /** Monotonic milliseconds (fractional), e.g. performance.now(). Only differences mean anything. */
  now(): number;
  /** Wall-clock milliseconds since the epoch, for timestamps people read. */
  wallNow(): number;
  /** Resolves after `ms` of this clock's time, or as soon as `signal` aborts. Never rejects. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * CPU time (µs, cumulative) this process spent busy-waiting inside `sleep` for precise deadlines.
   * Idle work, not load: generator health subtracts it before judging CPU. Absent: never spins.
   */
  spinCpuMicros?(): number;
}

// Node's timers have millisecond granularity: a setTimeout fires anywhere from 1 ms early to 1 ms
// late (libuv's loop time is truncated to whole ms). Waking on timers alone, an open-loop schedule
// starts operations ~0.6 ms late on average (measured), and that lateness counts in latency, which
// for a 0.3 ms query doubles it. So: sleep on a timer until about 1–2 ms before the deadline, then
// finish with setImmediate turns, which keep serving I/O while they wait. Measured: lateness p50
// ~5 µs instead of ~600 µs, for CPU that is spent only while there is nothing else to do (and is
// accounted for separately, see spinCpuMicros).
//
// But a spinning process is always runnable, so on a host shared with the target the spin takes the
// target's CPU (at 2,200 req/s on 2 cores: pipebench 43 % of a core instead of 28 %, find-max ~20 %
// lower; docs/decisions.md). So it spins only while it has a whole core to spare (spare-cpu.ts:
// idle CPUs it may run on, and its container's CPU quota); otherwise it wakes on timers, up to ~1 ms
// late, and the measured latency includes that.
const SPIN_WINDOW_MS = 2;
const TIMER_EARLY_MS = 1;
const SPARE_CHECK_MS = 500;

/** When the real clock may busy-wait: always, never, or while it has a core to spare (spare-cpu.ts). */
export type SpinPolicy = "always" | "never" | "spare-core";

/**
 * The real clock: performance.now(), Date.now(), and a sleep that is precise to a few µs.
 * `meter`: where "a core to spare" is read (tests pass one over a fake /proc and cgroup fs).
 */
export function createRealClock(policy: SpinPolicy = "spare-core", meter?: SpareCpuMeter): Clock {
  let spinCpu = 0;
  let spare = { allowed: true, at: Number.NEGATIVE_INFINITY };
  let spareMeter = meter;
  const spinAllowed = (now: number): boolean => {
    if (policy !== "spare-core") return policy === "always";
    if (now - spare.at < SPARE_CHECK_MS) return spare.allowed;
    spareMeter ??= new SpareCpuMeter();
    // The first reading only starts the interval (Infinity): spin until there is one to judge.
    spare = { allowed: spareMeter.read(now, spinCpu) >= 1, at: now };
    return spare.allowed;
  };
  return {
    now: () => performance.now(),
    wallNow: () => Date.now(),
    spinCpuMicros: () => spinCpu,
    sleep(ms, signal) {
      return new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        const deadline = performance.now() + ms;
        let timer: NodeJS.Timeout | undefined;
        let immediate: NodeJS.Immediate | undefined;
        let spinStart: NodeJS.CpuUsage | undefined;
        const finish = (): void => {
          if (spinStart !== undefined) {
            const used = process.cpuUsage(spinStart);
            spinCpu += used.user + used.system;
          }
          signal?.removeEventListener("abort", onAbort);
          resolve();
        };
        const onAbort = (): void => {
          if (timer !== undefined) clearTimeout(timer);
          if (immediate !== undefined) clearImmediate(immediate);
          finish();
        };
        const check = (): void => {
          timer = undefined;
          immediate = undefined;
          const now = performance.now();
          const left = deadline - now;
          if (left <= 0) finish();
          else if (left > SPIN_WINDOW_MS) timer = setTimeout(check, left - TIMER_EARLY_MS);
          else if (spinStart !== undefined || spinAllowed(now)) {
            spinStart ??= process.cpuUsage();
            immediate = nextTurn(check);
          } else timer = setTimeout(check, left);
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        // Even a zero sleep yields one event-loop turn: callers use it to let I/O and timers run.
        if (ms > 0) check();
        else immediate = nextTurn(check);
      });
    },
  };
}

export const realClock: Clock = createRealClock();

interface FakeTimer {
  readonly at: number;
  readonly order: number;
  readonly resolve: () => void;
}

/**
 * A clock that moves only when a test moves it. Sleeps resolve, in time order, as `advance` or `run`
 * passes their deadline; between two deadlines the woken code runs until it waits again.
 */
export class FakeClock implements Clock {
  private time: number;
  private readonly wallAtZero: number;
  private timers: FakeTimer[] = [];
  private order = 0;

  constructor(options: { startMs?: number; wallStartMs?: number } = {}) {
    this.time = options.startMs ?? 0;
    this.wallAtZero = (options.wallStartMs ?? Date.UTC(2025, 0, 1)) - this.time;
  }

  now(): number {
    return this.time;
  }

  wallNow(): number {
    return this.wallAtZero + this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    // A zero sleep still yields (like setImmediate), so a loop that sleeps 0 cannot starve the test.
    return new Promise<void>((resolve) => {
      const onAbort = (): void => {
        this.timers = this.timers.filter((t) => t !== timer);
        resolve();
      };
      const timer: FakeTimer = {
        at: this.time + Math.max(0, ms),
        order: this.order++,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      this.timers.push(timer);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Sleeps not yet resolved. */
  get pendingSleeps(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing every sleep due on the way, each at its own time. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      await settle();
      const next = this.takeNext(target);
      if (next === undefined) break;
      this.time = Math.max(this.time, next.at);
      next.resolve();
    }
    this.time = Math.max(this.time, target);
    await settle();
  }

  /**
   * Moves time from deadline to deadline until `promise` settles, then returns its outcome. For
   * running code that finishes on its own (a whole scenario) in fake time. Throws if the code waits
   * on something other than this clock, or runs past `limitMs` of fake time.
   */
  async run<T>(promise: Promise<T>, limitMs = 24 * 3_600_000): Promise<T> {
    let settled = false;
    const watched = promise.finally(() => {
      settled = true;
    });
    // It may reject while time is still being moved; it is returned (and handled) afterwards.
    watched.catch(() => undefined);
    const limit = this.time + limitMs;
    while (!settled) {
      await settle();
      if (settled) break;
      // Code may need a few turns (a chain of setImmediate) before it sleeps again.
      for (let turns = 0; !settled && this.timers.length === 0 && turns < 20; turns++) await settle();
      if (settled) break;
      const next = this.takeNext(limit);
      if (next === undefined) {
        throw new Error(
          this.timers.length === 0
            ? "FakeClock.run: the code is waiting on something other than the clock"
            : `FakeClock.run: still running after ${limitMs} ms of fake time`,
        );
      }
      this.time = Math.max(this.time, next.at);
      next.resolve();
    }
    return watched;
  }

  private takeNext(notAfter: number): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const t of this.timers) {
      if (t.at <= notAfter && (best === undefined || t.at < best.at || (t.at === best.at && t.order < best.order))) {
        best = t;
      }
    }
    if (best !== undefined) this.timers = this.timers.filter((t) => t !== best);
    return best;
  }
}

/** Lets every promise chain that is ready run: one macrotask turn drains all microtasks. */
function settle(): Promise<void> {
  return new Promise((resolve) => nextTurn(resolve));
}
