// Validation of a whole suite: its shape (schema.ts), each target by its driver, each workload by
// its target's driver, each load profile by the engine's schema, each threshold by its parser, and
// the references between them (a scenario's target, a probe's target, `pg.cache_hit_ratio`).
// Every problem is collected; nothing is built unless there are none.
import type { z } from "zod";
import { LoadProfile } from "../engine/load.js";
import { FAILING_SECONDS_TO_STOP, type ErrorPolicy } from "../engine/target-failure.js";
import { isLatencyMetric, metricSource, probeMetricKinds, type ProbeMetricKinds } from "../thresholds/metrics.js";
import { fromK6, parseThreshold, ThresholdSyntaxError, type Threshold } from "../thresholds/parse.js";
import { closest, didYouMean, listNames } from "./did-you-mean.js";
import {
  DRIVER_PROBE_KEYS,
  OnErrorSpec,
  ProbeSpec,
  RESERVED_TARGET_NAMES,
  SERVER_PROBE_KEYS,
  SCENARIO_NAME,
  SuiteFile,
  TARGET_NAME,
  type SuiteData,
} from "./schema.js";
import { allowedKeys, discriminatorValues } from "./schema-keys.js";
import { parseDuration, parseSize } from "./units.js";
import { describeValue, isRecord } from "./values.js";
import type { DriverSchema as Driver, DriverSchemas, Suite, SuiteProbe, SuiteScenario, SuiteTarget } from "./types.js";
import { check, type PathIssue } from "./zod-issues.js";
import type { DataPath } from "./yaml-source.js";

export type ValidSuite = Pick<Suite, "name" | "description" | "targets" | "probes" | "scenarios" | "thresholds">;

export interface ValidateOptions {
  /** Scenario names in file order. */
  readonly order: readonly string[];
  /** The scenarios to build (all of them are validated). */
  readonly selected: readonly string[];
  /** The suite's name when it does not give one (its file name). */
  readonly defaultName: string;
}

const HOST = "host";
/** The prometheus probe's readings: `promql.cpu` (src/probes/prometheus.ts). */
const PROMQL = "promql";

