// Runs a whole suite: connect the targets (starting embedded servers), then for each scenario
// read the probes, run the load, read the probes again, judge the thresholds and store the
// result before the next one starts. Connections are closed whatever happens.
import type { Connection, PreparedWorkload } from "../drivers/driver.js";
import { driverOf } from "../drivers/index.js";
import { isPipebenchError, ExitCode, TargetFailed, UsageError, type PipebenchError } from "../errors.js";
import type { ScenarioResult } from "../metrics/summary.js";
import { hostFingerprint } from "../probes/host-info.js";
import type { ProbeSnapshot } from "../probes/probe.js";
import type { RunEnvironment, RunStatus, StoredProbeReading, StoredThreshold, Variant } from "../store/results-store.js";
import type { ResultsStore } from "../store/results-store.js";
import type { Suite, SuiteScenario } from "../suite/types.js";
import { evaluateThresholds, runMetricLookup, scenarioMetricLookup } from "../thresholds/evaluate.js";
import type { ThresholdOutcome } from "../thresholds/evaluate.js";
import { PIPEBENCH_VERSION } from "../version.js";
import { checkpointWriter, type CheckpointWriter } from "./checkpoint.js";
import { closeAll, connectTargets, refResolver } from "./connect-targets.js";
import type { LiveTotals, Progress, ScenarioRunOptions } from "./run-scenario.js";
import type { Segment } from "./schedule.js";
import { agreedNextStart, runScenarioLoad } from "./scenario-load.js";
import type { WorkerPool } from "./scenario-worker.js";
import { atMeasureStart, bindProbes, readingsByTarget, sampleDuring, snapshot, summarize, type BoundProbe } from "./suite-probes.js";
import { judgedPercentiles } from "./validity.js";
import { invalidJudged, invalidVerdictLine } from "./run-verdict.js";

export interface ScenarioOutcome {
  name: string;
  target: string;
  targetKind: string;
  trial: number;
  variant?: Variant;
  result: ScenarioResult;
  thresholds: ThresholdOutcome[];
  /** Probe readings over the scenario, by "target/probe" ("host" for the host probe). */
  probes: StoredProbeReading[];
}

export interface RunOutcome {
  runId: number;
  suite: Suite;
  status: RunStatus;
  exitCode: number;
  startedAt: number;
  finishedAt: number;
  environment: RunEnvironment;
  scenarios: ScenarioOutcome[];
  thresholds: ThresholdOutcome[];
  runProbes: StoredProbeReading[];
  /** Why the run ended early, when it did. */
  failure?: string;
  /** What to change, when the run ended on a mistake in the suite (exit 2). */
  hint?: string;
  /**
   * The thresholds passed but a judged result is invalid: why, as the run's last line. With
   * `allowInvalid` the run still passes (exit 0) and this says what was accepted.
   */
  invalid?: string;
}

export interface RunHooks {
  log?(line: string): void;
  /** `trial` is 0-based; absent when the caller does not repeat scenarios. */
  scenarioStart?(scenario: SuiteScenario, index: number, total: number, trial?: number): void;
  /** `live`: the measured totals so far (src/metrics-out exports them). */
  progress?(scenario: SuiteScenario, progress: Progress, live: LiveTotals): void;
  /** The run is stored under `runId` (before any scenario starts). */
  runBegun?(runId: number): void;
  scenarioEnd?(outcome: ScenarioOutcome): void;
}

export interface RunSuiteOptions {
  store: ResultsStore;
  signal?: AbortSignal;
  hooks?: RunHooks;
  /** Runs of each scenario (`--trials`), kept apart in the store so compare can test them. */
  trials?: number;
  /** Stored with the run (`--tag`). */
  tag?: string;
  /** `--allow-invalid`: thresholds that passed on invalid results still pass the run (exit 0, not 4). */
  allowInvalid?: boolean;
  /** `--workers N`: every scenario runs on these workers, merged into one result (setup and probes here, once). */
  workers?: WorkerPool;
  /** `--segment i/N`: this process runs only its segment of every scenario (one of N load generators). */
  segment?: Segment;
  /** `--start-at`: epoch ms the first scenario starts at (the workers' agreed time). */
  startAtEpochMs?: number;
  /** `--recordings DIR` with `--segment`: each scenario's recording is written there for `pipebench merge`. */
  recordingsDir?: string;
}

