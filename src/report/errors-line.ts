// One line about a scenario's errors, for the console summary and `pipebench show`:
//   errors: 412 (400 refused, 12 timeout), first at 3 s, last at 7 s
// Timeouts, refusals and resets are counted by kind; a server's or client's error by its code
// ("120 server 503", "4 server 57P01 admin_shutdown"), since the code is what a person acts on.
import { errorClassInfo } from "../drivers/error-classes.js";
import type { ScenarioResult } from "../metrics/summary.js";
import { formatCount } from "./format.js";

type ErrorFacts = Pick<ScenarioResult, "errors" | "errorsByClass" | "errorSeries">;

/** The groups the line names, largest first: [name, count]. */
function errorGroups(byClass: Readonly<Record<string, number>>): [string, number][] {
  const groups = new Map<string, number>();
  for (const [errorClass, n] of Object.entries(byClass)) {
    if (n <= 0) continue;
    const info = errorClassInfo(errorClass);
    const name = info.kind === "timeout" || info.kind === "refused" || info.kind === "reset" ? info.kind : info.label;
    groups.set(name, (groups.get(name) ?? 0) + n);
  }
  return [...groups].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** The groups as text, largest first: "400 refused, 120 server 503, 12 timeout" ("" with none). */
export function errorGroupsText(byClass: Readonly<Record<string, number>>): string {
  return errorGroups(byClass)
    .map(([name, n]) => `${formatCount(n)} ${name}`)
    .join(", ");
}

/** "errors: 412 (400 refused, 12 timeout), first at 3 s, last at 7 s"; undefined with no errors. */
export function errorsLine(result: ErrorFacts): string | undefined {
  if (result.errors <= 0) return undefined;
  const groups = errorGroupsText(result.errorsByClass);
  const series = result.errorSeries ?? [];
  const first = series[0];
  const last = series[series.length - 1];
  // `t` counts seconds from the measured start: the error happened during second t, i.e. at t…t+1 s.
  const when =
    first === undefined || last === undefined
      ? ""
      : first.t === last.t
        ? `, all in second ${first.t}`
        : `, first at ${first.t} s, last at ${last.t} s`;
  return `errors: ${formatCount(result.errors)}${groups === "" ? "" : ` (${groups})`}${when}`;
}
