// `pipebench show <run>`: one stored run, as the run printed it (or as JSON, or as Kafka's perf
// tools print their summaries).
import { UsageError } from "../errors.js";
import { renderRunSummary } from "../report/console-summary.js";
import { ResultsStore } from "../store/results-store.js";
import { isRunFormat, writeKafkaPerf } from "./run.js";

export function showCommand(ref: string, flags: { store: string; format: string; color: boolean }): number {
  if (ref !== "latest" && !/^\d+$/.test(ref)) {
    throw new UsageError(`"${ref}" is not a run id`, { hint: "give a number from pipebench runs, or latest" });
  }
  if (!isRunFormat(flags.format)) {
    throw new UsageError(`--format ${flags.format} is not a format`, { hint: "use --format table, json or kafka-perf" });
  }
  const store = ResultsStore.open(flags.store);
  try {
    const run = store.getRun(ref);
    if (run === undefined) {
      throw new UsageError(`there is no run ${ref} in ${store.path}`, { hint: "pipebench runs lists the stored runs" });
    }
    if (flags.format === "kafka-perf") writeKafkaPerf(run);
    else {
      process.stdout.write(
        flags.format === "json" ? `${JSON.stringify(run, null, 2)}\n` : `${renderRunSummary(run, { color: flags.color })}\n`,
      );
    }
    return 0;
  } finally {
    store.close();
  }
}