/** Threshold outcomes as the store keeps them. */
export function toStored(outcomes: readonly ThresholdOutcome[]): StoredThreshold[] {
  return outcomes.map((o) => ({
    expr: o.expr,
    passed: o.passed,
    actual: o.actual,
    target: o.target,
    kind: o.kind,
    ...(o.note === undefined ? {} : { note: o.note }),
  }));
}

/** Where a scenario's result goes in the run: its place, its trial, its sweep combination. */
export interface ScenarioPlacement {
  ordinal: number;
  /** 0-based trial number (`--trials N`). */
  trial?: number;
  variant?: Variant;
  /**
   * Checks of the caller's, judged and stored with the scenario's thresholds (find-max's stability
   * checks: achieved rate, latency growth, generator CPU).
   */
  judge?: (result: ScenarioResult, probes: readonly StoredProbeReading[]) => ThresholdOutcome[];
}

/**
 * One run in progress: targets connected, the run row begun, probes bound. Scenarios run one at a
 * time through `runScenario` — in the suite's order (runSuite), once per trial or sweep
 * combination, or as a search decides (find-max) — and `finish` judges, stores and closes.
 */
export class SuiteSession {
  readonly runId: number;
  readonly suite: Suite;
  readonly environment: RunEnvironment;
  readonly startedAt: number;
  private readonly scenarios: ScenarioOutcome[] = [];
  private failure: string | undefined;
  private hint: string | undefined;
  /** The exit code of a run that ended in error: the target's failure, unless a suite mistake ended it. */
  private errorExit: ExitCode = ExitCode.targetFailed;
  private status: RunStatus = "running";
  /** A scenario threw (setup or connection), rather than ending with a failed status. */
  private crashed = false;
  private runBefore: (ProbeSnapshot | undefined)[] = [];
  private readonly log: (line: string) => void;
  /** With --segment and --start-at: when the next scenario starts, as every generator computes it. */
  private agreedStart: number | undefined;

  private constructor(
    private readonly options: RunSuiteOptions,
    private readonly connected: Map<string, { kind: string; connection: Connection<unknown> }>,
    private readonly probes: BoundProbe[],
    init: { suite: Suite; runId: number; environment: RunEnvironment; startedAt: number },
  ) {
    this.suite = init.suite;
    this.runId = init.runId;
    this.environment = init.environment;
    this.startedAt = init.startedAt;
    this.log = options.hooks?.log ?? (() => undefined);
    this.agreedStart = options.startAtEpochMs;
  }

  static async open(suite: Suite, options: RunSuiteOptions): Promise<SuiteSession> {
    const log = options.hooks?.log ?? (() => undefined);
    const startedAt = Date.now();
    const connected = await connectTargets(suite, log, options.signal);
    const probes = bindProbes(suite, connected);
    try {
      // A probe that can check itself (the prometheus probe's queries) does so before the run is
      // stored: a query Prometheus rejects is a mistake in the suite, found before any load.
      await Promise.all(probes.map((p) => p.probe.check?.()));
    } catch (error) {
      await closeAll(connected);
      throw error;
    }
    const environment: RunEnvironment = {
      pipebench: PIPEBENCH_VERSION,
      node: process.version,
      host: { ...hostFingerprint() },
      targets: Object.fromEntries(
        [...connected].map(([name, c]) => [
          name,
          { kind: c.kind, ...(c.connection.info.version === undefined ? {} : { version: c.connection.info.version }) },
        ]),
      ),
    };
    const runId = await options.store.beginRun({
      suiteName: suite.name,
      suiteFile: suite.file,
      startedAt,
      environment,
      suite: suite.resolved,
      ...(options.tag === undefined ? {} : { tag: options.tag }),
      trials: options.trials ?? 1,
    });
    options.hooks?.runBegun?.(runId);
    const session = new SuiteSession(options, connected, probes, { suite, runId, environment, startedAt });
    session.runBefore = await snapshot(session.probes);
    return session;
  }

