// Reading runs back from the results store: run references (an id, latest, latest~N, baseline, a
// tag), the list of runs, and a whole run with its scenarios, histograms, series and probe
// readings, as the rest of pipebench sees them (model.ts).
import type { JsonValue } from "../probes/probe.js";
import type { RunEnvironment, RunListing, RunRow, StoredProbeReading, StoredRun, StoredRunStatus, StoredScenario, StoredSummary, StoredThreshold, Variant } from "./model.js";
import type { Row, Sql } from "./sql.js";

/** An optional histogram's field, present when its row is. */
function histogramField<K extends string>(field: K, row: Row | undefined): Partial<Record<K, string>> {
  return row === undefined ? {} : ({ [field]: String(row.encoded) } as Partial<Record<K, string>>);
}

/** The baseline run id of a suite, when one is set. */
export async function baselineOf(sql: Sql, suiteName: string): Promise<number | undefined> {
  const row = await sql.get(`select run_id from baselines where suite_name = ?`, [suiteName]);
  return row === undefined ? undefined : Number(row.run_id);
}

/**
 * A run reference as the CLI takes it: a run id, `latest`, `latest~N` (N runs before the latest),
 * `baseline` (of `suite`, or of the latest run's suite) or a tag (its newest run).
 * Undefined when nothing matches.
 */
export async function resolveRef(sql: Sql, ref: string, options: { suite?: string } = {}): Promise<number | undefined> {
  const suiteFilter = options.suite === undefined ? "" : "and r.suite_name = ?";
  const params = options.suite === undefined ? [] : [options.suite];
  // A number past what SQLite's integers hold names no run (and must not reach a bind as a float).
  if (/^\d+$/.test(ref)) return Number.isSafeInteger(Number(ref)) ? (await runRowsWhere(sql, `r.id = ?`, [Number(ref)]))[0]?.id : undefined;
  const back = /^latest(?:~(\d+))?$/.exec(ref);
  if (back && !Number.isSafeInteger(Number(back[1] ?? 0))) return undefined;
  if (back) {
    const row = await sql.get(`select r.id from runs r where 1 = 1 ${suiteFilter} order by r.id desc limit 1 offset ?`, [...params, Number(back[1] ?? 0)]);
    return row === undefined ? undefined : Number(row.id);
  }
  if (ref === "baseline") {
    const suite = options.suite ?? (await listRuns(sql, { limit: 1 }))[0]?.suiteName;
    return suite === undefined ? undefined : baselineOf(sql, suite);
  }
  const tagged = await sql.get(`select r.id from runs r where r.tag = ? ${suiteFilter} order by r.id desc limit 1`, [ref, ...params]);
  return tagged === undefined ? undefined : Number(tagged.id);
}

export async function runRowsWhere(sql: Sql, where: string, params: readonly unknown[]): Promise<RunRow[]> {
  const rows = await sql.all(
    `select r.*, (select count(*) from scenarios s where s.run_id = r.id) as scenario_count
     from runs r where ${where} order by r.id desc`,
    params,
  );
  return rows.map(toRunRow);
}

export async function listRuns(sql: Sql, options: { limit?: number; suite?: string } = {}): Promise<RunListing[]> {
  const rows = await sql.all(
    `select r.*, (select count(*) from scenarios s where s.run_id = r.id) as scenario_count,
            (select count(distinct s.name) from scenarios s where s.run_id = r.id) as distinct_scenarios
     from runs r ${options.suite === undefined ? "" : "where r.suite_name = ?"}
     order by r.id desc limit ?`,
    [...(options.suite === undefined ? [] : [options.suite]), options.limit ?? 20],
  );
  return rows.map((r) => ({ ...toRunRow(r), distinctScenarios: Number(r.distinct_scenarios) }));
}

