// `pipebench diagnose <run>`: the findings of a stored run, as a table or as JSON. The run is named
// as everywhere else: an id, latest, latest~N, baseline, or a tag.
import { culpritOf } from "../diagnose/culprit.js";
import { diagnose } from "../diagnose/diagnose.js";
import { UsageError } from "../errors.js";
import { renderFindings } from "../report/findings.js";
import { ResultsStore } from "../store/results-store.js";
import { loadRun } from "./run-ref.js";
import { DIAGNOSE_FORMATS } from "./formats.js";


export async function diagnoseCommand(ref: string, flags: { store: string; format: string; color: boolean }): Promise<number> {
  if (!(DIAGNOSE_FORMATS as readonly string[]).includes(flags.format)) {
    throw new UsageError(`--format ${flags.format} is not a format`, { hint: "use --format table or json" });
  }
  const store = await ResultsStore.open(flags.store, { create: false });
  try {
    const run = await loadRun(store, ref);
    const findings = diagnose(run);
    if (flags.format === "json") {
      // Who set each scenario's pace, when something did (src/diagnose/culprit.ts).
      const culprits = run.scenarioResults.flatMap((s) => {
        const c = culpritOf(s)?.culprit;
        return c === undefined ? [] : [{ scenario: s.name, trial: s.trial, culprit: c }];
      });
      process.stdout.write(`${JSON.stringify({ run: run.id, suite: run.suiteName, culprits, findings }, null, 2)}\n`);
    } else {
      process.stdout.write(`pipebench run ${run.id} · ${run.suiteName}\n\n${renderFindings(findings, { color: flags.color })}\n`);
    }
    return 0;
  } finally {
    await store.close();
  }
}
