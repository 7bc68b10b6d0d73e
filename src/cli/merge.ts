// `pipebench merge SUITE DIR`: the recordings N generators wrote (`run --segment i/N --recordings
// DIR`, e.g. the pods of `export k8s`'s Indexed Job on a shared volume) merged into one stored run,
// exactly as `run --workers N` merges its workers: histograms added, per-second percentiles from
// the per-second histograms, thresholds and validity judged once, each generator's part named. A
// generator whose recording is missing leaves the run incomplete, naming it.
import { resolve } from "node:path";
import { driverSchemas } from "../drivers/index.js";
import { mergeWorkerParts, type WorkerPart } from "../engine/recording-merge.js";
import { fromWire, readRecordings, type RecordingFile } from "../engine/recording-wire.js";
import { toStored } from "../engine/run-suite.js";
import { invalidJudged, invalidVerdictLine } from "../engine/run-verdict.js";
import { ExitCode, UsageError } from "../errors.js";
import type { ScenarioResult } from "../metrics/summary.js";
import { hostFingerprint } from "../probes/host-info.js";
import { renderRunSummary } from "../report/console-summary.js";
import { ResultsStore, type RunStatus } from "../store/results-store.js";
import { loadSuite } from "../suite/load-suite.js";
import { evaluateThresholds, runMetricLookup, scenarioMetricLookup, type ThresholdOutcome } from "../thresholds/evaluate.js";
import { PIPEBENCH_VERSION } from "../version.js";

export interface MergeFlags {
  store: string;
  tag?: string;
  allowInvalid?: boolean;
  color: boolean;
}

export async function mergeCommand(suiteArg: string, dir: string, flags: MergeFlags): Promise<number> {
  const suite = await loadSuite(resolve(suiteArg), { set: [] }, driverSchemas);
  let files: RecordingFile[];
  try {
    files = readRecordings(dir);
  } catch (error) {
    throw new UsageError(`cannot read recordings in ${dir}: ${(error as Error).message}`, { hint: "give the directory the generators wrote with --recordings DIR; a file named above that is cut short or from another version: rerun that generator, or move the file away to merge the others" });
  }
  if (files.length === 0) {
    throw new UsageError(`no recordings in ${dir}`, { hint: "run each generator with pipebench run SUITE --segment i/N --recordings DIR" });
  }
  const counts = new Set(files.map((f) => f.recording.segment.count));
  const count = [...counts][0] ?? 1;
  if (counts.size > 1) {
    throw new UsageError(`the recordings in ${dir} come from runs split ${[...counts].join(" and ")} ways`, { hint: "merge one split at a time: one directory per run" });
  }
  const groups = new Map<string, RecordingFile[]>();
  for (const f of files) {
    const key = `${f.ordinal}/${f.trial}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }

  // Every group's scenario checked before the store is touched: a mistake leaves no half-merged run.
  for (const [first] of groups.values()) {
    const scenario = first === undefined ? undefined : suite.scenarios[first.ordinal];
    if (first !== undefined && (scenario === undefined || scenario.name !== first.scenario)) {
      throw new UsageError(`the recordings' scenario ${first.ordinal} is ${first.scenario}, not in ${suite.file} at that place`, { hint: "merge with the suite the generators ran" });
    }
  }

  const store = await ResultsStore.open(flags.store);
  try {
    const runId = await store.beginRun({
      suiteName: suite.name,
      suiteFile: suite.file,
      startedAt: Math.min(...files.map((f) => f.recording.startedAt)),
      environment: { pipebench: PIPEBENCH_VERSION, node: process.version, host: { ...hostFingerprint() }, targets: {} },
      suite: suite.resolved,
      trials: Math.max(...files.map((f) => f.trial)) + 1,
      ...(flags.tag === undefined ? {} : { tag: flags.tag }),
    });
    const judged: { name: string; trial: number; result: ScenarioResult; thresholds: ThresholdOutcome[] }[] = [];
    for (const group of [...groups.values()].sort((a, b) => a[0]!.ordinal - b[0]!.ordinal || a[0]!.trial - b[0]!.trial)) {
      const first = group[0]!;
      const scenario = suite.scenarios[first.ordinal]!; // checked above
      const parts: WorkerPart[] = Array.from({ length: count }, (_, index): WorkerPart => {
        const file = group.find((f) => f.recording.segment.index === index);
        if (file === undefined) return { kind: "lost", segment: { index, count }, seconds: [], startSkewMs: null, failure: "no recording: the generator failed or did not finish" };
        const { outcome, seconds, startSkewMs } = fromWire(file.recording);
        return { kind: "reported", segment: { index, count }, outcome, seconds, startSkewMs };
      });
      const result = mergeWorkerParts(parts);
      const thresholds = evaluateThresholds(scenario.thresholds, scenarioMetricLookup(result, {}));
      await store.saveScenario(runId, {
        ordinal: first.ordinal,
        name: scenario.name,
        trial: first.trial,
        target: scenario.target,
        targetKind: suite.targets[scenario.target]?.kind ?? "unknown",
        workload: scenario.workload,
        load: scenario.load,
        result,
        thresholds: toStored(thresholds),
        probes: [],
      });
      judged.push({ name: scenario.name, trial: first.trial, result, thresholds });
    }
    const complete = judged.every((j) => j.result.status === "completed");
    const runThresholds = complete ? evaluateThresholds(suite.thresholds, runMetricLookup(judged.map((j) => j.result), {})) : [];
    const passed = judged.every((j) => j.thresholds.every((t) => t.passed)) && runThresholds.every((t) => t.passed);
    const invalid = complete && passed ? invalidJudged(judged, suite.thresholds.length, 1) : [];
    const status: RunStatus = !complete ? "interrupted" : !passed ? "failed" : invalid.length > 0 && flags.allowInvalid !== true ? "invalid" : "passed";
    const exitCode =
      status === "passed" ? ExitCode.ok : status === "invalid" ? ExitCode.resultsInvalid : status === "failed" ? ExitCode.thresholdsFailed : ExitCode.interrupted;
    await store.finishRun(runId, status, exitCode, toStored(runThresholds));
    const run = await store.getRun(runId);
    if (run !== undefined) process.stdout.write(`${renderRunSummary(run, { color: flags.color })}\n`);
    if (invalid.length > 0) process.stdout.write(`\n${invalidVerdictLine(invalid)}\n`);
    process.stdout.write(`\nmerged ${files.length} recordings of ${count} generators as run ${runId} — see it again with: pipebench show ${runId}\n`);
    return exitCode;
  } finally {
    await store.close();
  }
}
