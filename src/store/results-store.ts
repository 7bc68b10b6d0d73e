// The results store: every run, kept in an embedded SQLite database (default
// .pipebench/results.db). Scenarios are written as they finish, so an interrupted or failed run
// keeps what it measured.
import { existsSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { StoreError } from "../errors.js";
import type { LatencySummary, ObservedLatency, ScenarioResult } from "../metrics/summary.js";
import type { JsonValue, ProbeReading } from "../probes/probe.js";
import { MIGRATIONS } from "./schema.js";
import { redact, redactStrings } from "./redact.js";
import { currentOwner, ownerGone, type RunOwner } from "./run-owner.js";

export const DEFAULT_STORE = ".pipebench/results.db";

/** `invalid`: the thresholds passed, but a result they judged is invalid (exit 4). */
export type RunStatus = "running" | "passed" | "failed" | "invalid" | "error" | "interrupted";
/** As stored: also `incomplete`, a run whose process died while it was `running` (SIGKILL, a crash). */
export type StoredRunStatus = RunStatus | "incomplete";

/** A threshold's verdict as stored; the thresholds module produces it. */
export interface StoredThreshold {
  expr: string;
  passed: boolean;
  actual: number | null;
  target: number;
  kind: string;
  note?: string;
}

export interface RunEnvironment {
  pipebench: string;
  node: string;
  host: Record<string, JsonValue>;
  targets: Record<string, { kind: string; version?: string }>;
}

export interface NewRun {
  suiteName: string;
  suiteFile: string;
  startedAt: number;
  environment: RunEnvironment;
  /** The resolved suite; redacted before it is written. */
  suite: unknown;
  /** A label for finding the run again (`--tag`); compare and report accept it as a ref. */
  tag?: string;
  /** Trials per scenario (`--trials`). */
  trials?: number;
  /** The process writing the run; this process unless given. */
  owner?: RunOwner;
}

/** A sweep combination: the setting paths and the values this scenario ran with. */
export type Variant = Record<string, JsonValue>;

export interface NewScenario {
  ordinal: number;
  name: string;
  /** 0-based; a scenario run with --trials N is stored N times. */
  trial?: number;
  variant?: Variant;
  target: string;
  targetKind: string;
  workload: unknown;
  load: unknown;
  result: ScenarioResult;
  thresholds: readonly StoredThreshold[];
  probes: readonly StoredProbeReading[];
}

export interface StoredProbeReading {
  target: string | null;
  probe: string;
  phase: "interval" | "sample";
  takenAt: number;
  reading: ProbeReading;
}

export interface RunRow {
  id: number;
  suiteName: string;
  suiteFile: string;
  startedAt: number;
  finishedAt: number | null;
  status: StoredRunStatus;
  exitCode: number | null;
  scenarios: number;
  tag: string | null;
  trials: number;
}

/** A run as `runs` lists it. */
export interface RunListing extends RunRow {
  /** Distinct scenarios among the stored results (each trial and each sweep point is a result). */
  distinctScenarios: number;
}

export interface StoredScenario extends Omit<NewScenario, "thresholds" | "probes" | "trial"> {
  id: number;
  trial: number;
  status: string;
  thresholds: StoredThreshold[];
  probes: StoredProbeReading[];
}

export interface StoredRun extends RunRow {
  environment: RunEnvironment;
  suite: unknown;
  thresholds: StoredThreshold[];
  runProbes: StoredProbeReading[];
  scenarioResults: StoredScenario[];
}

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

/** ScenarioResult as the scenarios.result column keeps it: histograms and series live in tables. */
type StoredSummary = Omit<
  ScenarioResult,
  "latencyHistogram" | "serviceHistogram" | "clientWaitHistogram" | "startDelayHistogram" | "series" | "observed"
> & {
  observed?: Omit<ObservedLatency, "histogram" | "series">;
};

type Row = Record<string, unknown>;

/** An optional histogram's field, present when its row is. */
function histogramField<K extends string>(field: K, row: Row | undefined): Partial<Record<K, string>> {
  return row === undefined ? {} : ({ [field]: String(row.encoded) } as Partial<Record<K, string>>);
}

export class ResultsStore {
  readonly path: string;
  private readonly db: Database.Database;
  /** Runs this process began and has not finished. */
  private readonly unfinished = new Set<number>();

  private constructor(path: string, db: Database.Database) {
    this.path = path;
    this.db = db;
  }

  /**
   * Opens (creating and migrating when needed) the store at `path`. `create: false` for commands that
   * only read: a mistyped --store is an error, not a new empty database.
   */
  static open(path: string = DEFAULT_STORE, options: { create?: boolean } = {}): ResultsStore {
    const full = resolve(path);
    if (options.create === false && !existsSync(full)) {
      throw new StoreError(`there is no results store at ${full}`, {
        hint: "`pipebench run` writes one there; or point --store at the one you have",
      });
    }
    let db: Database.Database;
    try {
      mkdirSync(dirname(full), { recursive: true });
      db = new Database(full);
      // Another program's SQLite file is left as it is: no journal mode, no tables of ours.
      const version = db.pragma("user_version", { simple: true }) as number;
      const tables = (db.prepare("select count(*) as n from sqlite_master").get() as { n: number }).n;
      if (version === 0 && tables > 0) {
        db.close();
        throw new StoreError(`${full} is an SQLite database, but not a pipebench results store`, {
          hint: "pass --store with the path of a results store, or of a new file",
        });
      }
      db.pragma("journal_mode = WAL");
      db.pragma("foreign_keys = ON");
      db.pragma("busy_timeout = 5000");
    } catch (cause) {
      if (cause instanceof StoreError) throw cause;
      throw new StoreError(`cannot open the results store at ${full}: ${(cause as Error).message}`, {
        hint: "check that the directory is writable, or pass --store PATH",
        cause,
      });
    }
    const store = new ResultsStore(full, db);
    store.migrate();
    store.markAbandoned();
    return store;
  }

  /**
   * Marks `incomplete` the runs still `running` whose process is gone (killed mid-run), and returns
   * their ids. Runs of live processes, of other hosts, and of stores older than schema 4 (no owner
   * recorded) are left as they are.
   */
  markAbandoned(): number[] {
    const rows = this.db
      .prepare(`select id, owner_pid, owner_host, owner_start from runs where status = 'running' and owner_pid is not null`)
      .all() as Row[];
    const gone = rows.filter((r) =>
      ownerGone({
        pid: Number(r.owner_pid),
        host: String(r.owner_host),
        ...(r.owner_start === null ? {} : { start: String(r.owner_start) }),
      }),
    );
    if (gone.length === 0) return [];
    try {
      // `and status = 'running'`: another process opening the store at the same time may mark it too.
      const mark = this.db.prepare(`update runs set status = 'incomplete' where id = ? and status = 'running'`);
      for (const r of gone) mark.run(r.id);
    } catch {
      // A store this process may only read (read-only file or medium): reading it must still work.
      return [];
    }
    return gone.map((r) => Number(r.id));
  }

  private migrate(): void {
    const version = (): number => this.db.pragma("user_version", { simple: true }) as number;
    if (version() > MIGRATIONS.length) {
      throw new StoreError(
        `the results store ${this.path} was written by a newer pipebench (schema ${version()})`,
        { hint: "upgrade pipebench, or use another store with --store PATH" },
      );
    }
    if (version() === MIGRATIONS.length) return;
    // Foreign keys off while migrating: a migration that rebuilds a table must not cascade-delete
    // the rows referencing it. The pragma is ignored inside a transaction, so it is set around.
    this.db.pragma("foreign_keys = OFF");
    try {
      // `immediate`: two pipebench processes opening an old store at once migrate it once.
      this.db.transaction(() => {
        for (let i = version(); i < MIGRATIONS.length; i++) {
          this.db.exec(MIGRATIONS[i] ?? "");
          this.db.pragma(`user_version = ${i + 1}`);
        }
        const broken = this.db.pragma("foreign_key_check") as unknown[];
        if (broken.length > 0) throw new StoreError(`migrating ${this.path} left ${broken.length} dangling rows`);
      }).immediate();
    } finally {
      this.db.pragma("foreign_keys = ON");
    }
  }

  beginRun(run: NewRun): number {
    const owner = run.owner ?? currentOwner();
    const info = this.db
      .prepare(
        `insert into runs (suite_name, suite_file, started_at, status, environment, suite, tag, trials,
                           owner_pid, owner_host, owner_start)
         values (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        run.suiteName, run.suiteFile, run.startedAt, JSON.stringify(run.environment), JSON.stringify(redact(run.suite)),
        run.tag ?? null, run.trials ?? 1, owner.pid, owner.host, owner.start ?? null,
      );
    const id = Number(info.lastInsertRowid);
    this.unfinished.add(id);
    return id;
  }

  saveScenario(runId: number, s: NewScenario): number {
    const { latencyHistogram, serviceHistogram, clientWaitHistogram, startDelayHistogram, series, observed, ...rest } = s.result;
    const summary: StoredSummary = rest;
    if (observed !== undefined) {
      const { histogram: _histogram, series: _series, ...kept } = observed;
      summary.observed = kept;
    }
    return this.db.transaction(() => {
      const info = this.db
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
      const metric = this.db.prepare(`insert into metrics (scenario_id, name, value, unit) values (?, ?, ?, ?)`);
      for (const [name, value, unit] of metricRows(s.result)) metric.run(id, name, value, unit);
      const hist = this.db.prepare(`insert into histograms (scenario_id, kind, encoded) values (?, ?, ?)`);
      hist.run(id, "latency", latencyHistogram);
      hist.run(id, "service", serviceHistogram);
      if (clientWaitHistogram !== undefined) hist.run(id, "client_wait", clientWaitHistogram);
      if (startDelayHistogram !== undefined) hist.run(id, "start_delay", startDelayHistogram);
      const point = this.db.prepare(
        `insert into series (scenario_id, t, ops, errors, records, bytes, p50_ms, p99_ms) values (?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const p of series) point.run(id, p.t, p.ops, p.errors, p.records, p.bytes, p.p50, p.p99);
      if (observed !== undefined) {
        hist.run(id, observed.name, observed.histogram);
        const arrivals = this.db.prepare(
          `insert into observed_series (scenario_id, name, t, arrivals, p50_ms, p99_ms) values (?, ?, ?, ?, ?, ?)`,
        );
        for (const p of observed.series) arrivals.run(id, observed.name, p.t, p.arrivals, p.p50, p.p99);
      }
      for (const p of s.probes) this.insertProbe(runId, id, p);
      return id;
    })();
  }

  saveRunProbe(runId: number, reading: StoredProbeReading): void {
    this.insertProbe(runId, null, reading);
  }

  private insertProbe(runId: number, scenarioId: number | null, p: StoredProbeReading): void {
    this.db
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

  finishRun(runId: number, status: RunStatus, exitCode: number, thresholds: readonly StoredThreshold[]): void {
    this.db
      .prepare(`update runs set finished_at = ?, status = ?, exit_code = ?, thresholds = ? where id = ?`)
      .run(Date.now(), status, exitCode, JSON.stringify(thresholds), runId);
    this.unfinished.delete(runId);
  }

  /**
   * Ends every run this process began and has not finished, as `status`: for a forced quit (a second
   * Ctrl-C) that exits without winding the run down. Synchronous, so a signal handler can call it.
   */
  finishUnfinished(status: RunStatus, exitCode: number): void {
    for (const id of [...this.unfinished]) this.finishRun(id, status, exitCode, []);
  }

  /** Marks a run as its suite's baseline (`compare baseline latest`); one baseline per suite. */
  setBaseline(runId: number): RunRow {
    const run = this.listRunsWhere(`r.id = @id`, { id: runId })[0];
    if (run === undefined) throw new StoreError(`there is no run ${runId} in ${this.path}`, { hint: "list the runs with: pipebench runs" });
    this.db
      .prepare(`insert into baselines (suite_name, run_id, set_at) values (?, ?, ?)
                on conflict (suite_name) do update set run_id = excluded.run_id, set_at = excluded.set_at`)
      .run(run.suiteName, runId, Date.now());
    return run;
  }

  /** The baseline run id of a suite, when one is set. */
  baselineOf(suiteName: string): number | undefined {
    const row = this.db.prepare(`select run_id from baselines where suite_name = ?`).get(suiteName) as Row | undefined;
    return row === undefined ? undefined : Number(row.run_id);
  }

  /**
   * A run reference as the CLI takes it: a run id, `latest`, `latest~N` (N runs before the latest),
   * `baseline` (of `suite`, or of the latest run's suite) or a tag (its newest run).
   * Undefined when nothing matches.
   */
  resolveRef(ref: string, options: { suite?: string } = {}): number | undefined {
    const suiteFilter = options.suite === undefined ? "" : "and r.suite_name = @suite";
    const params = options.suite === undefined ? {} : { suite: options.suite };
    // A number past what SQLite's integers hold names no run (and must not reach a bind as a float).
    if (/^\d+$/.test(ref)) return Number.isSafeInteger(Number(ref)) ? this.listRunsWhere(`r.id = @id`, { id: Number(ref) })[0]?.id : undefined;
    const back = /^latest(?:~(\d+))?$/.exec(ref);
    if (back && !Number.isSafeInteger(Number(back[1] ?? 0))) return undefined;
    if (back) {
      const row = this.db
        .prepare(`select r.id from runs r where 1 = 1 ${suiteFilter} order by r.id desc limit 1 offset @skip`)
        .get({ ...params, skip: Number(back[1] ?? 0) }) as Row | undefined;
      return row === undefined ? undefined : Number(row.id);
    }
    if (ref === "baseline") {
      const suite = options.suite ?? this.listRuns({ limit: 1 })[0]?.suiteName;
      return suite === undefined ? undefined : this.baselineOf(suite);
    }
    const tagged = this.db
      .prepare(`select r.id from runs r where r.tag = @tag ${suiteFilter} order by r.id desc limit 1`)
      .get({ ...params, tag: ref }) as Row | undefined;
    return tagged === undefined ? undefined : Number(tagged.id);
  }

  private listRunsWhere(where: string, params: Record<string, unknown>): RunRow[] {
    const rows = this.db
      .prepare(
        `select r.*, (select count(*) from scenarios s where s.run_id = r.id) as scenario_count
         from runs r where ${where} order by r.id desc`,
      )
      .all(params) as Row[];
    return rows.map(toRunRow);
  }

  listRuns(options: { limit?: number; suite?: string } = {}): RunListing[] {
    const rows = this.db
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
  getRun(ref: string | number): StoredRun | undefined {
    const row = (
      ref === "latest"
        ? this.db.prepare(`select r.*, 0 as scenario_count from runs r order by id desc limit 1`).get()
        : this.db.prepare(`select r.*, 0 as scenario_count from runs r where id = ?`).get(Number(ref))
    ) as Row | undefined;
    if (row === undefined) return undefined;
    const id = Number(row.id);
    const probeRows = this.db
      .prepare(`select * from probe_readings where run_id = ? order by id`)
      .all(id) as Row[];
    const scenarioRows = this.db
      .prepare(`select * from scenarios where run_id = ? order by ordinal, trial`)
      .all(id) as Row[];
    const scenarioResults = scenarioRows.map((s): StoredScenario => {
      const sid = Number(s.id);
      const hist = this.db.prepare(`select kind, encoded from histograms where scenario_id = ?`).all(sid) as Row[];
      const series = this.db
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
                  series: this.db
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

  close(): void {
    this.db.close();
  }
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