/** A run by id, or "latest". Undefined when there is no such run. */
export async function readRun(sql: Sql, ref: string | number): Promise<StoredRun | undefined> {
  const row =
    ref === "latest"
      ? await sql.get(`select r.*, 0 as scenario_count from runs r order by id desc limit 1`)
      : await sql.get(`select r.*, 0 as scenario_count from runs r where id = ?`, [Number(ref)]);
  if (row === undefined) return undefined;
  const id = Number(row.id);
  const probeRows = await sql.all(`select * from probe_readings where run_id = ? order by id`, [id]);
  const scenarioRows = await sql.all(`select * from scenarios where run_id = ? order by ordinal, trial`, [id]);
  // A run's histograms and series in one query per table, not one per scenario.
  const byScenario = async (text: string): Promise<Map<number, Row[]>> => {
    const out = new Map<number, Row[]>();
    for (const r of await sql.all(text, [id])) {
      const key = Number(r.scenario_id);
      const rows = out.get(key);
      if (rows === undefined) out.set(key, [r]);
      else rows.push(r);
    }
    return out;
  };
  const histograms = await byScenario(
    `select h.scenario_id, h.kind, h.encoded from histograms h join scenarios s on s.id = h.scenario_id where s.run_id = ?`,
  );
  const seriesRows = await byScenario(
    `select p.* from series p join scenarios s on s.id = p.scenario_id where s.run_id = ? order by p.scenario_id, p.t`,
  );
  const observedRows = await byScenario(
    `select o.* from observed_series o join scenarios s on s.id = o.scenario_id where s.run_id = ? order by o.scenario_id, o.t`,
  );
  const scenarioResults = scenarioRows.map((s): StoredScenario => {
    const sid = Number(s.id);
    const hist = histograms.get(sid) ?? [];
    const series = (seriesRows.get(sid) ?? []).map((p) => ({
      t: Number(p.t),
      ops: Number(p.ops),
      errors: Number(p.errors),
      records: Number(p.records),
      bytes: Number(p.bytes),
      p50: numberOrNull(p.p50_ms),
      p99: numberOrNull(p.p99_ms),
    }));
    const { observed, ...summary } = JSON.parse(String(s.result)) as StoredSummary;
    return {
      id: sid,
      ordinal: Number(s.ordinal),
      name: String(s.name),
      trial: Number(s.trial),
      ...(s.variant === null ? {} : { variant: JSON.parse(String(s.variant)) as Variant }),
      target: String(s.target),
      targetKind: String(s.target_kind),
      workload: JSON.parse(String(s.workload)),
      load: JSON.parse(String(s.load)),
      status: String(s.status),
      result: {
        ...summary,
        latencyHistogram: String(hist.find((h) => h.kind === "latency")?.encoded ?? ""),
        serviceHistogram: String(hist.find((h) => h.kind === "service")?.encoded ?? ""),
        ...histogramField("clientWaitHistogram", hist.find((h) => h.kind === "client_wait")),
        ...histogramField("startDelayHistogram", hist.find((h) => h.kind === "start_delay")),
        series,
        ...(observed === undefined
          ? {}
          : {
              observed: {
                ...observed,
                histogram: String(hist.find((h) => h.kind === observed.name)?.encoded ?? ""),
                series: (observedRows.get(sid) ?? [])
                  .filter((o) => o.name === observed.name)
                  .map((o) => ({ t: Number(o.t), arrivals: Number(o.arrivals), p50: numberOrNull(o.p50_ms), p99: numberOrNull(o.p99_ms) })),
              },
            }),
      },
      thresholds: JSON.parse(String(s.thresholds)) as StoredThreshold[],
      probes: probeRows.filter((p) => p.scenario_id !== null && Number(p.scenario_id) === sid).map(toProbe),
    };
  });
  return {
    ...toRunRow({ ...row, scenario_count: scenarioRows.length }),
    environment: JSON.parse(String(row.environment)) as RunEnvironment,
    suite: JSON.parse(String(row.suite)),
    thresholds: JSON.parse(String(row.thresholds)) as StoredThreshold[],
    runProbes: probeRows.filter((p) => p.scenario_id === null).map(toProbe),
    scenarioResults,
  };
}

function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function toRunRow(r: Row): RunRow {
  return {
    id: Number(r.id),
    suiteName: String(r.suite_name),
    suiteFile: String(r.suite_file),
    startedAt: Number(r.started_at),
    finishedAt: r.finished_at === null ? null : Number(r.finished_at),
    status: String(r.status) as StoredRunStatus,
    exitCode: r.exit_code === null ? null : Number(r.exit_code),
    scenarios: Number(r.scenario_count),
    tag: r.tag === null || r.tag === undefined ? null : String(r.tag),
    trials: r.trials === undefined ? 1 : Number(r.trials),
  };
}

function toProbe(p: Row): StoredProbeReading {
  const details = p.details === null ? undefined : (JSON.parse(String(p.details)) as JsonValue);
  return {
    target: p.target === null ? null : String(p.target),
    probe: String(p.probe),
    phase: String(p.phase) as "interval" | "sample",
    takenAt: Number(p.taken_at),
    reading: {
      metrics: JSON.parse(String(p.metrics)) as Record<string, number>,
      notes: JSON.parse(String(p.notes)) as string[],
      ...(details === undefined ? {} : { details }),
    },
  };
}
