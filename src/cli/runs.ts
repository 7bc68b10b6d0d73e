// `pipebench runs`: the stored runs, newest first.
import { UsageError } from "../errors.js";
import { formatCount, table } from "../report/format.js";
import { ResultsStore } from "../store/results-store.js";

export async function runsCommand(flags: { store: string; limit: string; suite?: string; format: string }): Promise<number> {
  const limit = Number(flags.limit);
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new UsageError(`--limit ${flags.limit} is not a number of runs`, { hint: "write a whole number from 1 up, e.g. --limit 50" });
  }
  const store = await ResultsStore.open(flags.store, { create: false });
  try {
    const runs = await store.listRuns({ limit, ...(flags.suite ? { suite: flags.suite } : {}) });
    if (flags.format === "json") {
      process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
      return 0;
    }
    if (runs.length === 0) {
      process.stdout.write(`no runs in ${store.path} yet: start one with pipebench run\n`);
      return 0;
    }
    const rows = [
      ["run", "started (UTC)", "suite", "tag", "status", "exit", "scenarios", "took"],
      ...runs.map((r) => [
        String(r.id),
        new Date(r.startedAt).toISOString().replace("T", " ").slice(0, 19),
        r.suiteName,
        r.tag ?? "–",
        // Runs that ended early, with partial results, stand out.
        r.status === "interrupted" || r.status === "incomplete" || r.status === "invalid" ? r.status.toUpperCase() : r.status,
        r.exitCode === null ? "–" : String(r.exitCode),
        // `1 × 5 trials`: one scenario run five times, not five scenarios.
        r.trials > 1 ? `${formatCount(r.distinctScenarios)} × ${formatCount(r.trials)} trials` : formatCount(r.scenarios),
        r.finishedAt === null ? "–" : `${((r.finishedAt - r.startedAt) / 1000).toFixed(1)}s`,
      ]),
    ];
    process.stdout.write(`${table(rows, new Set([0, 5, 6, 7])).join("\n")}\n`);
    return 0;
  } finally {
    await store.close();
  }
}
