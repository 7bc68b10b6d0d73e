// `pipebench show <run>`: one stored run, as the run printed it (or as JSON, or as Kafka's perf
// tools print their summaries).
import { UsageError } from "../errors.js";
import { renderRunSummary } from "../report/console-summary.js";
import { runJsonWithFindMax } from "../report/find-max-answer.js";
import { ResultsStore } from "../store/results-store.js";
import { loadRun } from "./run-ref.js";
import { isRunFormat, writeKafkaPerf } from "./run.js";
import { renderSearches } from "../report/sweep-table.js";

export async function showCommand(ref: string, flags: { store: string; format: string; color: boolean }): Promise<number> {
  if (!isRunFormat(flags.format)) {
    throw new UsageError(`--format ${flags.format} is not a format`, { hint: "use --format table, json or kafka-perf" });
  }
  const store = await ResultsStore.open(flags.store, { create: false });
  try {
    const run = await loadRun(store, ref);
    if (flags.format === "kafka-perf") writeKafkaPerf(run);
    else {
      process.stdout.write(
        flags.format === "json" ? runJsonWithFindMax(run) : `${renderRunSummary(run, { color: flags.color })}\n`,
      );
      const searches = flags.format === "json" ? "" : renderSearches(run);
      if (searches !== "") process.stdout.write(`\n${searches}\n`);
    }
    return 0;
  } finally {
    await store.close();
  }
}
