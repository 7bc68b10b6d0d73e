// Threshold expressions: `p95 < 5ms`, `throughput > 50k/s`, `pg.cache_hit_ratio > 99%`.
// Parsed by hand (never eval'd) and type-checked against the metric's kind, so a threshold that
// can never mean anything fails when the suite loads rather than after the run.
//
// Grammar (EBNF; `ws` is optional spaces, allowed between every token):
//
//   threshold  = metric ws op ws value ;
//   metric     = [ qualifier "." ] name ;
//   qualifier  = "service" | "client_wait" | "start_delay"  (* a part of the latency: service.p99 *)
//              | lower { lower | digit | "_" }  (* before a latency name: a latency the workload
//                                                  observes, e.g. end_to_end.p99, freshness.p95 *)
//              | letter { letter | digit | "_" | "-" } ;          (* a target name: pg.cache_hit_ratio *)
//   name       = latency
//              | "throughput" | "ops" | "mbps" | "error_rate" | "errors" | "ops_total" | "records" | "dropped"
//              | "lost" | "duplicated" | "out_of_order"       (* integrity counts, unqualified *)
//              | lower { lower | digit | "_" } ;                 (* a probe metric, e.g. cache_hit_ratio *)
//   latency    = "min" | "mean" | "p50" | "p90" | "p95" | "p99" | "p99.9" | "p999" | "max" ;
//   op         = "<=" | ">=" | "==" | "<" | ">" ;
//   value      = number ws [ unit ]
//              | number duration number duration { number duration } ;   (* 1m30s, as tables print it *)
//   duration   = "us" | "µs" | "ms" | "s" | "m" | "h" ;
//   number     = digit { digit | "_" } [ "." digit { digit } ] [ exponent ] | "." digit { digit } ;
//   unit       = "us" | "µs" | "ms" | "s" | "m" | "h"            (* duration, kept in ms *)
//              | [ "k" | "M" ] [ word ] "/s"                   (* per second: 50k/s, 200 rows/s *)
//              | "k" | "M"                                     (* thousands, millions *)
//              | "%"                                           (* ratio, kept as a fraction *)
//              | "MB/s" ;                                      (* bandwidth, for mbps *)
import { closest } from "../suite/did-you-mean.js";
import { parseDuration } from "../suite/units.js";
import {
  fixedKind,
  isLatencyMetric,
  KNOWN_OBSERVED_LATENCIES,
  HOST_PROBE_METRICS,
  knownMetricNames,
  LATENCY_METRICS,
  METRIC_ALIASES,
  METRIC_SYNONYMS,
  metricSource,
  isOperationTiming,
  type MetricKind,
  type MetricSource,
  type ProbeMetricKinds,
} from "./metrics.js";

export type ThresholdOp = "<" | "<=" | ">" | ">=" | "==";
/** Longest first, so the scanner never reads `<=` as `<`. */
export const THRESHOLD_OPS: readonly ThresholdOp[] = ["<=", ">=", "==", "<", ">"];

export interface Threshold {
  /** The expression as written (trimmed), for tables and stored results. */
  readonly expr: string;
  /** Canonical metric name: `p99.9` for `p999`, `pg.cache_hit_ratio` qualified as written. */
  readonly metric: string;
  readonly op: ThresholdOp;
  /** Normalised: ms for durations, per second for rates, MB/s for bandwidth, a fraction for ratios. */
  readonly value: number;
  readonly kind: MetricKind;
}

/** A threshold that cannot be parsed or cannot mean anything. Not a PipebenchError: the caller
 * (suite loader, CLI flag parser) knows which file or flag it came from and wraps it. */
export class ThresholdSyntaxError extends Error {
  readonly code = "THRESHOLD_SYNTAX";
  readonly expr: string;
  /** 0-based offset in the trimmed expression where the problem starts. */
  readonly offset: number;
  /** What to write instead. */
  readonly fix: string;

  constructor(expr: string, offset: number, problem: string, fix: string) {
    super(`threshold "${expr}": ${problem}`);
    this.name = "ThresholdSyntaxError";
    this.expr = expr;
    this.offset = offset;
    this.fix = fix;
  }
}

