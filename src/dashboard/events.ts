// What the live view shows, as a stream of events: the run's hooks turned into plain JSON, kept in
// order so a page that connects mid-run replays the history and then follows along.
// One progress event per running scenario per second: a day-long run keeps ~86,400 of them
// (about 20 MB of JSON), so the history is kept whole.
import type { Progress } from "../engine/run-scenario.js";
import type { RunHooks, ScenarioOutcome } from "../engine/run-suite.js";
import type { ScenarioResult } from "../metrics/summary.js";
import type { Suite, SuiteScenario } from "../suite/types.js";
import type { ThresholdOutcome } from "../thresholds/evaluate.js";
import { formatThresholdValue } from "../thresholds/format.js";
import { validityLines } from "../engine/validity.js";

/** A threshold as judged: the expression, the value measured, and the verdict. */
export interface JudgedThreshold {
  expr: string;
  actual: number | null;
  target: number;
  kind: string;
  /** `actual` as the console prints it (e.g. "12.3ms", "51,234/s"), or "no value". */
  shown: string;
  passed: boolean;
  note?: string;
}

export interface ScenarioInfo {
  name: string;
  target: string;
  executor: string;
  /** Warm-up length, ms (0 when none). */
  warmupMs: number;
  /** The scenario's thresholds, as written; judged at its end. */
  thresholds: string[];
}

/** How the run ended, as the CLI saw it. */
export interface RunEnd {
  /** `invalid`: the thresholds passed, but a result they judged cannot be trusted (exit 4). */
  status: "passed" | "failed" | "invalid" | "error" | "interrupted";
  exitCode: number;
  /** The stored run; null when the run failed before it was stored. */
  runId: number | null;
  thresholds: readonly ThresholdOutcome[];
  failure?: string;
  /** Why the run is invalid (or, with --allow-invalid, what it accepted). */
  invalid?: string;
}

/** One second on the charts; `t` as in progress events. */
export interface ChartPoint {
  t: number;
  opsPerSec: number;
  recordsPerSec: number;
  errorsPerSec: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

export type DashboardEvent =
  | { type: "run-start"; at: number; suite: string; description?: string; scenarios: ScenarioInfo[] }
  | { type: "log"; at: number; line: string }
  | ({
      type: "scenario-start";
      at: number;
      /** One per scenario start, from 1: a scenario run as several trials or sweep points has several. */
      lane: number;
      index: number;
      total: number;
      /** 0-based trial, and how many there are, when the run repeats scenarios. */
      trial: number | null;
      trials: number;
    } & ScenarioInfo)
  | ({
      type: "progress";
      at: number;
      lane: number;
      index: number;
      /** Seconds since the scenario started, warm-up included: the charts' x axis. */
      t: number;
    } & Progress)
  | {
      type: "scenario-end";
      at: number;
      lane: number;
      index: number;
      name: string;
      /** The settings of this sweep point, when the scenario is swept. */
      variant?: Record<string, unknown>;
      status: string;
      durationS: number;
      ops: number;
      errors: number;
      opsPerSec: number;
      /** Records per second over the measured interval. */
      throughput: number;
      errorRate: number;
      p50Ms: number | null;
      p99Ms: number | null;
      thresholds: JudgedThreshold[];
      /** Why the numbers cannot be trusted, one line per reason (`INVALID: … [code]`); absent when valid. */
      invalid?: string[];
      /** The measured seconds that ended after the last progress event (the scenario's last ones). */
      tail: ChartPoint[];
      failure?: string;
    }
  | {
      type: "run-end";
      at: number;
      status: RunEnd["status"];
      exitCode: number;
      runId: number | null;
      thresholds: JudgedThreshold[];
      failure?: string;
      invalid?: string;
    };

export type DashboardEventType = DashboardEvent["type"];

/** One event as sent: its position in the stream (the SSE id) and its JSON. */
export interface FeedEntry {
  id: number;
  type: DashboardEventType;
  json: string;
}

type Listener = (entry: FeedEntry) => void;

function judged(t: ThresholdOutcome): JudgedThreshold {
  return {
    expr: t.expr,
    actual: t.actual,
    target: t.target,
    kind: t.kind,
    shown: t.actual === null ? "no value" : formatThresholdValue(t.kind, t.actual, t.target),
    passed: t.passed,
    ...(t.note === undefined ? {} : { note: t.note }),
  };
}

/** A swept scenario's settings, when the outcome carries them. */
function variantOf(o: ScenarioOutcome): { variant?: Record<string, unknown> } {
  const variant: unknown = "variant" in o ? o.variant : undefined;
  return typeof variant === "object" && variant !== null ? { variant: { ...variant } } : {};
}

/**
 * The result's measured seconds that end after `afterT` (on the charts, second k of the measured
 * interval ends at warm-up + k + 1). The last one may be partial: its counts are scaled to a rate.
 */
function tailPoints(r: ScenarioResult, afterT: number): ChartPoint[] {
  const out: ChartPoint[] = [];
  for (const point of r.series) {
    const t = r.warmupS + Math.min(point.t + 1, r.durationS);
    // Progress already showed the seconds that ended by `afterT`.
    if (t <= afterT + 1e-9) continue;
    const length = Math.min(1, r.durationS - point.t);
    if (!(length > 0)) continue;
    out.push({
      t: Math.round(t * 1000) / 1000,
      opsPerSec: (point.ops + point.errors) / length,
      recordsPerSec: point.records / length,
      errorsPerSec: point.errors / length,
      p50Ms: point.p50,
      p99Ms: point.p99,
    });
  }
  return out;
}

function scenarioInfo(s: SuiteScenario): ScenarioInfo {
  return {
    name: s.name,
    target: s.target,
    executor: s.load.executor,
    warmupMs: s.load.warmup ?? 0,
    thresholds: s.thresholds.map((t) => t.expr),
  };
}

/**
 * The run's events in order. Each is serialised once, when it happens, and kept; listeners get
 * the new ones. After `end` nothing more is accepted.
 */
export class DashboardFeed {
  private readonly entries: FeedEntry[] = [];
  private readonly listeners = new Set<Listener>();
  private readonly indexByName = new Map<string, number>();
  private ended = false;
  private lane = 0;
  /**
   * Where the last measured second a progress event showed ends (page time, s), so the scenario's
   * end adds only the seconds not yet shown. A progress event shows the last second complete when
   * it fired, however late its timer: a tick at 1.45 s shows the second that ended at 1 s.
   */
  private shownUntilT = 0;
  private trials = 1;