  /** False once the run was interrupted or a scenario failed: nothing more should start. */
  get canContinue(): boolean {
    return this.status === "running" && this.options.signal?.aborted !== true;
  }

  /** The outcomes so far, in the order they ran. */
  get outcomes(): readonly ScenarioOutcome[] {
    return this.scenarios;
  }

  /**
   * Runs one scenario and stores it. A scenario that fails or is interrupted ends the run
   * (`canContinue` turns false), as does a prepare that fails: the run ends in error, exit 3 for
   * the target's failure, exit 2 for a mistake in the suite (a UsageError), the scenarios before it
   * kept. Unexpected errors (not PipebenchErrors) are thrown, once the run is stored.
   */
  async runScenario(scenario: SuiteScenario, placement: ScenarioPlacement): Promise<ScenarioOutcome | undefined> {
    const { hooks = {}, signal, store } = this.options;
    const target = this.connected.get(scenario.target);
    if (!target || !this.canContinue) return undefined;
    let outcome: ScenarioOutcome | undefined;
    try {
      let prepared: PreparedWorkload;
      try {
        prepared = await target.connection.prepare(scenario.workload, scenario.name);
      } catch (error) {
        throw prepareFailure(error, scenario);
      }

      const before = await snapshot(this.probes);
      const measured = atMeasureStart(this.probes, before, scenario.load.warmup ?? 0);
      const sampler = sampleDuring(this.probes, before);
      let result: ScenarioResult;
      const checkpoints = this.checkpoints(scenario, placement, target.kind);
      try {
        const runOptions: ScenarioRunOptions = {
          ...scenarioRunOptions(scenario, prepared),
          ...(signal === undefined ? {} : { signal }),
          onProgress: (p, live) => hooks.progress?.(scenario, p, live),
        };
        // --start-at is the first scenario's; each later one's is computed alike by every generator.
        const startAtEpochMs = this.agreedStart;
        if (this.options.segment !== undefined) this.agreedStart = startAtEpochMs === undefined ? undefined : agreedNextStart(startAtEpochMs, scenario.load);
        const load = await runScenarioLoad({
          scenario,
          ordinal: placement.ordinal,
          trial: placement.trial ?? 0,
          options: runOptions,
          checkpoints,
          progress: hooks.progress === undefined ? undefined : (p, live) => hooks.progress?.(scenario, p, live),
          workers: this.options.workers,
          segment: this.options.segment,
          startAtEpochMs,
          recordingsDir: this.options.recordingsDir,
        });
        result = load.result;
        // Before the next scenario is prepared: a workload numbering rows from seq continues after these.
        prepared.ended?.(load.seqs);
      } finally {
        checkpoints.stop();
        await prepared.close?.().catch(() => undefined);
      }
      const samples = sampler.stop();
      const after = await snapshot(this.probes);
      const readings = [...summarize(this.probes, await measured.stop(), after, "interval"), ...samples];

      const thresholds = [
        ...evaluateThresholds(scenario.thresholds, scenarioMetricLookup(result, readingsByTarget(readings))),
        ...(placement.judge?.(result, readings) ?? []),
      ];
      const trial = placement.trial ?? 0;
      outcome = {
        name: scenario.name,
        target: scenario.target,
        targetKind: target.kind,
        trial,
        ...(placement.variant === undefined ? {} : { variant: placement.variant }),
        result,
        thresholds,
        probes: readings,
      };
      // In place of the last checkpoint, when one was written.
      await (checkpoints.written ? store.replaceScenario.bind(store) : store.saveScenario.bind(store))(this.runId, {
        ordinal: placement.ordinal,
        name: scenario.name,
        trial,
        ...(placement.variant === undefined ? {} : { variant: placement.variant }),
        target: scenario.target,
        targetKind: target.kind,
        workload: scenario.workload,
        load: scenario.load,
        result,
        thresholds: toStored(thresholds),
        probes: readings,
      });
      this.scenarios.push(outcome);
      hooks.scenarioEnd?.(outcome);

      if (result.status === "failed") {
        this.failure = `scenario ${scenario.name} failed: ${result.failure ?? "the target stopped answering"}`;
        this.status = "error";
      } else if (result.status === "interrupted") {
        this.status = "interrupted";
      }
    } catch (error) {
      this.crashed = true;
      this.status = signal?.aborted ? "interrupted" : "error";
      this.failure = isPipebenchError(error) ? error.message : String((error as Error).message ?? error);
      if (error instanceof UsageError && !signal?.aborted) {
        // A mistake in the suite, found by a driver's prepare: the suite's to fix, not the target's.
        this.errorExit = error.exitCode;
        this.hint = error.hint;
      }
      if (!isPipebenchError(error) && !signal?.aborted) {
        // Unexpected: keep what was measured, then let the CLI report it.
        await store.finishRun(this.runId, this.status, ExitCode.targetFailed, []);
        await this.closeTargets();
        throw error;
      }
    }
    return outcome;
  }

