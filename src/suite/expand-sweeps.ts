// Expanding a sweep: a scenario's `sweep:` block and the `--sweep key=v1,v2,…` flags become a grid
// of combinations, and every combination is validated by the same schemas as a written scenario
// before anything runs. A bad value is reported at its place in the `sweep:` block (or names the
// flag), once per value, not once per combination it appears in.
import { UsageError } from "../errors.js";
import type { Variant } from "../store/results-store.js";
import { LoadProfile } from "../engine/load.js";
import { parseSetValue } from "./overrides.js";
import type { SuiteData } from "./schema.js";
import { resolveKey, shortName, splitKey } from "./sweep-keys.js";
import type { DriverSchemas, SuiteScenario, SuiteSweep, SuiteTarget, SweepAxis, SweepValue, SweepVariant } from "./types.js";
import { validateSuite } from "./validate-suite.js";
import { isRecord } from "./values.js";
import type { PathIssue } from "./zod-issues.js";

/** More combinations than this is a typo, not a plan (and would take hours). */
export const MAX_COMBINATIONS = 256;

/**
 * `--sweep key=v1,v2,…`: the key and its values (each read as YAML reads a value). Values holding
 * commas are written as a YAML list: `--sweep 'workload.sql=["select 1, 2", "select 3"]'`.
 */
export function parseSweepFlag(text: string): { key: string; values: SweepValue[] } {
  const eq = text.indexOf("=");
  const key = eq > 0 ? text.slice(0, eq).trim() : "";
  const list = eq > 0 && text.slice(eq + 1).trim().startsWith("[") ? parseSetValue(text.slice(eq + 1)) : undefined;
  if (Array.isArray(list) && list.length > 0 && key !== "") return { key, values: list as SweepValue[] };
  const values = eq > 0 ? text.slice(eq + 1).split(",").map((v) => v.trim()) : [];
  if (key === "" || values.length === 0 || values.some((v) => v === "")) {
    throw new UsageError(`--sweep ${text}: expected key=value1,value2,…`, {
      hint: 'e.g. --sweep workload.batchSize=100,1000,5000 --sweep load.workers=1,4 (a grid), or --sweep target.producer.linger.ms=0,5,20',
    });
  }
  return { key, values: values.map((v) => parseSetValue(v) as SweepValue) };
}

interface ExpandInput {
  /** The suite data as validated (after `--set`, `--duration`, `--rate`). */
  readonly data: SuiteData;
  /** Selected scenarios, in order. */
  readonly selected: readonly string[];
  /** `--sweep` flags, as given. */
  readonly flags: readonly string[];
  readonly drivers: DriverSchemas;
  readonly defaultName: string;
}

/** The sweeps of the selected scenarios, or every problem with them (paths to locate, messages). */
export function expandSweeps(input: ExpandInput): { sweeps: Map<string, SuiteSweep>; issues: PathIssue[] } {
  const { data, selected, flags } = input;
  const scenarios = isRecord(data.scenarios) ? data.scenarios : {};
  const fromFlags = flags.map((f) => ({ flag: f, ...parseSweepFlag(f) }));
  if (fromFlags.length > 0 && selected.length !== 1) {
    throw new UsageError(`--sweep applies to one scenario, and ${selected.length} are selected`, {
      hint: `add --scenario NAME (one of: ${selected.slice(0, 8).join(", ")}${selected.length > 8 ? ", …" : ""})`,
    });
  }
  const sweeps = new Map<string, SuiteSweep>();
  const issues: PathIssue[] = [];
  for (const name of selected) {
    const raw = scenarios[name];
    if (!isRecord(raw)) continue;
    const written = isRecord(raw.sweep) ? raw.sweep : {};
    const entries: { key: string; values: SweepValue[]; flag?: string }[] = Object.entries(written).map(([key, values]) => ({
      key,
      values: Array.isArray(values) ? (values as SweepValue[]) : [],
    }));
    for (const f of fromFlags) {
      // A flag replaces the file's values for its key; new keys extend the grid.
      const at = entries.findIndex((e) => e.key === f.key);
      const entry = { key: f.key, values: f.values, flag: `--sweep ${f.flag}` };
      if (at >= 0) entries[at] = entry;
      else entries.push(entry);
    }
    if (entries.length === 0) continue;
    const expanded = expandScenario(name, entries, input);
    if (expanded.sweep !== undefined) sweeps.set(name, expanded.sweep);
    issues.push(...expanded.issues);
  }
  return { sweeps, issues };
}

