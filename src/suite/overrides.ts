// Command-line overrides of a suite: `--set path=value`, then `--duration` and `--rate`. They work on
// the plain data (after `${VAR}` substitution, before validation), so an overridden value is
// validated exactly like a written one. Each function returns new data and never touches its input.
import { isMap, isScalar, isSeq, parseDocument } from "yaml";
import { UsageError } from "../errors.js";
import { isSecretKey, REDACTED, redactText } from "../store/redact.js";
import { closest, listNames } from "./did-you-mean.js";
import type { SuiteData } from "./schema.js";
import { parseDuration } from "./units.js";
import { isRecord } from "./values.js";
import type { DataPath } from "./yaml-source.js";

/** Which flag set a value, by dotted data path; issues under these paths say so. */
export type Origins = Map<string, string>;

export function dotted(path: DataPath): string {
  return path.map((p) => (typeof p === "number" ? `[${p}]` : p)).join(".").replaceAll(".[", "[");
}

/**
 * A dotted key split at its dots; a quoted segment is one name, dots and all (`producer."linger.ms"`).
 * Empty names are returned as they are, for the caller to judge; a problem when a quote is left open
 * or a closing quote is followed by anything but a dot. Shared by `--set` paths and sweep keys.
 */
export function splitDotted(text: string): { segments?: { name: string; quoted: boolean }[]; problem?: string } {
  const segments: { name: string; quoted: boolean }[] = [];
  let i = 0;
  while (i <= text.length) {
    if (text[i] === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) return { problem: `"${text}" has an unclosed quote` };
      segments.push({ name: text.slice(i + 1, end), quoted: true });
      i = end + 1;
      if (i < text.length && text[i] !== ".") return { problem: `"${text}": a quoted name is followed by "." or ends the key` };
      i++;
    } else {
      const end = text.indexOf(".", i);
      segments.push({ name: text.slice(i, end < 0 ? text.length : end), quoted: false });
      i = end < 0 ? text.length + 1 : end + 1;
    }
  }
  return { segments };
}

/**
 * `scenarios.copy-100.load.rate`, `probes[0].every` and `probes.0.every` alike; a quoted segment is
 * one key, dots and all: `targets.kafka.producer."linger.ms"`.
 */
export function parseSetPath(text: string): (string | number)[] | undefined {
  const split = splitDotted(text).segments;
  if (split === undefined) return undefined;
  const segments: (string | number)[] = [];
  for (const part of split) {
    if (part.quoted) {
      if (part.name === "") return undefined;
      segments.push(part.name);
      continue;
    }
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part.name);
    if (!m) return undefined;
    const name = m[1] ?? "";
    const indexes = [...(m[2] ?? "").matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1]));
    if (name === "" && indexes.length === 0) return undefined;
    if (name !== "") segments.push(/^\d+$/.test(name) ? Number(name) : name);
    segments.push(...indexes);
  }
  return segments.length > 0 ? segments : undefined;
}

/**
 * The value of `--set path=value`, read as YAML would read it after `key: `: `500` is a number,
 * `true` a boolean, `[a, b]` a list, `"500"` a string. Anything YAML would read as more than one
 * scalar (`a: b`, `- x`) or as having a comment (`# x`, `select 1 -- #3`) is kept as the text it
 * is, since that is what a person meant: a shell passes no YAML comments.
 */
export function parseSetValue(text: string): unknown {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return text;
  const contents = doc.contents;
  if (doc.comment || doc.commentBefore || contents?.comment || contents?.commentBefore) return text;
  if (isScalar(contents)) return contents.value;
  const trimmed = text.trim();
  if ((isSeq(contents) && trimmed.startsWith("[")) || (isMap(contents) && trimmed.startsWith("{"))) return doc.toJS();
  return text;
}

/** `targets.pg.password=…` → `targets.pg.password=***`; a URL's password masked anywhere. */
function redactSet(set: string): string {
  const eq = set.indexOf("=");
  const key = eq > 0 ? (set.slice(0, eq).split(".").at(-1) ?? "") : "";
  return eq > 0 && isSecretKey(key) ? `${set.slice(0, eq)}=${REDACTED}` : redactText(set);
}

/** Keys that reach Object.prototype when assigned through: never a suite's. */
const RESERVED_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

