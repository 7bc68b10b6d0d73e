// `pipebench baseline set <run>` marks a run as its suite's baseline (one per suite; `compare
// baseline latest` then finds it); `pipebench baseline show [--suite NAME]` prints it.
import { UsageError } from "../errors.js";
import { table } from "../report/format.js";
import { ResultsStore, type RunRow } from "../store/results-store.js";
import { resolveRunId } from "./run-ref.js";

function when(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").slice(0, 19);
}

export async function baselineSetCommand(ref: string, flags: { store: string }): Promise<number> {
  const store = await ResultsStore.open(flags.store, { create: false });
  try {
    const run = await store.setBaseline(await resolveRunId(store, ref));
    process.stdout.write(`run ${run.id}${run.tag === null ? "" : ` (${run.tag})`} is now the baseline of suite ${run.suiteName}\n`);
    return 0;
  } finally {
    await store.close();
  }
}

/** The baseline of `suite`, or of every suite that has runs in the store. */
async function baselines(store: ResultsStore, suite: string | undefined): Promise<{ suiteName: string; run: RunRow }[]> {
  const suites = suite !== undefined ? [suite] : [...new Set((await store.listRuns({ limit: 1_000_000 })).map((r) => r.suiteName))].sort();
  const shown: { suiteName: string; run: RunRow }[] = [];
  for (const name of suites) {
    const id = await store.baselineOf(name);
    const run = id === undefined ? undefined : (await store.listRuns({ limit: 1_000_000, suite: name })).find((r) => r.id === id);
    if (run !== undefined) shown.push({ suiteName: name, run });
  }
  return shown;
}

export async function baselineShowCommand(flags: { store: string; suite?: string; format: string }): Promise<number> {
  const store = await ResultsStore.open(flags.store, { create: false });
  try {
    const shown = await baselines(store, flags.suite);
    if (flags.format === "json") {
      process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
      return 0;
    }
    if (shown.length === 0) {
      if (flags.suite !== undefined) {
        throw new UsageError(`suite ${flags.suite} has no baseline in ${store.path}`, { hint: "mark one with: pipebench baseline set <run>" });
      }
      process.stdout.write(`no baseline in ${store.path} yet: mark one with pipebench baseline set <run>\n`);
      return 0;
    }
    const rows = [
      ["suite", "run", "tag", "run started (UTC)"],
      ...shown.map((b) => [b.suiteName, String(b.run.id), b.run.tag ?? "–", when(b.run.startedAt)]),
    ];
    process.stdout.write(`${table(rows, new Set([1])).join("\n")}\n`);
    return 0;
  } finally {
    await store.close();
  }
}
