// One rule per culprit (src/diagnose/culprit.ts decides which): the target did not keep up,
// pipebench's client capped the rate, pipebench's process was saturated, or the machine was busy.
// Each names the evidence that told it apart from the others and the one change that follows.
import { CPU_MAX_PERCENT, LAG_P99_MAX_MS } from "../../engine/generator-health.js";
import { contentionFacts, droppedText, validityOf } from "../../engine/validity.js";
import { formatCount, formatMs, formatRate } from "../../format/numbers.js";
import type { StoredScenario } from "../../store/results-store.js";
import { culpritOf, PINNED_SHARE, queues, slotCeiling, slowedDown, type Culprit, type Verdict } from "../culprit.js";
import { loadField, targetOnThisMachine } from "../readings.js";
import { defineRule, type Subject } from "../rule.js";

const RUNBOOK_PROCESS = "docs/runbooks/pipebench-saturated.md";

/** A verdict, and whether the scenario's target shares the machine (its CPU is "other processes'"). */
type Judged = Verdict & { colocated: boolean };

function verdict(culprit: Culprit) {
  return ({ run, scenario }: Subject): Judged | undefined => {
    if (scenario === null) return undefined;
    const v = culpritOf(scenario);
    return v?.culprit === culprit ? { ...v, colocated: targetOnThisMachine(run, scenario.target) } : undefined;
  };
}

/** Workers of a closed loop (`closed` or `max`), when the load says. */
function workersOf(s: StoredScenario): number | undefined {
  const w = loadField(s, "workers") ?? loadField(s, "concurrency");
  return typeof w === "number" ? w : undefined;
}

/** The open loop missed its pace: short of the asked rate, or operations dropped. */
function paceMissed(v: Verdict): boolean {
  return v.short || (v.scenario.result.dropped ?? 0) > 0;
}

function rateLine(v: Verdict): string | undefined {
  const g = v.scenario.result.generator;
  if (g.askedRate === null || g.askedRate <= 0) return undefined;
  const r = v.scenario.result;
  const dropped = (r.dropped ?? 0) > 0 ? `; ${droppedText(r)}` : "";
  // The achieved rate counts operations started in the interval, answered then or in the drain
  // after it; what the target answered within the interval is the rate it served.
  const served = answeredWithin(r);
  const answered =
    served !== undefined && served < g.achievedRate * 0.9 ? `, of which ${formatRate(served)} answered within the measured ${r.durationS} s` : "";
  return `asked ${formatRate(g.askedRate)}, achieved ${formatRate(g.achievedRate)} (${Math.round((g.achievedRate / g.askedRate) * 100)} %)${answered}${dropped}`;
}

/** Completions per second inside the measured interval (the series' full seconds), if it has any. */
function answeredWithin(r: Verdict["scenario"]["result"]): number | undefined {
  const whole = Math.floor(r.durationS + 1e-9);
  const inside = r.series.filter((p) => p.t < whole);
  return whole > 0 && inside.length > 0 ? inside.reduce((n, p) => n + p.ops + p.errors, 0) / whole : undefined;
}

function timesLine(v: Verdict): string {
  const r = v.scenario.result;
  const parts: string[] = [];
  if (r.startDelay !== undefined && r.startDelay.count > 0) parts.push(`start delay p50 ${formatMs(r.startDelay.p50)}, p99 ${formatMs(r.startDelay.p99)}`);
  if (r.clientWait !== undefined && r.clientWait.count > 0) parts.push(`client wait p50 ${formatMs(r.clientWait.p50)}, p99 ${formatMs(r.clientWait.p99)}`);
  parts.push(`service time p50 ${formatMs(r.service.p50)}, p99 ${formatMs(r.service.p99)}`);
  return `${parts.join(" · ")} (latency p50 ${formatMs(r.latency.p50)}, p99 ${formatMs(r.latency.p99)})`;
}

function growthLine(v: Verdict): string | undefined {
  const g = v.growth;
  if (g === undefined) return undefined;
  const at = (n: number): string => (n < 10 ? n.toFixed(1) : formatCount(n));
  const how = queues(g)
    ? "the target queues the work: each operation added at it added " + `${Math.round(g.share * 100)} % of one's service time`
    : "flat: the target took more at once without slowing down";
  return `service time ${formatMs(g.from.meanServiceMs)} with ${at(g.from.meanAtTarget)} at the target, ${formatMs(g.to.meanServiceMs)} with ${at(g.to.meanAtTarget)}: ${how}`;
}

