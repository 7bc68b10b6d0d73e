// The suite's JSON Schema (`pipebench schema`), for editors (yaml-language-server) and CI checks.
// Generated from the zod schemas the loader validates with, never written by hand: the suite's
// skeleton (schema.ts), each driver's target and workload schemas, the engine's load profiles.
//
// zod describes what a person writes (io: "input"); what it cannot say in JSON Schema is added here:
// - the skeleton leaves targets, workloads and loads to their owners; here they are joined by their
//   discriminator (`kind`, `type`, `executor`) with if/then, so an editor completes each one's keys;
// - units written as text ("30s", "50k/s", "64KB") are transforms: they get patterns and words;
// - `${VAR}` is substituted before validation, so it is allowed where a number, boolean or
//   patterned text is expected (json-schema-walk.ts);
// - threshold expressions and `onError` are checked by code; they get their shape.
// The schema may be looser than the loader (references between targets and scenarios, refinements
// such as "closed needs duration or iterations"), never stricter: `pipebench run --dry-run` checks all.
import { z } from "zod";
import { EXECUTORS, LoadProfile } from "../engine/load.js";
import { allowEnvRefs, hoistDefs, standardFormats, type JsonSchema } from "./json-schema-walk.js";
import { OnErrorLimit, RESERVED_TARGET_NAMES, SCENARIO_NAME, SERVER_PROBE_KEYS, SuiteFile, TARGET_NAME } from "./schema.js";
import type { DriverSchemas } from "./types.js";
import { Duration, Rate, RunDuration, Size } from "./units.js";

export type { JsonSchema } from "./json-schema-walk.js";

const DURATION_TEXT = String.raw`^\s*(\d+(\.\d+)?|(\d+(\.\d+)?(ms|us|µs|s|m|h))+)\s*$`;
const DURATION_WORDS = 'a duration: "30s", "500ms", "2m", "1h30m", or a number of seconds';

/** The units' transforms, by the zod schema that parses them: what their text may look like. */
const UNITS: ReadonlyMap<z.core.$ZodType, JsonSchema> = new Map<z.core.$ZodType, JsonSchema>([
  [Duration, { description: DURATION_WORDS, pattern: DURATION_TEXT, minimum: 0 }],
  [RunDuration, { description: `${DURATION_WORDS} (above 0)`, pattern: DURATION_TEXT, exclusiveMinimum: 0 }],
  [Rate, { description: 'operations per second: 200, "50k", "1.5M" or "200/s"', pattern: String.raw`^\s*\d+(\.\d+)?\s*[kKmM]?\s*(/s)?\s*$`, exclusiveMinimum: 0 }],
  [Size, { description: 'bytes, or a size with KB, MB or GB (binary: "64KB" is 65536 bytes)', pattern: String.raw`^\s*\d+(\.\d+)?\s*([bB]|[kKmMgG]([iI]?[bB])?)?\s*$`, minimum: 0 }],
]);

const EXECUTOR_WORDS: Readonly<Record<(typeof EXECUTORS)[number], string>> = {
  "constant-rate": "open loop: `rate` operations per second for `duration`, each timed from its intended start",
  ramp: "open loop: the rate moves linearly from `from` to `to` over `duration`",
  steps: "open loop: a list of { rate, duration } steps, one after another",
  closed: "closed loop: `workers` each start their next operation when the last one ends, for `duration` or `iterations`",
  max: "as fast as it goes: `concurrency` operations kept in flight, for `duration` or `iterations`",
};

const LOAD_KEY_WORDS: Readonly<Record<string, string>> = {
  executor: `when operations start: ${EXECUTORS.join(", ")}`,
  rate: "operations per second (constant-rate)",
  from: "the rate at the start (ramp)",
  to: "the rate at the end (ramp)",
  steps: "rates held one after another (steps)",
  duration: "how long the measured part runs",
  warmup: "run this long first and throw the results away (caches, JIT, connection pools)",
  workers: "concurrent workers (closed)",
  iterations: "operations in all, warm-up excluded (closed, max)",
  concurrency: "operations kept in flight (max); default: the target's concurrency hint, else 10",
  maxInFlight: "most operations in flight at once (open loop); beyond it operations are dropped",
};