export function validateSuite(
  data: SuiteData,
  drivers: DriverSchemas,
  options: ValidateOptions,
): { suite?: ValidSuite; issues: PathIssue[] } {
  const issues: PathIssue[] = [];
  const structure = check(SuiteFile, data, []);
  if (!structure.ok) issues.push(...structure.issues);

  const targetsRaw = isRecord(data.targets) ? data.targets : {};
  const targetNames = Object.keys(targetsRaw);
  const kinds = [...drivers.keys()];
  if (isRecord(data.targets) && targetNames.length === 0) {
    issues.push({ path: ["targets"], at: "key", message: "no targets are defined", fix: `add one, e.g. db: { kind: ${kinds[0] ?? "postgres"} } (kinds: ${listNames(kinds)})` });
  }
  if (isRecord(data.scenarios) && Object.keys(data.scenarios).length === 0) {
    issues.push({ path: ["scenarios"], at: "key", message: "no scenarios are defined", fix: "add one: a target, a workload and a load profile" });
  }

  // The driver of each target whose kind is known, valid settings or not: its workloads and
  // probes can still be checked while its own settings have problems.
  const driverOf = new Map<string, Driver>();
  const targets = new Map<string, SuiteTarget>();
  for (const [name, raw] of Object.entries(targetsRaw)) {
    const path = ["targets", name];
    if (!TARGET_NAME.test(name)) {
      issues.push({ path, at: "key", message: `"${name}" cannot name a target`, fix: "use letters, digits, _ and -, starting with a letter" });
    } else if (RESERVED_TARGET_NAMES.has(name)) {
      issues.push({ path, at: "key", message: `"${name}" is reserved (${name === HOST ? "the host probe's readings" : name === PROMQL ? "the prometheus probe's readings" : "service.p99 and friends"})`, fix: `rename it, e.g. ${name}1` });
    }
    if (!isRecord(raw) || typeof raw.kind !== "string") continue; // the shape check reported it
    const driver = drivers.get(raw.kind);
    if (driver === undefined) {
      issues.push({
        path: [...path, "kind"],
        message: `unknown kind "${raw.kind}"; kinds are: ${listNames(kinds)}`,
        fix: didYouMean(raw.kind, kinds) ?? `use one of ${listNames(kinds)}`,
      });
      continue;
    }
    driverOf.set(name, driver);
    const config = check(driver.targetSchema, raw, path);
    if (config.ok) targets.set(name, { kind: raw.kind, config: config.data });
    else issues.push(...config.issues);
    issues.push(...targetReferences(raw, path, targetNames, name));
  }

  const probes = checkProbes(data.probes, targetNames, driverOf, drivers, issues);
  const refs: ThresholdRefs = { targetNames, probes, driverOf, probeMetrics: probeMetricKinds(drivers.values()) };

  const defaultsLoad = isRecord(data.defaults) && isRecord(data.defaults.load) ? data.defaults.load : undefined;
  if (defaultsLoad !== undefined) issues.push(...unknownLoadKeys(defaultsLoad));

  // Each target's kind as written, known or not, for guessing the driver a misspelt one stands for.
  const kindOf = new Map(Object.entries(targetsRaw).flatMap(([n, t]) => (isRecord(t) && typeof t.kind === "string" ? [[n, t.kind] as const] : [])));
  const built = new Map<string, SuiteScenario>();
  const scenariosRaw = isRecord(data.scenarios) ? data.scenarios : {};
  for (const name of options.order) {
    const raw = scenariosRaw[name];
    const path = ["scenarios", name];
    if (!SCENARIO_NAME.test(name)) {
      issues.push({ path, at: "key", message: `"${name}" cannot name a scenario`, fix: "use letters, digits, _ and - (no dots or spaces)" });
    }
    if (!isRecord(raw)) continue;
    const scenario = checkScenario(name, raw, defaultsLoad, targetNames, driverOf, targets, refs, { drivers, kinds: kindOf }, issues);
    if (scenario !== undefined) built.set(name, scenario);
  }

  const thresholds = checkThresholds(data.thresholds, ["thresholds"], refs, issues);

  if (issues.length > 0 || !structure.ok) return { issues };
  const file = structure.data;
  return {
    issues,
    suite: {
      name: file.name ?? options.defaultName,
      ...(file.description === undefined ? {} : { description: file.description }),
      targets: Object.fromEntries(targets),
      probes,
      scenarios: options.selected.flatMap((name) => built.get(name) ?? []),
      thresholds,
      ...(file.monitoring === undefined ? {} : { monitoring: file.monitoring }),
    },
  };
}

/** `{{targets.NAME.url}}` in a target's settings must name another target. */
function targetReferences(raw: unknown, path: DataPath, names: readonly string[], self: string): PathIssue[] {
  const found: PathIssue[] = [];
  const walk = (value: unknown, at: DataPath): void => {
    if (typeof value === "string") {
      for (const m of value.matchAll(/\{\{\s*targets\.([\w-]+)\./g)) {
        const ref = m[1] ?? "";
        if (ref === self) {
          found.push({ path: at, message: `target ${self} refers to itself`, fix: "refer to another target's url" });
        } else if (!names.includes(ref)) {
          found.push({
            path: at,
            message: `refers to target "${ref}", which is not defined; targets are: ${listNames(names)}`,
            fix: didYouMean(ref, names) ?? "define it under targets:",
          });
        }
      }
    } else if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...at, i]));
    else if (isRecord(value)) for (const [k, v] of Object.entries(value)) walk(v, [...at, k]);
  };
  walk(raw, path);
  return found;
}

