// A target that stopped answering for a while mid-scenario (any kind of target): read from the
// per-second series and the per-second errors by class (errorSeries). An outage is a stretch of
// seconds in which errors were at least half of what finished; seconds in which nothing finished
// between two such seconds belong to it (a hung server finishes nothing until its timeouts expire).
// The finding says when, what the errors were by kind, and whether and when the target answered again.
import { errorClassInfo } from "../../drivers/error-classes.js";
import type { ErrorKind } from "../../metrics/error-kind.js";
import type { ErrorSeriesPoint, SeriesPoint } from "../../metrics/summary.js";
import { errorGroupsText } from "../../report/errors-line.js";
import { formatCount } from "../../format/numbers.js";
import type { StoredScenario } from "../../store/results-store.js";
import { defineRule } from "../rule.js";

/** Seconds in a row before a stretch of failures counts as an outage rather than a blip. */
export const OUTAGE_MIN_SECONDS = 2;

export interface Outage {
  scenario: StoredScenario;
  /** First and last second of the stretch (`t` of the series). */
  from: number;
  to: number;
  errors: number;
  byClass: Record<string, number>;
  /** The first second after it in which operations succeeded with no more errors than successes. */
  recoveredAt: number | undefined;
  /** Successes per second before it (the median of the seconds before), for "answered again at". */
  before: number;
  after: number | undefined;
}

const failing = (p: SeriesPoint): boolean => p.errors > 0 && p.errors >= p.ops;

/** The longest outage in a scenario's series, if one lasted OUTAGE_MIN_SECONDS or more. */
export function findOutage(scenario: StoredScenario): Outage | undefined {
  const series = scenario.result.series;
  let best: { from: number; to: number } | undefined;
  for (let i = 0; i < series.length; i++) {
    if (!failing(series[i]!)) continue;
    let end = i;
    // Extend over failing seconds and idle gaps followed by another failing second.
    for (let j = i + 1; j < series.length; j++) {
      const p = series[j]!;
      if (failing(p)) end = j;
      else if (p.ops > 0) break;
    }
    const from = series[i]!.t;
    const to = series[end]!.t;
    if (best === undefined || to - from > best.to - best.from) best = { from, to };
    i = end;
  }
  if (best === undefined || best.to - best.from + 1 < OUTAGE_MIN_SECONDS) return undefined;
  const { from, to } = best;
  const byClass: Record<string, number> = {};
  for (const point of scenario.result.errorSeries ?? ([] as ErrorSeriesPoint[])) {
    if (point.t < from || point.t > to) continue;
    for (const [cls, n] of Object.entries(point.byClass)) byClass[cls] = (byClass[cls] ?? 0) + n;
  }
  const errors = series.filter((p) => p.t >= from && p.t <= to).reduce((n, p) => n + p.errors, 0);
  const recovered = series.find((p) => p.t > to && p.ops > 0 && p.errors <= p.ops);
  const beforeOps = series.filter((p) => p.t < from).map((p) => p.ops).sort((a, b) => a - b);
  return {
    scenario,
    from,
    to,
    errors,
    byClass,
    recoveredAt: recovered?.t,
    before: beforeOps[Math.floor(beforeOps.length / 2)] ?? 0,
    after: recovered === undefined ? undefined : series.find((p) => p.t === recovered.t + 1)?.ops ?? recovered.ops,
  };
}

function dominantKind(byClass: Readonly<Record<string, number>>): { kind: ErrorKind; cls: string } | undefined {
  let top: [string, number] | undefined;
  for (const entry of Object.entries(byClass)) if (top === undefined || entry[1] > top[1]) top = entry;
  return top === undefined ? undefined : { kind: errorClassInfo(top[0]).kind, cls: top[0] };
}

const ADVICE: Record<ErrorKind, string> = {
  refused:
    "nothing listened on the target's port for those seconds: the server was down or restarting; check its log and uptime for a restart, a crash or an OOM kill at that time, and what restarts it",
  reset:
    "connections were cut mid-exchange: a server restart, a failover, or a proxy or load balancer dropping connections; check the server's log at that time",
  timeout:
    "the server stopped answering without closing its connections: a hang, a long pause (GC, checkpoint, a lock) or a network partition; correlate with its log and host metrics at that time",
  server: "the server answered with errors: read its log for that code at that time",
  client: "the server rejected the requests themselves in that stretch: check what changed on its side (schema, permissions, limits)",
  other: "look at the error samples (pipebench show) and the server's log at that time",
};

export const TARGET_RULES = [
  defineRule<Outage>({
    id: "target.outage",
    culprit: "target",
    area: "target",
    scope: "scenario",
    title: (m) =>
      m.recoveredAt === undefined
        ? `The target stopped answering at ${m.from} s and did not come back`
        : `The target was unavailable for ${m.to - m.from + 1} s, then answered again`,
    impact: "high",
    runbook: "docs/runbooks/target-outage.md",
    when: ({ scenario }) => (scenario === null ? undefined : findOutage(scenario)),
    evidence: (m) => {
      const groups = errorGroupsText(m.byClass);
      const lines = [`from ${m.from} s to ${m.to} s of the scenario: ${formatCount(m.errors)} errors${groups === "" ? "" : ` (${groups})`}`];
      lines.push(
        m.recoveredAt === undefined
          ? `no operation succeeded after it${m.scenario.result.status === "failed" ? ` (the scenario stopped: ${m.scenario.result.failure ?? "failed"})` : ""}`
          : `answered again from ${m.recoveredAt} s (${m.recoveredAt - m.to - 1 > 0 ? `${m.recoveredAt - m.to - 1} s later, ` : ""}${formatCount(m.after ?? 0)} ops in the second after, ${formatCount(m.before)} per second before)`,
      );
      return lines;
    },
    recommendation: (m) => {
      const top = dominantKind(m.byClass);
      const code = top === undefined ? undefined : errorClassInfo(top.cls);
      let advice = ADVICE[top?.kind ?? "other"];
      if (code?.code === "57P01" || code?.code === "57P02" || code?.code === "57P03") {
        advice = `PostgreSQL said it was shutting down or starting up (${code.label}): a restart; check its log and what restarted it`;
      } else if (code?.kind === "server" && code.code !== undefined) advice = `${advice} (${code.label})`;
      const measure =
        m.scenario.result.status === "failed" && m.recoveredAt === undefined
          ? "; to measure an outage through to the recovery, set onError: continue on the scenario"
          : "";
      return `${advice}${measure}`;
    },
  }),
];
