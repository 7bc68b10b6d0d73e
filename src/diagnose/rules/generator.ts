// The load generator's own health: when it, not the target, set the numbers. From each result's
// validity verdict (src/engine/validity.ts), so the diagnosis and the INVALID label agree.
import { CPU_MAX_PERCENT, LAG_P99_MAX_MS } from "../../engine/generator-health.js";
import { validityOf } from "../../engine/validity.js";
import type { GeneratorHealth, ValidityCode } from "../../metrics/summary.js";
import { formatCount, formatRate } from "../../report/format.js";
import type { StoredScenario } from "../../store/results-store.js";
import { oncePerScenario } from "../readings.js";
import { defineRule, type Subject } from "../rule.js";

interface Invalid {
  scenario: StoredScenario;
  message: string;
  generator: GeneratorHealth;
}

/** The scenario's validity reason of `code`, with what the advice needs. */
function reason(code: ValidityCode) {
  return ({ scenario }: Subject): Invalid | undefined => {
    if (scenario === null) return undefined;
    const r = validityOf(scenario.result).reasons.find((x) => x.code === code);
    return r === undefined ? undefined : { scenario, message: r.message, generator: scenario.result.generator };
  };
}

function loadField(s: StoredScenario, key: string): unknown {
  const load = s.load;
  return typeof load === "object" && load !== null ? (load as Record<string, unknown>)[key] : undefined;
}

/** "10" or "10–300". */
function span(xs: readonly number[]): string {
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return lo === hi ? String(lo) : `${lo}–${hi}`;
}

const DESIGN = "DESIGN principle 3 (the load generator must not be the bottleneck) · seed 002 · Performance Testing · Load Testing";

export const GENERATOR_RULES = [
  defineRule<Invalid>({
    id: "generator.saturated",
    area: "generator",
    scope: "scenario",
    title: "The load generator was saturated: this result is not valid",
    impact: "high",
    runbook: DESIGN,
    when: reason("generator-saturated"),
    evidence: (m) => {
      const g = m.generator;
      const busy = Math.round((g.cpuPercent - (g.spinCpuPercent ?? 0)) * 10) / 10;
      const out = [
        `generator CPU ${busy} % of one core busy (limit ${CPU_MAX_PERCENT} %)` +
          (g.spinCpuPercent ? `, besides ${g.spinCpuPercent} % spin-waiting for start times` : ""),
        `event-loop lag p99 ${g.eventLoopLagP99Ms} ms, max ${g.eventLoopLagMaxMs} ms (limit ${LAG_P99_MAX_MS} ms)`,
      ];
      if (g.askedRate !== null && g.askedRate > 0) {
        out.push(`asked ${formatRate(g.askedRate)}, achieved ${formatRate(g.achievedRate)} (${Math.round((g.achievedRate / g.askedRate) * 100)} %)`);
      }
      const started = m.scenario.result.ops + m.scenario.result.errors;
      if (g.lateStarts > 0 && started > 0) out.push(`${formatCount(g.lateStarts)} of ${formatCount(started)} operations started more than 10 ms late`);
      return out;
    },
    recommendation: (m) => {
      const g = m.generator;
      if (g.askedRate !== null && g.askedRate > 0 && g.achievedRate > 0) {
        // Each process should run well inside what one achieved: 80 % of it.
        const workers = Math.max(2, Math.ceil(g.askedRate / (g.achievedRate * 0.8)));
        return (
          `add workers: split the ${formatRate(g.askedRate)} over ${workers} pipebench processes on separate cores or machines, ` +
          `each with --rate ${formatCount(g.askedRate / workers)}; or lower the rate to --rate ${formatCount(g.achievedRate * 0.8)}, ` +
          "which one generator here sustains"
        );
      }
      const workers = loadField(m.scenario, "workers") ?? loadField(m.scenario, "concurrency");
      return (
        "add workers on another core or machine: run two pipebench processes" +
        (typeof workers === "number" ? ` each with half the concurrency (${Math.max(1, Math.floor(workers / 2))} instead of ${workers})` : "") +
        " and add their throughputs; this run measured the generator, not the target"
      );
    },
  }),
  defineRule<Invalid>({
    id: "generator.rate-not-reached",
    area: "generator",
    scope: "scenario",
    title: "The asked rate was not reached: latencies describe a lighter load than asked",
    impact: "medium",
    runbook: "seed 001 · Troubleshooting Performance Issues · Low Throughput · seed 002 · Performance Testing",
    when: (subject) => {
      const m = reason("rate-not-reached")(subject);
      // When the generator itself was saturated, that finding says it (and says more).
      if (m === undefined || validityOf(m.scenario.result).reasons.some((r) => r.code === "generator-saturated")) return undefined;
      return m;
    },
    evidence: (m) => [m.message],
    recommendation: (m) =>
      `the target did not keep up: run at --rate ${formatCount(m.generator.achievedRate * 0.9)} (90 % of what it sustained) for a valid ` +
      "latency test, or search the highest sustainable rate with --find-max; then look at the target's findings for why",
  }),
  defineRule<Invalid>({
    id: "generator.schedule-lag",
    area: "generator",
    scope: "scenario",
    title: "Operations started late: the generator's schedule slipped",
    impact: "medium",
    runbook: DESIGN,
    when: reason("schedule-lag"),
    evidence: (m) => [m.message],
    recommendation: () =>
      "give pipebench a quiet core (nothing else busy on this machine: check `top`), lower the rate, or split it over more " +
      "pipebench processes",
  }),
  defineRule<Invalid>({
    id: "generator.not-steady",
    area: "generator",
    scope: "scenario",
    title: "Not at steady state: the numbers were still moving",
    impact: "low",
    runbook: "seed 000 · Day 6 Load Testing & Benchmarking (establish a baseline)",
    when: reason("not-steady"),
    evidence: (m) => [m.message],
    recommendation: (m) => {
      const warmup = m.scenario.result.warmupS;
      const duration = m.scenario.result.durationS;
      return (
        `load: { warmup: ${Math.max(10, Math.ceil(warmup * 2))}s, duration: ${Math.max(60, Math.ceil(duration * 2))}s } ` +
        `(now warmup ${warmup} s, duration ${Math.round(duration)} s), so caches, JIT and connection pools settle before measuring`
      );
    },
  }),
  defineRule<Invalid[]>({
    id: "generator.too-few-samples",
    area: "generator",
    // One finding for the run: short scenarios usually come several to a suite, with one remedy.
    scope: "run",
    title: (m) => `Too few samples for the tail percentile shown (${m.length} scenario${m.length === 1 ? "" : "s"})`,
    impact: "low",
    runbook: "seed 000 · Day 6 Load Testing & Benchmarking",
    when: ({ run }) => {
      const out = oncePerScenario(run, (scenario) => reason("too-few-samples")({ run, scenario }));
      return out.length === 0 ? undefined : out;
    },
    evidence: (m) => m.map((x) => `${x.scenario.name}: ${x.message.split(":")[0] ?? x.message}`),
    recommendation: (m) => {
      const iterations = m.map((x) => loadField(x.scenario, "iterations")).filter((x): x is number => typeof x === "number");
      return (
        (iterations.length > 0 ? `load: { iterations: 1000 } (now ${span(iterations)}), ` : "") +
        "or a duration long enough for 1,000 operations: p99 needs 1,000 latencies, p99.9 10,000; until then read max, not p99"
      );
    },
  }),
];
