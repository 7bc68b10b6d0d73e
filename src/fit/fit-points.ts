// Where a fit's (N, throughput) points come from: a stored sweep over a concurrency-like key (one
// point per swept value, the median throughput over its trials), or a CSV file of `N,throughput`.
// Reads stored rows and files only; nothing here opens a socket.
import { readFileSync } from "node:fs";
import { median } from "simple-statistics";
import type { JsonValue } from "../probes/probe.js";
import type { StoredRun, StoredScenario } from "../store/results-store.js";
import { FitInputError } from "./fit-errors.js";
import type { FitPoint } from "./usl-fit.js";

/** Settings whose value is a count of parallel units, the N the USL is about. */
const CONCURRENCY_NAMES = ["workers", "producers", "consumers", "partitions", "connections", "concurrency", "threads", "nodes", "brokers", "clients", "parallelism"];

export interface SweepPoints {
  points: FitPoint[];
  scenario: string;
  /** The variant key as stored, e.g. `load.workers`. */
  key: string;
  /** Trials behind each point, by N. */
  trials: Record<string, number>;
  /** Notes on what was left out or is doubtful, for the console. */
  notes: string[];
}

/** `load.workers`, `producers`: a setting whose last segment names a count of parallel units. */
export function isConcurrencyKey(key: string): boolean {
  return CONCURRENCY_NAMES.includes((key.split(".").pop() ?? key).toLowerCase());
}

/** A swept scenario's name without its variant (`q[workers=4]` → `q`). */
export function sweptScenarioName(stored: string): string {
  return baseName(stored);
}

export function numberOf(value: JsonValue | undefined): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

/** A swept scenario is stored as `name[workers=4 …]` (suite/expand-sweeps.ts); the curve is of `name`. */
function baseName(stored: string): string {
  return stored.replace(/\[[^\]]*\]$/, "");
}

/** `workers` finds `load.workers`; a full key must match exactly. */
function matchKey(keys: ReadonlySet<string>, wanted: string): string[] {
  if (keys.has(wanted)) return [wanted];
  return [...keys].filter((k) => k.endsWith(`.${wanted}`));
}

/** The points of a stored sweep over `wanted`, for one scenario (`scenario` picks it when several were swept). */
export function sweepPoints(run: StoredRun, wanted: string, scenario?: string): SweepPoints {
  const swept = run.scenarioResults.filter((s) => s.variant !== undefined && (scenario === undefined || baseName(s.name) === scenario));
  const allKeys = new Set(swept.flatMap((s) => Object.keys(s.variant ?? {})));
  const matched = matchKey(allKeys, wanted);
  const runLabel = `run ${run.id}${run.tag === null ? "" : ` (${run.tag})`}`;
  if (matched.length !== 1) {
    const what = scenario === undefined ? "" : ` of scenario ${scenario}`;
    throw new FitInputError(
      matched.length === 0 ? `${runLabel} has no sweep over ${wanted}${what}` : `--key ${wanted} matches ${matched.join(" and ")} in ${runLabel}`,
      {
        hint:
          allKeys.size === 0
            ? "fit needs a sweep, e.g. pipebench run suite.yaml --sweep load.workers=1,2,4,8,12,16"
            : `its swept keys: ${[...allKeys].join(", ")}; name one with --key`,
      },
    );
  }
  const key = matched[0] ?? wanted;
  const withKey = swept.filter((s) => s.variant !== undefined && key in s.variant);
  const names = [...new Set(withKey.map((s) => baseName(s.name)))];
  if (names.length > 1) {
    throw new FitInputError(`${runLabel} swept ${key} in ${names.length} scenarios: ${names.join(", ")}`, { hint: `pick one with --scenario ${names[0]}` });
  }
  // Another swept key that changes would mix different work into one curve.
  for (const other of allKeys) {
    if (other === key) continue;
    const values = new Set(withKey.map((s) => JSON.stringify(s.variant?.[other] ?? null)));
    if (values.size > 1) {
      throw new FitInputError(`${runLabel} also sweeps ${other} (${values.size} values): one curve over ${key} needs the rest held still`, {
        hint: `run the sweep over ${key} alone, e.g. --sweep ${key}=1,2,4,8,12,16`,
      });
    }
  }
  const notes: string[] = [];
  if (!isConcurrencyKey(key)) {
    notes.push(`${key} does not look like a count of parallel units (${CONCURRENCY_NAMES.slice(0, 4).join(", ")}, …): the USL's N is one`);
  }
  const byN = new Map<number, StoredScenario[]>();
  for (const s of withKey) {
    const n = numberOf(s.variant?.[key]);
    if (n === undefined) {
      throw new FitInputError(`${key} = ${JSON.stringify(s.variant?.[key])} in ${runLabel} is not a number`, { hint: "fit needs a numeric, concurrency-like key (workers, producers, partitions, connections)" });
    }
    if (s.result.status !== "completed" || !(s.result.throughput > 0)) {
      notes.push(`${key}=${n} trial ${s.trial + 1} left out: ${s.result.status}, throughput ${s.result.throughput}`);
      continue;
    }
    if (s.result.validity !== undefined && !s.result.validity.valid) {
      notes.push(`${key}=${n} trial ${s.trial + 1} is INVALID (${s.result.validity.reasons.map((r) => r.code).join(", ")}): kept, but its throughput may describe the machine, not the target`);
    }
    byN.set(n, [...(byN.get(n) ?? []), s]);
  }
  const points = [...byN.entries()]
    .sort(([a], [b]) => a - b)
    .map(([n, results]) => ({ n, throughput: median(results.map((r) => r.result.throughput)) }));
  const trials = Object.fromEntries([...byN.entries()].map(([n, results]) => [String(n), results.length]));
  return { points, scenario: names[0] ?? "", key, trials, notes };
}

/**
 * `N,throughput` per line; a first line that is not numbers is a header, `#` starts a comment,
 * blank lines are skipped. Any other line that is not two numbers is refused with its line number.
 */
export function parsePointsCsv(text: string, file: string): FitPoint[] {
  const points: FitPoint[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? "").replace(/#.*$/, "").trim();
    if (line === "") continue;
    const cells = line.split(/[,;\t]/).map((c) => c.trim());
    const [n, x] = cells.map((c) => (c === "" ? Number.NaN : Number(c)));
    if (cells.length >= 2 && Number.isFinite(n) && Number.isFinite(x)) {
      points.push({ n: n ?? Number.NaN, throughput: x ?? Number.NaN });
      continue;
    }
    if (points.length === 0 && !cells.some((c) => c !== "" && Number.isFinite(Number(c)))) continue; // the header
    throw new FitInputError(`${file}:${i + 1}: "${lines[i]}" is not N,throughput`, { hint: "write one point per line, e.g. 8,1520.5 (a header line first is fine)" });
  }
  return points;
}

export function readPointsCsv(file: string): FitPoint[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw new FitInputError(`cannot read ${file}: ${cause instanceof Error ? cause.message : String(cause)}`, { hint: "give the path of a CSV file of N,throughput", cause });
  }
  return parsePointsCsv(text, file);
}
