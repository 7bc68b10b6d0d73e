// The shape of a suite file. Only the parts the loader owns are spelt out here; a target's settings
// and a scenario's workload belong to its driver (validated by the driver's own schemas), and a
// scenario's load to the engine (LoadProfile), once `defaults.load` has been merged under it.
import { OPERATION_TIMINGS } from "../metrics/operation-timing.js";
import { z } from "zod";
import { fromK6 } from "../thresholds/parse.js";
import { closest } from "./did-you-mean.js";
import { Duration, Size } from "./units.js";
import { describeValue } from "./values.js";
import { MonitoringSpec } from "./monitoring.js";

/** A suite document as plain data, before validation. */
export type SuiteData = Record<string, unknown>;

const Name = z.string().min(1);
/** A threshold expression; parsed (and its errors located) after the shape check. */
const Expression = z.unknown().transform((value, ctx) => {
  if (typeof value === "string") return value;
  const k6 = k6Entry(value);
  ctx.addIssue({
    code: "custom",
    message: `expected a threshold expression, got ${describeValue(value)}${k6 === undefined ? "" : " (k6's metric: [expressions])"}`,
    params: { fix: k6 ?? 'write metric, operator and value, e.g. "p95 < 5ms" or "throughput > 50k/s"' },
  });
  return z.NEVER;
});

/** `- http_req_duration: p(95)<500` (k6's thresholds map, as one list item) in pipebench's words. */
function k6Entry(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value);
  const [metric, exprs] = entries[0] ?? [];
  if (entries.length !== 1 || metric === undefined) return undefined;
  const list: unknown[] = Array.isArray(exprs) ? exprs : [exprs];
  const ours = list.map((e) => (typeof e === "string" ? fromK6(`${metric} ${e}`)?.expr : undefined));
  if (ours.length === 0 || ours.some((e) => e === undefined)) return undefined;
  return `write ${ours.map((e) => `"${e ?? ""}"`).join(", ")}: one expression per item, in pipebench's metric names and units`;
}
const Expressions = z.array(Expression);
/** Settings validated elsewhere; here only "is it a map". */
const Settings = z.record(z.string(), z.unknown());

export const TargetSpec = z.looseObject({
  /** Picks the driver; the driver's targetSchema validates everything else (and `kind` again). */
  kind: z.string(),
});

export const ProbeSpec = z.strictObject({
  kind: z.string(),
  /** The target whose server the probe reads; none for `host`. */
  target: z.string().optional(),
  /** Sampling period during a scenario. */
  every: Duration.pipe(z.number().positive()).optional(),
  // The probes that belong to no driver take a few more keys (SERVER_PROBE_KEYS says which).
  /** prometheus: the server's URL; metrics-endpoint: the metrics page, when not the target's /metrics. */
  url: z.string().min(1).optional(),
  /** prometheus: reading name → PromQL, read in thresholds as `promql.<name>`. */
  queries: z.record(z.string(), z.string().min(1)).optional(),
  /** metrics-endpoint: the request-duration histogram (seconds), and which of its series. */
  histogram: z.string().min(1).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  /** metrics-endpoint: the service's CPU limit (cores) and memory limit, for usage as a share of them. */
  cpuLimit: z.number().positive().optional(),
  memoryLimit: Size.optional(),
});

/** The keys each probe kind takes; the kinds that belong to no driver are listed by name. */
export const SERVER_PROBE_KEYS: Readonly<Record<string, readonly string[]>> = {
  prometheus: ["kind", "url", "queries", "every"],
  "metrics-endpoint": ["kind", "target", "url", "histogram", "labels", "cpuLimit", "memoryLimit", "every"],
};
export const DRIVER_PROBE_KEYS: readonly string[] = ["kind", "target", "every"];

/** A percentage: "50%", or a number of percent (50; below 1 it is refused as ambiguous: 0.5 of what?). */
const Percent = z.union([z.string(), z.number()]).transform((value, ctx) => {
  if (typeof value === "number" && value > 0 && value < 1) {
    ctx.addIssue({
      code: "custom",
      message: `${value} is ambiguous: a plain number is a percentage here`,
      params: { fix: `write ${value * 100}% for that fraction, or ${value}% if you mean it` },
    });
    return z.NEVER;
  }
  const m = typeof value === "number" ? [String(value), String(value)] : /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(value);
  const n = m === null ? NaN : Number(m[1]);
  if (n > 0 && n <= 100) return n / 100;
  ctx.addIssue({
    code: "custom",
    message: `expected a percentage above 0% and at most 100%, got ${describeValue(value)}`,
    params: { fix: 'write e.g. "50%"' },
  });
  return z.NEVER;
});

