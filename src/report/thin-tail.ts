// The `*` on a percentile that rests on too few operations, and the footnote that explains it: one
// rule for the console summary, report.md and report.html, so all three mark the same cells.
import { minSamplesFor, SAMPLES_BEYOND_PERCENTILE } from "../engine/validity.js";
import { formatCount } from "./format.js";

/** "*" after a percentile that too few latencies lie beyond: it is close to the max, not an estimate. */
export function thinTail(count: number, q: number): string {
  return count < minSamplesFor(q) ? "*" : "";
}

/** Whether a table whose rows rest on these latency counts shows any `*` (p99 needs the most). */
export function anyThinTail(counts: readonly number[]): boolean {
  return counts.some((n) => n > 0 && n < minSamplesFor(0.99));
}

/** The footnote under a table with a `*`, without the `*` itself (Markdown escapes it). */
export const THIN_TAIL_NOTE =
  `fewer than ${SAMPLES_BEYOND_PERCENTILE} latencies beyond this percentile: it is close to the run's maximum, not an estimate ` +
  `(p50 needs ${formatCount(minSamplesFor(0.5))} operations, p95 ${formatCount(minSamplesFor(0.95))}, p99 ${formatCount(minSamplesFor(0.99))})`;