export function applySets(
  data: SuiteData,
  sets: readonly string[],
  topLevelKeys: readonly string[],
): { data: SuiteData; origins: Origins } {
  const out = structuredClone(data);
  const origins: Origins = new Map();
  for (const set of sets) {
    // The flag is quoted in messages: never with a password in it.
    const flag = `--set ${redactSet(set)}`;
    const eq = set.indexOf("=");
    const path = eq > 0 ? parseSetPath(set.slice(0, eq)) : undefined;
    if (path === undefined) {
      throw new UsageError(`${flag}: expected path=value`, {
        hint: "e.g. --set scenarios.ingest.load.rate=500 or --set targets.pg.url=postgres://localhost/bench",
      });
    }
    const [top] = path;
    if (typeof top !== "string" || !topLevelKeys.includes(top)) {
      const guess = closest(String(top), topLevelKeys);
      throw new UsageError(`${flag}: a suite has no "${String(top)}"`, {
        hint: guess !== undefined ? `did you mean "${guess}"?` : `paths start with one of: ${listNames(topLevelKeys)}`,
      });
    }
    // `targets.pg.__proto__.x=1` would otherwise write into Object.prototype, for the whole process.
    const reserved = path.find((segment) => typeof segment === "string" && RESERVED_KEYS.has(segment));
    if (reserved !== undefined) {
      throw new UsageError(`${flag}: "${String(reserved)}" is not a key of a suite`, { hint: "name a field the suite has, e.g. --set scenarios.ingest.load.rate=500" });
    }
    if (top === "scenarios" || top === "targets") checkNamed(out, path, flag);
    const keyed = withDottedKeys(out, path);
    assign(out, keyed, parseSetValue(set.slice(eq + 1)), flag);
    origins.set(dotted(keyed), flag);
  }
  return { data: out, origins };
}

/**
 * Kafka's settings have dots in their names: `producer.linger.ms` names the key "linger.ms" when the
 * suite has one (the longest that exists wins); a new one is written quoted, `producer."linger.ms"`.
 */
function withDottedKeys(data: SuiteData, path: readonly (string | number)[]): (string | number)[] {
  const out: (string | number)[] = [];
  let node: unknown = data;
  for (let i = 0; i < path.length; i++) {
    let segment = path[i] as string | number;
    if (isRecord(node) && typeof segment === "string") {
      for (let j = path.length; j > i + 1; j--) {
        const joined = path.slice(i, j);
        if (joined.every((p) => typeof p === "string") && Object.hasOwn(node, joined.join("."))) {
          segment = joined.join(".");
          i = j - 1;
          break;
        }
      }
    }
    out.push(segment);
    node = isRecord(node) ? node[String(segment)] : Array.isArray(node) && typeof segment === "number" ? node[segment] : undefined;
  }
  return out;
}

/** `--set` changes what a suite defines; it does not invent scenarios or targets. */
function checkNamed(data: SuiteData, path: readonly (string | number)[], flag: string): void {
  const [top, name] = path;
  const noun = top === "scenarios" ? "scenario" : "target";
  const map = data[String(top)];
  const names = isRecord(map) ? Object.keys(map) : [];
  if (name === undefined) {
    throw new UsageError(`${flag}: name a ${noun}, e.g. ${String(top)}.${names[0] ?? "NAME"}.…`, {
      hint: `${top === "scenarios" ? "scenarios" : "targets"} are: ${listNames(names)}`,
    });
  }
  if (!names.includes(String(name))) {
    const guess = closest(String(name), names);
    throw new UsageError(`${flag}: there is no ${noun} named "${String(name)}"`, {
      hint: `${guess !== undefined ? `did you mean "${guess}"? ` : ""}${noun}s are: ${listNames(names)}`,
    });
  }
}

function assign(root: SuiteData, path: readonly (string | number)[], value: unknown, flag: string): void {
  let node: unknown = root;
  for (const [i, segment] of path.entries()) {
    const last = i === path.length - 1;
    const next = path[i + 1];
    const here = dotted(path.slice(0, i)) || "the suite";
    if (Array.isArray(node)) {
      if (typeof segment !== "number" || segment > node.length) {
        throw new UsageError(`${flag}: ${here} is a list of ${node.length}; "${String(segment)}" is not an index in it`, {
          hint: `use an index from 0 to ${node.length} (${node.length} appends)`,
        });
      }
      if (last) node[segment] = value;
      else node = node[segment] ??= typeof next === "number" ? [] : {};
    } else if (isRecord(node)) {
      const key = String(segment);
      if (last) node[key] = value;
      else node = node[key] ??= typeof next === "number" ? [] : {};
    } else {
      // Named by its type only: the value may be a password.
      const what = typeof node === "string" ? "a string" : typeof node === "object" ? "empty" : `${typeof node} ${String(node)}`;
      throw new UsageError(`${flag}: ${here} is ${what}, which has no field "${String(segment)}"`, {
        hint: `set ${here} itself, e.g. --set ${here}=…`,
      });
    }
  }
}