/**
 * When errors stop a scenario: `continue` (never), `abort` (at the first error), or a limit, `abortAt`
 * an error rate reached in each of `for` seconds in a row. Absent: the default limit, 100% for 3 s.
 */
export const OnErrorLimit = z.strictObject({
  abortAt: Percent,
  /** Whole seconds; at least 1. */
  for: Duration.pipe(z.number().min(1000, { message: "expected at least 1s" })).optional(),
});
export const OnErrorSpec = z.unknown().transform((value, ctx): "continue" | "abort" | z.output<typeof OnErrorLimit> => {
  if (value === "continue" || value === "abort") return value;
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    // Inside a transform the key walk of "did you mean" does not reach: name the keys here.
    const keys = Object.keys(OnErrorLimit.shape);
    const unknown = Object.keys(value).filter((k) => !keys.includes(k));
    for (const key of unknown) {
      const guess = closest(key, keys);
      ctx.addIssue({
        code: "custom",
        message: `unknown key "${key}" in an onError limit`,
        path: [key],
        params: { fix: guess === undefined ? "a limit takes abortAt and for" : `did you mean "${guess}"?` },
      });
    }
    if (!("abortAt" in value)) {
      ctx.addIssue({
        code: "custom",
        message: "an onError limit needs abortAt: the error rate that stops the scenario",
        params: { fix: "write e.g. { abortAt: 50%, for: 5s }" },
      });
    }
    if (unknown.length > 0 || !("abortAt" in value)) return z.NEVER;
    const limit = OnErrorLimit.safeParse(value);
    if (limit.success) return limit.data;
    for (const issue of limit.error.issues) {
      ctx.addIssue({ code: "custom", message: issue.message, path: issue.path, params: "params" in issue ? issue.params : undefined });
    }
    return z.NEVER;
  }
  ctx.addIssue({
    code: "custom",
    message: `expected continue, abort or a limit, got ${describeValue(value)}`,
    params: { fix: "write onError: continue (never stop), abort (stop at the first error) or { abortAt: 50%, for: 5s }" },
  });
  return z.NEVER;
});

export const ScenarioSpec = z.strictObject({
  description: z.string().optional(),
  target: z.string(),
  workload: Settings,
  /** Optional when `defaults.load` is a complete profile. */
  load: Settings.optional(),
  thresholds: Expressions.optional(),
  /** Setting (relative to the scenario) → values; several keys make a grid (src/suite/expand-sweeps.ts). */
  sweep: z.record(z.string(), z.array(z.union([z.string(), z.number(), z.boolean()])).min(1)).optional(),
  /** continue | abort | { abortAt: 50%, for: 5s }; see OnErrorSpec. */
  onError: OnErrorSpec.optional(),
});

export const DefaultsSpec = z.strictObject({
  /** Merged under every scenario's `load`, key by key, where the scenario's executor takes the key. */
  load: Settings.optional(),
});

export const SuiteFile = z.strictObject({
  name: Name.optional(),
  description: z.string().optional(),
  targets: z.record(z.string(), TargetSpec),
  probes: z.array(ProbeSpec).optional(),
  defaults: DefaultsSpec.optional(),
  scenarios: z.record(z.string(), ScenarioSpec),
  thresholds: Expressions.optional(),
  /** The service's own Prometheus metric names, for `pipebench export prometheus-rules`. */
  monitoring: MonitoringSpec.optional(),
});
export type SuiteFile = z.output<typeof SuiteFile>;

export const TOP_LEVEL_KEYS: readonly string[] = Object.keys(SuiteFile.shape);

/**
 * Target names appear in `pg.cache_hit_ratio` and `{{targets.pg.url}}`, scenario names in
 * `--set scenarios.NAME.…`: neither may contain dots or spaces. `service.`, `client_wait.` and
 * `start_delay.` prefix latency metrics, the host probe's readings are filed under `host` and the
 * prometheus probe's under `promql`, so targets cannot take those names.
 */
export const TARGET_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
export const SCENARIO_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
export const RESERVED_TARGET_NAMES: ReadonlySet<string> = new Set([...OPERATION_TIMINGS, "host", "promql"]);
