// `pipebench run [suite]`: load and validate the suite (nothing runs and nothing is stored when it
// is invalid), run it, store it, print the summary, and exit by the thresholds.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { dashboardSettings } from "../dashboard/flags.js";
import { LiveDashboard, observedHooks } from "../dashboard/live-run.js";
import { driverSchemas } from "../drivers/index.js";
import { runSuite } from "../engine/run-suite.js";
import { ALLOW_INVALID_HINT } from "../engine/run-verdict.js";
import { ExitCode, UsageError } from "../errors.js";
import { diagnose } from "../diagnose/diagnose.js";
import { renderRunSummary } from "../report/console-summary.js";
import { renderFindings } from "../report/findings.js";
import { runJsonWithFindMax } from "../report/find-max-answer.js";
import { formatCount, formatMs, formatRate } from "../report/format.js";
import { renderKafkaPerf } from "../report/kafka-perf.js";
import { ResultsStore, type StoredRun } from "../store/results-store.js";
import { loadSuite } from "../suite/load-suite.js";
import { parseCount, parseDuration } from "../suite/units.js";
import { redactText } from "../store/redact.js";
import { printPlan } from "./dry-run.js";
import { checkMaxRate } from "./max-rate.js";
import { ProgressLine } from "./progress.js";
import { targetEndpoints } from "./target-endpoints.js";
import { displayPath } from "../suite/format-error.js";
import { renderSearches } from "../report/sweep-table.js";
import { pickFindMaxScenario } from "../sweep/find-max.js";
import { findMaxRunner } from "../sweep/find-max-run.js";
import { hasSweeps, runSweeps } from "../sweep/run-sweep.js";
import { PrometheusRemoteOutput } from "../metrics-out/live-output.js";
import { scaleOutOptions } from "./scale-out.js";
import { RUN_FORMATS } from "./formats.js";

export const QUICKSTART_SUITE = fileURLToPath(new URL("../../suites/quickstart.yaml", import.meta.url));

export type RunFormat = (typeof RUN_FORMATS)[number];

export function isRunFormat(format: string): format is RunFormat {
  return (RUN_FORMATS as readonly string[]).includes(format);
}

/**
 * `--format kafka-perf`: Kafka's perf tools' summary lines on stdout, nothing else there (so
 * `| grep -E "records/sec|MB/sec|latency"` sees only them); what is skipped goes to stderr.
 */
export function writeKafkaPerf(run: StoredRun): void {
  const { lines, notes } = renderKafkaPerf(run);
  for (const n of notes) process.stderr.write(`${n}\n`);
  if (lines.length > 0) process.stdout.write(`${lines.join("\n")}\n`);
}

export interface RunFlags {
  scenario: string[];
  set: string[];
  duration?: string;
  rate?: string;
  /** `--max-rate N`: refuse scenarios that ask more than N operations per second. */
  maxRate?: string;
  format: string;
  out?: string;
  store: string;
  /** `--prometheus-rw URL`: push the live metrics to this remote-write endpoint. */
  prometheusRw?: string;
  color: boolean;
  /** `--dashboard[=PORT]`: live charts on 127.0.0.1. */
  dashboard?: boolean | string;
  dashboardLinger?: string;
  trials?: string;
  tag?: string;
  /** `--sweep key=v1,v2,…` (repeatable: a grid). */
  sweep?: string[];
  /** `--find-max`, with its step length and start rate. */
  findMax?: boolean;
  stepDuration?: string;
  startRate?: string;
  /** `--dry-run`: validate and print the plan; connect to, start and store nothing. */
  dryRun?: boolean;
  /** `--allow-invalid`: thresholds passed on invalid results pass the run (exit 0, not 4). */
  allowInvalid?: boolean;
  /** `--workers N`, `--segment i/N`, `--start-at T`: scale-out (src/cli/scale-out.ts). */
  workers?: string;
  segment?: string;
  startAt?: string;
  recordings?: string;
}

