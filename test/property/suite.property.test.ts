// Property-based tests of the suite loader: whatever text or YAML structure it is given, it returns
// a runnable suite or throws one SuiteError listing located problems: never another exception
// (a TypeError is an internal error, exit 70, where the user needed a message).
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { stringify } from "yaml";
import { driverSchemas } from "../../src/drivers/index.js";
import { SuiteError, UsageError } from "../../src/errors.js";
import { parseSuiteText } from "../../src/suite/load-suite.js";

const RUNS = { numRuns: 400, seed: 20261121 } as const;

const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).length;

function load(text: string, set: readonly string[] = []): "suite" | "error" {
  try {
    return loadOnce(text, set);
  } finally {
    // Nothing a suite or a flag says may reach every object in the process.
    assert.equal(Object.getOwnPropertyNames(Object.prototype).length, PROTOTYPE_KEYS, `Object.prototype polluted by ${JSON.stringify({ text, set })}`);
  }
}

function loadOnce(text: string, set: readonly string[]): "suite" | "error" {
  try {
    parseSuiteText(text, "/tmp/fuzz.yaml", { env: { PB_SET: "x" }, set }, driverSchemas);
    return "suite";
  } catch (error) {
    // A --set that cannot be applied is the command line's problem, not the file's.
    if (set.length > 0 && error instanceof UsageError) return "error";
    if (!(error instanceof SuiteError)) throw new Error(`${String(error)} for:\n${text}`, { cause: error });
    assert.ok(error.issues.length > 0);
    for (const issue of error.issues) assert.ok(issue.message.length > 0 && issue.file === "/tmp/fuzz.yaml");
    return "error";
  }
}

/** Keys and values a suite is made of, so that generated documents get past the first check. */
const key = fc.constantFrom("name", "targets", "scenarios", "probes", "thresholds", "defaults", "load", "workload", "target", "kind",
  "url", "embedded", "executor", "rate", "duration", "workers", "iterations", "type", "sql", "query", "queries", "pg", "duck", "q",
  "steps", "from", "to", "password", "passwordFile", "every", "__proto__", "constructor", "toString", "sweep");
const scalar = fc.oneof(
  fc.constantFrom("postgres", "duckdb", "http", "kafka", "closed", "constant-rate", "ramp", "steps", "max", "query", "insert",
    "request", "produce", "p95 < 5ms", "1s", "0", "-1", "200/s", "${PB_SET}", "${PB_UNSET}", "{{targets.pg.url}}",
    "postgres://u:p@127.0.0.1:1/db", "select 1", "", "NaN"),
  fc.integer({ min: -5, max: 1000 }),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: "small" }, scalar, tie("list"), tie("map")),
  list: fc.array(tie("node"), { maxLength: 4 }),
  map: fc.dictionary(key, tie("node"), { maxKeys: 5 }),
})).node;

test("any text: a suite or a SuiteError, never a throw of anything else", () => {
  fc.assert(fc.property(fc.string({ maxLength: 200 }), (text) => void load(text)), RUNS);
});

test("any YAML document built from a suite's own words: a suite or a SuiteError", () => {
  fc.assert(fc.property(value, (doc) => void load(stringify(doc))), RUNS);
});

test("a valid suite with any one value replaced: a suite or a SuiteError", () => {
  const base = {
    targets: { duck: { kind: "duckdb" }, pg: { kind: "postgres", url: "postgres://u:p@127.0.0.1:1/db" } },
    probes: [{ kind: "host" }],
    scenarios: {
      q: { target: "duck", workload: { type: "query", sql: "select 1" }, load: { executor: "constant-rate", rate: 10, duration: "1s" }, thresholds: ["p95 < 5ms"] },
      w: { target: "pg", workload: { type: "query", sql: "select 1" }, load: { executor: "closed", workers: 2, iterations: 5 } },
    },
    thresholds: ["cpu_usage < 90%"],
  };
  assert.equal(load(stringify(base)), "suite");
  const paths = [
    ["targets", "duck"], ["targets", "pg", "url"], ["targets", "pg", "kind"], ["probes", 0], ["probes"], ["scenarios", "q", "load"],
    ["scenarios", "q", "load", "rate"], ["scenarios", "q", "load", "duration"], ["scenarios", "q", "thresholds", 0], ["scenarios", "q", "target"],
    ["scenarios", "w", "workload"], ["scenarios", "w", "load", "workers"], ["thresholds"], ["scenarios"], ["targets"],
  ] as const;
  fc.assert(
    fc.property(fc.constantFrom(...paths), value, (path, replacement) => {
      const doc = structuredClone(base) as Record<string, unknown>;
      let node: Record<string | number, unknown> = doc;
      for (const segment of path.slice(0, -1)) node = node[segment] as Record<string | number, unknown>;
      node[path[path.length - 1] as string | number] = replacement;
      load(stringify(doc));
    }),
    RUNS,
  );
});

test("any --set on a valid suite: a suite, a SuiteError or a UsageError", () => {
  const text = "targets:\n  duck: { kind: duckdb }\nscenarios:\n  q:\n    target: duck\n    workload: { type: query, sql: select 1 }\n    load: { executor: closed, workers: 1, iterations: 1 }\n";
  const path = fc.array(fc.oneof(key, fc.nat(3).map(String), fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 5 }).map((p) => p.join("."));
  const setValue = fc.oneof(fc.string({ maxLength: 12 }), scalar.map((v) => String(v)), value.map((v) => stringify(v, { collectionStyle: "flow" }).trim()));
  fc.assert(fc.property(fc.array(fc.tuple(path, setValue).map(([p, v]) => `${p}=${v}`), { maxLength: 3 }), (sets) => void load(text, sets)), RUNS);
  // What the generator above reaches only by luck: through a target that exists into the prototype.
  for (const set of ["targets.duck.__proto__.polluted=yes", "scenarios.q.constructor.prototype.polluted=yes", "targets.duck.__proto__=1"]) {
    assert.equal(load(text, [set]), "error", set);
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});