const KIND_NOUN: Record<MetricKind, string> = {
  duration: "a duration",
  rate: "a rate per second",
  bandwidth: "a bandwidth in MB/s",
  ratio: "a ratio",
  count: "a count",
  number: "a number",
};

const EXAMPLE: Record<MetricKind, string> = {
  duration: "5ms",
  rate: "50000/s",
  bandwidth: "50",
  ratio: "99%",
  count: "0",
  number: "4",
};

const DURATION_MS: Readonly<Record<string, number>> = {
  us: 1e-3,
  "µs": 1e-3, // U+00B5 micro sign
  "μs": 1e-3, // U+03BC greek mu, what some keyboards type
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const SCALE: Readonly<Record<string, number>> = { "": 1, k: 1e3, K: 1e3, M: 1e6 };

/** What the unit after a number says about the value. */
type Unit =
  | { readonly type: "bare"; readonly scale: number; readonly text: string }
  | { readonly type: "duration"; readonly ms: number; readonly text: string }
  | { readonly type: "per-second"; readonly scale: number; readonly text: string }
  | { readonly type: "percent"; readonly text: string }
  | { readonly type: "bandwidth"; readonly text: string };

const OP_CHARS = "<>=!";

/** A table lookup that never finds Object.prototype's members (`constructor`, `valueOf`): any
 * string a person writes is looked up in these tables. */
function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** fixedKind, guarded the same way: a probe metric named `constructor` has no fixed kind. */
function kindOf(source: MetricSource, probeMetrics: ProbeMetricKinds): MetricKind | undefined {
  const kind: unknown = fixedKind(source, probeMetrics);
  return typeof kind === "string" ? (kind as MetricKind) : undefined;
}
const NUMBER = /^(\d[\d_]*(?:\.\d+)?|\.\d+)(?:[eE]([+-]?\d+))?/;

/**
 * `probeMetrics`: the kinds of the probe metrics known ahead of the run; the suite loader passes
 * the host probe's and every driver's (probeMetricKinds), the default knows the host's only.
 */
export function parseThreshold(expr: string, probeMetrics: ProbeMetricKinds = HOST_PROBE_METRICS): Threshold {
  try {
    return parseExpression(expr, probeMetrics);
  } catch (error) {
    // Only what does not parse is retold: k6's form in the fix, with its metric and units in ours.
    const k6 = error instanceof ThresholdSyntaxError ? fromK6(error.expr) : undefined;
    if (k6 === undefined) throw error;
    throw new ThresholdSyntaxError(expr.trim(), 0, k6.problem, `write ${k6.expr}`);
  }
}

/**
 * k6's built-in metrics, and pipebench's name for each of their aggregations (`p(95)` of
 * http_req_duration is p95; `rate` of http_req_failed is error_rate). `""` stands for k6's
 * expression written without its metric (`p(95)<500`), which can only be a latency.
 */
const K6_METRICS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  "": { avg: "mean", med: "p50" },
  http_req_duration: { avg: "mean", med: "p50", min: "min", max: "max" },
  iteration_duration: { avg: "mean", med: "p50", min: "min", max: "max" },
  http_req_failed: { rate: "error_rate" },
  http_reqs: { rate: "ops", count: "ops_total" },
  iterations: { rate: "ops", count: "ops_total" },
  dropped_iterations: { count: "dropped" },
};

/** The aggregation meant when a k6 metric is written alone (`http_req_duration < 500`). */
const K6_DEFAULT_AGGREGATION: Readonly<Record<string, string>> = {
  http_req_duration: "p(95)",
  iteration_duration: "p(95)",
  http_req_failed: "rate",
  http_reqs: "rate",
  iterations: "rate",
  dropped_iterations: "count",
};

/** `[metric ]aggregation op value`, k6's threshold written in one string: `http_req_duration p(95)<500`. */
const K6_EXPRESSION = /^(?:([a-z_]+)\s*[\s:]\s*)?(p\(\s*(\d+(?:\.\d+)?)\s*\)|avg|med|min|max|rate|count)\s*(<=|>=|==|===|<|>|=)\s*(\S.*)$/;

/**
 * What a k6 threshold is in pipebench's words, or undefined when `text` is not one or its
 * translation would not parse either. k6 writes no units: durations are milliseconds, rates per
 * second and `rate` of a Rate metric a fraction.
 */
