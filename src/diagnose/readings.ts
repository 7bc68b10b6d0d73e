// Typed access to what a stored run holds for the rules: probe readings by probe, target and
// phase; the resolved suite's target settings; JSON details narrowed without casts to `any`.
import type { JsonValue, ProbeReading } from "../probes/probe.js";
import type { StoredProbeReading, StoredRun, StoredScenario } from "../store/results-store.js";

export type JsonObject = { [key: string]: JsonValue };

export function isObject(value: JsonValue | undefined): value is JsonObject {
  return value !== null && value !== undefined && typeof value === "object" && !Array.isArray(value);
}

export function objectAt(value: JsonValue | undefined, key: string): JsonObject | undefined {
  if (!isObject(value)) return undefined;
  const v = value[key];
  return isObject(v) ? v : undefined;
}

export function arrayAt(value: JsonValue | undefined, key: string): JsonValue[] {
  if (!isObject(value)) return [];
  const v = value[key];
  return Array.isArray(v) ? v : [];
}

export function numberAt(value: JsonValue | undefined, key: string): number | undefined {
  if (!isObject(value)) return undefined;
  const v = value[key];
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

export function stringAt(value: JsonValue | undefined, key: string): string | undefined {
  if (!isObject(value)) return undefined;
  const v = value[key];
  return typeof v === "string" ? v : undefined;
}

/** The scenario's reading of `probe` over its whole interval (target null: the host probe). */
export function intervalReading(scenario: StoredScenario, probe: string, target: string | null): ProbeReading | undefined {
  return scenario.probes.find((p) => p.phase === "interval" && p.probe === probe && p.target === target)?.reading;
}

/** The samples taken while the scenario ran, oldest first. */
export function sampleReadings(scenario: StoredScenario, probe: string, target: string | null): StoredProbeReading[] {
  return scenario.probes
    .filter((p) => p.phase === "sample" && p.probe === probe && p.target === target)
    .sort((a, b) => a.takenAt - b.takenAt);
}

/** Every interval reading of `probe` in the run: each scenario's, then the whole run's. */
export function allIntervalReadings(run: StoredRun, probe: string): { scenario: StoredScenario | null; reading: StoredProbeReading }[] {
  const out: { scenario: StoredScenario | null; reading: StoredProbeReading }[] = [];
  for (const s of run.scenarioResults) {
    for (const p of s.probes) if (p.phase === "interval" && p.probe === probe) out.push({ scenario: s, reading: p });
  }
  for (const p of run.runProbes) if (p.phase === "interval" && p.probe === probe) out.push({ scenario: null, reading: p });
  return out;
}

/** A target's section of the resolved suite as written (after ${VAR} and --set), or undefined. */
export function targetConfig(run: StoredRun, target: string): JsonObject | undefined {
  const suite = run.suite as JsonValue;
  return objectAt(objectAt(suite, "targets"), target);
}

/** The machine pipebench ran on: its memory and cores, from the run's fingerprint. */
export function hostOf(run: StoredRun): { memoryBytes: number | undefined; cores: number | undefined } {
  const host = run.environment.host;
  return { memoryBytes: numberAt(host, "memoryBytes"), cores: numberAt(host, "cores") };
}

/** A workload field, as stored (the driver's parsed workload). */
export function workloadField(scenario: StoredScenario, key: string): JsonValue | undefined {
  const w = scenario.workload as JsonValue;
  return isObject(w) ? w[key] : undefined;
}

/** A field of the scenario's load profile, as stored. */
export function loadField(scenario: StoredScenario, key: string): unknown {
  const load = scenario.load;
  return typeof load === "object" && load !== null ? (load as Record<string, unknown>)[key] : undefined;
}

/** Trial number of a stored scenario (0 when the store predates trials). */
export function trialOf(scenario: StoredScenario): number {
  const t = (scenario as { trial?: unknown }).trial;
  return typeof t === "number" ? t : 0;
}

/**
 * What `match` finds in each scenario of the run, once per scenario name (the first trial that
 * shows it): for run-wide findings that list the scenarios they were seen in.
 */
export function oncePerScenario<T>(run: StoredRun, match: (scenario: StoredScenario) => T | undefined): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const scenario of run.scenarioResults) {
    if (seen.has(scenario.name)) continue;
    const m = match(scenario);
    if (m === undefined) continue;
    seen.add(scenario.name);
    out.push(m);
  }
  return out;
}

/**
 * Whether a PostgreSQL url names a server on the machine pipebench ran on: loopback, or a Unix
 * socket (no host, or a `host=/dir` parameter). Any other host may be another machine, whose memory
 * pipebench does not know.
 */
export function onThisMachine(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const socketDir = parsed.searchParams.get("host");
  const host = socketDir ?? decodeURIComponent(parsed.hostname);
  return host === "" || host.startsWith("/") || host === "localhost" || host === "[::1]" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Whether a target runs on the machine pipebench ran on, so that its CPU is among "other
 * processes'": embedded, started by pipebench, in-process, or reached at a loopback address.
 */
export function targetOnThisMachine(run: StoredRun, target: string): boolean {
  const t = targetConfig(run, target);
  if (t === undefined) return false;
  // `embedded: true`, or `embedded: { settings: … }`.
  if (t.embedded === true || isObject(t.embedded) || isObject(t.start) || t.kind === "duckdb") return true;
  const url = stringAt(t, "url");
  if (url !== undefined) return onThisMachine(url);
  const bootstrap = t.brokers;
  const hosts = typeof bootstrap === "string" ? bootstrap.split(",") : Array.isArray(bootstrap) ? bootstrap.filter((b): b is string => typeof b === "string") : [];
  return hosts.length > 0 && hosts.every((h) => onThisMachine(`tcp://${h.trim()}`));
}