export async function runCommand(suiteArg: string | undefined, flags: RunFlags): Promise<number> {
  if (!isRunFormat(flags.format)) {
    throw new UsageError(`--format ${flags.format} is not a format`, { hint: "use --format table, json or kafka-perf" });
  }
  const duration = flags.duration === undefined ? undefined : parseDuration(flags.duration);
  if (flags.duration !== undefined && duration === undefined) {
    throw new UsageError(`--duration ${flags.duration} is not a duration`, { hint: 'write e.g. --duration 60 (seconds) or --duration 2m' });
  }
  const rate = flags.rate === undefined ? undefined : parseCount(flags.rate);
  if (flags.rate !== undefined && (rate === undefined || rate <= 0)) {
    throw new UsageError(`--rate ${flags.rate} is not a rate`, { hint: "write operations per second, e.g. --rate 200" });
  }
  const maxRate = flags.maxRate === undefined ? undefined : parseCount(flags.maxRate);
  if (flags.maxRate !== undefined && (maxRate === undefined || maxRate <= 0)) {
    throw new UsageError(`--max-rate ${flags.maxRate} is not a rate`, { hint: "write operations per second, e.g. --max-rate 1000" });
  }

  const trials = flags.trials === undefined ? 1 : Number(flags.trials);
  if (!Number.isInteger(trials) || trials < 1 || trials > 1000) {
    throw new UsageError(`--trials ${flags.trials} is not a number of trials`, {
      hint: "write a whole number from 1 up, e.g. --trials 5 (5 or more lets compare test significance)",
    });
  }
  if (flags.tag !== undefined && /^(latest(~\d+)?|baseline)$/.test(flags.tag)) {
    throw new UsageError(`--tag ${flags.tag} is a word run references already mean`, {
      hint: "`latest` and `baseline` always name those runs, so this tag could never be looked up: pick another, e.g. --tag before-tuning",
    });
  }
  if (flags.tag !== undefined && !/^[A-Za-z][\w.-]{0,63}$/.test(flags.tag)) {
    throw new UsageError(`--tag ${flags.tag} is not a tag`, {
      hint: "start with a letter; letters, digits, '.', '_' and '-' only, e.g. --tag batch-5000",
    });
  }

  const live = dashboardSettings(flags, suiteArg);
  const file = live.suiteArg === undefined ? QUICKSTART_SUITE : resolve(live.suiteArg);
  const suite = await loadSuite(
    file,
    {
      set: flags.set,
      ...(duration === undefined ? {} : { duration }),
      ...(rate === undefined ? {} : { rate }),
      ...(flags.scenario.length > 0 ? { scenarios: flags.scenario } : {}),
      ...(flags.sweep !== undefined && flags.sweep.length > 0 ? { sweep: flags.sweep } : {}),
    },
    driverSchemas,
  );
  // --find-max picks its own rates and keeps them under --max-rate.
  if (maxRate !== undefined && flags.findMax !== true) checkMaxRate(suite.scenarios, maxRate);
  const runner = flags.findMax === true ? findMaxRunner(flags, suite, maxRate) : hasSweeps(suite) ? runSweeps : runSuite;
  // A search repeats its own steps (each rate decided by a majority); a trial of a search would be a
  // second search in the same run, which neither the read-back nor compare knows how to pair.
  if (flags.findMax === true && trials > 1) {
    throw new UsageError(`--find-max runs one search, and --trials ${trials} asks for ${trials} of them`, {
      hint: "drop --trials (each rate is already decided by the majority of up to three steps); to see how repeatable the answer is, run the search again and compare the answers",
    });
  }
  if (flags.findMax === true && hasSweeps(suite)) {
    throw new UsageError("--find-max searches one rate at a time and cannot run a sweep as well", {
      hint: "drop --sweep (or the scenario's sweep: block via --scenario), or run them one after the other",
    });
  }

  const scaleOut = scaleOutOptions(flags, file, suite);

  if (flags.dryRun === true) {
    const findMax = flags.findMax === true ? pickFindMaxScenario(suite.scenarios).name : undefined;
    return printPlan(suite, { trials, format: flags.format, ...(findMax === undefined ? {} : { findMax }) });
  }

  const remoteWriteUrl = flags.prometheusRw === undefined ? undefined : checkRemoteWriteUrl(flags.prometheusRw);
  const store = await ResultsStore.open(flags.store);
  const progress = new ProgressLine();
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts > 1) {
      // Quit now: what is stored stays, the run marked interrupted; the exit handlers and the
      // watchdogs stop the servers and remove their temp dirs. A store across the network gets a
      // second to take the mark; the next pipebench that opens it marks the run incomplete if not.
      const quit = (): never => process.exit(ExitCode.interrupted);
      setTimeout(quit, 1_000).unref();
      store.finishUnfinished("interrupted", ExitCode.interrupted).then(quit, quit);
      return;
    }
    progress.log("interrupted: stopping the current scenario and keeping what was measured (Ctrl-C again to quit now)");
    controller.abort();
  };
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigint);

  let dashboard: LiveDashboard | undefined;
  let metricsOut: PrometheusRemoteOutput | undefined;
  try {
    const scenarios = `${suite.scenarios.length} scenario${suite.scenarios.length === 1 ? "" : "s"}`;
    // The store as the last line names it: relative under the working directory (a pasted terminal shows no machine path).
    progress.log(`pipebench · ${suite.name} · ${scenarios} · results → ${displayPath(store.path)}`);
    progress.log(`targets: ${targetEndpoints(suite).join(" · ")}`);
    if (live.settings !== undefined) {
      dashboard = await LiveDashboard.start(live.settings, (line) => progress.log(line));
      progress.log(`live view: ${dashboard.url}`);
      dashboard.runStart(suite, trials);
    }
    if (remoteWriteUrl !== undefined) {
      metricsOut = new PrometheusRemoteOutput(remoteWriteUrl, suite, (line) => progress.log(line), trials);
      progress.log(`live metrics: remote write to ${metricsOut.url} (labels run_id, suite, scenario)`);
    }
    const hooks = observedHooks(dashboard, {
      // Drivers and started services log what they see; a password they quote is masked.
      log: (line) => progress.log(`  ${redactText(line)}`),
      scenarioStart: (s, i, total, trial) =>
        progress.start(s.name, i, total, trials > 1 && trial !== undefined ? `${trial + 1}/${trials}` : undefined),
      progress: (_s, p) => progress.update(p),
      scenarioEnd: (o) => {
        progress.finish();
        const r = o.result;
        const mark = o.thresholds.every((t) => t.passed) && r.status === "completed" ? "✓" : "✗";
        progress.log(
          `${mark} ${o.name}  ${r.durationS.toFixed(1)}s  ${formatCount(r.ops)} ops  ${formatRate(r.throughput)}` +
            `  p99 ${formatMs(r.latency.count > 0 ? r.latency.p99 : null)}  errors ${formatCount(r.errors)}`,
        );
      },
    });
    const outcome = await runner(suite, {
      store,
      signal: controller.signal,
      trials,
      ...(flags.tag === undefined ? {} : { tag: flags.tag }),
      ...(flags.allowInvalid === true ? { allowInvalid: true } : {}),
      ...scaleOut.options,
      hooks: metricsOut === undefined ? hooks : metricsOut.observe(hooks),
    });
    if (metricsOut !== undefined) {
      const pushed = await metricsOut.close();
      metricsOut = undefined;
      progress.log(
        `live metrics: ${pushed.pushes} pushes to the remote-write endpoint` +
          (pushed.failed === 0 ? "" : `, ${pushed.failed} failed (last: ${pushed.lastError ?? "?"})`),
      );
    }
    dashboard?.finished(outcome);
    const stored = await store.getRun(outcome.runId);
    if (stored === undefined) throw new Error(`run ${outcome.runId} vanished from the store`);
    // Serialised once: the histograms make it the largest thing a run writes.
    const json = flags.out !== undefined || flags.format === "json" ? runJsonWithFindMax(stored) : "";
    if (flags.out !== undefined) {
      mkdirSync(flags.out, { recursive: true });
      writeFileSync(join(flags.out, "results.json"), json);
    }
    // Why the run ended early, and for a mistake in the suite what to change in it.
    const failure = outcome.failure === undefined ? undefined : redactText(outcome.failure) + (outcome.hint === undefined ? "" : `\n  hint: ${redactText(outcome.hint)}`);
    if (flags.format === "json") {
      process.stdout.write(json);
      if (failure !== undefined) progress.log(failure);
    } else if (flags.format === "kafka-perf") {
      // The summary table is not printed; the verdict and where the run is stored go to stderr.
      writeKafkaPerf(stored);
      if (failure !== undefined) progress.log(failure);
      progress.log(`stored as run ${outcome.runId} in ${displayPath(store.path)} — see it again with: pipebench show ${outcome.runId}`);
    } else {
      process.stdout.write(`\n${renderRunSummary(stored, { color: flags.color })}\n`);
      const searches = renderSearches(stored);
      if (searches !== "") process.stdout.write(`\n${searches}\n`);
      process.stdout.write(`\n${renderFindings(diagnose(stored), { color: flags.color })}\n`);
      if (failure !== undefined) process.stdout.write(`\n${failure}\n`);
      process.stdout.write(`\nstored as run ${outcome.runId} in ${displayPath(store.path)} — see it again with: pipebench show ${outcome.runId}\n`);
    }
    // Last, where a CI log's tail shows it: why the exit code is 4, or what --allow-invalid accepted.
    if (outcome.invalid !== undefined) {
      const verdict =
        outcome.status === "invalid" ? `${outcome.invalid}\n  exit 4: ${ALLOW_INVALID_HINT}` : `${outcome.invalid}\n  accepted with --allow-invalid: exit 0`;
      if (flags.format === "table") process.stdout.write(`\n${verdict}\n`);
      else progress.log(verdict);
    }
    return outcome.exitCode;
  } catch (error) {
    dashboard?.failed(error);
    throw error;
  } finally {
    // A run that threw still sends what was queued (bounded by the push timeout).
    await metricsOut?.close();
    await scaleOut.close();
    await dashboard?.close(controller.signal);
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigint);
    await store.close();
  }
}

/** `--prometheus-rw URL`: an http(s) URL, e.g. http://127.0.0.1:9090/api/v1/write. */
function checkRemoteWriteUrl(text: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new UsageError(`--prometheus-rw ${text} is not an http(s) URL`, {
      hint: "give Prometheus's remote-write endpoint, e.g. --prometheus-rw http://127.0.0.1:9090/api/v1/write (Prometheus needs --web.enable-remote-write-receiver)",
    });
  }
  return url.href;
}
