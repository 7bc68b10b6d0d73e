// A stored scenario's name as every view shows it: with its trial when repeated (`writes #2`). The
// console's table and the run's INVALID verdict line use this one, so they name a scenario alike.

/** `writes`, or `writes #2` for the second trial of a run with trials. */
export function scenarioLabel(s: { name: string; trial: number }, trials: number): string {
  return trials > 1 ? `${s.name} #${s.trial + 1}` : s.name;
}