  /** The running scenario's checkpoints (src/engine/checkpoint.ts), stored in place of its row. */
  private checkpoints(scenario: SuiteScenario, placement: ScenarioPlacement, targetKind: string): CheckpointWriter {
    const warmupMs = scenario.load.warmup ?? 0;
    return checkpointWriter({ executor: scenario.load.executor, startedAt: Date.now() + warmupMs, warmupMs }, (result) =>
      this.options.store.replaceScenario(this.runId, {
        ordinal: placement.ordinal,
        name: scenario.name,
        trial: placement.trial ?? 0,
        ...(placement.variant === undefined ? {} : { variant: placement.variant }),
        target: scenario.target,
        targetKind,
        workload: scenario.workload,
        load: scenario.load,
        result,
        thresholds: [],
        probes: [],
      }),
    );
  }

  /**
   * Reads the run-wide probes, judges the suite's thresholds, stores the verdict, closes the targets.
   * `passed`, when given, is the caller's verdict on its scenarios (find-max: an answer was found,
   * though the search's steps beyond it failed by design); the suite's thresholds are judged still.
   */
  async finish(verdict: { passed?: boolean } = {}): Promise<RunOutcome> {
    const { store, signal } = this.options;
    if (signal?.aborted && this.status === "running") this.status = "interrupted";
    const runAfter = this.crashed ? [] : await snapshot(this.probes);
    const runProbes = summarize(this.probes, this.runBefore, runAfter, "interval");
    for (const reading of runProbes) await store.saveRunProbe(this.runId, reading);
    const thresholds =
      this.status === "running"
        ? evaluateThresholds(
            this.suite.thresholds,
            runMetricLookup(this.scenarios.map((s) => s.result), readingsByTarget(runProbes)),
          )
        : [];
    await this.closeTargets();

    const allPassed =
      (verdict.passed ?? this.scenarios.every((s) => s.thresholds.every((t) => t.passed))) && thresholds.every((t) => t.passed);
    if (this.status === "running") this.status = allPassed ? "passed" : "failed";
    // A search judges its steps' validity itself (an unsteady step is not stable): its answer stands.
    const invalid =
      this.status === "passed" && verdict.passed === undefined
        ? invalidJudged(this.scenarios, this.suite.thresholds.length, this.options.trials ?? 1)
        : [];
    if (invalid.length > 0 && this.options.allowInvalid !== true) this.status = "invalid";
    const exitCode =
      this.status === "passed" ? ExitCode.ok
      : this.status === "invalid" ? ExitCode.resultsInvalid
      : this.status === "failed" ? ExitCode.thresholdsFailed
      : this.status === "interrupted" ? ExitCode.interrupted
      : this.errorExit;
    await store.finishRun(this.runId, this.status, exitCode, toStored(thresholds));

    return {
      runId: this.runId,
      suite: this.suite,
      status: this.status,
      exitCode,
      startedAt: this.startedAt,
      finishedAt: Date.now(),
      environment: this.environment,
      scenarios: this.scenarios,
      thresholds,
      runProbes,
      ...(this.failure === undefined ? {} : { failure: this.failure }),
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      ...(invalid.length === 0 ? {} : { invalid: invalidVerdictLine(invalid) }),
    };
  }

