// The `prometheus` probe: named PromQL queries against a Prometheus server, each evaluated with
// /api/v1/query at the scenario's start, every `every` while it runs, and at its end. A query's
// reading `promql.<name>` is the largest value seen over the scenario (across samples and across
// the series one sample returns): seed 002's targets (CPU < 70 %, memory < 80 %) are about peaks
// under load. The mean and last value are kept beside it.
import { firstLine, SuiteError, TargetUnreachable } from "../errors.js";
import { suiteLines } from "../suite/suite-lines.js";
import type { JsonValue, Probe, ProbeReading, ProbeSnapshot } from "./probe.js";

export interface PrometheusOptions {
  /** The server's base URL, e.g. http://127.0.0.1:9090 */
  url: string;
  /** Reading name → PromQL. */
  queries: Readonly<Record<string, string>>;
  sampleEveryMs?: number;
  /** Where the queries are written, for errors: the suite file and the probe's index. */
  source: { file: string; index: number };
}

/** The pseudo-target the readings are filed under: thresholds name them `promql.<name>`. */
export const PROMQL = "promql";
const QUERY_TIMEOUT_MS = 10_000;
const MAX_HISTORY = 100_000;

type QueryAnswer = { ok: true; values: number[] } | { ok: false; errorType: string; error: string };

async function instantQuery(url: string, expr: string): Promise<QueryAnswer> {
  const response = await fetch(`${url.replace(/\/+$/, "")}/api/v1/query`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ query: expr }).toString(),
    signal: AbortSignal.timeout(QUERY_TIMEOUT_MS),
  });
  const body = (await response.json().catch(() => undefined)) as
    | { status?: string; errorType?: string; error?: string; data?: { resultType?: string; result?: unknown } }
    | undefined;
  if (body?.status !== "success") {
    return { ok: false, errorType: body?.errorType ?? `http ${response.status}`, error: body?.error ?? `${response.status} ${response.statusText}` };
  }
  const result = body.data?.result;
  switch (body.data?.resultType) {
    case "scalar":
      return { ok: true, values: [Number((result as [number, string])[1])] };
    case "vector":
      return { ok: true, values: (result as { value: [number, string] }[]).map((r) => Number(r.value[1])) };
    default:
      return { ok: false, errorType: "bad_data", error: `the query gives a ${body.data?.resultType ?? "?"}; a reading needs an instant vector or a scalar` };
  }
}

export function prometheusProbe(options: PrometheusOptions): Probe & { check(): Promise<void> } {
  const names = Object.keys(options.queries);
  // `failed`: a query's error in that sample (Prometheus down, or the query rejected mid-run), so the
  // summary tells a server that stopped answering from a query that matched no series.
  const samples: { at: number; values: Record<string, number>; failed: Record<string, string> }[] = [];
  return {
    kind: "prometheus",
    ...(options.sampleEveryMs === undefined ? {} : { sampleEveryMs: options.sampleEveryMs }),

    /** Before the run: every query once. One Prometheus rejects is a mistake in the suite (exit 2). */
    async check(): Promise<void> {
      const answers = await Promise.all(
        names.map(async (name) => {
          try {
            return [name, await instantQuery(options.url, options.queries[name]!)] as const;
          } catch (error) {
            throw new TargetUnreachable(PROMQL, `the prometheus probe cannot reach ${options.url}: ${(error as Error).message}`, {
              hint: "start Prometheus, or correct the probe's url",
              cause: error,
            });
          }
        }),
      );
      const rejected = answers.filter((a): a is readonly [string, Extract<QueryAnswer, { ok: false }>] => !a[1].ok);
      if (rejected.length === 0) return;
      // Not an answer of Prometheus's API at all (no JSON status): the URL is wrong, not the query.
      const notProm = rejected.find(([, a]) => a.errorType.startsWith("http "));
      if (notProm !== undefined) {
        throw new TargetUnreachable(PROMQL, `${options.url} did not answer as a Prometheus server: /api/v1/query gave ${notProm[1].error}`, {
          hint: "point the prometheus probe's url at the server's base URL, e.g. http://127.0.0.1:9090",
        });
      }
      const at = await suiteLines(options.source.file);
      throw new SuiteError(
        rejected.map(([name, a]) => {
          const path = `probes[${options.source.index}].queries.${name}`;
          return {
            file: options.source.file,
            ...(at(path) ?? {}),
            path,
            message: `Prometheus at ${options.url} rejected the query (${a.errorType}): ${a.error}`,
            fix: "correct the PromQL; try it in Prometheus's /graph page or with promtool query instant",
          };
        }),
      );
    },

    async read(): Promise<ProbeSnapshot> {
      const at = Date.now();
      const values: Record<string, number> = {};
      const failed: Record<string, string> = {};
      const answers = await Promise.all(
        names.map((name) => instantQuery(options.url, options.queries[name]!).catch((error: unknown): QueryAnswer => ({ ok: false, errorType: "unreachable", error: (error as { cause?: { code?: string } }).cause?.code ?? firstLine(error) }))),
      );
      names.forEach((name, i) => {
        const answer = answers[i]!;
        if (!answer.ok) failed[name] = `${answer.errorType}: ${answer.error}`;
        const finite = answer.ok ? answer.values.filter(Number.isFinite) : [];
        if (finite.length > 0) values[name] = Math.max(...finite);
      });
      samples.push({ at, values, failed });
      if (samples.length > MAX_HISTORY) samples.splice(0, samples.length - MAX_HISTORY);
      return { at, values };
    },

    summarize(before, after): ProbeReading {
      const seen = samples.filter((s) => s.at >= before.at && s.at <= after.at);
      const metrics: Record<string, number> = {};
      const details: { [key: string]: JsonValue } = {};
      const empty: string[] = [];
      for (const name of names) {
        const values = seen.flatMap((s) => (s.values[name] === undefined ? [] : [s.values[name]]));
        if (values.length === 0) {
          empty.push(name);
          continue;
        }
        const max = Math.max(...values);
        metrics[name] = max;
        details[name] = {
          query: options.queries[name]!,
          max,
          mean: values.reduce((a, b) => a + b, 0) / values.length,
          last: values[values.length - 1]!,
          samples: values.length,
        };
      }
      const notes: string[] = [];
      for (const name of names) {
        const errors = seen.flatMap((s) => (s.failed[name] === undefined ? [] : [s.failed[name]]));
        if (errors.length > 0) notes.push(`query ${name}: Prometheus at ${options.url} gave no answer in ${errors.length} of ${seen.length} samples (last: ${errors[errors.length - 1]})`);
        // Labels are worth checking only when Prometheus did answer.
        else if (empty.includes(name)) notes.push(`query ${name} returned no series over the scenario (${options.queries[name]}): check its labels, and that Prometheus scrapes the service`);
      }
      return { metrics, details, notes };
    },
  };
}
