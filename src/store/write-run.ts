// Writing a run into the results store: the run as it begins, each scenario as it finishes (its
// summary, one metrics row per number, histograms, per-second series, probe readings; secrets
// masked), the run's end, and a suite's baseline. Each scenario is one transaction, so an
// interrupted run keeps what it measured.
import type Database from "better-sqlite3";
import type { LatencySummary, ScenarioResult } from "../metrics/summary.js";
import type { NewRun, NewScenario, RunStatus, StoredProbeReading, StoredSummary, StoredThreshold } from "./model.js";
import { redact, redactStrings } from "./redact.js";
import { currentOwner } from "./run-owner.js";

/** The numbers kept one per row for plain-SQL comparison, with their units. */
function metricRows(r: ScenarioResult): [string, number | null, string][] {
  const rows: [string, number | null, string][] = [
    ["ops", r.ops, "count"],
    ["errors", r.errors, "count"],
    ["records", r.records, "count"],
    ["bytes", r.bytes, "bytes"],
    ["ops_per_sec", r.opsPerSec, "1/s"],
    ["throughput", r.throughput, "records/s"],
    ["throughput_peak", r.peakThroughput ?? null, "records/s"],
    ["mbps", r.mbps, "MB/s"],
    ["error_rate", r.errorRate, "ratio"],
    ["dropped", r.dropped ?? null, "count"],
    ["duration", r.durationS, "s"],
    ["generator_cpu", r.generator.cpuPercent, "%"],
    ["generator_lag_p99", r.generator.eventLoopLagP99Ms, "ms"],
    ["valid", r.validity === undefined ? null : r.validity.valid ? 1 : 0, "bool"],
  ];
  const latencies: [string, LatencySummary][] = [["", r.latency], ["service.", r.service]];
  if (r.clientWait !== undefined) latencies.push(["client_wait.", r.clientWait]);
  if (r.startDelay !== undefined) latencies.push(["start_delay.", r.startDelay]);
  if (r.observed !== undefined) latencies.push([`${r.observed.name}.`, r.observed.latency]);
  for (const [prefix, s] of latencies) {
    for (const key of ["min", "mean", "stddev", "p50", "p90", "p95", "p99", "p999", "max"] as const) {
      rows.push([`${prefix}${key === "p999" ? "p99.9" : key}`, s.count > 0 ? s[key] : null, "ms"]);
    }
  }
  if (r.observed !== undefined) rows.push([`${r.observed.name}.count`, r.observed.latency.count, "count"]);
  // Counter names are snake_case and never one of the names above (the engine checks both).
  for (const [name, value] of Object.entries(r.counters ?? {})) rows.push([name, value, "count"]);
  return rows;
}

export function insertRun(db: Database.Database, run: NewRun): number {
  const owner = run.owner ?? currentOwner();
  const info = db
    .prepare(
      `insert into runs (suite_name, suite_file, started_at, status, environment, suite, tag, trials,
                         owner_pid, owner_host, owner_start)
       values (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      run.suiteName, run.suiteFile, run.startedAt, JSON.stringify(run.environment), JSON.stringify(redact(run.suite)),
      run.tag ?? null, run.trials ?? 1, owner.pid, owner.host, owner.start ?? null,
    );
  return Number(info.lastInsertRowid);
}

export function insertScenario(db: Database.Database, runId: number, s: NewScenario): number {
  const { latencyHistogram, serviceHistogram, clientWaitHistogram, startDelayHistogram, series, observed, ...rest } = s.result;
  const summary: StoredSummary = rest;
  if (observed !== undefined) {
    const { histogram: _histogram, series: _series, ...kept } = observed;
    summary.observed = kept;
  }
  return db.transaction(() => {
    const info = db
      .prepare(
        `insert into scenarios (run_id, ordinal, name, trial, variant, target, target_kind, workload, load, status,
           started_at, duration_s, result, thresholds)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        runId, s.ordinal, s.name, s.trial ?? 0, s.variant === undefined ? null : JSON.stringify(s.variant), s.target, s.targetKind,
        JSON.stringify(redact(s.workload)), JSON.stringify(s.load), s.result.status,
        // A failure message or an error class may quote what a server said, secrets included.
        s.result.startedAt, s.result.durationS, JSON.stringify(redactStrings(summary)), JSON.stringify(s.thresholds),
      );
    const id = Number(info.lastInsertRowid);
    const metric = db.prepare(`insert into metrics (scenario_id, name, value, unit) values (?, ?, ?, ?)`);
    for (const [name, value, unit] of metricRows(s.result)) metric.run(id, name, value, unit);
    const hist = db.prepare(`insert into histograms (scenario_id, kind, encoded) values (?, ?, ?)`);
    hist.run(id, "latency", latencyHistogram);
    hist.run(id, "service", serviceHistogram);
    if (clientWaitHistogram !== undefined) hist.run(id, "client_wait", clientWaitHistogram);
    if (startDelayHistogram !== undefined) hist.run(id, "start_delay", startDelayHistogram);
    const point = db.prepare(
      `insert into series (scenario_id, t, ops, errors, records, bytes, p50_ms, p99_ms) values (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const p of series) point.run(id, p.t, p.ops, p.errors, p.records, p.bytes, p.p50, p.p99);
    if (observed !== undefined) {
      hist.run(id, observed.name, observed.histogram);
      const arrivals = db.prepare(
        `insert into observed_series (scenario_id, name, t, arrivals, p50_ms, p99_ms) values (?, ?, ?, ?, ?, ?)`,
      );
      for (const p of observed.series) arrivals.run(id, observed.name, p.t, p.arrivals, p.p50, p.p99);
    }
    for (const p of s.probes) insertProbe(db, runId, id, p);
    return id;
  })();
}

export function insertProbe(db: Database.Database, runId: number, scenarioId: number | null, p: StoredProbeReading): void {
  db
    .prepare(
      `insert into probe_readings (run_id, scenario_id, target, probe, phase, taken_at, metrics, details, notes)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      runId, scenarioId, p.target, p.probe, p.phase, p.takenAt, JSON.stringify(p.reading.metrics),
      // Probe details hold server-side text (pg_stat_statements' statements): masked like the rest.
      p.reading.details === undefined ? null : JSON.stringify(redactStrings(p.reading.details)), JSON.stringify(redactStrings(p.reading.notes)),
    );
}

export function updateRunEnd(db: Database.Database, runId: number, status: RunStatus, exitCode: number, thresholds: readonly StoredThreshold[]): void {
  db
    .prepare(`update runs set finished_at = ?, status = ?, exit_code = ?, thresholds = ? where id = ?`)
    .run(Date.now(), status, exitCode, JSON.stringify(thresholds), runId);
}

/** Marks `runId` as `suiteName`'s baseline; one baseline per suite. */
export function upsertBaseline(db: Database.Database, suiteName: string, runId: number): void {
  db.prepare(
    `insert into baselines (suite_name, run_id, set_at) values (?, ?, ?)
     on conflict (suite_name) do update set run_id = excluded.run_id, set_at = excluded.set_at`,
  ).run(suiteName, runId, Date.now());
}
