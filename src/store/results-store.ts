// The results store: every run, kept in an embedded SQLite database (default
// .pipebench/results.db) or in PostgreSQL (--store postgres://…, shared by many machines).
// Scenarios are written as they finish, and checkpointed while they run, so an interrupted, failed
// or killed run keeps what it measured. This class is the one handle the rest of pipebench holds;
// the work is in open-store.ts (opening, migrating), write-run.ts, read-runs.ts and query.ts, the
// statements' two databases in sqlite-store.ts and postgres-store.ts, the types in model.ts.
import { StoreError } from "../errors.js";
import type { NewRun, NewScenario, RunListing, RunRow, RunStatus, StoredProbeReading, StoredRun, StoredThreshold } from "./model.js";
import { DEFAULT_STORE } from "./model.js";
import { HEARTBEAT_MS, markAbandoned, openStore } from "./open-store.js";
import { scenarioMetrics, type ScenarioMetricQuery, type ScenarioMetricRow } from "./query.js";
import { baselineOf, listRuns, readRun, resolveRef, runRowsWhere } from "./read-runs.js";
import type { OpenedSql } from "./sql.js";
import { beat, insertProbe, insertRun, insertScenario, updateRunEnd, upsertBaseline } from "./write-run.js";

export { DEFAULT_STORE } from "./model.js";
export type { ScenarioMetricQuery, ScenarioMetricRow } from "./query.js";
export type {
  NewRun,
  NewScenario,
  RunEnvironment,
  RunListing,
  RunRow,
  RunStatus,
  StoredProbeReading,
  StoredRun,
  StoredRunStatus,
  StoredScenario,
  StoredThreshold,
  Variant,
} from "./model.js";

export class ResultsStore {
  /** Where the store is: an SQLite file's absolute path, or a PostgreSQL URL with its password masked. */
  readonly path: string;
  private readonly db: OpenedSql;
  /** Runs this process began and has not finished. */
  private readonly unfinished = new Set<number>();
  /** The store's calls, one at a time and in order: a checkpoint never lands after the final result. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Writes the unfinished runs' heartbeat while there are any (open-store.ts says why). */
  private heartbeat: NodeJS.Timeout | undefined;

  private constructor(db: OpenedSql) {
    this.path = db.location;
    this.db = db;
  }

  /**
   * Opens (creating and migrating when needed) the store at `location`: a file path, or a
   * postgres:// URL. `create: false` for commands that only read: a mistyped --store is an error,
   * not a new empty database.
   */
  static async open(location: string = DEFAULT_STORE, options: { create?: boolean } = {}): Promise<ResultsStore> {
    return new ResultsStore(await openStore(location, options));
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Marks `incomplete` the runs still `running` whose process is gone; their ids (open does this too). */
  markAbandoned(now?: number): Promise<number[]> {
    return this.serial(() => markAbandoned(this.db.sql, now));
  }

  async beginRun(run: NewRun): Promise<number> {
    const id = await this.serial(() => insertRun(this.db.sql, run));
    this.unfinished.add(id);
    this.heartbeat ??= setInterval(() => {
      // A beat that cannot be written now (a store busy or away) is written at the next one.
      this.serial(() => beat(this.db.sql, [...this.unfinished])).catch(() => undefined);
    }, HEARTBEAT_MS).unref();
    return id;
  }

  saveScenario(runId: number, s: NewScenario): Promise<number> {
    return this.serial(() => insertScenario(this.db.sql, runId, s));
  }

  /**
   * Saves the scenario in place of the one of the same name and trial already stored (its last
   * checkpoint, see src/engine/checkpoint.ts): a process killed mid-scenario leaves that behind.
   */
  replaceScenario(runId: number, s: NewScenario): Promise<number> {
    return this.serial(() =>
      this.db.sql.transaction(async (tx) => {
        await tx.run(`delete from scenarios where run_id = ? and name = ? and trial = ?`, [runId, s.name, s.trial ?? 0]);
        return insertScenario(tx, runId, s);
      }),
    );
  }

  saveRunProbe(runId: number, reading: StoredProbeReading): Promise<void> {
    return this.serial(() => insertProbe(this.db.sql, runId, null, reading));
  }

  async finishRun(runId: number, status: RunStatus, exitCode: number, thresholds: readonly StoredThreshold[]): Promise<void> {
    await this.serial(() => updateRunEnd(this.db.sql, runId, status, exitCode, thresholds));
    this.finished(runId);
  }

  private finished(runId: number): void {
    this.unfinished.delete(runId);
    if (this.unfinished.size === 0) {
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
    }
  }

  /**
   * Ends every run this process began and has not finished, as `status`: for a forced quit (a second
   * Ctrl-C) that exits without winding the run down. Not queued behind the calls in flight: they
   * may be what the user is quitting.
   */
  async finishUnfinished(status: RunStatus, exitCode: number): Promise<void> {
    for (const id of [...this.unfinished]) {
      await updateRunEnd(this.db.sql, id, status, exitCode, []);
      this.finished(id);
    }
  }

  /** Marks a run as its suite's baseline (`compare baseline latest`); one baseline per suite. */
  setBaseline(runId: number): Promise<RunRow> {
    return this.serial(async () => {
      const run = (await runRowsWhere(this.db.sql, `r.id = ?`, [runId]))[0];
      if (run === undefined) throw new StoreError(`there is no run ${runId} in ${this.path}`, { hint: "list the runs with: pipebench runs" });
      await upsertBaseline(this.db.sql, run.suiteName, runId);
      return run;
    });
  }

  /** The baseline run id of a suite, when one is set. */
  baselineOf(suiteName: string): Promise<number | undefined> {
    return this.serial(() => baselineOf(this.db.sql, suiteName));
  }

  /**
   * A run reference as the CLI takes it: a run id, `latest`, `latest~N` (N runs before the latest),
   * `baseline` (of `suite`, or of the latest run's suite) or a tag (its newest run).
   * Undefined when nothing matches.
   */
  resolveRef(ref: string, options: { suite?: string } = {}): Promise<number | undefined> {
    return this.serial(() => resolveRef(this.db.sql, ref, options));
  }

  listRuns(options: { limit?: number; suite?: string } = {}): Promise<RunListing[]> {
    return this.serial(() => listRuns(this.db.sql, options));
  }

  /** A run by id, or "latest". Undefined when there is no such run. */
  getRun(ref: string | number): Promise<StoredRun | undefined> {
    return this.serial(() => readRun(this.db.sql, ref));
  }

  /** One metric of one scenario (and its variants) across runs: rows, for a plan or a trend. */
  scenarioMetrics(query: ScenarioMetricQuery): Promise<ScenarioMetricRow[]> {
    return this.serial(() => scenarioMetrics(this.db.sql, query));
  }

  /** Closes the database once the calls in flight are done. */
  close(): Promise<void> {
    clearInterval(this.heartbeat);
    return this.serial(() => this.db.close());
  }
}
