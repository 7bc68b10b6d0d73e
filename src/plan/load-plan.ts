// Loading a plan file with the suite's machinery: YAML parsed with its positions, zod's issues
// retold with a fix, each located at its line and column, every problem thrown at once as one
// SuiteError (exit 2, printed like a suite's). Measured capacities are read from the store after
// the file is valid, and their problems (no such run, an INVALID run) point at the file too.
import { readFile } from "node:fs/promises";
import { basename, extname, resolve } from "node:path";
import { isMap } from "yaml";
import { SuiteError, type SuiteIssue } from "../errors.js";
import { dotted } from "../suite/overrides.js";
import { isRecord, unshared } from "../suite/values.js";
import { locate, parseYamlSource, type YamlSource } from "../suite/yaml-source.js";
import { check, type PathIssue } from "../suite/zod-issues.js";
import { measuredCapacity, type RunReader } from "./capacity-source.js";
import type { PlanComponent } from "./model.js";
import { PlanFile } from "./schema.js";

export interface LoadedPlan {
  file: string;
  name: string;
  plan: PlanFile;
  source: YamlSource;
}

export async function loadPlan(file: string): Promise<LoadedPlan> {
  let text: string;
  try {
    text = await readFile(resolve(file), "utf8");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : String((error as Error).message);
    throw new SuiteError([{ file, path: "", message: `cannot read the plan: ${reason}`, fix: "check the path; suites/plans/seed-004.yaml is an example" }]);
  }
  return parsePlanText(text, file);
}

/** `loadPlan` without the file system: `file` names the text in messages. */
export function parsePlanText(text: string, file: string): LoadedPlan {
  const parsed = parseYamlSource(text, file);
  if (parsed.source === undefined) throw new SuiteError(parsed.issues);
  const source = parsed.source;
  if (!isMap(source.doc.contents)) {
    throw new SuiteError([
      { file, path: "", message: "a plan is a map of demand, components, rules and storage", fix: "start from suites/plans/seed-004.yaml" },
    ]);
  }
  const data = unshared(source.doc.toJS({ maxAliasCount: 1000 }));
  const checked = check(PlanFile, isRecord(data) ? data : {}, []);
  if (!checked.ok) throw new SuiteError(sorted(checked.issues.map((i) => located(i, source))));
  return { file, name: checked.data.name ?? basename(file, extname(file)), plan: checked.data, source };
}

/**
 * Each component with its capacity per node: as written, or read from `store` (opened only when a
 * component is measured). Every problem of every measured capacity is thrown at once.
 */
export async function planComponents(loaded: LoadedPlan, openStore: () => Promise<RunReader>): Promise<PlanComponent[]> {
  let store: RunReader | undefined;
  const issues: SuiteIssue[] = [];
  const components: PlanComponent[] = [];
  for (const [name, spec] of Object.entries(loaded.plan.components)) {
    const capacity = spec.capacityPerNode;
    if (typeof capacity === "number") {
      components.push({ name, spec, capacityPerNode: capacity, source: { kind: "given", summary: "given" } });
      continue;
    }
    store ??= await openStore();
    const measured = await measuredCapacity(store, capacity.measured);
    if (measured.ok) {
      components.push({ name, spec, capacityPerNode: measured.capacityPerNode, source: measured.source });
    } else {
      const path = ["components", name, "capacityPerNode", "measured", measured.field];
      issues.push(located({ path, message: measured.message, fix: measured.fix }, loaded.source));
    }
  }
  if (issues.length > 0) throw new SuiteError(sorted(issues));
  return components;
}

function located(issue: PathIssue, source: YamlSource): SuiteIssue {
  const position = locate(source, issue.path, issue.at);
  return {
    file: source.file,
    ...(position === undefined ? {} : { line: position.line, column: position.column }),
    path: dotted(issue.path),
    message: issue.message,
    ...(issue.fix === undefined ? {} : { fix: issue.fix }),
  };
}

function sorted(issues: SuiteIssue[]): SuiteIssue[] {
  return issues.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || (a.column ?? 0) - (b.column ?? 0));
}
