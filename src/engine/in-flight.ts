// Operations started and not yet settled: the open loop caps them (maxInFlight), and the end of a
// scenario waits for them, for a bounded time. Of those, the ones sent (at the target, see
// OpContext.sent) and the ones still queued inside pipebench are told apart: at the end, an
// operation never sent was dropped by pipebench, not timed out by the target.
import type { Clock } from "./clock.js";

export class InFlight {
  private total = 0;
  private measured = 0;
  private sentTotal = 0;
  private measuredUnsent = 0;
  private waiters: (() => void)[] = [];

  /** Operations in flight, warm-up included. */
  get count(): number {
    return this.total;
  }

  /** Measured (post-warm-up) operations in flight: the ones a stuck end must account for. */
  get measuredCount(): number {
    return this.measured;
  }

  /** Measured operations started and not yet sent: still queued inside pipebench. */
  get measuredUnsentCount(): number {
    return this.measuredUnsent;
  }

  started(measured: boolean): void {
    this.total++;
    if (measured) {
      this.measured++;
      this.measuredUnsent++;
    }
  }

  /** An operation left for the target; returns how many are at the target now, itself included. */
  sent(measured: boolean): number {
    if (measured) this.measuredUnsent--;
    return ++this.sentTotal;
  }

  settled(measured: boolean, wasSent: boolean): void {
    this.total--;
    if (measured) this.measured--;
    if (wasSent) this.sentTotal--;
    else if (measured) this.measuredUnsent--;
    if (this.waiters.length > 0) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const wake of waiters) wake();
    }
  }

  /** Resolves at the next settlement (callers re-check their condition). */
  nextSettlement(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /**
   * Resolves when fewer than `limit` operations are in flight (true), or when `deadlineMs` of clock
   * time passes or `signal` aborts first (false).
   */
  async waitBelow(limit: number, clock: Clock, deadlineMs: number, signal: AbortSignal): Promise<boolean> {
    if (this.total < limit) return true;
    const timeout = new AbortController();
    const onAbort = (): void => timeout.abort();
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      let timedOut = false;
      const timer = clock.sleep(Math.max(0, deadlineMs - clock.now()), timeout.signal).then(() => {
        timedOut = true;
      });
      while (this.total >= limit && !timedOut && !signal.aborted) {
        await Promise.race([this.nextSettlement(), timer]);
      }
      return this.total < limit;
    } finally {
      signal.removeEventListener("abort", onAbort);
      timeout.abort(); // releases the timer
    }
  }

  /**
   * Resolves true once nothing is in flight, false if `timeoutMs` of clock time passes or `signal`
   * aborts first.
   */
  async waitIdle(clock: Clock, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.total === 0) return true;
    if (signal?.aborted === true) return false;
    const timeout = new AbortController();
    const onAbort = (): void => timeout.abort();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      let timedOut = false;
      const timer = clock.sleep(timeoutMs, timeout.signal).then(() => {
        timedOut = true;
      });
      while (this.total > 0 && !timedOut) await Promise.race([this.nextSettlement(), timer]);
      return this.total === 0;
    } finally {
      signal?.removeEventListener("abort", onAbort);
      timeout.abort();
    }
  }
}