function checkProbes(
  raw: unknown,
  targetNames: readonly string[],
  driverOf: ReadonlyMap<string, Driver>,
  drivers: DriverSchemas,
  issues: PathIssue[],
): SuiteProbe[] {
  if (!Array.isArray(raw)) return [];
  const probeKinds = [HOST, ...Object.keys(SERVER_PROBE_KEYS), ...new Set([...drivers.values()].flatMap((d) => d.probeKinds))];
  const seen = new Set<string>();
  const probes: SuiteProbe[] = [];
  raw.forEach((p, i) => {
    const path = ["probes", i];
    if (!isRecord(p) || typeof p.kind !== "string") return;
    const kind = p.kind;
    const target = typeof p.target === "string" ? p.target : undefined;
    const key = `${kind}@${target ?? ""}`;
    if (seen.has(key)) issues.push({ path, message: `probe ${kind}${target ? ` on ${target}` : ""} is listed twice`, fix: "remove one" });
    seen.add(key);
    if (probeKinds.includes(kind)) issues.push(...keysOfOtherKinds(p, kind, path));

    if (Object.hasOwn(SERVER_PROBE_KEYS, kind)) {
      issues.push(...serverProbeIssues(p, kind, path, targetNames, driverOf));
    } else if (kind === HOST) {
      if (p.target !== undefined) {
        issues.push({ path: [...path, "target"], at: "key", message: "the host probe reads the machine pipebench runs on and takes no target", fix: "remove target" });
      }
    } else if (!probeKinds.includes(kind)) {
      issues.push({
        path: [...path, "kind"],
        message: `unknown probe kind "${kind}"; kinds are: ${listNames(probeKinds)}`,
        fix: didYouMean(kind, probeKinds) ?? `use one of ${listNames(probeKinds)}`,
      });
    } else if (p.target === undefined) {
      const offering = targetNames.filter((t) => driverOf.get(t)?.probeKinds.includes(kind));
      issues.push({
        path,
        message: `probe ${kind} needs a target`,
        fix: offering.length > 0 ? `add target: ${offering[0]}` : `add a target whose kind offers ${kind}, and name it in target:`,
      });
    } else if (target !== undefined && !targetNames.includes(target)) {
      issues.push({
        path: [...path, "target"],
        message: `probe ${kind} names target "${target}", which is not defined; targets are: ${listNames(targetNames)}`,
        fix: didYouMean(target, targetNames) ?? "define it under targets:",
      });
    } else if (target !== undefined) {
      const driver = driverOf.get(target);
      if (driver !== undefined && !driver.probeKinds.includes(kind)) {
        issues.push({
          path: [...path, "kind"],
          message: `target ${target} is a ${driver.kind} target, which has no ${kind} probe`,
          fix: driver.probeKinds.length > 0 ? `its probes are: ${listNames(driver.probeKinds)}` : `${driver.kind} targets offer no probes; remove this one`,
        });
      }
    }
    const every = p.every;
    // The server probes sample every 5 s unless told: their readings are about the load, not its edges.
    const everyMs = typeof every === "string" || typeof every === "number" ? parseDuration(every) : Object.hasOwn(SERVER_PROBE_KEYS, kind) ? 5_000 : undefined;
    const memoryLimitBytes = typeof p.memoryLimit === "string" || typeof p.memoryLimit === "number" ? parseSize(p.memoryLimit) : undefined;
    probes.push({
      kind,
      ...(target === undefined ? {} : { target }),
      ...(everyMs === undefined ? {} : { everyMs }),
      ...(typeof p.url === "string" ? { url: p.url } : {}),
      ...(isRecord(p.queries) ? { queries: p.queries as Record<string, string> } : {}),
      ...(typeof p.histogram === "string" ? { histogram: p.histogram } : {}),
      ...(isRecord(p.labels) ? { labels: p.labels as Record<string, string> } : {}),
      ...(typeof p.cpuLimit === "number" ? { cpuLimit: p.cpuLimit } : {}),
      ...(memoryLimitBytes === undefined ? {} : { memoryLimitBytes }),
      ...(Object.hasOwn(SERVER_PROBE_KEYS, kind) ? { index: i } : {}),
    });
  });
  return probes;
}

