// The scale-out flags of `pipebench run` (--workers N, --segment i/N, --start-at) and the hidden
// `pipebench worker` command its worker processes run.
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { driverSchemas } from "../drivers/index.js";
import type { Segment } from "../engine/schedule.js";
import { UsageError } from "../errors.js";
import { loadSuite } from "../suite/load-suite.js";
import { parseCount, parseDuration } from "../suite/units.js";
import type { RunSuiteOptions } from "../engine/run-suite.js";
import type { Suite } from "../suite/types.js";
import { hasSweeps } from "../sweep/run-sweep.js";
import { ProcessWorkerPool } from "../workers/process-worker.js";
import { runWorkerChild } from "../workers/worker-child.js";

/** `--segment i/N` (0-based i), or Kubernetes' JOB_COMPLETION_INDEX with `--segment $INDEX/N`. */
export function parseSegment(text: string): Segment {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (m === null || !(count >= 1) || !(index < count)) {
    throw new UsageError(`--segment ${text} is not a segment`, {
      hint: "write index/count with 0 ≤ index < count, e.g. --segment 0/3 for the first of three workers (an Indexed Job passes $JOB_COMPLETION_INDEX)",
    });
  }
  return { index, count };
}

/** `--workers N`, or `auto`: one per core of this machine. */
export function parseWorkers(text: string): number {
  const n = text === "auto" ? availableParallelism() : Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 256) {
    throw new UsageError(`--workers ${text} is not a number of workers`, { hint: "write a whole number from 1 to 256, e.g. --workers 4, or --workers auto (one per core)" });
  }
  return n;
}

/** `--start-at`: epoch milliseconds, or an ISO time. */
export function parseStartAt(text: string): number {
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms)) {
    throw new UsageError(`--start-at ${text} is not a time`, { hint: "give epoch milliseconds (date +%s%3N) or an ISO time, e.g. 2026-12-06T18:00:00Z" });
  }
  return ms;
}

export interface SuiteShapeFlags {
  scenario: string[];
  set: string[];
  duration?: string;
  rate?: string;
}

/** The arguments that make a worker load the same suite as the coordinator. */
export function suiteArgs(file: string, flags: SuiteShapeFlags): string[] {
  return [
    file,
    ...flags.scenario.flatMap((s) => ["--scenario", s]),
    ...flags.set.flatMap((s) => ["--set", s]),
    ...(flags.duration === undefined ? [] : ["--duration", flags.duration]),
    ...(flags.rate === undefined ? [] : ["--rate", flags.rate]),
  ];
}

/** `pipebench worker SUITE --segment i/N`: see src/workers/worker-child.ts. */
export async function workerCommand(suiteArg: string, flags: SuiteShapeFlags & { segment: string }): Promise<number> {
  const segment = parseSegment(flags.segment);
  const duration = flags.duration === undefined ? undefined : parseDuration(flags.duration);
  const rate = flags.rate === undefined ? undefined : parseCount(flags.rate);
  const suite = await loadSuite(
    resolve(suiteArg),
    {
      set: flags.set,
      ...(duration === undefined ? {} : { duration }),
      ...(rate === undefined ? {} : { rate }),
      ...(flags.scenario.length > 0 ? { scenarios: flags.scenario } : {}),
    },
    driverSchemas,
  );
  return runWorkerChild(suite, segment);
}

