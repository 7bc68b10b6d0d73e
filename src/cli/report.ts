// `pipebench report <run> [--vs <run>] [--out DIR]`: report.md (seed 000's report template),
// report.html (self-contained, with charts), results.json and junit.xml for a stored run, compared
// with another run when --vs is given. Default directory: reports/<run id>/, or
// reports/<run id>-vs-<baseline id>/ with --vs, so a comparison never overwrites the run's own
// report. Run refs as compare takes them: an id, latest, latest~N, baseline, or a tag.
import { relative } from "node:path";
import { UsageError } from "../errors.js";
import { ResultsStore, type StoredRun } from "../store/results-store.js";
import { computePlan } from "../plan/model.js";
import { loadPlan, planComponents } from "../plan/load-plan.js";
import { writeReport } from "../report/write-report.js";
import { runReader } from "./plan.js";
import { loadRun } from "./run-ref.js";

export interface ReportFlags {
  store: string;
  vs?: string;
  out?: string;
  /** A capacity plan file to add as a section, its measured capacities read from the same store. */
  plan?: string;
}

function load(store: ResultsStore, ref: string, what: string, suite?: string): Promise<StoredRun> {
  return loadRun(store, ref, { what, ...(suite === undefined ? {} : { suite }) });
}

export function defaultReportDir(run: StoredRun, baseline?: StoredRun): string {
  return baseline === undefined ? `reports/${run.id}` : `reports/${run.id}-vs-${baseline.id}`;
}

export async function reportCommand(ref: string, flags: ReportFlags): Promise<number> {
  // The plan file's own mistakes are found before the store is opened.
  const loadedPlan = flags.plan === undefined ? undefined : await loadPlan(flags.plan);
  const store = await ResultsStore.open(flags.store, { create: false });
  try {
    const run = await load(store, ref, "run");
    // `--vs baseline` means the baseline of the reported run's suite.
    const baseline = flags.vs === undefined ? undefined : await load(store, flags.vs, "run to compare with", run.suiteName);
    if (baseline !== undefined && baseline.id === run.id) {
      throw new UsageError(`--vs ${flags.vs} is run ${run.id} itself`, { hint: "compare with an earlier run, e.g. --vs latest~1 or --vs baseline" });
    }
    const plan = loadedPlan === undefined ? undefined : { result: computePlan(loadedPlan.plan, await planComponents(loadedPlan, () => Promise.resolve(runReader(store))), loadedPlan.name), file: loadedPlan.file };
    const written = writeReport(flags.out ?? defaultReportDir(run, baseline), run, baseline, plan === undefined ? {} : { plan });
    const shown = (path: string): string => {
      const rel = relative(process.cwd(), path);
      return rel.startsWith("..") ? path : rel;
    };
    const what = baseline === undefined ? `run ${run.id}` : `run ${run.id} vs run ${baseline.id}`;
    process.stdout.write(`report of ${what} (${run.suiteName}) written to ${shown(written.dir)}/\n`);
    for (const path of Object.values(written.files)) process.stdout.write(`  ${shown(path)}\n`);
    return 0;
  } finally {
    await store.close();
  }
}