export function fromK6(text: string): { expr: string; problem: string } | undefined {
  // `http_req_duration < 500` parses (as a probe metric of that name); the loader asks here for
  // what it means, with the aggregation k6's users mean most often.
  const bare = /^([a-z_]+)\s*([<>=].*)$/.exec(text.trim());
  const aggregation = bare === null ? undefined : own(K6_DEFAULT_AGGREGATION, bare[1] ?? "");
  const m = K6_EXPRESSION.exec(aggregation === undefined ? text.trim() : `${bare?.[1] ?? ""} ${aggregation}${bare?.[2] ?? ""}`);
  if (m === null) return undefined;
  const [, k6Metric = "", k6Aggregation = "", percentile, rawOp = "", value = ""] = m;
  const names = own(K6_METRICS, k6Metric);
  if (names === undefined) return undefined;
  const latency = k6Metric === "" || k6Metric.endsWith("_duration");
  const metric = percentile !== undefined && latency ? `p${percentile}` : own(names, k6Aggregation);
  if (metric === undefined) return undefined;
  const op = rawOp === "=" || rawOp === "===" ? "==" : rawOp;
  const number = /^\d+(?:\.\d+)?$/.test(value.trim()) ? Number(value) : undefined;
  let written = value.trim();
  if (number !== undefined) {
    if (latency) written = `${value.trim()}ms`;
    else if (metric === "error_rate") written = `${Number((number * 100).toPrecision(12))}%`;
    else if (metric === "ops") written = `${value.trim()}/s`;
  }
  const expr = `${metric} ${op} ${written}`;
  try {
    parseExpression(expr, HOST_PROBE_METRICS);
  } catch {
    return undefined;
  }
  const k6Name = percentile !== undefined ? `p(${percentile})` : k6Aggregation;
  const units = latency && number !== undefined ? "; k6's durations are milliseconds" : metric === "error_rate" && number !== undefined ? "; k6's rate is a fraction" : "";
  const problem =
    aggregation !== undefined ? `${k6Metric} is k6's metric: its ${k6Name} is`
    : k6Metric === "" ? `"${k6Name}" is k6's spelling of`
    : `written in k6's syntax: ${k6Name} of ${k6Metric} is`;
  return { expr, problem: `${problem} pipebench's ${metric}${units}` };
}

