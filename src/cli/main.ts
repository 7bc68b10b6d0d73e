// The command line. This is the only place that prints errors and picks the exit code:
// 0 all thresholds passed, 1 a threshold failed, 2 bad input, 3 a target could not be reached or
// failed mid-run, 130 interrupted (partial results kept), 70 a bug in pipebench.
import { Command, CommanderError, Option } from "commander";
import { isPipebenchError, ExitCode, SuiteError } from "../errors.js";
import { formatSuiteError } from "../suite/format-error.js";
import { redactText } from "../store/redact.js";
import { PIPEBENCH_VERSION } from "../version.js";
// Each command's module is loaded when the command runs: `--help`, `--version` and a command
// that reads the store do not load the engine, the drivers and the report's charts.
import type { CompareFlags } from "./compare.js";
import type { ExportK8sFlags } from "./export-k8s.js";
import type { FitFlags } from "./fit.js";
import { COMPARE_FORMATS, DIAGNOSE_FORMATS, FIT_FORMATS, PLAN_FORMATS, RUN_FORMATS } from "./formats.js";
import type { MergeFlags } from "./merge.js";
import { storeOption } from "./options.js";
import type { runCommand } from "./run.js";
import type { runsCommand } from "./runs.js";
import type { workerCommand } from "./scale-out.js";
import { STARTER_KINDS, starterList } from "./starters.js";


