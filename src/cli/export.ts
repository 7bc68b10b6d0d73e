// `pipebench export prometheus-rules <suite>` and `pipebench export grafana <suite|run>`: the
// suite's targets handed on to monitoring. Rules and dashboard are printed (or written with -o);
// what a threshold cannot become is said on stderr, one line each.
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { driverSchemas } from "../drivers/index.js";
import { SuiteError, type SuiteIssue } from "../errors.js";
import { prometheusRules, rulesYaml, type MissingMapping } from "../export/prometheus-rules.js";
import { grafanaDashboard, type DashboardInput } from "../export/grafana-dashboard.js";
import { ResultsStore } from "../store/results-store.js";
import { loadSuite } from "../suite/load-suite.js";
import { parseThreshold, type Threshold } from "../thresholds/parse.js";
import { loadRun } from "./run-ref.js";
import { suiteLines } from "../suite/suite-lines.js";

export interface ExportFlags {
  out?: string;
}

export interface GrafanaFlags extends ExportFlags {
  store: string;
}

/** A suite file, or a stored run (id, latest, a tag …): its scenarios and thresholds, its id preselected. */
export async function exportGrafanaCommand(ref: string, flags: GrafanaFlags): Promise<number> {
  const input = isSuiteFile(ref) ? await fromSuite(ref) : await fromRun(ref, flags.store);
  await emit(`${JSON.stringify(grafanaDashboard(input), null, 2)}\n`, flags);
  return 0;
}

function isSuiteFile(ref: string): boolean {
  return /\.ya?ml$/i.test(ref) || existsSync(ref);
}

async function fromSuite(file: string): Promise<DashboardInput> {
  const suite = await loadSuite(file, {}, driverSchemas);
  return { suite: suite.name, scenarios: suite.scenarios.map((s) => ({ name: s.name, thresholds: s.thresholds })) };
}

async function fromRun(ref: string, storePath: string): Promise<DashboardInput> {
  // Only read: a mistyped --store is an error, not a new empty store.
  const store = await ResultsStore.open(storePath, { create: false });
  try {
    const run = await loadRun(store, ref);
    const scenarios = new Map<string, Threshold[]>();
    for (const s of run.scenarioResults) {
      if (scenarios.has(s.name)) continue;
      // Stored expressions were valid when the run loaded them; one a newer pipebench reads differently is left out.
      const parsed = s.thresholds.flatMap((t) => {
        try {
          return [parseThreshold(t.expr)];
        } catch {
          return [];
        }
      });
      scenarios.set(s.name, parsed);
    }
    return { suite: run.suiteName, runId: String(run.id), scenarios: [...scenarios].map(([name, thresholds]) => ({ name, thresholds })) };
  } finally {
    await store.close();
  }
}

export async function exportPrometheusRulesCommand(file: string, flags: ExportFlags): Promise<number> {
  const suite = await loadSuite(file, {}, driverSchemas);
  const outcome = prometheusRules(suite);
  if (!outcome.ok) throw new SuiteError(await located(suite.file, outcome.missing), { hint: "map the service's metric names under monitoring: in the suite" });
  for (const s of outcome.skipped) console.error(`skipped ${s.path} "${s.expr}": ${s.reason}`);
  if (outcome.rules.groups.length === 0) {
    throw new SuiteError([
      {
        file: suite.file,
        path: "",
        message: "no threshold of this suite becomes an alert",
        fix: "alerts come from latency thresholds (p95 < 100ms), error_rate thresholds (error_rate < 0.1%) and a prometheus probe's readings (promql.cpu < 0.7)",
      },
    ]);
  }
  await emit(rulesYaml(outcome.rules, suite.name), flags);
  return 0;
}

async function emit(text: string, flags: ExportFlags): Promise<void> {
  if (flags.out === undefined) process.stdout.write(text);
  else {
    await writeFile(flags.out, text);
    console.error(`wrote ${flags.out}`);
  }
}

/** The missing mappings as suite issues, each at the line of the threshold that needs it. */
async function located(file: string, missing: readonly MissingMapping[]): Promise<SuiteIssue[]> {
  const at = await suiteLines(file);
  return missing.map((m) => ({ file, ...(at(m.path) ?? {}), path: `monitoring.${m.field}`, message: m.message, fix: m.fix }));
}