const OPEN_LOOP_WITH_RATE = new Set(["constant-rate", "ramp"]);

/**
 * `--duration` and `--rate` (seed 001's `benchmark.py --duration 60 --rate 200`), applied to every
 * scenario after `--set`:
 * - duration replaces `load.duration`; a `steps` profile has no single duration, so its steps are
 *   scaled to add up to it. `iterations`, where given, still ends a scenario early.
 * - rate replaces constant-rate `rate` and ramp `to`. Closed, max and steps profiles have no single
 *   asked rate and keep theirs; when no selected scenario takes a rate the flag is a usage error
 *   rather than silently ignored.
 * The executor is read from the scenario's load, else from `defaults.load`.
 */
export function applyRunFlags(
  data: SuiteData,
  flags: { duration?: number; rate?: number },
  selected: ReadonlySet<string>,
): { data: SuiteData; origins: Origins } {
  const origins: Origins = new Map();
  if (flags.duration === undefined && flags.rate === undefined) return { data, origins };
  const out = structuredClone(data);
  const scenarios = isRecord(out.scenarios) ? out.scenarios : {};
  const defaults = isRecord(out.defaults) && isRecord(out.defaults.load) ? out.defaults.load : {};
  const executors = new Map<string, unknown>();

  for (const [name, scenario] of Object.entries(scenarios)) {
    if (!isRecord(scenario)) continue;
    if (scenario.load === undefined) scenario.load = {};
    const load = scenario.load;
    if (!isRecord(load)) continue; // not a map: validation reports it
    const executor = load.executor ?? defaults.executor;
    executors.set(name, executor);
    const at = (key: string): string => dotted(["scenarios", name, "load", key]);

    if (flags.duration !== undefined) {
      const steps = load.steps ?? defaults.steps;
      if (executor === "steps" && Array.isArray(steps)) {
        const scaled = scaleSteps(steps, flags.duration);
        if (scaled !== undefined) {
          load.steps = scaled;
          origins.set(at("steps"), "--duration");
        }
      } else {
        load.duration = `${flags.duration}ms`;
        origins.set(at("duration"), "--duration");
      }
    }
    if (flags.rate !== undefined && typeof executor === "string" && OPEN_LOOP_WITH_RATE.has(executor)) {
      const key = executor === "ramp" ? "to" : "rate";
      load[key] = flags.rate;
      origins.set(at(key), "--rate");
    }
  }

  if (flags.rate !== undefined) {
    const chosen = [...selected].map((name) => [name, executors.get(name)] as const);
    const takesRate = chosen.some(([, e]) => typeof e === "string" && OPEN_LOOP_WITH_RATE.has(e));
    const allKnown = chosen.every(([, e]) => typeof e === "string");
    if (!takesRate && allKnown && chosen.length > 0) {
      throw new UsageError("--rate applies to constant-rate and ramp scenarios, and none is selected", {
        hint: `the selected scenarios are ${chosen.map(([n, e]) => `${n} (${String(e)})`).join(", ")}; use --set scenarios.NAME.load.… to change them`,
      });
    }
  }
  return { data: out, origins };
}

/** Steps scaled so their durations add up to `totalMs`; undefined when one is unreadable. */
function scaleSteps(steps: readonly unknown[], totalMs: number): unknown[] | undefined {
  const durations = steps.map((s) =>
    isRecord(s) && (typeof s.duration === "string" || typeof s.duration === "number") ? parseDuration(s.duration) : undefined,
  );
  if (durations.some((d) => d === undefined)) return undefined;
  const sum = durations.reduce<number>((acc, d) => acc + (d ?? 0), 0);
  if (sum <= 0) return undefined;
  return steps.map((s, i) => ({ ...(s as Record<string, unknown>), duration: `${((durations[i] ?? 0) * totalMs) / sum}ms` }));
}