/** Every exit code, for `pipebench --help` (the README's table says the same). */
const EXIT_CODES_HELP = `
Exit codes:
  0    every threshold passed (compare: no regression past --fail-on-regression)
  1    a threshold failed (compare: a metric significantly worse past --fail-on-regression)
  2    bad input: the suite, a flag, a run id; or a mistake in the suite found as a scenario is
       prepared (a missing table, an unknown topic), with a hint saying what to change
  3    a target could not be reached, or failed mid-run (partial results stored)
  4    the thresholds passed, but a result they judged is INVALID (the reason is the last line
       printed; --allow-invalid accepts it and exits 0)
  70   a bug in pipebench (--verbose prints the stack)
  130  interrupted with Ctrl-C or SIGTERM (partial results stored, marked interrupted)`;

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function program(result: { code: number }): Command {
  const color = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
  const cli = new Command("pipebench")
    .description("Load tests, honest latency, thresholds and stored runs for data platforms")
    .version(PIPEBENCH_VERSION)
    .option("--verbose", "print stack traces of errors")
    .exitOverride()
    .showHelpAfterError()
    .addHelpText("after", EXIT_CODES_HELP);

  cli
    .command("run")
    .description("run a suite (default: the embedded quickstart) and store the results")
    .argument("[suite]", "suite YAML file")
    .option("-s, --scenario <name>", "run only this scenario (repeatable)", collect, [])
    .option("--set <path=value>", "override a suite value, e.g. scenarios.ingest.load.rate=500 (repeatable)", collect, [])
    .option("-d, --duration <time>", "override every scenario's duration, e.g. 60 (seconds) or 2m")
    .option("-r, --rate <ops/s>", "override every open-loop scenario's rate")
    .option("--max-rate <ops/s>", "refuse to start (exit 2) when an open-loop scenario asks more than this many operations per second")
    .addOption(
      new Option("-f, --format <format>", "output format (kafka-perf: Kafka's perf tools' summary lines)")
        .choices(RUN_FORMATS)
        .default("table"),
    )
    .option("-t, --trials <n>", "run each scenario n times, each trial kept (compare tests significance on them)")
    .option("--tag <name>", "label the run; compare, report and show accept the tag in place of a run id")
    .option("--sweep <key=v1,v2>", "run the scenario once per value, e.g. workload.batchSize=100,1000 (repeatable: a grid)", collect, [])
    .option("--find-max", "search the highest rate the constant-rate scenario sustains (ramp, then longer steps decided by majority)")
    .option("--step-duration <time>", "--find-max: measured length of each step", "5s")
    .option("--start-rate <ops/s>", "--find-max: first rate tried (default: the scenario's)")
    .option("-o, --out <dir>", "also write results.json into this directory")
    .option("--dashboard [port]", "live charts of the run at http://127.0.0.1:PORT/ (a free port unless given)")
    .option("--dashboard-linger <time>", "keep the live view up this long after the run, e.g. 60 or 5m")
    .option("--prometheus-rw <url>", "push live metrics to Prometheus remote write (e.g. http://127.0.0.1:9090/api/v1/write): counts, errors by kind, in flight, latency histograms; labels run_id, suite, scenario")
    .option("--allow-invalid", "exit 0, not 4, when the thresholds passed on results pipebench marks INVALID (a busy machine, a rate not reached, too few samples)")
    .option("--dry-run", "check the suite and print the plan (targets, scenarios, rates, durations, operations); start, connect to and store nothing")
    .option("--workers <n>", "run every scenario on n worker processes on this machine (segments i/n; auto: one per core), merged exactly into one stored run")
    .option("--segment <i/n>", "run only segment i (0-based) of n of every scenario: one of n load generators (an Indexed Job passes $JOB_COMPLETION_INDEX/n)")
    .option("--start-at <time>", "--segment: start the first scenario at this time (epoch ms or ISO), agreed by every generator")
    .option("--recordings <dir>", "--segment: also write each scenario's recording into this directory, for pipebench merge")
    .addOption(storeOption())
    .action(async (suite: string | undefined, flags: Parameters<typeof runCommand>[1]) => {
      result.code = await (await import("./run.js")).runCommand(suite, { ...flags, color });
    });

  cli
    .command("merge")
    .description("merge the recordings of n generators (run --segment i/n --recordings DIR, e.g. an Indexed Job's pods) into one stored run, judged once")
    .argument("<suite>", "the suite the generators ran")
    .argument("<dir>", "the directory their --recordings went to")
    .option("--tag <name>", "label the merged run")
    .option("--allow-invalid", "exit 0, not 4, when the thresholds passed on results pipebench marks INVALID")
    .addOption(storeOption())
    .action(async (suite: string, dir: string, flags: Omit<MergeFlags, "color">) => {
      result.code = await (await import("./merge.js")).mergeCommand(suite, dir, { ...flags, color });
    });

  cli
    .command("worker", { hidden: true })
    .description("one worker process of run --workers N (started by it, over IPC)")
    .argument("<suite>", "suite YAML file")
    .requiredOption("--segment <i/n>", "the segment this worker runs")
    .option("-s, --scenario <name>", "run only this scenario (repeatable)", collect, [])
    .option("--set <path=value>", "override a suite value (repeatable)", collect, [])
    .option("-d, --duration <time>", "override every scenario's duration")
    .option("-r, --rate <ops/s>", "override every open-loop scenario's rate")
    .action(async (suite: string, flags: Parameters<typeof workerCommand>[1]) => {
      result.code = await (await import("./scale-out.js")).workerCommand(suite, flags);
    });

  cli
    .command("runs")
    .description("list stored runs, newest first")
    .option("-n, --limit <n>", "how many", "20")
    .option("--suite <name>", "only runs of this suite")
    .addOption(new Option("-f, --format <format>", "output format").choices(["table", "json"]).default("table"))
    .addOption(storeOption())
    .action(async (flags: Parameters<typeof runsCommand>[0]) => {
      result.code = await (await import("./runs.js")).runsCommand(flags);
    });

  cli
    .command("show")
    .description("print one stored run")
    .argument("<run>", "run id, or latest")
    .addOption(
      new Option("-f, --format <format>", "output format (kafka-perf: Kafka's perf tools' summary lines)")
        .choices(RUN_FORMATS)
        .default("table"),
    )
    .addOption(storeOption())
    .action(async (ref: string, flags: { store: string; format: string }) => {
      result.code = await (await import("./show.js")).showCommand(ref, { ...flags, color });
    });

  cli
    .command("diagnose")
    .description("find the bottlenecks of a stored run: evidence, impact, the setting to change, the runbook section")
    .argument("<run>", "run id, latest, latest~N, baseline or a tag")
    .addOption(new Option("-f, --format <format>", "output format").choices(DIAGNOSE_FORMATS).default("table"))
    .addOption(storeOption())
    .action(async (ref: string, flags: { store: string; format: string }) => {
      result.code = await (await import("./diagnose.js")).diagnoseCommand(ref, { ...flags, color });
    });

  cli
    .command("report")
    .description("write report.md, report.html (charts, no network needed), results.json and junit.xml for a stored run")
    .argument("<run>", "run id, latest, latest~N, baseline, or a tag")
    .option("--vs <run>", "compare with this run (the baseline: before) and report the improvement")
    .option("-o, --out <dir>", "directory to write into (default: reports/<run id>, or reports/<run id>-vs-<other id>)")
    .option("--plan <file>", "add this capacity plan (e.g. suites/plans/seed-004-find-max.yaml) as a section, its measured capacities read from the same store")
    .addOption(storeOption())
    .action(async (ref: string, flags: { store: string; vs?: string; out?: string; plan?: string }) => {
      result.code = await (await import("./report.js")).reportCommand(ref, flags);
    });

  cli
    .command("compare")
    .description("compare two stored runs: medians, % change, 95% interval, significance, verdict per scenario and metric")
    .argument("<before>", "run id, latest, latest~N, baseline (of the other run's suite) or a tag")
    .argument("<after>", "run id, latest, latest~N, baseline or a tag")
    .addOption(new Option("-f, --format <format>", "output format").choices(COMPARE_FORMATS).default("table"))
    .option("--fail-on-regression <pct>", "exit 1 when a metric is significantly worse by more than this, e.g. 5%")
    .option("--gate <metrics>", "the metrics --fail-on-regression judges, e.g. throughput,p99 (default: all but resource usage and the parts of latency)")
    .option("--noise-floor <pct>", "a significant change smaller than this is still no change (~)", "2%")
    .option("--alpha <p>", "significance level of the tests", "0.05")
    .addOption(storeOption())
    .action(async (before: string, after: string, flags: Omit<CompareFlags, "color">) => {
      result.code = await (await import("./compare.js")).compareCommand(before, after, { ...flags, color });
    });

  cli
    .command("fit")
    .description("fit the Universal Scalability Law to a stored sweep over workers/producers/partitions/connections, or to a CSV of N,throughput")
    .argument("[run]", "run id, latest, latest~N or a tag of a sweep (with --key)")
    .option("--key <key>", "the swept concurrency-like setting that is N, e.g. load.workers")
    .option("-s, --scenario <name>", "the scenario, when the run swept several")
    .option("--csv <file>", "fit the points of this file instead (lines of N,throughput)")
    .option("--predict <n,...>", "also print X(N) at these N (refused beyond 2x the largest N measured unless --force)")
    .option("--force", "predict beyond 2x the largest N measured")
    .option("--confidence <level>", "level of the intervals", "95%")
    .option("--bootstrap <replicates>", "also give percentile intervals of σ, κ, λ (and N*) from this many residual-bootstrap refits, e.g. 1000")
    .option("--seed <n>", "--bootstrap: the random seed (the same seed, the same intervals)", "1")
    .addOption(new Option("-f, --format <format>", "output format").choices(FIT_FORMATS).default("table"))
    .addOption(storeOption())
    .action(async (ref: string | undefined, flags: FitFlags) => {
      result.code = await (await import("./fit.js")).fitCommand(ref, flags);
    });

  cli
    .command("plan")
    .description("a capacity plan month by month: demand and growth, nodes per component (capacities given or measured by stored runs), storage tiers, cost")
    .argument("<plan>", "plan YAML file, e.g. suites/plans/seed-004.yaml")
    .addOption(new Option("-f, --format <format>", "output format").choices(PLAN_FORMATS).default("table"))
    .option("-o, --out <dir>", "also write plan.md (the plan as a report section), plan.json and plan.html (with charts) into this directory")
    .addOption(storeOption("read when a capacity is measured"))
    .action(async (file: string, flags: { store: string; format: string; out?: string }) => {
      result.code = await (await import("./plan.js")).planCommand(file, flags);
    });

  cli
    .command("init")
    .description("write a commented starter suite that runs as written, and the suite's JSON Schema beside it")
    .argument("[kind]", `${STARTER_KINDS.join(" | ")}; without one, list them and write nothing`)
    .argument("[file]", "where to write the suite (default: KIND.yaml; a directory: KIND.yaml in it); never overwritten")
    .addHelpText("after", `\n${starterList()}`)
    .action(async (kind: string | undefined, file: string | undefined) => {
      result.code = (await import("./init.js")).initCommand(kind, file);
    });

  const exporter = cli.command("export").description("hand a suite's targets on to monitoring: Prometheus alert rules, a Grafana dashboard");
  exporter
    .command("prometheus-rules")
    .description("the suite's latency and error-rate thresholds as Prometheus alert rules on the service's own metrics (named under monitoring: in the suite)")
    .argument("<suite>", "suite YAML file")
    .option("-o, --out <file>", "write the rules here instead of printing them")
    .action(async (file: string, flags: { out?: string }) => {
      result.code = await (await import("./export.js")).exportPrometheusRulesCommand(file, flags);
    });
  exporter
    .command("grafana")
    .description("a Grafana dashboard (JSON) of pipebench's live metrics (run --prometheus-rw): throughput, errors, p50/p95/p99 per scenario, thresholds as lines")
    .argument("<suite|run>", "suite YAML file, or a stored run (id, latest, a tag), which the dashboard opens on")
    .option("-o, --out <file>", "write the dashboard here instead of printing it")
    .addOption(storeOption("for a run"))
    .action(async (ref: string, flags: { out?: string; store: string }) => {
      result.code = await (await import("./export.js")).exportGrafanaCommand(ref, flags);
    });

  exporter
    .command("k8s")
    .description("the suite as a Kubernetes Indexed Job of n load generators (JOB_COMPLETION_INDEX → --segment i/n), the suite in a ConfigMap")
    .argument("<suite>", "suite YAML file")
    .requiredOption("--workers <n>", "load generators (pods, one per node)")
    .requiredOption("--image <image>", "a container image with pipebench on its PATH")
    .option("--cpu <cpu>", "each generator's CPU (requests = limits)", "1")
    .option("--memory <size>", "each generator's memory (requests = limits)", "1Gi")
    .option("--start-at <time>", "the time every generator starts (epoch ms or ISO), e.g. two minutes after you apply it")
    .option("--results-claim <pvc>", "a PersistentVolumeClaim (ReadWriteMany) the generators store their runs in (default: an emptyDir)")
    .option("--store-secret <name[:key]>", "a Secret whose key (default url) holds a postgres:// results store: each generator stores its run there (PIPEBENCH_STORE)")
    .option("--namespace <ns>", "the namespace of the ConfigMap and the Job")
    .option("-o, --out <file>", "write the manifests here instead of printing them")
    .action(async (file: string, flags: ExportK8sFlags) => {
      result.code = await (await import("./export-k8s.js")).exportK8sCommand(file, flags);
    });

  cli
    .command("schema")
    .description("print the suite's JSON Schema (for editors: pipebench schema > pipebench.schema.json)")
    .action(async () => {
      result.code = (await import("./schema.js")).schemaCommand();
    });

  const baseline = cli.command("baseline").description("mark or show the baseline run of a suite (compare baseline latest)");
  baseline
    .command("set")
    .description("make a run its suite's baseline")
    .argument("<run>", "run id, latest, latest~N or a tag")
    .addOption(storeOption())
    .action(async (ref: string, flags: { store: string }) => {
      result.code = await (await import("./baseline.js")).baselineSetCommand(ref, flags);
    });
  baseline
    .command("show")
    .description("print the baseline of a suite (default: of every suite)")
    .option("--suite <name>", "only this suite")
    .addOption(new Option("-f, --format <format>", "output format").choices(["table", "json"]).default("table"))
    .addOption(storeOption())
    .action(async (flags: { store: string; suite?: string; format: string }) => {
      result.code = await (await import("./baseline.js")).baselineShowCommand(flags);
    });

  return cli;
}

export async function main(argv: readonly string[]): Promise<number> {
  const result = { code: ExitCode.ok as number };
  const verbose = argv.includes("--verbose");
  try {
    await program(result).parseAsync([...argv], { from: "user" });
    return result.code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version end here with code 0; bad flags with a message already printed.
      return error.exitCode === 0 ? 0 : ExitCode.badInput;
    }
    if (error instanceof SuiteError) {
      process.stderr.write(`${formatSuiteError(error)}\n`);
      return error.exitCode;
    }
    if (isPipebenchError(error)) {
      // Messages may quote a URL a person wrote; never with its password.
      process.stderr.write(`error: ${redactText(error.message)}\n`);
      if (error.hint) process.stderr.write(`  hint: ${redactText(error.hint)}\n`);
      if (verbose && error.stack) process.stderr.write(`${redactText(error.stack)}\n`);
      return error.exitCode;
    }
    const e = error instanceof Error ? error : new Error(String(error));
    process.stderr.write(`internal error: ${redactText(e.message)}\n`);
    process.stderr.write(verbose ? `${redactText(e.stack ?? "")}\n` : "  run again with --verbose for the stack trace, and please report it\n");
    return ExitCode.internal;
  }
}
