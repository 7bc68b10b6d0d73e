// Writing a run into the results store: the run as it begins, each scenario as it finishes (its
// summary, one metrics row per number, histograms, per-second series, probe readings; secrets
// masked), the run's end, and a suite's baseline. Each scenario is one transaction, so an
// interrupted run keeps what it measured.
import type { LatencySummary, ScenarioResult } from "../metrics/summary.js";
import type { NewRun, NewScenario, RunStatus, StoredProbeReading, StoredSummary, StoredThreshold } from "./model.js";
import { redact, redactStrings } from "./redact.js";
import { currentOwner } from "./run-owner.js";
import type { Sql } from "./sql.js";

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

export async function insertRun(sql: Sql, run: NewRun): Promise<number> {
  const owner = run.owner ?? currentOwner();
  const row = await sql.get(
    `insert into runs (suite_name, suite_file, started_at, status, environment, suite, tag, trials,
                       owner_pid, owner_host, owner_start, heartbeat_at)
     values (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?) returning id`,
    [
      // Epoch ms columns are integers (PostgreSQL's bigint refuses a fraction; an agreed start has one).
      run.suiteName, run.suiteFile, Math.round(run.startedAt), JSON.stringify(run.environment), JSON.stringify(redact(run.suite)),
      run.tag ?? null, run.trials ?? 1, owner.pid, owner.host, owner.start ?? null, Date.now(),
    ],
  );
  return Number(row?.id);
}

export function insertScenario(sql: Sql, runId: number, s: NewScenario): Promise<number> {
  const { latencyHistogram, serviceHistogram, clientWaitHistogram, startDelayHistogram, series, observed, ...rest } = s.result;
  const summary: StoredSummary = rest;
  if (observed !== undefined) {
    const { histogram: _histogram, series: _series, ...kept } = observed;
    summary.observed = kept;
  }
  return sql.transaction(async (tx) => {
    const row = await tx.get(
      `insert into scenarios (run_id, ordinal, name, trial, variant, target, target_kind, workload, load, status,
         started_at, duration_s, result, thresholds)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning id`,
      [
        runId, s.ordinal, s.name, s.trial ?? 0, s.variant === undefined ? null : JSON.stringify(s.variant), s.target, s.targetKind,
        JSON.stringify(redact(s.workload)), JSON.stringify(s.load), s.result.status,
        // A failure message or an error class may quote what a server said, secrets included.
        Math.round(s.result.startedAt), s.result.durationS, JSON.stringify(redactStrings(summary)), JSON.stringify(s.thresholds),
      ],
    );
    const id = Number(row?.id);
    // One statement per table, not one per row: a round trip each on a PostgreSQL store.
    await insertRows(tx, "metrics (scenario_id, name, value, unit)", metricRows(s.result).map((m) => [id, ...m]));
    const histograms: [string, string][] = [["latency", latencyHistogram], ["service", serviceHistogram]];
    if (clientWaitHistogram !== undefined) histograms.push(["client_wait", clientWaitHistogram]);
    if (startDelayHistogram !== undefined) histograms.push(["start_delay", startDelayHistogram]);
    if (observed !== undefined) histograms.push([observed.name, observed.histogram]);
    await insertRows(tx, "histograms (scenario_id, kind, encoded)", histograms.map((h) => [id, ...h]));
    await insertRows(
      tx,
      "series (scenario_id, t, ops, errors, records, bytes, p50_ms, p99_ms)",
      series.map((p) => [id, p.t, p.ops, p.errors, p.records, p.bytes, p.p50, p.p99]),
    );
    if (observed !== undefined) {
      await insertRows(
        tx,
        "observed_series (scenario_id, name, t, arrivals, p50_ms, p99_ms)",
        observed.series.map((p) => [id, observed.name, p.t, p.arrivals, p.p50, p.p99]),
      );
    }
    for (const p of s.probes) await insertProbe(tx, runId, id, p);
    return id;
  });
}

/**
 * `rows` into `into` ("table (columns)") with multi-row inserts, in chunks that keep the bound
 * parameters under SQLite's limit (32,766) and PostgreSQL's (65,535).
 */
async function insertRows(sql: Sql, into: string, rows: readonly (readonly unknown[])[]): Promise<void> {
  const width = rows[0]?.length ?? 0;
  if (width === 0) return;
  const perStatement = Math.max(1, Math.floor(30_000 / width));
  const tuple = `(${Array.from({ length: width }, () => "?").join(", ")})`;
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    await sql.run(`insert into ${into} values ${chunk.map(() => tuple).join(", ")}`, chunk.flat());
  }
}

export async function insertProbe(sql: Sql, runId: number, scenarioId: number | null, p: StoredProbeReading): Promise<void> {
  await sql.run(
    `insert into probe_readings (run_id, scenario_id, target, probe, phase, taken_at, metrics, details, notes)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      runId, scenarioId, p.target, p.probe, p.phase, Math.round(p.takenAt), JSON.stringify(p.reading.metrics),
      // Probe details hold server-side text (pg_stat_statements' statements): masked like the rest.
      p.reading.details === undefined ? null : JSON.stringify(redactStrings(p.reading.details)), JSON.stringify(redactStrings(p.reading.notes)),
    ],
  );
}

export async function updateRunEnd(sql: Sql, runId: number, status: RunStatus, exitCode: number, thresholds: readonly StoredThreshold[]): Promise<void> {
  await sql.run(`update runs set finished_at = ?, status = ?, exit_code = ?, thresholds = ? where id = ?`, [
    Date.now(), status, exitCode, JSON.stringify(thresholds), runId,
  ]);
}

/** The runs' process is still there (see HEARTBEAT_MS in open-store.ts). */
export async function beat(sql: Sql, runIds: readonly number[]): Promise<void> {
  if (runIds.length > 0) await sql.run(`update runs set heartbeat_at = ? where id in (${runIds.map(() => "?").join(", ")})`, [Date.now(), ...runIds]);
}

/** Marks `runId` as `suiteName`'s baseline; one baseline per suite. */
export async function upsertBaseline(sql: Sql, suiteName: string, runId: number): Promise<void> {
  await sql.run(
    `insert into baselines (suite_name, run_id, set_at) values (?, ?, ?)
     on conflict (suite_name) do update set run_id = excluded.run_id, set_at = excluded.set_at`,
    [suiteName, runId, Date.now()],
  );
}