/** Keys the shape allows for some probe kind, written on a probe of another kind. */
function keysOfOtherKinds(p: Record<string, unknown>, kind: string, path: DataPath): PathIssue[] {
  const allowed = SERVER_PROBE_KEYS[kind] ?? (kind === HOST ? DRIVER_PROBE_KEYS.filter((k) => k !== "target") : DRIVER_PROBE_KEYS);
  const shape = Object.keys(ProbeSpec.shape);
  return Object.keys(p)
    .filter((k) => shape.includes(k) && !allowed.includes(k) && !(kind === HOST && k === "target"))
    .map((k) => ({ path: [...path, k], at: "key" as const, message: `a ${kind} probe takes no ${k}`, fix: `remove it; a ${kind} probe takes: ${listNames(allowed)}` }));
}

/** A reading name, as thresholds write it after `promql.`: snake_case, and not a latency statistic. */
const READING_NAME = /^[a-z][a-z0-9_]*$/;

/** The prometheus and metrics-endpoint probes: what each needs besides its kind. */
function serverProbeIssues(
  p: Record<string, unknown>,
  kind: string,
  path: DataPath,
  targetNames: readonly string[],
  driverOf: ReadonlyMap<string, Driver>,
): PathIssue[] {
  const found: PathIssue[] = [];
  const url = typeof p.url === "string" ? p.url : undefined;
  if (url !== undefined && !/^https?:\/\/[^/\s]+/.test(url)) {
    found.push({ path: [...path, "url"], message: `"${url}" is not an http(s) URL`, fix: "write e.g. http://127.0.0.1:9090" });
  }
  if (kind === "prometheus") {
    if (url === undefined) found.push({ path, message: "a prometheus probe needs url: the Prometheus server to query", fix: "add url: http://127.0.0.1:9090 (or ${PROMETHEUS_URL})" });
    if (!isRecord(p.queries) || Object.keys(p.queries).length === 0) {
      found.push({ path: isRecord(p.queries) ? [...path, "queries"] : path, message: "a prometheus probe needs queries: a name and a PromQL query for each reading", fix: 'add e.g. queries: { cpu: \'rate(process_cpu_seconds_total{job="ingest"}[15s])\' }, read as promql.cpu' });
    } else {
      for (const name of Object.keys(p.queries)) {
        if (!READING_NAME.test(name) || isLatencyMetric(name)) {
          found.push({ path: [...path, "queries", name], at: "key", message: `"${name}" cannot name a reading`, fix: "use snake_case (letters, digits, _), not a latency statistic such as p99; thresholds write it as promql.NAME" });
        }
      }
    }
    return found;
  }
  // metrics-endpoint: its readings are filed under the target it names (ingest.server_p99).
  const target = typeof p.target === "string" ? p.target : undefined;
  if (target === undefined) {
    found.push({ path, message: "a metrics-endpoint probe needs target: the service whose /metrics it reads", fix: `add target: ${targetNames.find((t) => driverOf.get(t)?.kind === "http") ?? "NAME"}` });
  } else if (!targetNames.includes(target)) {
    found.push({
      path: [...path, "target"],
      message: `probe ${kind} names target "${target}", which is not defined; targets are: ${listNames(targetNames)}`,
      fix: didYouMean(target, targetNames) ?? "define it under targets:",
    });
  } else if (url === undefined && driverOf.get(target) !== undefined && driverOf.get(target)?.kind !== "http") {
    found.push({ path, message: `target ${target} is a ${driverOf.get(target)?.kind ?? "?"} target: its server has no /metrics page pipebench knows of`, fix: "add url: the service's metrics page, e.g. http://127.0.0.1:9187/metrics" });
  }
  return found;
}

/** `defaults.load` is not validated as a profile (it may be partial), only for misspelt keys. */
function unknownLoadKeys(defaults: Record<string, unknown>): PathIssue[] {
  const allowed = allowedKeys(LoadProfile, {}, []);
  return Object.keys(defaults)
    .filter((k) => !allowed.includes(k))
    .map((k) => ({
      path: ["defaults", "load", k],
      at: "key" as const,
      message: "unknown key",
      fix: didYouMean(k, allowed) ?? `remove it; load profiles take: ${listNames(allowed)}`,
    }));
}

/**
 * `defaults.load` under the scenario's `load`: a default key is taken only when the scenario's
 * executor accepts it, so `defaults: { load: { workers: 4 } }` does not break a constant-rate
 * scenario. Returns which keys came from the defaults, to point problems at where they are written.
 */