function parseExpression(expr: string, probeMetrics: ProbeMetricKinds): Threshold {
  const text = expr.trim();
  // Annotated, so that TypeScript knows code after a `fail(…)` is unreachable.
  const fail: Fail = (offset, problem, fix) => {
    throw new ThresholdSyntaxError(text, offset, problem, fix);
  };
  if (text === "") fail(0, "the expression is empty", 'write metric, operator and value, e.g. "p95 < 5ms"');

  let i = 0;
  const skipSpaces = (): void => {
    while (i < text.length && /\s/.test(text[i] ?? "")) i++;
  };

  // metric: everything up to a space or an operator character.
  while (i < text.length && !/\s/.test(text[i] ?? "") && !OP_CHARS.includes(text[i] ?? "")) i++;
  const token = text.slice(0, i);
  if (token === "") fail(0, "the metric is missing", `start with the metric, e.g. "p95 ${text}"`);
  skipSpaces();

  // operator
  const opStart = i;
  while (i < text.length && OP_CHARS.includes(text[i] ?? "")) i++;
  const opToken = text.slice(opStart, i);
  skipSpaces();
  const valueStart = i;
  const valueText = text.slice(i).trim();

  const source = resolveMetric(token, fail, probeMetrics);
  const metric = canonicalName(source);
  const op = parseOp(opToken, opStart, token, valueText, fail);

  if (valueText === "") fail(valueStart, `nothing after "${op}"`, `add a value, e.g. "${metric} ${op} ${EXAMPLE[kindOf(source, probeMetrics) ?? "number"]}"`);
  if (valueText.startsWith("-")) fail(valueStart, "a threshold value cannot be negative", `write a value of 0 or more`);
  if (valueText.includes(",")) {
    fail(valueStart, `"${valueText}" has a comma`, `write the number without separators, e.g. 50000 or 50k (use "." for decimals)`);
  }
  const compound = compoundDuration(valueText);
  if (compound !== undefined) {
    const kind = kindOf(source, probeMetrics) ?? "duration";
    if (kind !== "duration") {
      fail(valueStart, `${metric} is ${KIND_NOUN[kind]}; "${valueText}" is a duration`, `write e.g. "${metric} ${op} ${EXAMPLE[kind]}"`);
    }
    return { expr: text, metric, op, value: compound, kind };
  }
  const number = NUMBER.exec(valueText);
  if (!number) {
    fail(valueStart, `"${valueText}" is not a number`, `write e.g. "${metric} ${op} ${EXAMPLE[kindOf(source, probeMetrics) ?? "number"]}"`);
  }
  const amount = Number((number[1] ?? "").replaceAll("_", "")) * 10 ** Number(number[2] ?? 0);
  if (!Number.isFinite(amount)) {
    fail(valueStart, `"${number[0]}" is too large to be a number`, "write an ordinary number, e.g. 5ms, 50k/s or 99%");
  }
  const digits = number[0];
  const unitText = valueText.slice(digits.length).trim();
  const unit = parseUnit(unitText);
  if (!unit) {
    fail(valueStart + digits.length, `"${unitText}" is not a unit`, "units are us, ms, s, m (durations), /s, k/s, M/s (rates), % (ratios)");
  }

  const kind = kindOf(source, probeMetrics) ?? kindOfUnit(unit);
  // Scaling by a unit (0.7 % → 0.007, 700 µs → 0.7 ms) must land on the same double as the measured
  // value it is compared with (7 / 1000), or a value exactly at the limit passes or fails by 1 ulp.
  const value = Number(
    normalise(kind, amount, unit, { metric, op, digits, source }, (problem, fix) => fail(valueStart, problem, fix)).toPrecision(15),
  );
  if (!Number.isFinite(value)) fail(valueStart, `"${valueText}" is too large`, "write a smaller value, e.g. in a larger unit");
  return { expr: text, metric, op, value, kind };
}

/** "1m30s", "1h5m", "3m1s" (how formatDuration prints a threshold), in ms; undefined otherwise. */
function compoundDuration(valueText: string): number | undefined {
  const compact = valueText.replace(/\s+/g, "").replaceAll("μ", "µ");
  if (!/^(?:\d+(?:\.\d+)?(?:us|µs|ms|s|m|h)){2,}$/.test(compact)) return undefined;
  return parseDuration(compact);
}

function canonicalName(source: MetricSource): string {
  switch (source.from) {
    case "latency":
    case "result":
    case "counter":
      return source.name;
    case "timing":
      return `${source.timing}.${source.name}`;
    case "observed":
      return `${source.observed}.${source.name}`;
    case "probe":
      return source.target === undefined ? source.name : `${source.target}.${source.name}`;
  }
}

type Fail = (offset: number, problem: string, fix: string) => never;

