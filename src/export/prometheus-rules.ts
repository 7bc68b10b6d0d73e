// A suite's thresholds as Prometheus rules on the service's own metrics (the suite's `monitoring:`
// names them), so the targets a load test proved carry on as alerts in production:
//   - latency percentiles → histogram_quantile over the service's request-duration histogram, as
//     seed 002's HighLatency rule;
//   - error_rate → the SRE workbook's multi-window burn-rate alerts, the objective being 1 − the
//     threshold, with one recording rule per window so the alerts read as ratios;
//   - a prometheus probe's reading (`promql.cpu < 0.7`) → its own query, as seed 002's HighCPUUsage;
//   - everything else (throughput floors, other probe readings, client-side timings) has no
//     service-side equivalent and is listed as skipped, with the reason.
import { Document } from "yaml";
import type { Suite } from "../suite/types.js";
import type { PromSelector } from "../suite/monitoring.js";
import type { Threshold } from "../thresholds/parse.js";
import { isLatencyMetric } from "../thresholds/metrics.js";
import { BURN_WINDOWS, RATE_WINDOWS } from "./burn-rate.js";

export interface RecordingRule {
  record: string;
  expr: string;
  labels: Record<string, string>;
}
export interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
export type Rule = RecordingRule | AlertingRule;
export interface RuleGroup {
  name: string;
  rules: Rule[];
}
export interface RuleFile {
  groups: RuleGroup[];
}

/** A threshold the rules leave out, and why. */
export interface SkippedThreshold {
  /** Dotted path in the suite, e.g. `scenarios.ingest.thresholds.2`. */
  path: string;
  expr: string;
  reason: string;
}

/** A mapping the suite's thresholds need and `monitoring:` lacks (or one that names no scenario). */
export interface MissingMapping {
  /** Where the message points (dotted path): the threshold that needs the field. */
  path: string;
  /** The field under `monitoring:`, e.g. `latency`, `scenarios.ingest`. */
  field: string;
  message: string;
  fix: string;
}

export type RulesOutcome =
  | { ok: true; rules: RuleFile; skipped: SkippedThreshold[] }
  | { ok: false; missing: MissingMapping[] };

/** How long a latency threshold must be broken before its alert fires (seed 002 uses 2m). */
export const LATENCY_FOR = "2m";
/** The rate window of the latency alerts, as seed 002's. */
export const LATENCY_WINDOW = "5m";
/** Recording rule names: `pipebench:error_ratio:rate5m` etc. */
export const ERROR_RATIO_RECORD = "pipebench:error_ratio:rate";

const FIX: Record<"latency" | "requests" | "errors", string> = {
  latency: 'add monitoring: { latency: "http_request_duration_seconds{job=\\"…\\"}" }: the service\'s request-duration histogram (its name without _bucket)',
  requests: 'add monitoring: { requests: "http_requests_total{job=\\"…\\"}" }: the counter of every request the service handled',
  errors: 'add monitoring: { errors: "http_requests_total{job=\\"…\\",code=~\\"5..\\"}" }: the counter of the failed ones',
};

interface Scope {
  /** The suite's path of the thresholds list. */
  path: string;
  /** Absent for suite-level thresholds (the whole service). */
  scenario?: string;
  thresholds: readonly Threshold[];
}

