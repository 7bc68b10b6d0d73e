// Deciding that a scenario must stop for its errors: its `onError` policy.
//   continue  never stop for errors (an outage is measured through, then the recovery);
//   abort     stop at the first error, warm-up included;
//   a limit   stop when the error rate was at or above `rate` in each of `seconds` seconds in a row.
// The default limit is 100 % for 3 s: when every operation that finished in three seconds in a row
// failed, more load only measures a dead server. The scenario then stops with status "failed",
// naming the dominant error so a person knows where to look.
import { errorClassInfo } from "../drivers/error-classes.js";

export const FAILING_SECONDS_TO_STOP = 3;

export type ErrorPolicy =
  | { readonly kind: "continue" }
  | { readonly kind: "abort" }
  /** `rate` is a fraction (0 < rate ≤ 1); `seconds` a whole number ≥ 1. */
  | { readonly kind: "limit"; readonly rate: number; readonly seconds: number };

export const DEFAULT_ERROR_POLICY: ErrorPolicy = { kind: "limit", rate: 1, seconds: FAILING_SECONDS_TO_STOP };

/** Why an `onError: abort` scenario stopped; `atMs` counts from the measured start (< 0: warm-up). */
export function firstErrorReason(errorClass: string, atMs: number): string {
  const when = atMs < 0 ? "in the warm-up" : `at ${(atMs / 1000).toFixed(1)} s`;
  return `onError abort: the first error, ${errorClassInfo(errorClass).label}, ${when}`;
}

export class TargetFailureDetector {
  private failingSeconds = 0;
  private lastSuccesses = 0;
  private lastErrors = 0;
  /** Error counts by class when the current failing streak began. */
  private streakStart = new Map<string, number>();
  private previous = new Map<string, number>();
  private readonly rate: number;
  private readonly seconds: number;

  constructor(limit: { rate: number; seconds: number } = { rate: 1, seconds: FAILING_SECONDS_TO_STOP }) {
    this.rate = limit.rate;
    this.seconds = limit.seconds;
  }

  /**
   * Called about once per second with cumulative totals (warm-up included). Returns why the target
   * counts as failed, or undefined. A second in which nothing finished neither extends nor breaks a
   * streak: a hung target produces errors only as its timeouts expire.
   */
  observe(successes: number, errors: number, errorsByClass: ReadonlyMap<string, number>): string | undefined {
    const newSuccesses = successes - this.lastSuccesses;
    const newErrors = errors - this.lastErrors;
    this.lastSuccesses = successes;
    this.lastErrors = errors;
    if (newErrors > 0 && newErrors / (newErrors + newSuccesses) >= this.rate) {
      if (this.failingSeconds === 0) this.streakStart = this.previous;
      this.failingSeconds++;
    } else if (newSuccesses > 0) this.failingSeconds = 0;
    this.previous = new Map(errorsByClass);
    if (this.failingSeconds < this.seconds) return undefined;

    let dominant = "Error";
    let dominantCount = 0;
    let streakErrors = 0;
    for (const [errorClass, count] of errorsByClass) {
      const inStreak = count - (this.streakStart.get(errorClass) ?? 0);
      streakErrors += inStreak;
      if (inStreak > dominantCount) {
        dominant = errorClass;
        dominantCount = inStreak;
      }
    }
    const what =
      this.rate >= 1
        ? `every operation failed for ${this.failingSeconds} s in a row`
        : `${Math.round(this.rate * 1000) / 10}% or more of the operations failed for ${this.failingSeconds} s in a row`;
    return `${what}: ${dominantCount} of ${streakErrors} errors were ${errorClassInfo(dominant).label}`;
  }
}
