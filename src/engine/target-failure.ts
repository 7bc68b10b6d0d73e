// Deciding that the target has failed mid-run: when every operation that finished in each of three
// seconds in a row failed, more load only measures a dead server. The scenario then stops with status
// "failed", naming the dominant error so a person knows where to look.

export const FAILING_SECONDS_TO_STOP = 3;

export class TargetFailureDetector {
  private failingSeconds = 0;
  private lastSuccesses = 0;
  private lastErrors = 0;
  /** Error counts by class when the current failing streak began. */
  private streakStart = new Map<string, number>();
  private previous = new Map<string, number>();

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
    if (newSuccesses > 0) this.failingSeconds = 0;
    else if (newErrors > 0) {
      if (this.failingSeconds === 0) this.streakStart = this.previous;
      this.failingSeconds++;
    }
    this.previous = new Map(errorsByClass);
    if (this.failingSeconds < FAILING_SECONDS_TO_STOP) return undefined;

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
    return (
      `every operation failed for ${this.failingSeconds} s in a row: ` +
      `${dominantCount} of ${streakErrors} errors were ${dominant}`
    );
  }
}