/** What `run` passes to runSuite for --workers / --segment / --start-at, and how to stop the workers. */
export function scaleOutOptions(
  flags: SuiteShapeFlags & { workers?: string; segment?: string; startAt?: string; recordings?: string; findMax?: boolean },
  file: string,
  suite: Suite,
): { options: Pick<RunSuiteOptions, "workers" | "segment" | "startAtEpochMs" | "recordingsDir">; close(): Promise<void> } {
  const none = { options: {}, close: () => Promise.resolve() };
  if (flags.workers === undefined && flags.segment === undefined) {
    if (flags.startAt !== undefined) throw new UsageError("--start-at goes with --segment", { hint: "add --segment i/N, or drop --start-at" });
    if (flags.recordings !== undefined) throw new UsageError("--recordings goes with --segment", { hint: "add --segment i/N, or drop --recordings (--workers merges by itself)" });
    return none;
  }
  if (flags.segment !== undefined && flags.findMax === true) {
    throw new UsageError("--segment runs one part of plain scenarios, not a --find-max search", {
      hint: "a search needs one judge that sees every generator's part of each step before it picks the next rate, and independent --segment generators have none: run --find-max --workers N (one coordinator, N worker processes)",
    });
  }
  if (flags.segment !== undefined && hasSweeps(suite)) {
    throw new UsageError("--segment runs one part of plain scenarios, not a sweep", {
      hint: "drop --sweep (or the scenario's sweep: block via --scenario), or sweep with --workers N (one coordinator, N worker processes)",
    });
  }
  if (flags.workers !== undefined) refuseTargetSweeps(suite);
  if (flags.workers !== undefined && flags.recordings !== undefined) {
    throw new UsageError("--recordings goes with --segment", { hint: "--workers merges its workers' recordings by itself: drop --recordings" });
  }
  if (flags.workers !== undefined && flags.segment !== undefined) {
    throw new UsageError("--workers and --segment cannot go together", { hint: "--workers N starts N segments itself; --segment i/N runs one" });
  }
  if (flags.workers !== undefined) refuseOwnServers(suite);
  if (flags.segment !== undefined) {
    const segment = parseSegment(flags.segment);
    const startAtEpochMs = flags.startAt === undefined ? undefined : parseStartAt(flags.startAt);
    return {
      options: {
        segment,
        ...(startAtEpochMs === undefined ? {} : { startAtEpochMs }),
        ...(flags.recordings === undefined ? {} : { recordingsDir: resolve(flags.recordings) }),
      },
      close: none.close,
    };
  }
  const count = parseWorkers(flags.workers ?? "1");
  const pool = new ProcessWorkerPool(count, suiteArgs(file, flags));
  return { options: { workers: pool }, close: () => pool.close() };
}

/**
 * A worker is sent each combination's scenario (its load and workload), but it connects its targets
 * once, from the suite file as written: a combination of target settings (a producer's linger.ms)
 * would need every worker to reconnect with settings it is never sent.
 */
function refuseTargetSweeps(suite: Suite): void {
  for (const s of suite.scenarios) {
    const axis = s.sweep?.axes.find((a) => a.root === "target");
    if (axis === undefined) continue;
    throw new UsageError(`--workers: scenario ${s.name} sweeps ${axis.key}, a setting of its target, and the workers connect their targets once, with the suite's settings`, {
      hint: `sweeps of load.* and workload.* keys run on --workers; for ${axis.key}, run the sweep without --workers, or run one --workers run per value with --set targets.${s.target}.${axis.path.map((p) => (p.includes(".") ? `"${p}"` : p)).join(".")}=VALUE`,
    });
  }
}

/**
 * Worker processes connect the suite's targets themselves: a target that starts its own server
 * (`embedded:`, `start:`) would start one per worker. They need one server every worker reaches.
 */
function refuseOwnServers(suite: Suite): void {
  const used = new Set(suite.scenarios.map((s) => s.target));
  for (const [name, target] of Object.entries(suite.targets)) {
    const config = target.config as Record<string, unknown> | null;
    if (!used.has(name) || config === null || typeof config !== "object") continue;
    const own = config.embedded !== undefined && config.embedded !== false ? "embedded" : config.start !== undefined ? "start" : undefined;
    if (own === undefined) continue;
    throw new UsageError(`--workers: target ${name} starts its own server (${own}:), and each worker process would start another`, {
      hint: `start the server once and give its address (e.g. targets.${name}.url), so every worker loads the same one`,
    });
  }
}
