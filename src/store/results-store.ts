// The results store: every run, kept in an embedded SQLite database (default
// .pipebench/results.db). Scenarios are written as they finish, so an interrupted or failed run
// keeps what it measured. This class is the one handle the rest of pipebench holds; the work is
// in open-store.ts (opening, migrating), write-run.ts, read-runs.ts and query.ts, the types in model.ts.
import type Database from "better-sqlite3";
import { StoreError } from "../errors.js";
import type { NewRun, NewScenario, RunListing, RunRow, RunStatus, StoredProbeReading, StoredRun, StoredThreshold } from "./model.js";
import { DEFAULT_STORE } from "./model.js";
import { markAbandoned, openDatabase } from "./open-store.js";
import { scenarioMetrics, type ScenarioMetricQuery, type ScenarioMetricRow } from "./query.js";
import { baselineOf, listRuns, readRun, resolveRef, runRowsWhere } from "./read-runs.js";
import { insertProbe, insertRun, insertScenario, updateRunEnd, upsertBaseline } from "./write-run.js";

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
    const { full, db } = openDatabase(path, options);
    return new ResultsStore(full, db);
  }

  /** Marks `incomplete` the runs still `running` whose process is gone; their ids (open does this too). */
  markAbandoned(): number[] {
    return markAbandoned(this.db);
  }

  beginRun(run: NewRun): number {
    const id = insertRun(this.db, run);
    this.unfinished.add(id);
    return id;
  }

  saveScenario(runId: number, s: NewScenario): number {
    return insertScenario(this.db, runId, s);
  }

  /**
   * Saves the scenario in place of the one of the same name and trial already stored (its last
   * checkpoint, see src/engine/checkpoint.ts): a process killed mid-scenario leaves that behind.
   */
  replaceScenario(runId: number, s: NewScenario): number {
    return this.db.transaction(() => {
      this.db.prepare(`delete from scenarios where run_id = ? and name = ? and trial = ?`).run(runId, s.name, s.trial ?? 0);
      return insertScenario(this.db, runId, s);
    })();
  }

  saveRunProbe(runId: number, reading: StoredProbeReading): void {
    insertProbe(this.db, runId, null, reading);
  }

  finishRun(runId: number, status: RunStatus, exitCode: number, thresholds: readonly StoredThreshold[]): void {
    updateRunEnd(this.db, runId, status, exitCode, thresholds);
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
    const run = runRowsWhere(this.db, `r.id = @id`, { id: runId })[0];
    if (run === undefined) throw new StoreError(`there is no run ${runId} in ${this.path}`, { hint: "list the runs with: pipebench runs" });
    upsertBaseline(this.db, run.suiteName, runId);
    return run;
  }

  /** The baseline run id of a suite, when one is set. */
  baselineOf(suiteName: string): number | undefined {
    return baselineOf(this.db, suiteName);
  }

  /**
   * A run reference as the CLI takes it: a run id, `latest`, `latest~N` (N runs before the latest),
   * `baseline` (of `suite`, or of the latest run's suite) or a tag (its newest run).
   * Undefined when nothing matches.
   */
  resolveRef(ref: string, options: { suite?: string } = {}): number | undefined {
    return resolveRef(this.db, ref, options);
  }

  listRuns(options: { limit?: number; suite?: string } = {}): RunListing[] {
    return listRuns(this.db, options);
  }

  /** A run by id, or "latest". Undefined when there is no such run. */
  getRun(ref: string | number): StoredRun | undefined {
    return readRun(this.db, ref);
  }

  /** One metric of one scenario (and its variants) across runs: rows, for a plan or a trend. */
  scenarioMetrics(query: ScenarioMetricQuery): ScenarioMetricRow[] {
    return scenarioMetrics(this.db, query);
  }

  close(): void {
    this.db.close();
  }
}
