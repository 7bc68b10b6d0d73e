// Drivers that run SQL let a workload name a query from its target's `queries:`. The name must
// exist; the suite loader checks it (so the error carries file and line) and `prepare` again.
import { didYouMean, listNames } from "../suite/did-you-mean.js";
import type { WorkloadProblem } from "./driver.js";

export function unknownQueryProblem(
  workload: { query?: string | undefined },
  queries: Readonly<Record<string, string>>,
  target: string,
): WorkloadProblem | undefined {
  if (workload.query === undefined || Object.hasOwn(queries, workload.query)) return undefined;
  const names = Object.keys(queries);
  return {
    path: "query",
    message: `query "${workload.query}" is not one of targets.${target}.queries${names.length > 0 ? ` (${listNames(names)})` : ", which has none"}`,
    fix:
      names.length > 0
        ? (didYouMean(workload.query, names) ?? `use one of: ${listNames(names)}; or write the SQL inline with sql:`)
        : `add it under targets.${target}.queries, or write the SQL inline with sql:`,
  };
}