function mergeLoad(
  defaults: Record<string, unknown> | undefined,
  own: Record<string, unknown>,
): { load: Record<string, unknown>; fromDefaults: Set<string> } {
  const fromDefaults = new Set<string>();
  if (defaults === undefined) return { load: own, fromDefaults };
  const executor = own.executor ?? defaults.executor;
  const accepted = allowedKeys(LoadProfile, { executor }, []);
  const load: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(defaults)) {
    if (accepted.includes(k) && !(k in own)) {
      load[k] = v;
      fromDefaults.add(k);
    }
  }
  return { load: { ...load, ...own }, fromDefaults };
}

function checkScenario(
  name: string,
  raw: Record<string, unknown>,
  defaultsLoad: Record<string, unknown> | undefined,
  targetNames: readonly string[],
  driverOf: ReadonlyMap<string, Driver>,
  targetConfigs: ReadonlyMap<string, SuiteTarget>,
  refs: ThresholdRefs,
  known: { readonly drivers: DriverSchemas; readonly kinds: ReadonlyMap<string, string> },
  issues: PathIssue[],
): SuiteScenario | undefined {
  const path = ["scenarios", name];
  const before = issues.length;
  let workload: unknown;
  const target = typeof raw.target === "string" ? raw.target : undefined;
  if (target !== undefined && !targetNames.includes(target)) {
    const guess = closest(target, targetNames);
    issues.push({
      path: [...path, "target"],
      message: `scenario ${name} names target '${target}', which is not defined; targets are: ${listNames(targetNames)}`,
      fix: guess !== undefined ? `did you mean "${guess}"?` : `define ${target} under targets:, or use one of ${listNames(targetNames)}`,
    });
  }
  const driver = target === undefined ? undefined : driverOf.get(target);
  if (driver === undefined && isRecord(raw.workload)) {
    // The target's driver is not known (its kind, or the target's name, is wrong): the workload's
    // other settings wait for it, but a type no driver has is wrong whatever the target turns out to be.
    const problem = workloadTypeProblem(raw.workload, guessDriver(target, targetNames, known.kinds, driverOf, known.drivers), known.drivers);
    if (problem !== undefined) issues.push({ ...problem, path: [...path, "workload", ...problem.path] });
  }
  if (driver !== undefined && isRecord(raw.workload)) {
    const checked = check(driver.workloadSchema, raw.workload, [...path, "workload"]);
    if (checked.ok) workload = checked.data;
    else issues.push(...checked.issues);
  }

  let load: LoadProfile | undefined;
  if (raw.load === undefined || isRecord(raw.load)) {
    const merged = mergeLoad(defaultsLoad, raw.load ?? {});
    const checked = check(LoadProfile, merged.load, [...path, "load"]);
    if (checked.ok) load = checked.data;
    else issues.push(...checked.issues.map((issue) => pointAtDefaults(issue, path, merged.fromDefaults)));
  }

  // Cross-checks against the target's settings (a query name must exist) and the load (a timing
  // that needs one executor), once the workload is valid; the load is passed when it is valid too.
  const config = target === undefined ? undefined : targetConfigs.get(target);
  if (driver !== undefined && workload !== undefined && config !== undefined) {
    const problem = driver.checkWorkload?.(config.config, workload, target ?? "", load);
    if (problem !== undefined) issues.push({ path: [...path, "workload", problem.path], message: problem.message, fix: problem.fix });
  }

  const thresholds = checkThresholds(raw.thresholds, [...path, "thresholds"], refs, issues);
  // Its shape was checked with the file's (SuiteFile); here it only becomes the engine's policy.
  const onError = raw.onError === undefined ? undefined : errorPolicyOf(OnErrorSpec.safeParse(raw.onError).data);
  if (issues.length > before || target === undefined || load === undefined || workload === undefined) return undefined;
  return {
    name,
    ...(typeof raw.description === "string" ? { description: raw.description } : {}),
    target,
    workload,
    load,
    thresholds,
    ...(onError === undefined ? {} : { onError }),
  };
}

