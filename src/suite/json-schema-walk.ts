// Rewrites of a generated JSON Schema (json-schema.ts): subschemas found by their keywords, so that
// a value such as a `default` or an `enum` list is never mistaken for a schema.
import { isRecord } from "./values.js";

/** A JSON Schema object (draft 2020-12). */
export type JsonSchema = { [keyword: string]: unknown };

/** Keywords whose value is one subschema, a list of them, or a map of name → subschema. */
const ONE = ["additionalProperties", "items", "not", "if", "then", "else", "contains", "propertyNames", "unevaluatedProperties", "unevaluatedItems"];
const LIST = ["allOf", "anyOf", "oneOf", "prefixItems"];
const MAP = ["properties", "patternProperties", "$defs", "dependentSchemas"];

/** A subschema: a JSON object (as the loader's isRecord). */
const isSchema = (value: unknown): value is JsonSchema => isRecord(value);

/** `schema` with `fn` applied to every subschema, innermost first, then to itself. */
export function mapSchemas(schema: JsonSchema, fn: (s: JsonSchema) => JsonSchema): JsonSchema {
  const out: JsonSchema = { ...schema };
  for (const k of ONE) if (isSchema(out[k])) out[k] = mapSchemas(out[k], fn);
  for (const k of LIST) {
    const list = out[k];
    if (Array.isArray(list)) out[k] = list.map((s: unknown) => (isSchema(s) ? mapSchemas(s, fn) : s));
  }
  for (const k of MAP) {
    const map = out[k];
    if (isSchema(map)) out[k] = Object.fromEntries(Object.entries(map).map(([n, s]) => [n, isSchema(s) ? mapSchemas(s, fn) : s]));
  }
  return fn(out);
}

/** Draft 2020-12's formats; zod also writes its own (`starts_with`), which strict validators refuse. */
const STANDARD_FORMATS = new Set([
  "date-time", "date", "time", "duration", "email", "idn-email", "hostname", "idn-hostname", "ipv4", "ipv6",
  "uri", "uri-reference", "iri", "iri-reference", "uuid", "uri-template", "json-pointer", "relative-json-pointer", "regex",
]);

/** Drops formats no validator knows; zod writes a pattern beside each of its own. */
export function standardFormats(schema: JsonSchema): JsonSchema {
  return mapSchemas(schema, (s) => {
    if (typeof s.format !== "string" || STANDARD_FORMATS.has(s.format)) return s;
    const { format: _, ...rest } = s;
    return rest;
  });
}

/** A `${VAR}` or `${VAR:-default}` reference, which the loader substitutes before it validates. */
export const ENV_REF: JsonSchema = {
  type: "string",
  pattern: String.raw`\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}`,
  description: "${VAR} or ${VAR:-default}: an environment variable, substituted before the suite is checked",
};

const ENV_REF_DEF = "env-ref";
const LITERAL_TYPES = new Set(["number", "integer", "boolean"]);

/**
 * Where a number, a boolean or text of a given form is expected, also accept a `${VAR}` reference:
 * `workers: ${WORKERS:-4}` is a number once substituted. Plain text accepts it already; a value
 * picked from a list (`kind`, `executor`, an enum) stays as written, for completion. Expects the
 * whole document: the reference is defined once in its `$defs`.
 */
export function allowEnvRefs(schema: JsonSchema): JsonSchema {
  const wrapped = mapSchemas(schema, (s) => {
    const types = Array.isArray(s.type) ? (s.type as unknown[]) : [s.type];
    // Text of any form takes a reference as it is.
    const literal = !types.includes("string") && types.some((t) => typeof t === "string" && LITERAL_TYPES.has(t));
    const formed = types.includes("string") && (s.pattern !== undefined || s.format !== undefined);
    if (s.enum !== undefined || s.const !== undefined || !(literal || formed)) return s;
    // The words and the default stay outside, where an editor shows them.
    const { description, default: fallback, examples, ...rest } = s;
    return {
      ...(description === undefined ? {} : { description }),
      ...(fallback === undefined ? {} : { default: fallback }),
      ...(examples === undefined ? {} : { examples }),
      anyOf: [rest, { $ref: `#/$defs/${ENV_REF_DEF}` }],
    };
  });
  const defs = isSchema(wrapped.$defs) ? wrapped.$defs : {};
  return { ...wrapped, $defs: { ...defs, [ENV_REF_DEF]: ENV_REF } };
}

/**
 * Moves `json.$defs` into `defs` as `label.name` and points its `$ref`s there, so that schemas
 * generated one by one can share one document's `$defs`. zod makes `$defs` (and `$ref: "#"` to the
 * schema itself) only for recursive schemas; none is today, but a driver may add one.
 */
export function hoistDefs(json: JsonSchema, label: string, defs: Record<string, JsonSchema>): JsonSchema {
  const { $defs: own, ...rest } = json;
  let selfRef = false;
  const renamed = (ref: string): string => {
    if (ref === "#") selfRef = true;
    return ref === "#" ? `#/$defs/${label}` : ref.replace(/^#\/\$defs\//, `#/$defs/${label}.`);
  };
  const retarget = (s: JsonSchema): JsonSchema => (typeof s.$ref === "string" ? { ...s, $ref: renamed(s.$ref) } : s);
  if (isSchema(own)) for (const [name, def] of Object.entries(own)) if (isSchema(def)) defs[`${label}.${name}`] = mapSchemas(def, retarget);
  const body = mapSchemas(rest, retarget);
  if (!selfRef) return body;
  defs[label] = body;
  return { $ref: `#/$defs/${label}` };
}
