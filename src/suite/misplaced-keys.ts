// Keys written one level too shallow. YAML reads them without complaint, as something else:
//
//   scenarios:
//     ingest:
//       target: api
//       workload: { type: request, path: /ingest }
//     load:                        ← a scenario named "load", beside ingest
//       executor: constant-rate
//
// and validating the shape as written gives a cascade (ingest has no load; scenario "load" has no
// target, no workload, unknown keys executor, rate …) and not one word about the indentation. Found
// here, each such key is one problem saying where it belongs and how far to indent it, and the data
// has it moved there, so what is inside it is still checked in the same round.
import { isMap, isScalar, type Pair, type YAMLMap } from "yaml";
import { LoadProfile } from "../engine/load.js";
import { ScenarioSpec, type SuiteData } from "./schema.js";
import { allowedKeys } from "./schema-keys.js";
import type { DriverSchemas } from "./types.js";
import { isRecord } from "./values.js";
import { positionOf, type DataPath, type YamlSource } from "./yaml-source.js";
import type { PathIssue } from "./zod-issues.js";

/** A key written at `from` that belongs at `to`, where the data returned now has it. */
export interface MovedKey {
  readonly from: DataPath;
  readonly to: DataPath;
}

const SCENARIO_FIELDS: readonly string[] = Object.keys(ScenarioSpec.shape);

export function moveMisplacedKeys(
  source: YamlSource,
  written: SuiteData,
  drivers: DriverSchemas,
): { data: SuiteData; moves: MovedKey[]; issues: PathIssue[] } {
  // The caller's copy is its own (load-suite's `unshared`), so keys are moved in it directly.
  const data = written;
  const moves: MovedKey[] = [];
  const issues: PathIssue[] = [];
  const scenariosNode = source.doc.get("scenarios", true);
  if (!isRecord(data.scenarios) || !isBlockMap(scenariosNode)) return { data, moves, issues };
  const scenarios = data.scenarios;

  // A scenario field beside the scenarios: `load:` after ingest's block belongs to ingest.
  const parentIndent = indentOfKey(source, source.doc.contents, "scenarios");
  let owner: Pair | undefined;
  for (const pair of scenariosNode.items) {
    const key = keyOf(pair);
    if (key === undefined) continue;
    const value = scenarios[key];
    const aScenario = isRecord(value) && ("target" in value || "workload" in value);
    if (!SCENARIO_FIELDS.includes(key) || aScenario) {
      owner = pair;
      continue;
    }
    const ownerName = owner === undefined ? undefined : keyOf(owner);
    const ownerValue = ownerName === undefined ? undefined : scenarios[ownerName];
    const from = ["scenarios", key];
    if (owner === undefined || ownerName === undefined || !canTake(owner, ownerValue, key)) {
      const has = isRecord(ownerValue) && key in ownerValue;
      const above = ownerName === undefined ? "" : has ? `; scenario ${ownerName} above it already has ${key}:` : `; it belongs inside scenario ${ownerName} above it`;
      issues.push({
        path: from,
        at: "key",
        message: `"${key}:" is a field of a scenario, not a scenario${above}`,
        fix:
          ownerName === undefined ? `put it under a scenario: scenarios: { NAME: { target: …, workload: …, ${key}: … } }`
          : has ? "remove one of them"
          : `move it inside ${ownerName}'s map`,
      });
      Reflect.deleteProperty(scenarios, key);
      continue;
    }
    const { has, needs } = indentation(source, pair, owner, parentIndent);
    issues.push({
      path: from,
      at: "key",
      message: `"${key}:" belongs to scenario ${ownerName} above it, but is indented one level too shallow (${spaces(has)}; it needs ${needs}), so it reads as a scenario named "${key}"`,
      fix: indentFix(key, pair, needs - has),
    });
    moves.push({ from, to: ["scenarios", ownerName, key] });
    scenarios[ownerName] = { ...(isRecord(ownerValue) ? ownerValue : {}), [key]: value };
    Reflect.deleteProperty(scenarios, key);
  }

  // A workload's or a load's field beside `workload:` / `load:` in a scenario.
  for (const scenarioPair of scenariosNode.items) {
    const name = keyOf(scenarioPair);
    const scenario = name === undefined ? undefined : scenarios[name];
    if (name === undefined || !isRecord(scenario) || !isBlockMap(scenarioPair.value)) continue;
    const indent = indentOfKey(source, scenariosNode, name);
    let previous: Pair | undefined;
    for (const pair of scenarioPair.value.items) {
      const key = keyOf(pair);
      if (key === undefined) continue;
      const ownerName = previous === undefined ? undefined : keyOf(previous);
      // The cheap tests first: a scenario's own fields (every key of a well-written suite) walk no schema.
      if (
        SCENARIO_FIELDS.includes(key) ||
        previous === undefined ||
        ownerName === undefined ||
        !fieldsOf(ownerName, scenario, data, drivers).includes(key) ||
        !canTake(previous, scenario[ownerName], key)
      ) {
        previous = pair;
        continue;
      }
      const ownerValue = scenario[ownerName];
      const { has, needs } = indentation(source, pair, previous, indent);
      issues.push({
        path: ["scenarios", name, key],
        at: "key",
        message: `"${key}:" belongs to ${ownerName} above it, but is indented one level too shallow (${spaces(has)}; it needs ${needs}), so it reads as a field of scenario ${name}`,
        fix: indentFix(key, pair, needs - has),
      });
      moves.push({ from: ["scenarios", name, key], to: ["scenarios", name, ownerName, key] });
      scenario[ownerName] = { ...(isRecord(ownerValue) ? ownerValue : {}), [key]: scenario[key] };
      Reflect.deleteProperty(scenario, key);
    }
  }
  return { data, moves, issues };
}