/**
 * The driver a scenario's target most likely has when it cannot be known for sure: the target a
 * misspelt target name stands for, or the kind a misspelt kind stands for ("htttp" → http).
 */
function guessDriver(
  target: string | undefined,
  targetNames: readonly string[],
  kinds: ReadonlyMap<string, string>,
  driverOf: ReadonlyMap<string, Driver>,
  drivers: DriverSchemas,
): Driver | undefined {
  if (target === undefined) return undefined;
  const name = targetNames.includes(target) ? target : closest(target, targetNames);
  if (name === undefined) return undefined;
  const known = driverOf.get(name);
  if (known !== undefined) return known;
  const kind = kinds.get(name);
  const guess = kind === undefined ? undefined : closest(kind, [...drivers.keys()]);
  return guess === undefined ? undefined : drivers.get(guess);
}

/** A workload `type` that is missing, or that no driver has; undefined when some driver takes it. */
function workloadTypeProblem(
  workload: Record<string, unknown>,
  likely: Driver | undefined,
  drivers: DriverSchemas,
): { path: DataPath; message: string; fix: string; at?: "key" } | undefined {
  const typesOf = (d: Driver): string[] => discriminatorValues(d.workloadSchema, "type").map(String);
  const all = [...new Set([...drivers.values()].flatMap(typesOf))];
  const types = likely === undefined ? all : typesOf(likely);
  if (all.length === 0) return undefined;
  const type = workload.type;
  if (type === undefined) {
    return { path: ["type"], at: "key", message: `required, but missing (one of ${listNames(types)})`, fix: `add type: ${types[0] ?? "…"}` };
  }
  if (typeof type === "string" && all.includes(type)) return undefined;
  const written = typeof type === "string" ? `"${type}"` : describeValue(type);
  return {
    path: ["type"],
    message: `unknown type ${written}; types are: ${listNames(types)}`,
    fix: (typeof type === "string" ? didYouMean(type, types) : undefined) ?? `use one of ${listNames(types)}`,
  };
}

/** A scenario's `onError`, validated, as the engine takes it. */
function errorPolicyOf(spec: z.output<typeof OnErrorSpec> | undefined): ErrorPolicy | undefined {
  if (spec === undefined) return undefined;
  if (spec === "continue" || spec === "abort") return { kind: spec };
  return { kind: "limit", rate: spec.abortAt, seconds: Math.max(1, Math.round((spec.for ?? FAILING_SECONDS_TO_STOP * 1000) / 1000)) };
}

/** A problem with a key the scenario took from `defaults.load` is written there, not here. */
function pointAtDefaults(issue: PathIssue, scenarioPath: DataPath, fromDefaults: ReadonlySet<string>): PathIssue {
  const loadPath = [...scenarioPath, "load"];
  const key = issue.path[loadPath.length];
  const under = loadPath.every((p, i) => issue.path[i] === p);
  if (!under || typeof key !== "string" || !fromDefaults.has(key)) return issue;
  return { ...issue, path: ["defaults", "load", ...issue.path.slice(loadPath.length)] };
}

interface ThresholdRefs {
  readonly targetNames: readonly string[];
  readonly probes: readonly SuiteProbe[];
  readonly driverOf: ReadonlyMap<string, Driver>;
  /** The host probe's metric kinds and those every driver declares. */
  readonly probeMetrics: ProbeMetricKinds;
}

function checkThresholds(raw: unknown, path: DataPath, refs: ThresholdRefs, issues: PathIssue[]): Threshold[] {
  if (!Array.isArray(raw)) return [];
  const out: Threshold[] = [];
  raw.forEach((expr, i) => {
    if (typeof expr !== "string") return; // the shape check reported it
    const at = [...path, i];
    try {
      const threshold = parseThreshold(expr, refs.probeMetrics);
      const problem = probeReference(threshold, refs);
      if (problem) issues.push({ path: at, ...problem });
      out.push(threshold);
    } catch (error) {
      if (!(error instanceof ThresholdSyntaxError)) throw error;
      issues.push({ path: at, message: error.message, fix: error.fix });
    }
  });
  return out;
}

