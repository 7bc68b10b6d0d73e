// Where an operation's latency went, in one line, for the console summary, `pipebench show` and
// the reports:
//   time  start delay p50 575ms p99 1.40s · client wait p50 1.03s p99 1.35s · service p50 159µs p99 1.17ms
// Shown when pipebench's side of it (start delay, client wait) was a tenth of the p99 or a
// millisecond, whichever is more; otherwise the latency is the target's and the row says it. And
// what was dropped: operations the target never saw, counted apart from its errors.
import { droppedText } from "../engine/validity.js";
import type { LatencySummary, ScenarioResult } from "../metrics/summary.js";
import { formatMs } from "./format.js";

type TimingFacts = Pick<ScenarioResult, "latency" | "service" | "clientWait" | "startDelay">;

export function timingLine(r: TimingFacts): string | undefined {
  const ours = (r.startDelay?.p99 ?? 0) + (r.clientWait?.p99 ?? 0);
  if (r.latency.count === 0 || ours < Math.max(1, r.latency.p99 * 0.1)) return undefined;
  const part = (name: string, l: LatencySummary | undefined): string[] =>
    l === undefined || l.count === 0 ? [] : [`${name} p50 ${formatMs(l.p50)} p99 ${formatMs(l.p99)}`];
  return `time  ${[...part("start delay", r.startDelay), ...part("client wait", r.clientWait), ...part("service", r.service)].join(" · ")}`;
}

/** "46,469 operations dropped: … — not errors: the target never saw them", when any were. */
export function droppedLine(r: Pick<ScenarioResult, "dropped" | "droppedBy">): string | undefined {
  return (r.dropped ?? 0) > 0 ? `${droppedText(r)} — not errors: the target never saw them` : undefined;
}