/** Where a problem found in the data (which has the moved keys moved) is written in the file. */
export function writtenPath(path: DataPath, moves: readonly MovedKey[]): DataPath {
  const move = moves.find((m) => m.to.every((p, i) => path[i] === p));
  return move === undefined ? path : [...move.from, ...path.slice(move.to.length)];
}

/** The keys the map under `field` of a scenario takes: its workload's (by its target's driver), its load's. */
function fieldsOf(field: string, scenario: Record<string, unknown>, data: SuiteData, drivers: DriverSchemas): string[] {
  const value = scenario[field];
  if (field === "load") return allowedKeys(LoadProfile, isRecord(value) ? value : {}, []);
  if (field !== "workload" || typeof scenario.target !== "string" || !isRecord(data.targets)) return [];
  const target = data.targets[scenario.target];
  const driver = isRecord(target) && typeof target.kind === "string" ? drivers.get(target.kind) : undefined;
  return driver === undefined ? [] : allowedKeys(driver.workloadSchema, isRecord(value) ? value : {}, []);
}

/** Can the block under `owner` take `key`: a map written as indented lines (or nothing yet) without it. */
function canTake(owner: Pair, value: unknown, key: string): boolean {
  const empty = owner.value === null || (isScalar(owner.value) && owner.value.value === null);
  // Empty as written; keys moved into it already make it a map.
  if (empty) return value === null || value === undefined || (isRecord(value) && !(key in value));
  return isBlockMap(owner.value) && isRecord(value) && !(key in value);
}

function isBlockMap(node: unknown): node is YAMLMap {
  return isMap(node) && node.flow !== true;
}

function keyOf(pair: Pair): string | undefined {
  return isScalar(pair.key) && (typeof pair.key.value === "string" || typeof pair.key.value === "number") ? String(pair.key.value) : undefined;
}

/** Spaces before the key `name` of `map`, or undefined. */
function indentOfKey(source: YamlSource, map: unknown, name: string): number | undefined {
  if (!isMap(map)) return undefined;
  const pair = map.items.find((p) => keyOf(p) === name);
  return pair === undefined ? undefined : column(source, pair.key);
}

function column(source: YamlSource, node: unknown): number | undefined {
  const range = isScalar(node) ? node.range : undefined;
  return range === undefined || range === null ? undefined : positionOf(source, range[0]).column - 1;
}

/** How far `pair` is indented, and how far the keys under `owner` are (or would be, one level in). */
function indentation(source: YamlSource, pair: Pair, owner: Pair, parentIndent: number | undefined): { has: number; needs: number } {
  const has = column(source, pair.key) ?? 0;
  const first = isBlockMap(owner.value) ? owner.value.items[0] : undefined;
  const inner = first === undefined ? undefined : column(source, first.key);
  const step = parentIndent === undefined || has <= parentIndent ? 2 : has - parentIndent;
  return { has, needs: inner !== undefined && inner > has ? inner : has + step };
}

function indentFix(key: string, pair: Pair, by: number): string {
  const block = isMap(pair.value) && pair.value.flow !== true ? " and each line under it" : "";
  return `add ${spaces(by)} before "${key}:"${block}`;
}

function spaces(n: number): string {
  return `${n} space${n === 1 ? "" : "s"}`;
}