function expandScenario(
  name: string,
  entries: readonly { key: string; values: SweepValue[]; flag?: string }[],
  input: ExpandInput,
): { sweep?: SuiteSweep; issues: PathIssue[] } {
  const { data, drivers } = input;
  const scenario = (data.scenarios as Record<string, Record<string, unknown>>)[name] ?? {};
  const targetName = String(scenario.target);
  const targets = isRecord(data.targets) ? data.targets : {};
  const targetRaw = isRecord(targets[targetName]) ? targets[targetName] : {};
  const driver = drivers.get(String(targetRaw.kind));
  const issues: PathIssue[] = [];
  const where = (e: { key: string; flag?: string }, index?: number): { path: PathIssue["path"]; from: string } =>
    e.flag === undefined
      ? { path: ["scenarios", name, "sweep", e.key, ...(index === undefined ? [] : [index])], from: "" }
      : { path: ["scenarios", name], from: ` (from ${e.flag})` };

  const axes: SweepAxis[] = [];
  for (const e of entries) {
    const split = splitKey(e.key);
    const w = where(e);
    if (split.key === undefined) {
      issues.push({
        path: w.path,
        at: "key",
        message: `sweep key ${split.problem ?? e.key}${w.from}`,
        fix: 'keys are relative to the scenario: workload.batchSize, load.workers, load.rate, target.producer.linger.ms (quote a name with dots: target.producer."linger.ms")',
      });
      continue;
    }
    if (e.values.length === 0) {
      issues.push({ path: w.path, message: `sweep ${e.key} has no values${w.from}`, fix: "list them, e.g. [100, 1000, 5000]" });
      continue;
    }
    const root = split.key.root;
    const rootValue = root === "workload" ? scenario.workload : root === "load" ? scenario.load : targetRaw;
    const schema = root === "workload" ? driver?.workloadSchema : root === "load" ? LoadProfile : driver?.targetSchema;
    if (schema === undefined) continue; // the base validation reported the unknown kind
    if (root === "target") {
      const dependents = Object.entries(targets).filter(([t, v]) => t !== targetName && JSON.stringify(v).includes(`targets.${targetName}.`));
      if (dependents.length > 0) {
        issues.push({
          path: w.path,
          at: "key",
          message: `sweep ${e.key}: target ${targetName} is used by ${dependents.map(([t]) => t).join(", ")}, which cannot be restarted with each combination${w.from}`,
          fix: "sweep the workload or load settings instead, or give this scenario a target of its own",
        });
        continue;
      }
    }
    const path = resolveKey(split.key, schema, rootValue);
    axes.push({
      key: e.key,
      root,
      path,
      label: shortName(path),
      values: e.values,
      ...(e.flag === undefined ? {} : { flag: e.flag }),
    });
  }
  if (issues.length > 0) return { issues };

  const combinations = axes.reduce((n, a) => n * a.values.length, 1);
  if (combinations > MAX_COMBINATIONS) {
    const e = axes[0];
    return {
      issues: [
        {
          path: e === undefined ? ["scenarios", name] : where(e).path.slice(0, 4),
          message: `the sweep of ${name} makes ${combinations} combinations (at most ${MAX_COMBINATIONS})`,
          fix: "sweep fewer values, or fewer keys at once",
        },
      ],
    };
  }

  // Labels: the last name of each key, unless two keys share it.
  const labels = axes.map((a) => (axes.filter((b) => b.label === a.label).length > 1 ? `${a.root}.${a.path.join(".")}` : a.label));
  const variants: SweepVariant[] = [];
  const seen = new Set<string>();
  for (const combination of grid(axes.map((a) => a.values.length))) {
    const applied = structuredClone(data);
    const sc = (applied.scenarios as Record<string, Record<string, unknown>>)[name] ?? {};
    delete sc.sweep;
    const variant: Variant = {};
    axes.forEach((axis, i) => {
      const value = axis.values[combination[i] ?? 0] ?? null;
      variant[axis.key] = value;
      const base = axis.root === "target" ? ((applied.targets as Record<string, unknown>)[targetName] as Record<string, unknown>) : sc;
      setPath(base, axis.root === "target" ? axis.path : [axis.root, ...axis.path], value);
    });
    const checked = validateSuite(applied, input.drivers, { order: [name], selected: [name], defaultName: input.defaultName });
    const built = checked.suite?.scenarios[0];
    if (checked.issues.length > 0 || built === undefined) {
      for (const issue of checked.issues) {
        const blamed = blame(issue, axes, combination, name, targetName);
        const e = blamed === undefined ? undefined : entries.find((x) => x.key === blamed.axis.key);
        const w = e === undefined ? { path: ["scenarios", name, "sweep"], from: "" } : where(e, issue.at === "key" ? undefined : blamed?.index);
        const what =
          blamed === undefined
            ? `the combination ${describe(axes, combination)}`
            : issue.at === "key"
              ? blamed.axis.key
              : `${blamed.axis.key} = ${JSON.stringify(blamed.axis.values[blamed.index])}`;
        const message = `sweep ${what}: ${issue.message}${w.from}`;
        if (seen.has(message)) continue;
        seen.add(message);
        issues.push({ path: w.path, message, ...(issue.fix === undefined ? {} : { fix: issue.fix }) });
      }
      continue;
    }
    const label = axes.map((a, i) => `${labels[i]}=${scalarText(variant[a.key] ?? null)}`).join(" ");
    const target = axes.some((a) => a.root === "target") ? checked.suite?.targets[targetName] : undefined;
    variants.push({
      name: `${name}[${label}]`,
      variant,
      scenario: { ...built, name: `${name}[${label}]` },
      ...(target === undefined ? {} : { target }),
    });
  }
  if (issues.length > 0) return { issues };
  return { sweep: { scenario: name, axes, variants }, issues };
}

