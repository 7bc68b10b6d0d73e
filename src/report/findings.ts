// The Findings section: what `pipebench diagnose` prints, and what follows every run's summary.
// One block per finding, highest impact first: title, where, the numbers, what to change, and the
// runbook section the advice comes from.
import { findingWhere, type Finding, type Impact } from "../diagnose/diagnose.js";

export interface FindingsOptions {
  color: boolean;
}

const IMPACT_COLOR: Record<Impact, number> = { high: 31, medium: 33, low: 36 };

function paint(on: boolean, code: number, text: string): string {
  return on ? `\x1b[${code}m${text}\x1b[0m` : text;
}

export function renderFindings(findings: readonly Finding[], options: FindingsOptions): string {
  const { color } = options;
  const out: string[] = [paint(color, 1, "Findings")];
  if (findings.length === 0) {
    out.push("    none: no rule found a bottleneck or a reason to distrust these numbers");
    return out.join("\n");
  }
  findings.forEach((f, i) => {
    if (i > 0) out.push("");
    const where = findingWhere(f);
    out.push(`${paint(color, IMPACT_COLOR[f.impact], `[${f.impact}]`)} ${f.title} · ${where} · ${f.id}`);
    for (const e of f.evidence) out.push(`    - ${e}`);
    out.push(`    → ${f.recommendation}`);
    out.push(`    runbook: ${f.runbook}`);
  });
  return out.join("\n");
}