/**
 * A probe metric no probe in the suite can report would fail every run with "no value"; say so
 * now. Which probe reports which metric is the probes' business, so only the obvious is checked:
 * that the named target exists and is probed, and that there is a probe at all. Also: a target's
 * name before a latency (`pg.p95`) is a mistake, not the name of an observed latency.
 */
function probeReference(t: Threshold, refs: ThresholdRefs): { message: string; fix: string } | undefined {
  const source = metricSource(t.metric);
  const { targetNames, probes, driverOf } = refs;
  const where = `threshold "${t.expr}"`;
  // `pg.p95` parses as a latency observed under the name pg; with a target pg, the scenario's own
  // p95 was meant.
  if (source?.from === "observed" && targetNames.some((n) => n.toLowerCase() === source.observed)) {
    return {
      message: `${where}: ${source.name} is a scenario metric; only probe metrics take a target name`,
      fix: `write ${source.name} (a name before ${source.name} is a latency the workload observes, e.g. end_to_end.${source.name})`,
    };
  }
  if (source?.from !== "probe") return undefined;
  // `http_req_duration < 500` reads as a probe metric of that name, which no probe reports.
  const k6 = source.target === undefined ? fromK6(t.expr) : undefined;
  if (k6 !== undefined) return { message: `${where}: ${k6.problem}`, fix: `write ${k6.expr}` };
  if (source.target === undefined) {
    if (probes.length > 0) return undefined;
    const example = probeExample(targetNames, driverOf, source.name);
    if (Object.hasOwn(refs.probeMetrics, source.name)) {
      return { message: `${where}: no probe in this suite reports ${source.name}`, fix: `add a probe under probes:, e.g. ${example}` };
    }
    // A name pipebench has never heard of is more likely a mistake than a probe not yet added.
    return {
      message: `${where}: ${source.name} is not a scenario metric, and no probe in this suite reports it`,
      fix:
        `scenario metrics are p50…p99.9, min, mean, max, throughput, ops, mbps, error_rate, errors; ` +
        `for a server-side reading add a probe under probes:, e.g. ${example}`,
    };
  }
  if (source.target === PROMQL) {
    const prometheus = probes.find((p) => p.kind === "prometheus");
    if (prometheus === undefined) {
      return { message: `${where}: no prometheus probe in this suite reads ${source.name}`, fix: `add { kind: prometheus, url: http://127.0.0.1:9090, queries: { ${source.name}: '<PromQL>' } } under probes:` };
    }
    const names = Object.keys(prometheus.queries ?? {});
    if (names.includes(source.name)) return undefined;
    return { message: `${where}: the prometheus probe has no query named ${source.name}; its queries are: ${listNames(names)}`, fix: didYouMean(source.name, names) ?? `add ${source.name}: '<PromQL>' under its queries:` };
  }
  if (source.target === HOST) {
    return probes.some((p) => p.kind === HOST) ? undefined : { message: `${where}: the host probe is not enabled`, fix: "add { kind: host } under probes:" };
  }
  if (!targetNames.includes(source.target)) {
    return {
      message: `${where} names target "${source.target}", which is not defined; targets are: ${listNames(targetNames)}`,
      fix: didYouMean(source.target, [...targetNames, HOST]) ?? `qualify with a target name, or write ${source.name} alone`,
    };
  }
  if (probes.some((p) => p.target === source.target)) return undefined;
  const kinds = driverOf.get(source.target)?.probeKinds ?? [];
  return {
    message: `${where}: no probe reads target ${source.target}`,
    fix: kinds.length > 0 ? `add { kind: ${kinds[0]}, target: ${source.target} } under probes:` : `${source.target}'s kind offers no probes`,
  };
}

function probeExample(targetNames: readonly string[], driverOf: ReadonlyMap<string, Driver>, metric: string): string {
  if (/^(cpu|memory|load)/.test(metric)) return "{ kind: host }";
  for (const name of targetNames) {
    const kind = driverOf.get(name)?.probeKinds[0];
    if (kind !== undefined) return `{ kind: ${kind}, target: ${name} }`;
  }
  return "{ kind: host }";
}
