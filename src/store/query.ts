// The one question capacity planning asks of the store: this metric of this scenario, by variant,
// across runs ("throughput of copy by workers, in every run of the suite since June"). Answered
// from the `metrics` table (one row per number, as the README's sqlite3 example reads it), without
// loading whole runs; its callers take rows and know no SQL.
import type { Variant } from "./model.js";
import { jsonText, type Sql } from "./sql.js";

export interface ScenarioMetricQuery {
  /** A metric as stored: throughput, ops_per_sec, p99, service.p99, error_rate, a counter … */
  metric: string;
  /** The suite's name; every suite when absent. */
  suite?: string;
  /** The scenario as written: its sweep points (`copy[workers=4]`) and find-max steps come with it. */
  scenario?: string;
  /** Runs started at or after this (epoch ms). */
  since?: number;
}

export interface ScenarioMetricRow {
  runId: number;
  tag: string | null;
  suite: string;
  /** Epoch ms. */
  startedAt: number;
  /** As stored: `copy`, `copy[workers=4]`, `copy[rate=55]`. */
  scenario: string;
  variant?: Variant;
  trial: number;
  value: number | null;
  unit: string;
  /** The result's validity verdict; null for results stored before verdicts existed. */
  valid: boolean | null;
  hostCores: number | null;
  /** The scenario's target's server version, when the run recorded it. */
  targetVersion: string | null;
}

export async function scenarioMetrics(sql: Sql, q: ScenarioMetricQuery): Promise<ScenarioMetricRow[]> {
  const scenario = q.scenario ?? null;
  const rows = await sql.all(
    `select r.id, r.tag, r.suite_name, r.started_at, s.name, s.variant, s.trial, m.value, m.unit,
            (select v.value from metrics v where v.scenario_id = s.id and v.name = 'valid') as valid,
            ${jsonText(sql.dialect, "r.environment", ["'host'", "'cores'"])} as host_cores,
            ${jsonText(sql.dialect, "r.environment", ["'targets'", "s.target", "'version'"])} as target_version
     from metrics m join scenarios s on s.id = m.scenario_id join runs r on r.id = s.run_id
     where m.name = ?
       and (cast(? as text) is null or r.suite_name = ?)
       -- the scenario itself, or its variants: "copy[" begins each of them (no LIKE: names may hold % or _)
       and (cast(? as text) is null or s.name = ? or substr(s.name, 1, length(cast(? as text)) + 1) = cast(? as text) || '[')
       and (cast(? as bigint) is null or r.started_at >= ?)
     order by r.id, s.ordinal, s.trial`,
    [q.metric, q.suite ?? null, q.suite ?? null, scenario, scenario, scenario, scenario, q.since ?? null, q.since ?? null],
  );
  return rows.map((r) => ({
    runId: Number(r.id),
    tag: r.tag === null ? null : String(r.tag),
    suite: String(r.suite_name),
    startedAt: Number(r.started_at),
    scenario: String(r.name),
    ...(r.variant === null ? {} : { variant: JSON.parse(String(r.variant)) as Variant }),
    trial: Number(r.trial),
    value: r.value === null ? null : Number(r.value),
    unit: String(r.unit),
    valid: r.valid === null ? null : Number(r.valid) === 1,
    hostCores: r.host_cores === null ? null : Number(r.host_cores),
    targetVersion: r.target_version === null ? null : String(r.target_version),
  }));
}