const THRESHOLD: JsonSchema = {
  type: "string",
  description: 'a pass/fail rule: metric, operator, value, e.g. "p95 < 5ms", "throughput > 50k/s", "error_rate < 0.1%"; a failed one exits 1',
  examples: ["p95 < 100ms", "p99 < 1s", "throughput > 1000/s", "error_rate < 0.1%"],
};

/** One zod schema as JSON Schema of its input, its `$defs` (if any) hoisted into `defs`. */
function toJson(schema: z.core.$ZodType, label: string, defs: Record<string, JsonSchema>): JsonSchema {
  const json = z.toJSONSchema(schema, {
    target: "draft-2020-12",
    io: "input",
    // e.g. z.unknown().transform(…): anything; the loader checks it.
    unrepresentable: "any",
    override: ({ zodSchema, jsonSchema }) => {
      const unit = UNITS.get(zodSchema);
      if (unit !== undefined) Object.assign(jsonSchema, unit);
    },
  }) as JsonSchema;
  delete json.$schema;
  return hoistDefs(json, label, defs);
}

/** The branches of a discriminated union's JSON Schema (oneOf), or the schema itself. */
function branches(json: JsonSchema): JsonSchema[] {
  const list = json.oneOf ?? json.anyOf;
  return Array.isArray(list) ? (list as JsonSchema[]) : [json];
}

function constOf(schema: JsonSchema, key: string): string | undefined {
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  const value = properties?.[key]?.const;
  return typeof value === "string" ? value : undefined;
}

/** An object picked by `key`: `key` completes from `values`, then the matching schemas apply. */
function discriminated(key: string, byValue: ReadonlyMap<string, JsonSchema[]>, words: string, required: boolean): JsonSchema {
  return {
    type: "object",
    ...(required ? { required: [key] } : {}),
    properties: { [key]: { enum: [...byValue.keys()], description: words } },
    allOf: [...byValue].map(([value, schemas]) => ({
      if: { type: "object", properties: { [key]: { const: value } }, required: [key] },
      then: schemas.length === 1 ? schemas[0] : { anyOf: schemas },
    })),
  };
}

function groupBy(schemas: readonly JsonSchema[], key: string): Map<string, JsonSchema[]> {
  const groups = new Map<string, JsonSchema[]>();
  for (const schema of schemas) {
    const value = constOf(schema, key);
    if (value === undefined) throw new Error(`a ${key} schema without a constant ${key}`);
    groups.set(value, [...(groups.get(value) ?? []), schema]);
  }
  return groups;
}

/**
 * A load profile. `full`: as a scenario without `defaults.load` writes it. Otherwise the keys the
 * defaults fill in (even `executor`) may be missing, so nothing is required.
 */
function loadSchema(variants: readonly JsonSchema[], full: boolean): JsonSchema {
  const byExecutor = groupBy(full ? variants : variants.map(({ required: _, ...rest }) => rest), "executor");
  const schema = discriminated("executor", byExecutor, LOAD_KEY_WORDS.executor ?? "", full);
  const keys = [...new Set(variants.flatMap((v) => Object.keys((v.properties as JsonSchema | undefined) ?? {})))];
  return {
    ...schema,
    properties: Object.fromEntries(
      keys.map((k) => [k, k === "executor" ? { enum: [...byExecutor.keys()], description: LOAD_KEY_WORDS.executor } : { description: LOAD_KEY_WORDS[k] ?? k }]),
    ),
    // Without an executor no branch applies; the keys are still those of some executor.
    propertyNames: { enum: keys },
  };
}

function executorWords(): string {
  return EXECUTORS.map((e) => `${e}: ${EXECUTOR_WORDS[e]}`).join("; ");
}

