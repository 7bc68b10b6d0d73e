// What a diagnosis says: the finding, its impact and the area it belongs to. Apart from diagnose.ts
// so a rule (rule.ts) can name these types without importing the list of rules that imports it.
import type { DriverKind } from "../drivers/index.js";
import type { Culprit } from "./culprit.js";

/** Pipebench's own side (its generator, the machine) or the target's: in general, or its driver's kind. */
export type Area = "generator" | "host" | "target" | DriverKind;

export type Impact = "high" | "medium" | "low";

export interface Finding {
  /** Rule id, e.g. "postgres.cache-hit-low". */
  id: string;
  area: Area;
  /** The scenario whose numbers are shown (the worst of `scenarios`); null: the whole run. */
  scenario: string | null;
  /** Every scenario the rule fired on, when it fired on more than one (the finding prints once). */
  scenarios?: string[];
  title: string;
  impact: Impact;
  /** Who it blames, when anyone: the target, pipebench's client, its process, or a busy machine. */
  culprit?: Culprit;
  /** The numbers, e.g. "cache hit 91.2 % over the scenario (target ≥ 99 %)". */
  evidence: string[];
  /** The exact setting or command. */
  recommendation: string;
  /** The runbook section it follows, e.g. "docs/runbooks/postgres-cache.md · PostgreSQL manual §20.4". */
  runbook: string;
}

/** Where a finding was seen, as a person reads it: "whole run", a scenario, or the scenarios. */
export function findingWhere(f: Pick<Finding, "scenario" | "scenarios">): string {
  if (f.scenarios !== undefined && f.scenarios.length > 1) return f.scenarios.join(", ");
  return f.scenario ?? "whole run";
}