export const CULPRIT_RULES = [
  defineRule<Judged>({
    id: "culprit.machine",
    area: "generator",
    culprit: "machine",
    scope: "scenario",
    title: "The machine was busy: pipebench did not get the CPU it wanted, so this result is not valid",
    impact: "high",
    runbook: "docs/runbooks/busy-machine.md · https://docs.kernel.org/accounting/psi.html",
    when: verdict("machine"),
    rank: (v) => v.scenario.result.generator.machine?.waitPercent ?? 0,
    evidence: (v) => {
      const m = v.scenario.result.generator.machine;
      const g = v.scenario.result.generator;
      const out = m === undefined ? [] : [contentionFacts(m).join("; ")];
      if (g.eventLoopLagP99Ms > LAG_P99_MAX_MS) out.push(`event-loop lag p99 ${g.eventLoopLagP99Ms} ms, max ${g.eventLoopLagMaxMs} ms (limit ${LAG_P99_MAX_MS} ms)`);
      const rate = rateLine(v);
      if (rate !== undefined) out.push(rate);
      out.push(
        v.colocated
          ? `pipebench's own CPU ${g.cpuPercent} % of a core; target ${v.scenario.target} runs on this machine too: its CPU counts among the other processes'`
          : `pipebench's own CPU ${g.cpuPercent} % of a core: neither its code nor the target is what these numbers show`,
      );
      return out;
    },
    recommendation: (v) =>
      (v.colocated
        ? `give pipebench cores of its own, apart from target ${v.scenario.target}: another machine, or taskset/cpuset (container CPU sets); ` +
          "if something else ran too (`top`), run again when it is quiet; "
        : "run again when the machine is quiet (`top` shows what else is running), or give pipebench cores of its own " +
          "(a dedicated load-test machine, or taskset/cpuset apart from the target); ") +
      "compare runs with --trials 5 so the noise shows",
  }),
  defineRule<Judged>({
    id: "culprit.process",
    area: "generator",
    culprit: "process",
    scope: "scenario",
    title: "pipebench's process was saturated: it set the pace, not the target, so this result is not valid",
    impact: "high",
    runbook: RUNBOOK_PROCESS,
    when: verdict("process"),
    rank: (v) => v.scenario.result.generator.cpuPercent,
    evidence: (v) => {
      const g = v.scenario.result.generator;
      const busy = Math.round((g.cpuPercent - (g.spinCpuPercent ?? 0)) * 10) / 10;
      const out = [
        `pipebench's CPU ${busy} % of one core busy (limit ${CPU_MAX_PERCENT} %)` +
          (g.spinCpuPercent ? `, besides ${g.spinCpuPercent} % spin-waiting for start times` : ""),
      ];
      if (g.machine !== undefined) out.push(`it waited for a CPU ${g.machine.waitPercent} % of the time: the machine had room for it`);
      const rate = rateLine(v);
      if (rate !== undefined) out.push(rate);
      out.push(timesLine(v));
      return out;
    },
    recommendation: (v) => {
      const g = v.scenario.result.generator;
      if (g.askedRate !== null && g.askedRate > 0 && g.achievedRate > 0) {
        // Each process should run well inside what one achieved: 80 % of it.
        const workers = Math.max(2, Math.ceil(g.askedRate / (g.achievedRate * 0.8)));
        return (
          `split the ${formatRate(g.askedRate)} over ${workers} pipebench processes on separate cores or machines, ` +
          `each with --rate ${formatCount(g.askedRate / workers)}; or lower the rate to --rate ${formatCount(g.achievedRate * 0.8)}, ` +
          "which one pipebench process here sustains"
        );
      }
      // A closed loop has no rate to lower: it has workers.
      const workers = workersOf(v.scenario);
      return (
        "run two pipebench processes on separate cores or machines" +
        (workers !== undefined ? `, each with half the workers (${Math.max(1, Math.floor(workers / 2))} instead of ${workers}),` : "") +
        " and add their throughputs; this run measured pipebench, not the target"
      );
    },
  }),
  defineRule<Judged>({
    id: "culprit.client",
    area: "generator",
    culprit: "client",
    scope: "scenario",
    // Whether or not the asked rate was reached in the end, the queue was pipebench's.
    title: (v) => `pipebench's ${v.slots?.setting ?? "connections"} (${v.slots?.count ?? "?"}) were the bottleneck: operations queued for them, not at the target`,
    impact: "high",
    runbook: "docs/runbooks/client-capped.md (Little's law: operations in flight = rate × time in flight)",
    when: verdict("client"),
    rank: (v) => v.scenario.result.clientWait?.p99 ?? 0,
    evidence: (v) => {
      const r = v.scenario.result;
      const slots = v.slots?.count ?? 0;
      const setting = v.slots?.setting ?? "connections";
      const ceiling = slotCeiling(slots, r.service.mean);
      const out = [
        `on average ${(v.atTarget ?? 0).toFixed(1)} operations were at the target when one was sent: pinned at ${setting} (${slots})`,
        timesLine(v),
        `${setting} (${slots}) cap the rate at ≈ ${slots} ÷ ${formatMs(r.service.mean)} (mean service time) = ${formatRate(ceiling)}`,
      ];
      const rate = rateLine(v);
      if (rate !== undefined) out.push(rate);
      const growth = growthLine(v);
      if (growth !== undefined) out.push(growth);
      return out;
    },
    recommendation: (v) => {
      const r = v.scenario.result;
      const setting = v.slots?.setting ?? "connections";
      const count = v.slots?.count ?? 1;
      const field = setting === "pool" ? "pool" : setting.startsWith("max.in.flight") ? "the producer's max.in.flight.requests.per.connection (or batch.size)" : setting;
      const where = `on target ${v.scenario.target}`;
      // A product of settings (connections × pipelining, in-flight requests × batch size) counts
      // operations, not any one setting's value: say how many times more, not a value to set.
      const product = setting.includes("×");
      const to = (n: number): string => (product ? `about ${Math.ceil(n / count)}-fold (${formatCount(count)} → ${formatCount(n)} operations at once)` : `to ${formatCount(n)}`);
      const asked = r.generator.askedRate;
      if (asked !== null && asked > 0) {
        // Little's law with room: the asked rate × the service time, half again.
        const needed = Math.max(count + 1, Math.ceil((asked * r.service.mean * 1.5) / 1000));
        return (
          `raise ${field} ${where} ${to(needed)} (asked ${formatRate(asked)} × service time ${formatMs(r.service.mean)} × 1.5), ` +
          `or ask no more than ${formatRate(slotCeiling(count, r.service.mean) * 0.9)} of these ${setting}`
        );
      }
      const workers = workersOf(v.scenario);
      return workers !== undefined && product
        ? `raise ${field} ${where} ${to(workers)}, at least the workers (${workers}): each worker now waits for one of ${count}`
        : `raise ${field} ${where} to at least the workers (${workers ?? "the concurrency"}): each worker now waits for one of ${count}`;
    },
  }),
  defineRule<Judged>({
    id: "culprit.target",
    area: "target",
    culprit: "target",
    scope: "scenario",
    title: (v) =>
      paceMissed(v) ? "The target set the pace: it did not keep up with the asked rate" : "The target slowed down under this load: its service time grew with the operations at it",
    impact: (v) => (paceMissed(v) ? "high" : "medium"),
    runbook: "docs/runbooks/target-slow.md",
    when: (subject) => {
      const v = verdict("target")(subject);
      // Errors alone are the error rules' to say (http.server-errors, target.outage …).
      return v !== undefined && (paceMissed(v) || slowedDown(v.growth)) ? v : undefined;
    },
    rank: (v) => {
      const g = v.scenario.result.generator;
      return g.askedRate === null || g.askedRate === 0 ? 0 : 1 - g.achievedRate / g.askedRate;
    },
    evidence: (v) => {
      const r = v.scenario.result;
      const out: string[] = [];
      const rate = rateLine(v);
      if (rate !== undefined) out.push(rate);
      out.push(timesLine(v));
      const growth = growthLine(v);
      if (growth !== undefined) out.push(growth);
      if (v.slots !== undefined && v.atTarget !== undefined) {
        const inUse = `on average ${v.atTarget.toFixed(1)} of ${v.slots.setting} (${v.slots.count}) in use when one was sent`;
        out.push(
          v.atTarget < v.slots.count * PINNED_SHARE
            ? `pipebench's client had room: ${inUse}`
            : `pipebench's ${v.slots.setting} were all in use (${inUse}), but more would only queue at the target: its service time grew with them`,
        );
      }
      if (r.errors > 0) out.push(`${formatCount(r.errors)} operations failed at the target`);
      return out;
    },
    recommendation: (v) => {
      const g = v.scenario.result.generator;
      if (!paceMissed(v)) {
        const served = (v.growth?.to.meanAtTarget ?? 0) / ((v.growth?.to.meanServiceMs ?? 1) / 1000);
        return (
          `it served about ${formatRate(served)} with ${Math.round(v.growth?.to.meanAtTarget ?? 0)} at once: a rate above that only lengthens its queue; ` +
          "find what it serialises on (one worker, a lock, a single connection to its own database) and give it more of that, " +
          "or search the highest rate it sustains with --find-max"
        );
      }
      return (
        `the target sustains about ${formatRate(g.achievedRate)} here: run at --rate ${formatCount(g.achievedRate * 0.9)} (90 % of it) for a valid ` +
        "latency test, or search the highest sustainable rate with --find-max; then find where the target spends the time " +
        "(its CPU, its own pools and queues, its slow statements: see the target's findings)"
      );
    },
  }),
];

/** The scenario's culprit, when it is not the target: rules that would blame the target stay quiet. */
export function notTheTarget(scenario: StoredScenario): boolean {
  const c = culpritOf(scenario)?.culprit;
  return c !== undefined && c !== "target";
}

/** Whether the scenario's latencies are trustworthy enough to blame the target for them. */
export function latencyIsTheTargets(scenario: StoredScenario): boolean {
  return !notTheTarget(scenario) && !validityOf(scenario.result).reasons.some((r) => r.code === "schedule-lag");
}