export function prometheusRules(suite: Suite): RulesOutcome {
  const monitoring = suite.monitoring ?? {};
  const service = monitoring.service ?? suite.name;
  const unit = monitoring.latencyUnit ?? "s";
  const skipped: SkippedThreshold[] = [];
  const missing = new Map<string, MissingMapping>();
  const need = (field: "latency" | "requests" | "errors", path: string, t: Threshold): boolean => {
    if (monitoring[field] !== undefined) return true;
    if (!missing.has(field)) {
      missing.set(field, { path, field, message: `"${t.expr}" needs monitoring.${field}, which the suite does not set`, fix: FIX[field] });
    }
    return false;
  };

  // The prometheus probe's readings (`promql.cpu`): their PromQL is already the service-side metric.
  const promql = new Map<string, string>();
  for (const probe of suite.probes) if (probe.kind === "prometheus") for (const [name, q] of Object.entries(probe.queries ?? {})) promql.set(name, q);
  const names = suite.scenarios.map((s) => s.name);
  for (const name of Object.keys(monitoring.scenarios ?? {})) {
    if (names.includes(name)) continue;
    missing.set(`scenarios.${name}`, {
      path: `monitoring.scenarios.${name}`,
      field: `scenarios.${name}`,
      message: `names scenario "${name}", which the suite does not have`,
      fix: `scenarios are: ${names.join(", ")}`,
    });
  }

  const scopes: Scope[] = [
    ...suite.scenarios.map((s) => ({ path: `scenarios.${s.name}.thresholds`, scenario: s.name, thresholds: s.thresholds })),
    { path: "thresholds", thresholds: suite.thresholds },
  ];
  const groups: RuleGroup[] = [];
  for (const scope of scopes) {
    const extra = scope.scenario === undefined ? undefined : monitoring.scenarios?.[scope.scenario];
    const labels: Record<string, string> = { service, ...(scope.scenario === undefined ? {} : { scenario: scope.scenario }) };
    const where = scope.scenario === undefined ? service : `${service} (${scope.scenario})`;
    const recording: RecordingRule[] = [];
    const alerts: AlertingRule[] = [];
    // With a scenarios map, the service's metrics stand for the scenarios it names only.
    if (scope.scenario !== undefined && monitoring.scenarios !== undefined && extra === undefined) {
      if (scope.thresholds.length > 0) {
        skipped.push({
          path: scope.path,
          expr: scope.thresholds.map((t) => t.expr).join(", "),
          reason: "not under monitoring.scenarios (the service's metrics do not stand for it)",
        });
      }
      continue;
    }
    scope.thresholds.forEach((t, i) => {
      const path = `${scope.path}.${i}`;
      const query = t.metric.startsWith("promql.") ? promql.get(t.metric.slice("promql.".length)) : undefined;
      if (query !== undefined && t.op !== "==" && t.kind !== "duration") {
        alerts.push(promqlAlert(t, query, labels, where));
        return;
      }
      const problem = unsupported(t);
      if (problem !== undefined) {
        skipped.push({ path, expr: t.expr, reason: problem });
        return;
      }
      if (t.kind === "duration") {
        if (!need("latency", path, t) || monitoring.latency === undefined) return;
        alerts.push(latencyAlert(t, monitoring.latency, extra, unit, labels, where));
        return;
      }
      const okRequests = need("requests", path, t);
      const okErrors = need("errors", path, t);
      if (!okRequests || !okErrors || monitoring.requests === undefined || monitoring.errors === undefined) return;
      if (recording.length === 0) recording.push(...errorRatioRecords(monitoring.errors, monitoring.requests, extra, labels));
      alerts.push(...burnRateAlerts(t, labels, where));
      const never = BURN_WINDOWS.filter((w) => w.factor * t.value >= 1);
      if (never.length > 0) {
        skipped.push({
          path,
          expr: t.expr,
          reason: `burn windows left out, as they would need an error ratio past 100 %: ${never.map((w) => `${w.factor}× over ${w.long} and ${w.short} (${w.severity})`).join(", ")}`,
        });
      }
    });
    if (recording.length + alerts.length > 0) {
      const name = scope.scenario === undefined ? `pipebench:${service}` : `pipebench:${service}:${scope.scenario}`;
      groups.push({ name, rules: [...recording, ...alerts] });
    }
  }
  if (missing.size > 0) return { ok: false, missing: [...missing.values()] };
  return { ok: true, rules: { groups }, skipped };
}

/** Why a threshold has no rule, or undefined when it has one. */
function unsupported(t: Threshold): string | undefined {
  const dot = t.metric.indexOf(".");
  const qualifier = dot < 0 ? undefined : t.metric.slice(0, dot);
  const name = dot < 0 ? t.metric : t.metric.slice(dot + 1);
  if (t.kind === "duration" && isLatencyMetric(name)) {
    if (qualifier !== undefined && qualifier !== "service") {
      return `${qualifier} is measured by pipebench's client, not by the service's histogram`;
    }
    if (name === "min" || name === "max") return `a histogram's buckets cannot tell its ${name}`;
    if (t.op === "==") return "an equality has no alert";
    return undefined;
  }
  if (t.metric === "error_rate") {
    if (t.op !== "<" && t.op !== "<=") return "only an upper bound on error_rate is an objective";
    if (!(t.value > 0 && t.value < 1)) return "an objective needs an error budget above 0% and below 100%";
    return undefined;
  }
  if (t.metric === "throughput" || t.metric === "ops" || t.metric === "peak_throughput" || t.metric === "mbps") {
    return "production traffic is set by its users: a throughput floor is what the load test asked of the service, not an alert";
  }
  return "no counterpart among the service's metrics";
}

/** How long a probe reading must be past its threshold before the alert fires (seed 002's CPU and memory rules). */
export const PROMQL_FOR = "5m";

/**
 * `promql.cpu < 0.7` with the probe's query: the reading was the largest value over the series, so
 * the alert fires when the largest one breaks the threshold (seed 002's HighCPUUsage).
 */
function promqlAlert(t: Threshold, query: string, labels: Record<string, string>, where: string): AlertingRule {
  const name = t.metric.slice("promql.".length);
  const camel = name.replace(/(^|_)([a-z0-9])/g, (_m, _sep: string, c: string) => c.toUpperCase());
  return {
    alert: `Promql${camel}`,
    expr: `max(${query}) ${BROKEN_BY[t.op]} ${promNumber(t.value)}`,
    for: PROMQL_FOR,
    labels: { ...labels, severity: "warning" },
    annotations: {
      summary: `${name} of ${where} breaks the load test's threshold ${t.expr}`,
      description: `${name} is {{ $value }} (threshold ${t.expr}; query ${query})`,
    },
  };
}

