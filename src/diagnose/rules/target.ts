// A target that stopped answering for a while mid-scenario (any kind of target): read from the
// per-second series and the per-second errors by class (errorSeries). An outage is a stretch of
// seconds in which errors were at least half of what finished; seconds in which nothing finished
// between two such seconds belong to it (a hung server finishes nothing until its timeouts expire).
// The finding says when, what the errors were by kind, and whether and when the target answered again.
import { errorClassInfo } from "../../drivers/error-classes.js";
import type { ErrorKind } from "../../metrics/error-kind.js";
import type { ErrorSeriesPoint, SegmentReport, SeriesPoint } from "../../metrics/summary.js";
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
  /**
   * Under --workers: the worker(s) that failed or were lost, and the others the coordinator then
   * stopped. The seconds after the first one ended hold only the others' operations: not a recovery.
   */
  stopped: StoppedWorkers | undefined;
}

interface StoppedWorkers {
  workers: SegmentReport[];
  others: SegmentReport[];
  /** The first second of the series the failed worker(s) no longer ran in; undefined when not stored. */
  endS: number | undefined;
}

function stoppedWorkers(scenario: StoredScenario): StoppedWorkers | undefined {
  const segments = scenario.result.segments ?? [];
  const workers = segments.filter((s) => s.status === "failed" || s.status === "lost");
  if (workers.length === 0 || workers.length === segments.length) return undefined;
  const ends = workers.map((w) => w.endS);
  return {
    workers,
    others: segments.filter((s) => !workers.includes(s)),
    // Only whole seconds it ran through count: a second it left 3 ms into is the others' alone.
    endS: ends.some((e) => e === undefined) ? undefined : Math.floor(Math.min(...(ends as number[]))),
  };
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
  // A second after a worker stopped holds only the others' operations: it says nothing of recovery.
  const stopped = stoppedWorkers(scenario);
  const allRan = (t: number): boolean => stopped === undefined || (stopped.endS !== undefined && t < stopped.endS);
  const recovered = series.find((p) => p.t > to && allRan(p.t) && p.ops > 0 && p.errors <= p.ops);
  const beforeOps = series.filter((p) => p.t < from).map((p) => p.ops).sort((a, b) => a - b);
  return {
    scenario,
    from,
    to,
    errors,
    byClass,
    recoveredAt: recovered?.t,
    before: beforeOps[Math.floor(beforeOps.length / 2)] ?? 0,
    after: recovered === undefined ? undefined : series.find((p) => p.t === recovered.t + 1 && allRan(p.t))?.ops ?? recovered.ops,
    stopped,
  };
}

function dominantKind(byClass: Readonly<Record<string, number>>): { kind: ErrorKind; cls: string } | undefined {
  let top: [string, number] | undefined;
  for (const entry of Object.entries(byClass)) if (top === undefined || entry[1] > top[1]) top = entry;
  return top === undefined ? undefined : { kind: errorClassInfo(top[0]).kind, cls: top[0] };
}

const names = (workers: readonly SegmentReport[]): string => workers.map((w) => w.worker).join(", ");

function stoppedText(stopped: StoppedWorkers): string {
  const failed = stopped.workers.map((w) => `worker ${w.worker} ${w.status}${stopped.endS === undefined ? "" : ` at ${formatSeconds(w.endS)} s`}${w.failure === undefined ? "" : ` (${w.failure})`}`);
  const others = stopped.others.map((w) => `${w.worker} ${w.status === "interrupted" ? w.failure ?? "stopped" : w.status}, ${formatCount(w.ops)} ops`);
  return (
    `${failed.join("; ")}; the coordinator stopped the others (${others.join("; ")}): ` +
    `the seconds after ${stopped.endS === undefined ? "it stopped" : `${stopped.endS} s`} hold only their operations, not the target answering again`
  );
}

const formatSeconds = (s: number | undefined): string => (s === undefined ? "?" : String(Math.round(s * 10) / 10));

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
      m.stopped !== undefined && m.recoveredAt === undefined
        ? `The target failed worker ${names(m.stopped.workers)} from ${m.from} s; the coordinator stopped the others`
        : m.recoveredAt === undefined
        ? `The target stopped answering at ${m.from} s and did not come back`
        : `The target was unavailable for ${m.to - m.from + 1} s, then answered again`,
    impact: "high",
    runbook: "docs/runbooks/target-outage.md",
    when: ({ scenario }) => (scenario === null ? undefined : findOutage(scenario)),
    evidence: (m) => {
      const groups = errorGroupsText(m.byClass);
      const lines = [`from ${m.from} s to ${m.to} s of the scenario: ${formatCount(m.errors)} errors${groups === "" ? "" : ` (${groups})`}`];
      if (m.stopped !== undefined && m.recoveredAt === undefined) {
        lines.push(stoppedText(m.stopped));
        return lines;
      }
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
      // One worker's operations failed while the others' did not: what differs for it, first.
      const alone = m.stopped !== undefined && m.stopped.others.every((w) => w.errors === 0);
      const first = alone ? `only worker ${names(m.stopped!.workers)}'s operations failed: look first at what differs for it (its part of the keys, paths or partitions, its host and network path); otherwise ` : "";
      return `${first}${advice}${measure}`;
    },
  }),
];
