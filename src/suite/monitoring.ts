// A suite's `monitoring:` section: the names the service's own Prometheus metrics go by, so
// `pipebench export prometheus-rules` can turn the suite's thresholds into alerts on them. Each
// metric is a PromQL vector selector (`http_requests_total{job="ingest"}`), parsed with Prometheus's
// own grammar (@prometheus-io/lezer-promql), never with a pattern of ours.
import { parser } from "@prometheus-io/lezer-promql";
import { z } from "zod";
import { describeValue } from "./values.js";

/** A vector selector taken apart: the metric name and the matchers as written (without braces). */
export interface PromSelector {
  /** As written, trimmed. */
  text: string;
  metric: string;
  /** `job="ingest",code=~"5.."`, or "" when there are none. */
  matchers: string;
}

/** `{route="/ingest"}` or `route="/ingest"`: extra matchers (at least one), parsed the same way. */
export function parseMatchers(text: string): string | undefined {
  const inner = text.trim().replace(/^\{([\s\S]*)\}$/, "$1").trim();
  if (inner === "") return undefined;
  const selector = parseSelector(`up{${inner}}`);
  return selector?.matchers;
}

/** A single vector selector with a metric name, or undefined when `text` is anything else. */
export function parseSelector(text: string): PromSelector | undefined {
  const src = text.trim();
  const tree = parser.parse(src);
  let bad = false;
  let selectors = 0;
  let metric: string | undefined;
  let matchers = "";
  tree.iterate({
    enter(node) {
      if (node.type.isError) bad = true;
      else if (node.name === "VectorSelector") {
        selectors++;
        if (node.from !== 0 || node.to !== src.length) bad = true;
      } else if (node.name === "Identifier" && metric === undefined) metric = src.slice(node.from, node.to);
      else if (node.name === "LabelMatchers") matchers = src.slice(node.from + 1, node.to - 1).trim().replace(/,$/, "");
      // Anything around the selector (a function, an operator, a range) makes it something else.
      else if (!["PromQL", "VectorSelector", "Identifier", "LabelMatchers"].includes(node.name) && selectors === 0) bad = true;
    },
  });
  if (bad || selectors !== 1 || metric === undefined) return undefined;
  return { text: src, metric, matchers };
}

const Selector = z.string().transform((value, ctx): PromSelector => {
  const parsed = parseSelector(value);
  if (parsed !== undefined) return parsed;
  ctx.addIssue({
    code: "custom",
    message: `expected a Prometheus metric selector, got ${describeValue(value)}`,
    params: { fix: 'write a metric name with optional label matchers, e.g. http_requests_total{job="ingest"}' },
  });
  return z.NEVER;
});

const Matchers = z.string().transform((value, ctx): string => {
  const parsed = parseMatchers(value);
  if (parsed !== undefined) return parsed;
  ctx.addIssue({
    code: "custom",
    message: `expected Prometheus label matchers, got ${describeValue(value)}`,
    params: { fix: 'write e.g. \'{route="/ingest"}\': the labels that pick this scenario\'s series' },
  });
  return z.NEVER;
});

export const MonitoringSpec = z.strictObject({
  /** Names the alerts' `service` label and the rule groups; the suite's name when absent. */
  service: z.string().regex(/^[A-Za-z0-9_.:-]+$/, { message: "use letters, digits, _ . : and -" }).optional(),
  /** The service's request-duration histogram (classic buckets: `<name>_bucket`, `_sum`, `_count`). */
  latency: Selector.optional(),
  /** The histogram's unit: Prometheus's convention is seconds. */
  latencyUnit: z.enum(["s", "ms"]).optional(),
  /** Counter of every request the service handled. */
  requests: Selector.optional(),
  /** Counter of the failed ones (the same counter with a status matcher, or its own). */
  errors: Selector.optional(),
  /**
   * Scenario name → extra matchers for that scenario's series (e.g. its route). When given, only
   * these scenarios' thresholds become rules (the others load other targets).
   */
  scenarios: z.record(z.string(), Matchers).optional(),
});
export type Monitoring = z.output<typeof MonitoringSpec>;
