// The load profile in a few words, as every view names it (the console's table, a report's chart
// captions): one module, so a caption and its table row say the same thing.

/**
 * The load profile in a few words: `rate 200/s`, `closed ×4`, `max ×10 (auto)` (as fast as it goes
 * with 10 in flight: the suite set no concurrency, so the target's pool size or 10 was taken).
 * `workers`: what the loop ran with, when the result says.
 */
export function executorLabel(load: unknown, workers?: number): string {
  const l = load as Record<string, unknown>;
  switch (l.executor) {
    case "constant-rate":
      return `rate ${String(l.rate)}/s`;
    case "ramp":
      return `ramp ${String(l.from)}→${String(l.to)}/s`;
    case "steps":
      return `steps ×${Array.isArray(l.steps) ? l.steps.length : "?"}`;
    case "closed":
      return `closed ×${String(l.workers)}`;
    case "max":
      if (l.concurrency !== undefined) return `max ×${String(l.concurrency)}`;
      return workers === undefined ? "max ×auto" : `max ×${workers} (auto)`;
    default:
      return String(l.executor);
  }
}
