// A run as the commands name it: an id, latest, latest~N, baseline (of `suite`, or of the latest
// run's suite) or a tag. One place for the lookup and for the message when nothing matches.
import { UsageError } from "../errors.js";
import type { ResultsStore, StoredRun } from "../store/results-store.js";

export const RUN_REF_HINT = "give a run id from pipebench runs, latest, latest~1, baseline or a tag";

/** The id `ref` names, or a UsageError (exit 2) saying what to give instead. */
export async function resolveRunId(store: ResultsStore, ref: string, options: { suite?: string; what?: string } = {}): Promise<number> {
  const id = await store.resolveRef(ref, options.suite === undefined ? {} : { suite: options.suite });
  if (id !== undefined) return id;
  if (ref === "baseline" && options.suite !== undefined) {
    throw new UsageError(`suite ${options.suite} has no baseline in ${store.path}`, { hint: "mark one with: pipebench baseline set <run>" });
  }
  throw new UsageError(`there is no ${options.what ?? "run"} "${ref}" in ${store.path}`, {
    hint: ref === "baseline" ? "mark one with: pipebench baseline set <run>" : RUN_REF_HINT,
  });
}

/** The stored run `ref` names, or a UsageError (exit 2). */
export async function loadRun(store: ResultsStore, ref: string, options: { suite?: string; what?: string } = {}): Promise<StoredRun> {
  const run = await store.getRun(await resolveRunId(store, ref, options));
  if (run === undefined) throw new UsageError(`there is no run "${ref}" in ${store.path}`, { hint: RUN_REF_HINT });
  return run;
}
