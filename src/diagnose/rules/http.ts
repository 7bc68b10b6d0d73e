// HTTP services: 5xx answers and failed requests (docs/runbooks/http-errors.md), and a p95 above
// the usual 100 ms latency alert (docs/runbooks/http-latency.md).
import { formatCount, formatMs, formatPercent } from "../../format/numbers.js";
import type { StoredScenario } from "../../store/results-store.js";
import { defineRule, type Subject } from "../rule.js";
import { latencyIsTheTargets, notTheTarget } from "./culprit.js";

/** Seed 001/002: error rate alerts above 1 %; quickstart's threshold is 0.1 %. */
export const ERROR_RATE_MAX = 0.01;
/** Seed 002 HighLatency alert: p95 > 100 ms. */
export const P95_MAX_MS = 100;

interface ErrorMatch {
  scenario: StoredScenario;
  classes: [string, number][];
  count: number;
  total: number;
}

const isServerError = (cls: string): boolean => /^HTTP_5\d\d$/.test(cls);

function httpScenario({ scenario }: Subject): StoredScenario | undefined {
  return scenario !== null && scenario.targetKind === "http" ? scenario : undefined;
}

function errors(scenario: StoredScenario, pick: (cls: string) => boolean): ErrorMatch | undefined {
  const r = scenario.result;
  const classes = Object.entries(r.errorsByClass).filter(([cls, n]) => pick(cls) && n > 0).sort((a, b) => b[1] - a[1]);
  const count = classes.reduce((s, [, n]) => s + n, 0);
  return count === 0 ? undefined : { scenario, classes, count, total: r.ops + r.errors };
}

const listed = (m: ErrorMatch): string =>
  `${m.classes.map(([cls, n]) => `${cls} ×${formatCount(n)}`).join(", ")} of ${formatCount(m.total)} requests (${formatPercent(m.count / Math.max(1, m.total), 2)})`;

const sample = (m: ErrorMatch): string[] => {
  const s = m.scenario.result.errorSamples.find((x) => m.classes.some(([cls]) => x.includes(cls.replace("_", " ")) || x.includes(cls)));
  return s === undefined ? [] : [`e.g. ${s.slice(0, 160)}`];
};

export const HTTP_RULES = [
  defineRule<ErrorMatch>({
    id: "http.server-errors",
    culprit: "target",
    area: "http",
    scope: "scenario",
    title: "The service answered with 5xx errors",
    impact: (m) => (m.count / Math.max(1, m.total) > ERROR_RATE_MAX ? "high" : "medium"),
    runbook: "docs/runbooks/http-errors.md · https://www.rfc-editor.org/rfc/rfc9110#section-15.6",
    when: (subject) => {
      const s = httpScenario(subject);
      return s === undefined ? undefined : errors(s, isServerError);
    },
    evidence: (m) => [listed(m), ...sample(m)],
    recommendation: (m) =>
      `read the service's log for these ${m.classes[0]?.[0] ?? "5xx"} answers: under load a 5xx usually means an exhausted database pool or ` +
      "worker queue; scale the service (kubectl scale deployment <service> --replicas=N) or raise its pool, then re-run at the rate " +
      "where error_rate < 0.1 % (add the threshold: error_rate < 0.1%)",
  }),
  defineRule<ErrorMatch>({
    id: "http.request-errors",
    culprit: "target",
    area: "http",
    scope: "scenario",
    title: "Requests failed without an answer, or with a 4xx",
    impact: "high",
    runbook: "docs/runbooks/http-errors.md",
    when: (subject) => {
      const s = httpScenario(subject);
      const m = s === undefined ? undefined : errors(s, (cls) => !isServerError(cls));
      // Timeouts on a busy machine or behind a saturated pipebench are not the service's to answer for.
      if (m === undefined || notTheTarget(m.scenario)) return undefined;
      return m.count / Math.max(1, m.total) > ERROR_RATE_MAX ? m : undefined;
    },
    evidence: (m) => [listed(m), ...sample(m)],
    recommendation: (m) => {
      const top = m.classes[0]?.[0] ?? "";
      if (top === "TIMEOUT" || top === "timeout-at-end") {
        return "requests timed out: the service is slower than the rate asks; lower --rate, or raise the target's timeout only if that latency is acceptable";
      }
      if (top === "ECONNREFUSED" || top === "ECONNRESET") {
        return "connections were refused or reset: check that the service listens and its accept backlog (net.core.somaxconn, the server's backlog) and connection limit; lower the target's connections if it caps them";
      }
      if (/^HTTP_4\d\d$/.test(top)) return "the requests themselves are wrong: check the workload's method, path, headers and body (or expect.status if that answer is fine)";
      return "look at the error samples in pipebench show and the service's log";
    },
  }),
  defineRule<{ scenario: StoredScenario }>({
    id: "http.latency-high",
    culprit: "target",
    area: "http",
    scope: "scenario",
    title: "HTTP p95 above 100 ms",
    impact: "medium",
    runbook: "docs/runbooks/http-latency.md",
    when: (subject) => {
      const s = httpScenario(subject);
      if (s === undefined || s.result.latency.count === 0 || s.result.latency.p95 <= P95_MAX_MS) return undefined;
      // Latency made in pipebench's own queue or on a busy machine: the culprit rules say so instead.
      if (!latencyIsTheTargets(s)) return undefined;
      return { scenario: s };
    },
    evidence: ({ scenario }) => {
      const l = scenario.result.latency;
      const sv = scenario.result.service;
      return [
        `p95 ${formatMs(l.p95)} (alert above ${P95_MAX_MS} ms), p50 ${formatMs(l.p50)}, p99 ${formatMs(l.p99)}`,
        `service time p95 ${formatMs(sv.p95)}: ${sv.p95 < l.p95 * 0.5 ? "most of the latency is waiting to be sent while earlier requests held the service (it could not keep up with the rate)" : "the service itself is slow"}`,
      ];
    },
    recommendation: () =>
      "find where the time goes: the service's database queries (see the postgres findings; EXPLAIN the slow ones), its pool waits, " +
      "and its CPU; scale it out (kubectl scale deployment <service> --replicas=N) if it is CPU-bound",
  }),
];