function resolveMetric(token: string, fail: Fail, probeMetrics: ProbeMetricKinds): MetricSource {
  const k6 = /^p\((\d+(?:\.\d+)?)\)$/.exec(token);
  if (k6) {
    const percentile = `p${k6[1] ?? "95"}`;
    fail(0, `"${token}" is k6's spelling`, isLatencyMetric(percentile) ? `write ${percentile}` : `pipebench records ${LATENCY_METRICS.join(", ")}`);
  }

  const dot = token.lastIndexOf(".") > 0 && !/^p\d+\.\d+$/.test(token) ? token.indexOf(".") : -1;
  const qualifier = dot < 0 ? undefined : token.slice(0, dot);
  const rawName = dot < 0 ? token : token.slice(dot + 1);
  const prefix = qualifier === undefined ? "" : `${qualifier}.`;

  // `constructor` would look itself up on every object that holds readings.
  if (rawName in Object.prototype) fail(dot + 1, `"${rawName}" is not a metric`, "metrics are p50…p99.9, throughput, error_rate, … or a probe's snake_case name");
  const name = own(METRIC_ALIASES, rawName) ?? rawName;
  if (name !== name.toLowerCase()) {
    fail(dot + 1, `metric names are lower case`, `write ${prefix}${name.toLowerCase()}`);
  }
  const synonym = own(METRIC_SYNONYMS, name);
  if (synonym !== undefined) {
    fail(dot + 1, `"${name}" is not a metric pipebench records`, `did you mean ${prefix}${synonym}?`);
  }
  if (/^p\d+(\.\d+)?$/.test(name) && !isLatencyMetric(name)) {
    fail(dot + 1, `${name} is not a recorded percentile`, `use one of ${LATENCY_METRICS.join(", ")}`);
  }

  const source = metricSource(`${prefix}${name}`);
  if (source === undefined) {
    if (qualifier !== undefined && isOperationTiming(qualifier)) {
      fail(0, `"${qualifier}." qualifies latency metrics only (${qualifier}.p99)`, `write ${name}`);
    }
    if (qualifier !== undefined && isLatencyMetric(name) && metricSource(`${qualifier.toLowerCase()}.${name}`)?.from === "observed") {
      fail(0, `metric names are lower case`, `write ${qualifier.toLowerCase()}.${name}`);
    }
    if (qualifier !== undefined && (isLatencyMetric(name) || knownMetricNames(probeMetrics).includes(name))) {
      fail(0, `${name} is a scenario metric; only probe metrics take a target name`, `write ${name}`);
    }
    const guess = closest(name, knownMetricNames(probeMetrics));
    fail(
      0,
      `"${token}" is not a metric`,
      guess !== undefined
        ? `did you mean ${prefix}${guess}?`
        : "metrics are p50…p99.9, min, mean, max, throughput, ops, mbps, error_rate, errors, lost, duplicated, " +
            "out_of_order, an observed latency such as end_to_end.p99, or a probe's snake_case name",
    );
  }
  const resolved = source;

  // Any snake_case name may name an observed latency, so a typo of a known one would otherwise
  // be accepted and only fail after the run with "no end_to_edn latency was observed".
  if (resolved.from === "observed" && !(KNOWN_OBSERVED_LATENCIES as readonly string[]).includes(resolved.observed)) {
    const guess = closest(resolved.observed, KNOWN_OBSERVED_LATENCIES);
    if (guess !== undefined) {
      fail(0, `"${resolved.observed}" is not an observed latency pipebench knows`, `did you mean ${guess}.${name}?`);
    }
  }

  // Any snake_case name is a probe metric, so a typo of a known metric would otherwise be
  // accepted and only fail after the run with "no probe reported throughtput". The prometheus
  // probe's readings (`promql.cpu`) are named by the suite: the loader checks them against its queries.
  if (resolved.from === "probe" && resolved.target !== "promql" && own(probeMetrics, resolved.name) === undefined) {
    const candidates = resolved.target === undefined ? knownMetricNames(probeMetrics) : Object.keys(probeMetrics);
    const guess = closest(resolved.name, candidates);
    if (guess !== undefined && !differOnlyInDigits(guess, resolved.name)) {
      fail(dot + 1, `"${resolved.name}" is not a metric pipebench knows`, `did you mean ${prefix}${guess}?`);
    }
  }
  return resolved;
}

/** `load5` is not a typo of `load1`. */
function differOnlyInDigits(a: string, b: string): boolean {
  return a.replace(/\d+/g, "#") === b.replace(/\d+/g, "#");
}

function parseOp(opToken: string, offset: number, metric: string, value: string, fail: Fail): ThresholdOp {
  const op = THRESHOLD_OPS.find((o) => o === opToken);
  if (op !== undefined) return op;
  const example = value === "" ? EXAMPLE.duration : value;
  if (opToken === "") {
    // `checks rate>0.99`: the operator is there, after a second word; `checks < rate>0.99` helps nobody.
    const stray = [...OP_CHARS].some((c) => value.includes(c));
    fail(
      offset,
      "the operator is missing",
      stray ? `write one metric, an operator and a value, e.g. "p95 < 5ms" ("${metric}" is followed by a second word)` : `write ${metric} < ${example} (operators: < <= > >= ==)`,
    );
  }
  const fixes: Record<string, string> = { "=": "==", "===": "==", "=<": "<=", "=>": ">=" };
  const replacement = own(fixes, opToken);
  if (replacement !== undefined) fail(offset, `"${opToken}" is not an operator`, `write ${metric} ${replacement} ${example}`);
  if (opToken === "!=" || opToken === "<>") {
    fail(offset, `"${opToken}" is not supported`, "a threshold states what must hold: use < <= > >= or ==");
  }
  return fail(offset, `"${opToken}" is not an operator`, "operators are < <= > >= ==");
}