/** `metric<suffix>{matchers, extra}`. */
function selector(s: PromSelector, extra: string | undefined, suffix = ""): string {
  const matchers = [s.matchers, extra ?? ""].filter((m) => m !== "").join(", ");
  return `${s.metric}${suffix}${matchers === "" ? "" : `{${matchers}}`}`;
}

/** A number as PromQL writes it: no exponent for the usual sizes, no float noise. */
export function promNumber(n: number): string {
  return String(Number(n.toPrecision(12)));
}

/** The comparison that breaks the threshold: `p95 < 100ms` is broken by p95 >= 0.1. */
const BROKEN_BY: Record<Threshold["op"], string> = { "<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=" };

function latencyAlert(
  t: Threshold,
  latency: PromSelector,
  extra: string | undefined,
  unit: "s" | "ms",
  labels: Record<string, string>,
  where: string,
): AlertingRule {
  const stat = t.metric.replace(/^service\./, "");
  const value = unit === "s" ? t.value / 1000 : t.value;
  const inner =
    stat === "mean"
      ? `sum(rate(${selector(latency, extra, "_sum")}[${LATENCY_WINDOW}])) / sum(rate(${selector(latency, extra, "_count")}[${LATENCY_WINDOW}]))`
      : `histogram_quantile(${promNumber(Number(stat.slice(1)) / 100)}, sum by (le) (rate(${selector(latency, extra, "_bucket")}[${LATENCY_WINDOW}])))`;
  const shown = unit === "s" ? "{{ $value | humanizeDuration }}" : "{{ $value }}ms";
  return {
    alert: `HighLatency${stat === "mean" ? "Mean" : stat.replace(".", "").toUpperCase()}`,
    expr: `${inner} ${BROKEN_BY[t.op]} ${promNumber(value)}`,
    for: LATENCY_FOR,
    labels: { ...labels, severity: "warning" },
    annotations: {
      summary: `${stat} latency of ${where} breaks the load test's threshold ${t.expr}`,
      description: `${stat} over ${LATENCY_WINDOW} is ${shown} (threshold ${t.expr})`,
    },
  };
}

function errorRatioRecords(errors: PromSelector, requests: PromSelector, extra: string | undefined, labels: Record<string, string>): RecordingRule[] {
  return RATE_WINDOWS.map((w) => ({
    record: `${ERROR_RATIO_RECORD}${w}`,
    expr: `sum(rate(${selector(errors, extra)}[${w}])) / sum(rate(${selector(requests, extra)}[${w}]))`,
    labels,
  }));
}

function burnRateAlerts(t: Threshold, labels: Record<string, string>, where: string): AlertingRule[] {
  const budget = promNumber(t.value);
  const objective = promNumber((1 - t.value) * 100);
  // The suite's own ratio only: `scenario=""` keeps its alert off the scenarios' recorded ratios,
  // which carry the same service label.
  const match = Object.entries({ ...labels, scenario: labels.scenario ?? "" })
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(", ");
  const ratio = (w: string): string => `${ERROR_RATIO_RECORD}${w}{${match}}`;
  const severities = [...new Set(BURN_WINDOWS.map((w) => w.severity))];
  // A budget this large cannot burn this fast (factor × budget ≥ 1 is an error ratio past 100 %):
  // such a window would be an alert that never fires, so it is left out (and said on stderr).
  const possible = BURN_WINDOWS.filter((w) => w.factor * t.value < 1);
  return severities.flatMap((severity) => {
    const windows = possible.filter((w) => w.severity === severity);
    if (windows.length === 0) return [];
    const expr = windows
      .map((w) => `(${ratio(w.long)} > (${w.factor} * ${budget}) and ${ratio(w.short)} > (${w.factor} * ${budget}))`)
      .join(" or ");
    const shape = windows.map((w) => `${w.factor}× over ${w.long} and ${w.short}`).join(", or ");
    return {
      alert: "ErrorBudgetBurn",
      expr,
      labels: { ...labels, severity },
      annotations: {
        summary: `${where} burns its error budget (objective ${objective}% from the load test's threshold ${t.expr})`,
        description: `error ratio {{ $value | humanizePercentage }} over the long window: the budget of ${budget} burns at ${shape}`,
      },
    };
  });
}

/** The rule file as Prometheus reads it: YAML, no anchors (each rule stands alone), no folding. */
export function rulesYaml(rules: RuleFile, suiteName: string): string {
  const doc = new Document(rules, { aliasDuplicateObjects: false });
  doc.commentBefore = ` Prometheus rules from pipebench suite ${suiteName} (pipebench export prometheus-rules).\n Check them with: promtool check rules FILE`;
  return doc.toString({ lineWidth: 0 });
}
