// Reading a service's own /metrics: one GET, parsed with prom2javascript (the Prometheus text
// exposition format, 0.0.4; see docs/decisions.md for why that package). Only the families asked
// for are handed to the parser: it refuses a whole page over one value it cannot read (NaN, which
// prom-client's event-loop gauges give before their first measurement), and a probe that reads a
// histogram must not fail because of an unrelated gauge.
import { Readable } from "node:stream";
import { getMetricsFromStream, type PromHistogramData, type PromMetrics } from "prom2javascript";

const SUFFIXES = ["", "_bucket", "_sum", "_count", "_total"];
/** The text format; OpenMetrics-only endpoints answer it too (it is the format every scraper takes). */
const ACCEPT = "text/plain;version=0.0.4;q=1,*/*;q=0.1";

export interface Exposition {
  /** Family name → type as the page's `# TYPE` line says ("histogram", "counter", …). */
  readonly types: ReadonlyMap<string, string>;
  readonly metrics: PromMetrics;
}

/** Fetches `url` and parses the families named (and the TYPE line of every family). */
export async function scrape(url: string, families: readonly string[], timeoutMs: number): Promise<Exposition> {
  const response = await fetch(url, { headers: { accept: ACCEPT }, signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status} ${response.statusText}`);
  return parseFamilies(await response.text(), families);
}

export async function parseFamilies(text: string, families: readonly string[]): Promise<Exposition> {
  const wanted = new Set(families.flatMap((f) => SUFFIXES.map((s) => f + s)));
  const types = new Map<string, string>();
  const kept: string[] = [];
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) {
      const m = /^#\s+(TYPE|HELP)\s+(\S+)/.exec(line);
      if (m?.[1] === "TYPE") types.set(m[2]!, line.slice(m[0].length).trim());
      if (m !== null && families.includes(m[2]!)) kept.push(line);
      continue;
    }
    // A sample line starts with its name, up to `{` or a space.
    const name = /^[^{\s]+/.exec(line.trimStart())?.[0];
    if (name !== undefined && wanted.has(name)) kept.push(line);
  }
  const metrics = kept.length === 0 ? {} : await getMetricsFromStream(Readable.from([kept.join("\n") + "\n"]));
  return { types, metrics };
}

/** The series of a histogram family whose labels include all of `match`. */
export function histogramSeries(exposition: Exposition, family: string, match: Readonly<Record<string, string>>): PromHistogramData[] {
  const data = exposition.metrics[family]?.data ?? [];
  return (data as PromHistogramData[]).filter((d) => d.buckets !== undefined && Object.entries(match).every(([k, v]) => d.labels[k] === v));
}

/** The sum of a counter's or gauge's series, or undefined when the page has none of it. */
export function sampleSum(exposition: Exposition, family: string): number | undefined {
  const data = exposition.metrics[family]?.data as { value?: number }[] | undefined;
  if (data === undefined || data.length === 0) return undefined;
  return data.reduce((acc, d) => acc + (d.value ?? 0), 0);
}