function parseUnit(text: string): Unit | undefined {
  if (text === "") return { type: "bare", scale: 1, text };
  if (text === "%") return { type: "percent", text };
  const ms = own(DURATION_MS, text);
  if (ms !== undefined) return { type: "duration", ms, text };
  if (text === "MB/s") return { type: "bandwidth", text };
  const scaled = own(SCALE, text);
  if (scaled !== undefined) return { type: "bare", scale: scaled, text };
  // 50k/s, 1.5M/s, 200 rows/s, 50k msg/s. Lower-case `m` is minutes, never millions. A prefix stands
  // apart from the word after it: "200 Messages/s" is 200, not 200 M.
  const perSecond = /^(?:([kKM])(?![A-Za-z]))?\s*([A-Za-z]*)\s*\/\s*s$/.exec(text);
  if (perSecond) return { type: "per-second", scale: own(SCALE, perSecond[1] ?? "") ?? 1, text };
  return undefined;
}

function kindOfUnit(unit: Unit): MetricKind {
  switch (unit.type) {
    case "duration":
      return "duration";
    case "percent":
      return "ratio";
    case "per-second":
      return "rate";
    case "bandwidth":
      return "bandwidth";
    case "bare":
      return "number";
  }
}

interface Written {
  readonly metric: string;
  readonly op: ThresholdOp;
  readonly digits: string;
  readonly source: MetricSource;
}

/** The value in the kind's base unit, or a failure saying why the unit does not fit the metric. */
function normalise(
  kind: MetricKind,
  amount: number,
  unit: Unit,
  w: Written,
  fail: (problem: string, fix: string) => never,
): number {
  const what = `${w.metric} is ${KIND_NOUN[kind]}`;
  const suggest = (value: string): string => `write "${w.metric} ${w.op} ${value}"`;
  const mismatch = (): never =>
    fail(
      unit.type === "bare"
        ? `${what}; "${w.digits}" needs a unit`
        : `${what}; "${unit.text}" does not fit it`,
      suggest(
        kind === "duration" ? `${w.digits}ms`
        : kind === "ratio" ? `${w.digits}%`
        : kind === "rate" ? `${w.digits}/s`
        : w.digits,
      ),
    );

  switch (kind) {
    case "duration":
      if (unit.type !== "duration") mismatch();
      return amount * (unit.type === "duration" ? unit.ms : 1);
    case "rate":
      if (unit.text.replace(/\s/g, "") === "m/s" || unit.text === "m") {
        fail(`"m" means minutes`, `for millions write M: ${suggest(`${w.digits}M/s`)}`);
      }
      if (unit.type === "bandwidth") {
        fail(`${what} of records, not bytes`, `for megabytes per second use mbps: "mbps ${w.op} ${w.digits}"`);
      }
      if (unit.type !== "per-second" && unit.type !== "bare") mismatch();
      return amount * (unit.type === "per-second" || unit.type === "bare" ? unit.scale : 1);
    case "bandwidth":
      if (unit.type === "bandwidth" || (unit.type === "per-second" && unit.text.replace(/\s/g, "") === "/s")) return amount;
      if (unit.type === "bare" && unit.scale === 1) return amount;
      return mismatch();
    case "ratio":
      if (unit.type === "percent") return amount / 100;
      if (unit.type !== "bare" || unit.scale !== 1) return mismatch();
      if (amount > 1) fail(`${what}, and ${w.digits} is more than 1 (100%)`, suggest(`${w.digits}%`));
      return amount;
    case "count":
    case "number":
      if (unit.type === "per-second" && kind === "count") {
        fail(`${what}, not a rate`, `drop "/s"${w.metric === "errors" ? ", or use error_rate for a ratio" : ""}: ${suggest(w.digits)}`);
      }
      if (unit.type !== "bare") return mismatch();
      return amount * unit.scale;
  }
}
