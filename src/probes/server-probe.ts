// The probes that belong to no driver but read a server: `prometheus` (PromQL against a Prometheus
// server, readings under `promql`) and `metrics-endpoint` (a service's own /metrics, readings under
// the target it names). Built from the suite's probe entries; the engine binds them like the rest.
import type { SuiteProbe } from "../suite/types.js";
import { metricsEndpointProbe } from "./metrics-endpoint.js";
import type { Probe } from "./probe.js";
import { PROMQL, prometheusProbe } from "./prometheus.js";

/** Sampled this often during a scenario when the suite gives no `every`. */
const DEFAULT_EVERY_MS = 5_000;

/**
 * The probe for `spec` with the name its readings are filed under, or undefined for kinds that
 * belong to a driver (or when its target has no URL to scrape).
 */
export function serverProbe(
  spec: SuiteProbe,
  suiteFile: string,
  targetUrl: (name: string) => string | undefined,
): { target: string; probe: Probe } | undefined {
  const sampleEveryMs = spec.everyMs ?? DEFAULT_EVERY_MS;
  if (spec.kind === "prometheus" && spec.url !== undefined) {
    return {
      target: PROMQL,
      probe: prometheusProbe({ url: spec.url, queries: spec.queries ?? {}, sampleEveryMs, source: { file: suiteFile, index: spec.index ?? 0 } }),
    };
  }
  if (spec.kind === "metrics-endpoint" && spec.target !== undefined) {
    const base = targetUrl(spec.target);
    const url = spec.url ?? (base === undefined ? undefined : new URL("/metrics", base).toString());
    if (url === undefined) return undefined;
    return {
      target: spec.target,
      probe: metricsEndpointProbe({
        url,
        ...(spec.histogram === undefined ? {} : { histogram: spec.histogram }),
        ...(spec.labels === undefined ? {} : { labels: spec.labels }),
        ...(spec.cpuLimit === undefined ? {} : { cpuLimit: spec.cpuLimit }),
        ...(spec.memoryLimitBytes === undefined ? {} : { memoryLimitBytes: spec.memoryLimitBytes }),
        sampleEveryMs,
      }),
    };
  }
  return undefined;
}
