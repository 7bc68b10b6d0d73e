// `pipebench schema` prints a JSON Schema (draft 2020-12) that a real validator (Ajv, strict) takes,
// that accepts every suite in suites/ and every `pipebench init` output as written (before `${VAR}`
// substitution, as an editor sees the file), and that rejects what the loader rejects by shape:
// an unknown executor, an unknown target kind, a misspelt key.
import assert from "node:assert/strict";
import { drivers } from "../../src/drivers/index.js";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import { parse } from "yaml";
import { pipebench } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-cli-schema-"));
after(() => rmSync(dir, { recursive: true, force: true }));

let schema: Record<string, unknown>;
let validate: ValidateFunction;

before(async () => {
  const r = await pipebench(["schema"]);
  assert.equal(r.code, 0, r.stderr);
  schema = JSON.parse(r.stdout) as Record<string, unknown>;
  // Strict: an unknown keyword, a keyword on the wrong type or a `required` key not in `properties`
  // is an error in the schema. Formats are checked below by name (Ajv's formats are a plugin).
  const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true, validateFormats: false });
  validate = ajv.compile(schema);
});

function errorsOf(doc: unknown): string[] {
  return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""}`);
}

function suite(path: string): unknown {
  return parse(readFileSync(path, "utf8"));
}

test("the schema is draft 2020-12 and uses only the standard formats", () => {
  assert.equal(schema.$schema, "https://json-schema.org/draft/2020-12/schema");
  const formats = new Set<string>();
  JSON.stringify(schema, (key, value: unknown) => {
    if (key === "format" && typeof value === "string") formats.add(value);
    return value;
  });
  const standard = new Set(["date-time", "date", "time", "duration", "email", "hostname", "ipv4", "ipv6", "uri", "uri-reference", "uuid", "regex"]);
  assert.deepEqual([...formats].filter((f) => !standard.has(f)), []);
});

test("every suite in suites/ validates", () => {
  const files = readdirSync("suites").filter((f) => f.endsWith(".yaml"));
  assert.ok(files.length >= 5);
  for (const file of files) assert.deepEqual(errorsOf(suite(join("suites", file))), [], file);
});

test("every init output validates", async () => {
  for (const kind of ["postgres", "duckdb", "http", "kafka"]) {
    const file = join(dir, `${kind}.yaml`);
    const r = await pipebench(["init", kind, file]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(errorsOf(suite(file)), [], kind);
  }
});

const base = (): Record<string, unknown> => ({
  targets: { api: { kind: "http", url: "http://127.0.0.1:8080" } },
  scenarios: {
    get: { target: "api", workload: { type: "request", path: "/" }, load: { executor: "constant-rate", rate: 100, duration: "10s" } },
  },
});

function withScenarioLoad(load: Record<string, unknown>): Record<string, unknown> {
  const doc = base();
  (doc.scenarios as Record<string, Record<string, unknown>>).get!.load = load;
  return doc;
}

test("a broken suite does not validate: unknown executor, unknown target kind, misspelt keys, bad units", () => {
  assert.deepEqual(errorsOf(base()), []);
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["unknown executor", withScenarioLoad({ executor: "constant", rate: 100, duration: "10s" }), /\/scenarios\/get\/load\/executor must be equal to one of the allowed values/],
    ["unknown target kind", { ...base(), targets: { api: { kind: "htp", url: "http://127.0.0.1:8080" } } }, /\/targets\/api\/kind must be equal to one of the allowed values/],
    ["misspelt target key", { ...base(), targets: { api: { kind: "http", url: "http://127.0.0.1:8080", conections: 2 } } }, /\/targets\/api must NOT have additional properties/],
    ["misspelt load key", withScenarioLoad({ executor: "constant-rate", rate: 100, durration: "10s" }), /\/scenarios\/get\/load/],
    ["not a duration", withScenarioLoad({ executor: "constant-rate", rate: 100, duration: "ten seconds" }), /\/scenarios\/get\/load\/duration/],
    ["no load and no defaults", { ...base(), scenarios: { get: { target: "api", workload: { type: "request" } } } }, /must have required property 'load'/],
    ["unknown workload type", { ...base(), scenarios: { get: { target: "api", workload: { type: "fetch" }, load: { executor: "max", iterations: 1 } } } }, /\/scenarios\/get\/workload\/type must be equal to one of the allowed values/],
    ["a threshold that is not text", { ...base(), thresholds: [42] }, /\/thresholds\/0 must be string/],
  ];
  for (const [what, doc, expected] of cases) {
    const errors = errorsOf(doc);
    assert.ok(errors.some((e) => expected.test(e)), `${what}: ${errors.join("; ") || "valid"}`);
  }
});

test("what the loader accepts, the schema accepts: ${VAR} for numbers, units as text, loads from defaults", () => {
  const cases: [string, Record<string, unknown>][] = [
    ["${VAR} for a rate and a number", withScenarioLoad({ executor: "closed", workers: "${WORKERS:-4}", duration: "${DURATION}" })],
    ["rates and durations as text", withScenarioLoad({ executor: "steps", steps: [{ rate: "1k/s", duration: "1m30s" }, { rate: "1.5k", duration: 2 }], warmup: "500ms" })],
    ["a load completed by defaults", { ...base(), defaults: { load: { executor: "closed", workers: 2 } }, scenarios: { get: { target: "api", workload: { type: "request" }, load: { duration: "5s" } } } }],
    ["onError as a limit", { ...base(), scenarios: { get: { ...(base().scenarios as Record<string, Record<string, unknown>>).get, onError: { abortAt: "50%", for: "5s" } } } }],
  ];
  for (const [what, doc] of cases) assert.deepEqual(errorsOf(doc), [], what);
});

test("editors get the choices: target kinds, workload types, executors, probe kinds", () => {
  const text = JSON.stringify(schema);
  // Every registered driver's kind, in the registry's order: a new driver is offered as it is added.
  for (const list of [`"enum":${JSON.stringify(Object.keys(drivers))}`, '"enum":["constant-rate","ramp","steps","closed","max"]']) {
    assert.ok(text.includes(list), list);
  }
  const types = /"enum":\["insert","query","request","produce","consume","end-to-end","pipeline"[^\]]*\]/;
  assert.match(text, types);
  assert.match(text, /"enum":\["host",[^\]]*"postgres-stats"/);
});