  /**
   * Connects `name` again with other settings (a sweep of target settings: Kafka's linger.ms is the
   * producer's, so each combination needs its own connection). The old connection is closed first.
   */
  async reconnect(name: string, config: unknown): Promise<void> {
    const current = this.connected.get(name);
    const driver = current && driverOf(current.kind);
    if (!current || !driver) return;
    await current.connection.close().catch(() => undefined);
    this.connected.delete(name);
    const connection = await driver.connect(config, {
      name,
      suiteDir: this.suite.dir,
      log: this.log,
      resolveRef: refResolver(this.connected),
    });
    this.connected.set(name, { kind: current.kind, connection });
    // The old connection closed its probes: read the target through the new one.
    this.probes.forEach((p, i) => {
      const probe = p.target === name ? connection.probe?.(p.probe.kind) : undefined;
      if (probe) this.probes[i] = { ...p, probe };
    });
  }

  private async closeTargets(): Promise<void> {
    for (const p of this.probes) await p.probe.close?.().catch(() => undefined);
    await closeAll(this.connected);
    this.connected.clear();
  }
}

/** How a scenario runs on a prepared workload: the same in the coordinator and in a worker process. */
export function scenarioRunOptions(scenario: SuiteScenario, prepared: PreparedWorkload): ScenarioRunOptions {
  return {
    load: scenario.load,
    operation: prepared.run,
    ...(prepared.concurrencyHint === undefined ? {} : { concurrencyHint: prepared.concurrencyHint }),
    ...(prepared.clientSlots === undefined ? {} : { clientSlots: prepared.clientSlots }),
    signalsSent: prepared.signalsSent === true,
    untimed: prepared.untimed === true,
    inProcessTarget: prepared.inProcess === true,
    judgedPercentiles: judgedPercentiles(scenario.thresholds.map((t) => t.metric)),
    ...(scenario.onError === undefined ? {} : { errorPolicy: scenario.onError }),
    observe: prepared,
  };
}

/**
 * What a failed `prepare` ends the run with. A UsageError is a mistake in the suite (see
 * Connection.prepare): it stays one, its hint kept, with the scenario and target named (a driver
 * that named the scenario already is not repeated). Other PipebenchErrors pass as they are; a plain
 * Error is the target's failure.
 */
function prepareFailure(error: unknown, scenario: SuiteScenario): PipebenchError {
  if (error instanceof UsageError) {
    const said = error.message.startsWith(`scenario ${scenario.name}: `) ? error.message.slice(`scenario ${scenario.name}: `.length) : error.message;
    return new UsageError(`scenario ${scenario.name} (target ${scenario.target}): ${said}`, {
      ...(error.hint === undefined ? {} : { hint: error.hint }),
      cause: error,
    });
  }
  if (isPipebenchError(error)) return error;
  return new TargetFailed(scenario.target, `scenario ${scenario.name}: ${(error as Error).message}`, { cause: error });
}

/** Runs every scenario of the suite in order, each `trials` times back to back, and judges the run. */
export async function runSuite(suite: Suite, options: RunSuiteOptions): Promise<RunOutcome> {
  const session = await SuiteSession.open(suite, options);
  const trials = options.trials ?? 1;
  for (const [index, scenario] of suite.scenarios.entries()) {
    for (let trial = 0; trial < trials && session.canContinue; trial++) {
      options.hooks?.scenarioStart?.(scenario, index, suite.scenarios.length, trial);
      await session.runScenario(scenario, { ordinal: index, trial });
    }
  }
  return session.finish();
}