/** Index tuples of a grid, first axis outermost. */
function* grid(sizes: readonly number[]): Generator<number[]> {
  const at = sizes.map(() => 0);
  if (sizes.some((n) => n === 0)) return;
  for (;;) {
    yield [...at];
    let i = sizes.length - 1;
    while (i >= 0) {
      at[i] = (at[i] ?? 0) + 1;
      if ((at[i] ?? 0) < (sizes[i] ?? 0)) break;
      at[i] = 0;
      i--;
    }
    if (i < 0) return;
  }
}

function setPath(root: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = root;
  path.forEach((segment, i) => {
    if (i === path.length - 1) {
      node[segment] = value;
      return;
    }
    const next = node[segment];
    if (!isRecord(next)) node[segment] = {};
    node = node[segment] as Record<string, unknown>;
  });
}

/** The axis a validation issue is about: the one whose setting is at, above or below its path. */
function blame(
  issue: PathIssue,
  axes: readonly SweepAxis[],
  combination: readonly number[],
  scenario: string,
  target: string,
): { axis: SweepAxis; index: number } | undefined {
  const issuePath = issue.path.map(String);
  const matches = axes.flatMap((axis, i) => {
    const full = axis.root === "target" ? ["targets", target, ...axis.path] : ["scenarios", scenario, axis.root, ...axis.path];
    // At the setting or below it (a list value's item).
    const related = issuePath.length >= full.length && full.every((s, k) => s === issuePath[k]);
    return related ? [{ axis, index: combination[i] ?? 0 }] : [];
  });
  return matches.length === 1 ? matches[0] : undefined;
}

function describe(axes: readonly SweepAxis[], combination: readonly number[]): string {
  return axes.map((a, i) => `${a.key}=${scalarText(a.values[combination[i] ?? 0] ?? null)}`).join(" ");
}

function scalarText(value: SweepValue): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
