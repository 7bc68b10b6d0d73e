// The machine the run measured on: CPU saturation with a tail that shows it (> 70 % busy), memory
// nearly exhausted (> 90 % in use), and a hypervisor taking CPU (steal > 5 %). Runbooks:
// docs/runbooks/host-cpu.md, host-memory.md.
import type { ProbeReading } from "../../probes/probe.js";
import { formatMs, formatPercent } from "../../format/numbers.js";
import type { StoredScenario } from "../../store/results-store.js";
import { hostOf, intervalReading, oncePerScenario } from "../readings.js";
import { defineRule, type Subject } from "../rule.js";
import { notTheTarget } from "./culprit.js";

const PROBE = "host";
export const HOST_CPU_MAX = 0.7;
/** p99 at least this many times p50: the tail is queueing, not the work itself. */
export const TAIL_RATIO = 5;
export const MEMORY_MAX = 0.9;
export const STEAL_MAX = 0.05;
/** Fewer latencies than this and p99 is too close to the maximum to compare with p50. */
const MIN_LATENCIES = 100;

interface HostMatch {
  scenario: StoredScenario;
  reading: ProbeReading;
  cores: number | undefined;
  memoryBytes: number | undefined;
}

function hostReading({ run, scenario }: Subject): HostMatch | undefined {
  if (scenario === null) return undefined;
  const reading = intervalReading(scenario, PROBE, null);
  if (reading === undefined) return undefined;
  const { cores, memoryBytes } = hostOf(run);
  return { scenario, reading, cores, memoryBytes };
}

const pct = (x: number | undefined): string => (x === undefined ? "?" : formatPercent(x, 0));

export const HOST_RULES = [
  defineRule<HostMatch>({
    id: "host.cpu-saturated",
    area: "host",
    scope: "scenario",
    title: "CPU saturation: the host was busy and the latency tail shows the queueing",
    impact: "high",
    runbook: "docs/runbooks/host-cpu.md · https://docs.kernel.org/filesystems/proc.html#miscellaneous-kernel-statistics-in-proc-stat",
    when: (subject) => {
      const m = hostReading(subject);
      if (m === undefined) return undefined;
      // pipebench's process or a busy machine: the culprit rules say it, with the kernel's numbers.
      if (notTheTarget(m.scenario)) return undefined;
      const l = m.scenario.result.latency;
      const cpu = m.reading.metrics.cpu_usage ?? 0;
      if (cpu <= HOST_CPU_MAX || l.count < MIN_LATENCIES || l.p50 <= 0 || l.p99 < l.p50 * TAIL_RATIO) return undefined;
      return m;
    },
    evidence: (m) => {
      const l = m.scenario.result.latency;
      const r = m.reading.metrics;
      return [
        `host CPU ${pct(r.cpu_usage)} over the scenario (limit ${pct(HOST_CPU_MAX)}): user ${pct(r.cpu_user)}, system ${pct(r.cpu_system)}, steal ${pct(r.cpu_steal)}`,
        `p99 ${formatMs(l.p99)} is ${(l.p99 / l.p50).toFixed(1)} × p50 ${formatMs(l.p50)}`,
        `load average ${(r.load1 ?? 0).toFixed(2)} on ${m.cores ?? "?"} cores (${(r.load1_per_core ?? 0).toFixed(2)} per core)`,
      ];
    },
    recommendation: (m) =>
      `give the work more CPU: run the load generator on another machine than the target (both shared ${m.cores ?? "these"} cores here), ` +
      "raise the target's CPU limit (resources.limits.cpu) or scale it out (kubectl scale deployment <service> --replicas=N); " +
      "profile the hot path if the target itself is CPU-bound",
  }),
  defineRule<HostMatch>({
    id: "host.memory-high",
    area: "host",
    scope: "scenario",
    title: "Memory nearly exhausted on the host",
    impact: "medium",
    runbook: "docs/runbooks/host-memory.md · https://docs.kernel.org/filesystems/proc.html#meminfo",
    when: (subject) => {
      const m = hostReading(subject);
      return m !== undefined && (m.reading.metrics.memory_usage ?? 0) > MEMORY_MAX ? m : undefined;
    },
    evidence: (m) => [`host memory ${pct(m.reading.metrics.memory_usage)} in use at the end of the scenario (limit ${pct(MEMORY_MAX)})`],
    recommendation: () =>
      "free or add memory before trusting latencies (swapping and page-cache eviction distort them): lower buffer sizes " +
      "(shared_buffers, buffer.memory) of services sharing this host, or move them apart",
  }),
  // One finding for the run: steal comes from the machine, not from any one scenario.
  defineRule<HostMatch[]>({
    id: "host.cpu-steal",
    area: "host",
    scope: "run",
    title: (m) => `The hypervisor took CPU from this host (steal time, ${m.length} scenario${m.length === 1 ? "" : "s"})`,
    impact: "low",
    runbook: "docs/runbooks/host-cpu.md · https://docs.kernel.org/filesystems/proc.html#miscellaneous-kernel-statistics-in-proc-stat",
    when: ({ run }) => {
      const out = oncePerScenario(run, (scenario) => {
        const m = hostReading({ run, scenario });
        return m !== undefined && (m.reading.metrics.cpu_steal ?? 0) > STEAL_MAX ? m : undefined;
      });
      return out.length === 0 ? undefined : out;
    },
    evidence: (m) => [
      ...m.slice(0, 5).map((x) => `${x.scenario.name}: steal ${pct(x.reading.metrics.cpu_steal)} of CPU time (limit ${pct(STEAL_MAX)})`),
      ...(m.length > 5 ? [`and ${m.length - 5} more`] : []),
    ],
    recommendation: () => "measure on a dedicated or larger instance, and compare runs with --trials 5 so the noise shows in the intervals",
  }),
];