  constructor(private readonly now: () => number = Date.now) {}

  get isEnded(): boolean {
    return this.ended;
  }

  /** Every event so far, after the one with id `afterId` (all of them by default). */
  history(afterId = 0): readonly FeedEntry[] {
    return afterId <= 0 ? this.entries : this.entries.filter((e) => e.id > afterId);
  }

  /** Calls `listener` with each new event; returns the unsubscribe. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  runStart(suite: Suite, options: { trials?: number } = {}): void {
    this.trials = options.trials ?? 1;
    suite.scenarios.forEach((s, i) => this.indexByName.set(s.name, i));
    this.emit({
      type: "run-start",
      at: this.now(),
      suite: suite.name,
      ...(suite.description === undefined ? {} : { description: suite.description }),
      scenarios: suite.scenarios.map(scenarioInfo),
    });
  }

  log(line: string): void {
    this.emit({ type: "log", at: this.now(), line });
  }

  scenarioStart(scenario: SuiteScenario, index: number, total: number, trial?: number): void {
    this.indexByName.set(scenario.name, index);
    this.lane++;
    this.shownUntilT = 0;
    this.emit({
      type: "scenario-start",
      at: this.now(),
      lane: this.lane,
      index,
      total,
      trial: trial ?? null,
      trials: this.trials,
      ...scenarioInfo(scenario),
    });
  }

  progress(scenario: SuiteScenario, p: Progress): void {
    const warmupMs = scenario.load.warmup ?? 0;
    const t = Math.round(p.phase === "warmup" ? p.elapsedMs : warmupMs + p.elapsedMs) / 1000;
    if (p.phase === "measure") this.shownUntilT = (warmupMs + Math.floor(p.elapsedMs / 1000) * 1000) / 1000;
    this.emit({ type: "progress", at: this.now(), lane: this.lane, index: this.indexOf(scenario.name), t, ...p });
  }

  scenarioEnd(o: ScenarioOutcome): void {
    const r = o.result;
    const measured = r.latency.count > 0;
    this.emit({
      type: "scenario-end",
      at: this.now(),
      lane: this.lane,
      index: this.indexOf(o.name),
      name: o.name,
      ...variantOf(o),
      status: r.status,
      durationS: r.durationS,
      ops: r.ops,
      errors: r.errors,
      opsPerSec: r.opsPerSec,
      throughput: r.throughput,
      errorRate: r.errorRate,
      p50Ms: measured ? r.latency.p50 : null,
      p99Ms: measured ? r.latency.p99 : null,
      thresholds: o.thresholds.map(judged),
      ...(r.validity === undefined || r.validity.valid ? {} : { invalid: validityLines(r.validity) }),
      tail: tailPoints(r, this.shownUntilT),
      ...(r.failure === undefined ? {} : { failure: r.failure }),
    });
  }

  /** The last event: the run's final status. */
  end(end: RunEnd): void {
    this.emit({
      type: "run-end",
      at: this.now(),
      status: end.status,
      exitCode: end.exitCode,
      runId: end.runId,
      thresholds: end.thresholds.map(judged),
      ...(end.failure === undefined ? {} : { failure: end.failure }),
      ...(end.invalid === undefined ? {} : { invalid: end.invalid }),
    });
    this.ended = true;
  }

  /** The run's hooks with this feed listening in: `hooks` are called first, as before. */
  observe(hooks: RunHooks): RunHooks {
    return {
      log: (line) => {
        hooks.log?.(line);
        this.log(line);
      },
      runBegun: (runId) => hooks.runBegun?.(runId),
      scenarioStart: (s, i, total, trial?: number) => {
        hooks.scenarioStart?.(s, i, total, trial);
        this.scenarioStart(s, i, total, trial);
      },
      progress: (s, p, live) => {
        hooks.progress?.(s, p, live);
        this.progress(s, p);
      },
      scenarioEnd: (o) => {
        hooks.scenarioEnd?.(o);
        this.scenarioEnd(o);
      },
    };
  }

  private indexOf(name: string): number {
    return this.indexByName.get(name) ?? -1;
  }

  private emit(event: DashboardEvent): void {
    if (this.ended) return;
    const entry: FeedEntry = { id: this.entries.length + 1, type: event.type, json: JSON.stringify(event) };
    this.entries.push(entry);
    for (const listener of this.listeners) listener(entry);
  }
}
