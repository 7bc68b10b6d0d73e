// `pipebench export prometheus-rules <suite>` and `pipebench export grafana <suite|run>`: the
// suite's targets handed on to monitoring. Rules and dashboard are printed (or written with -o);
// what a threshold cannot become is said on stderr, one line each.
import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { driverSchemas } from "../drivers/index.js";
import { SuiteError, type SuiteIssue } from "../errors.js";
import { prometheusRules, rulesYaml, type MissingMapping } from "../export/prometheus-rules.js";
import { loadSuite } from "../suite/load-suite.js";
import { locate, parseYamlSource } from "../suite/yaml-source.js";

export interface ExportFlags {
  out?: string;
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
        fix: "alerts come from latency thresholds (p95 < 100ms) and error_rate thresholds (error_rate < 0.1%)",
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
  const text = await readFile(resolve(file), "utf8").catch(() => "");
  const { source } = parseYamlSource(text, file);
  return missing.map((m) => {
    const path = m.path.split(".").map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    const at = source === undefined ? undefined : locate(source, path);
    return { file, ...(at ?? {}), path: `monitoring.${m.field}`, message: m.message, fix: m.fix };
  });
}
