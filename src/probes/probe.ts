// A probe reads a server (or this host) before, during and after a scenario. Raw snapshots are
// cumulative counters; `summarize` turns two of them into the metrics of the interval between.

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface ProbeSnapshot {
  /** Wall-clock milliseconds since the epoch. */
  readonly at: number;
  readonly values: Readonly<Record<string, number>>;
  readonly details?: JsonValue;
}

export interface ProbeReading {
  /** Metrics thresholds can name, e.g. `cache_hit_ratio` (a fraction), `mean_query_time` (ms). */
  readonly metrics: Readonly<Record<string, number>>;
  /** Structured extras for reports, e.g. the top statements by mean time. */
  readonly details?: JsonValue;
  /** Things a person should know, e.g. how to enable pg_stat_statements. */
  readonly notes: readonly string[];
}

export interface Probe {
  /** Probe kind, e.g. "postgres-stats" or "host". */
  readonly kind: string;
  /** How often to sample during a scenario; undefined means before and after only. */
  readonly sampleEveryMs?: number;
  /**
   * The interval reading starts at the end of the scenario's warm-up rather than at its start: the
   * probe counts what pipebench's measured operations did (a service's own request counts).
   */
  readonly fromMeasureStart?: boolean;
  read(): Promise<ProbeSnapshot>;
  summarize(before: ProbeSnapshot, after: ProbeSnapshot): ProbeReading;
  close?(): Promise<void>;
  /**
   * Before the run, once: throws a PipebenchError when the probe cannot work as written (a query
   * its server rejects is a SuiteError, exit 2), so the run does not start.
   */
  check?(): Promise<void>;
}