/** The JSON Schema of a suite file, composed from the loader's, the drivers' and the engine's zod schemas. */
export function suiteJsonSchema(drivers: DriverSchemas): JsonSchema {
  const defs: Record<string, JsonSchema> = {};
  const root = toJson(SuiteFile, "suite", defs);
  const props = root.properties as Record<string, JsonSchema>;
  const scenario = (props.scenarios as JsonSchema).additionalProperties as JsonSchema;
  const scenarioProps = scenario.properties as Record<string, JsonSchema>;

  const kinds = [...drivers.values()];
  const targets = new Map(kinds.map((d) => [d.kind, [toJson(d.targetSchema, `target-${d.kind}`, defs)]]));
  const workloadsOf = kinds.map((d) => ({ kind: d.kind, branches: branches(toJson(d.workloadSchema, `workload-${d.kind}`, defs)) }));
  const workloads = workloadsOf.flatMap((w) => w.branches);
  const typesByKind = workloadsOf.map((w) => `${w.kind}: ${[...groupBy(w.branches, "type").keys()].join(", ")}`);
  const loads = branches(toJson(LoadProfile, "load-profile", defs));

  props.name = { ...props.name, description: "the suite's name in runs, reports and compare (default: the file's name)" };
  props.targets = {
    ...props.targets,
    description: "the systems under test, by name: each a kind and the settings its driver takes",
    propertyNames: { pattern: TARGET_NAME.source, not: { enum: [...RESERVED_TARGET_NAMES] } },
    additionalProperties: discriminated("kind", targets, `the driver that talks to this target: ${[...targets.keys()].join(", ")}`, true),
  };
  const probe = (props.probes as JsonSchema).items as JsonSchema;
  const probeProps = probe.properties as Record<string, JsonSchema>;
  const probeKinds = ["host", ...Object.keys(SERVER_PROBE_KEYS), ...new Set(kinds.flatMap((d) => d.probeKinds))];
  probeProps.kind = {
    enum: probeKinds,
    description: "host (this machine), prometheus (PromQL, read as promql.NAME), metrics-endpoint (a service's own /metrics), or a reading of a target's server",
  };
  probeProps.target = { ...probeProps.target, description: "the target whose server is read; none for host" };
  props.probes = { ...props.probes, description: "server-side readings taken before, during and after each scenario" };
  const defaults = props.defaults as JsonSchema;
  // Written once, referred to where a load is written.
  defs.load = loadSchema(loads, true);
  defs["load-partial"] = loadSchema(loads, false);
  (defaults.properties as Record<string, JsonSchema>).load = { $ref: "#/$defs/load-partial", description: "merged under every scenario's load, key by key" };
  props.thresholds = { type: "array", items: THRESHOLD, description: "rules judged on the whole run (probe readings such as cache_hit_ratio)" };

  scenarioProps.target = { ...scenarioProps.target, description: "the name of a target under targets:" };
  scenarioProps.workload = {
    ...discriminated("type", groupBy(workloads, "type"), `what one operation does; the target's kind decides which: ${typesByKind.join("; ")}`, true),
    description: "what one operation does",
  };
  scenarioProps.load = { $ref: "#/$defs/load-partial", description: `when operations start: ${executorWords()}` };
  scenarioProps.thresholds = { type: "array", items: THRESHOLD, description: "rules judged on this scenario's metrics" };
  scenarioProps.sweep = { ...scenarioProps.sweep, description: "setting (relative to the scenario) → values: the scenario runs once per combination" };
  scenarioProps.onError = {
    description: "when errors stop the scenario: continue (never), abort (at the first), or { abortAt: 50%, for: 5s }",
    anyOf: [{ enum: ["continue", "abort"] }, toJson(OnErrorLimit, "on-error", defs)],
  };
  props.scenarios = {
    ...props.scenarios,
    description: "one workload on one target under one load profile, by name, run in file order",
    propertyNames: { pattern: SCENARIO_NAME.source },
  };

  return allowEnvRefs(standardFormats({
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "pipebench suite",
    description: "targets (systems under test), scenarios (a workload on a target under a load profile), probes and thresholds",
    ...root,
    // Without defaults.load, each scenario writes its whole load profile itself.
    allOf: [
      {
        if: { type: "object", required: ["defaults"], properties: { defaults: { type: "object", required: ["load"], properties: { load: {} } } } },
        else: {
          type: "object",
          properties: { scenarios: { type: "object", additionalProperties: { type: "object", required: ["load"], properties: { load: { $ref: "#/$defs/load" } } } } },
        },
      },
    ],
    ...(Object.keys(defs).length > 0 ? { $defs: defs } : {}),
  }));
}
