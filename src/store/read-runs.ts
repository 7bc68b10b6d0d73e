// Reading runs back from the results store: run references (an id, latest, latest~N, baseline, a
// tag), the list of runs, and a whole run with its scenarios, histograms, series and probe
// readings, as the rest of pipebench sees them (model.ts).
import type Database from "better-sqlite3";
import type { ObservedLatency, ScenarioResult } from "../metrics/summary.js";
import type { JsonValue } from "../probes/probe.js";
import type { RunEnvironment, RunListing, RunRow, StoredProbeReading, StoredRun, StoredRunStatus, StoredScenario, StoredSummary, StoredThreshold, Variant } from "./model.js";

type Row = Record<string, unknown>;

/** An optional histogram's field, present when its row is. */
function histogramField<K extends string>(field: K, row: Row | undefined): Partial<Record<K, string>> {
  return row === undefined ? {} : ({ [field]: String(row.encoded) } as Partial<Record<K, string>>);
}

/** The baseline run id of a suite, when one is set. */
export function baselineOf(db: Database.Database, suiteName: string): number | undefined {
  const row = db.prepare(`select run_id from baselines where suite_name = ?`).get(suiteName) as Row | undefined;
  return row === undefined ? undefined : Number(row.run_id);
}

/**
 * A run reference as the CLI takes it: a run id, `latest`, `latest~N` (N runs before the latest),
 * `baseline` (of `suite`, or of the latest run's suite) or a tag (its newest run).
 * Undefined when nothing matches.
 */
export function resolveRef(db: Database.Database, ref: string, options: { suite?: string } = {}): number | undefined {
  const suiteFilter = options.suite === undefined ? "" : "and r.suite_name = @suite";
  const params = options.suite === undefined ? {} : { suite: options.suite };
  // A number past what SQLite's integers hold names no run (and must not reach a bind as a float).
  if (/^\d+$/.test(ref)) return Number.isSafeInteger(Number(ref)) ? runRowsWhere(db, `r.id = @id`, { id: Number(ref) })[0]?.id : undefined;
  const back = /^latest(?:~(\d+))?$/.exec(ref);
  if (back && !Number.isSafeInteger(Number(back[1] ?? 0))) return undefined;
  if (back) {
    const row = db
      .prepare(`select r.id from runs r where 1 = 1 ${suiteFilter} order by r.id desc limit 1 offset @skip`)
      .get({ ...params, skip: Number(back[1] ?? 0) }) as Row | undefined;
    return row === undefined ? undefined : Number(row.id);
  }
  if (ref === "baseline") {
    const suite = options.suite ?? listRuns(db, { limit: 1 })[0]?.suiteName;
    return suite === undefined ? undefined : baselineOf(db, suite);
  }
  const tagged = db
    .prepare(`select r.id from runs r where r.tag = @tag ${suiteFilter} order by r.id desc limit 1`)
    .get({ ...params, tag: ref }) as Row | undefined;
  return tagged === undefined ? undefined : Number(tagged.id);
}

export function runRowsWhere(db: Database.Database, where: string, params: Record<string, unknown>): RunRow[] {
  const rows = db
    .prepare(
      `select r.*, (select count(*) from scenarios s where s.run_id = r.id) as scenario_count
       from runs r where ${where} order by r.id desc`,
    )
    .all(params) as Row[];
  return rows.map(toRunRow);
}

export function listRuns(db: Database.Database, options: { limit?: number; suite?: string } = {}): RunListing[] {
  const rows = db
    .prepare(
      `select r.*, (select count(*) from scenarios s where s.run_id = r.id) as scenario_count,
              (select count(distinct s.name) from scenarios s where s.run_id = r.id) as distinct_scenarios
       from runs r ${options.suite === undefined ? "" : "where r.suite_name = @suite"}
       order by r.id desc limit @limit`,
    )
    .all({ limit: options.limit ?? 20, ...(options.suite === undefined ? {} : { suite: options.suite }) }) as Row[];
  return rows.map((r) => ({ ...toRunRow(r), distinctScenarios: Number(r.distinct_scenarios) }));
}

/** A run by id, or "latest". Undefined when there is no such run. */
export function readRun(db: Database.Database, ref: string | number): StoredRun | undefined {
  const row = (
    ref === "latest"
      ? db.prepare(`select r.*, 0 as scenario_count from runs r order by id desc limit 1`).get()
      : db.prepare(`select r.*, 0 as scenario_count from runs r where id = ?`).get(Number(ref))
  ) as Row | undefined;
  if (row === undefined) return undefined;
  const id = Number(row.id);
  const probeRows = db
    .prepare(`select * from probe_readings where run_id = ? order by id`)
    .all(id) as Row[];
  const scenarioRows = db
    .prepare(`select * from scenarios where run_id = ? order by ordinal, trial`)
    .all(id) as Row[];
  const scenarioResults = scenarioRows.map((s): StoredScenario => {
    const sid = Number(s.id);
    const hist = db.prepare(`select kind, encoded from histograms where scenario_id = ?`).all(sid) as Row[];
    const series = db
      .prepare(`select t, ops, errors, records, bytes, p50_ms as p50, p99_ms as p99 from series where scenario_id = ? order by t`)
      .all(sid) as ScenarioResult["series"];
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
                series: db
                  .prepare(
                    `select t, arrivals, p50_ms as p50, p99_ms as p99 from observed_series
                     where scenario_id = ? and name = ? order by t`,
                  )
                  .all(sid, observed.name) as ObservedLatency["series"],
              },
            }),
      },
      thresholds: JSON.parse(String(s.thresholds)) as StoredThreshold[],
      probes: probeRows.filter((p) => Number(p.scenario_id) === sid).map(toProbe),
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
