// zod's issues, retold for a person editing YAML: "expected a number, got string "lots"" with a
// fix, "unknown key" with "did you mean …", one issue per problem. zod's own messages are written
// for programmers ("Invalid input: expected int, received number"), so only `custom` issues keep
// theirs, together with their `params.fix`.
import { z } from "zod";
import { didYouMean, listNames } from "./did-you-mean.js";
import { describeValue, isRecord } from "./values.js";
import { isSecretKey, REDACTED } from "../store/redact.js";
import { allowedKeys, fieldSchemas } from "./schema-keys.js";
import type { DataPath } from "./yaml-source.js";

/** A problem at a path of the suite data; located in the file later. */
export interface PathIssue {
  path: DataPath;
  message: string;
  fix?: string;
  /** Point at the key (unknown or missing keys) rather than the value. */
  at?: "key" | "value";
}

type Issue = z.core.$ZodIssue;

export type Checked<T> = { ok: true; data: T } | { ok: false; issues: PathIssue[] };

/** Validates `value` (found at `base` in the suite) and retells any issues. */
export function check<T>(schema: z.ZodType<T>, value: unknown, base: DataPath): Checked<T> {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return { ok: true, data: result.data };
  const issues = result.error.issues.flatMap((issue) => retell(issue, { schema, root: value, base, prefix: [] }));
  return { ok: false, issues };
}

interface Context {
  readonly schema: z.core.$ZodType;
  readonly root: unknown;
  readonly base: DataPath;
  /** Path of the union an issue came from, inside `root` (union branch issues are relative). */
  readonly prefix: DataPath;
}

const EXPECTED: Readonly<Record<string, string>> = {
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  object: "a map",
  record: "a map",
  map: "a map",
  array: "a list",
  tuple: "a list",
  null: "an empty value",
  date: "a date",
  bigint: "a whole number",
};

const PLACEHOLDER: Readonly<Record<string, string>> = {
  string: "…",
  number: "1",
  int: "1",
  boolean: "true",
  object: "{ … }",
  record: "{ … }",
  array: "[ … ]",
};

/** Why a missing union-typed field matters, and what to write, for the fields people forget. */
const MISSING_EXAMPLE: Readonly<Record<string, { why: string; value: string }>> = {
  duration: { why: "without it the load would never end", value: '"60s" (run this long)' },
  rate: { why: "how many operations to start per second", value: "200" },
  from: { why: "the rate the ramp starts at", value: "10" },
  to: { why: "the rate the ramp ends at", value: "100" },
};

function retell(issue: Issue, ctx: Context): PathIssue[] {
  const local = [...ctx.prefix, ...issue.path.map((p) => (typeof p === "number" ? p : String(p)))];
  const path = [...ctx.base, ...local];
  const key = String(local.at(-1) ?? ctx.base.at(-1) ?? "");
  // A mistyped password (`password: 12345678`) is still a password: never repeat it.
  const input: unknown = "input" in issue ? issue.input : undefined;
  const secret = isSecretKey(key) && (typeof input === "string" || typeof input === "number") && String(input) !== "";
  const hide = (text: string): string => (secret ? text.replaceAll(String(input), REDACTED) : text);
  const one = (message: string, fix?: string, at?: "key"): PathIssue[] => [
    { path, message: hide(message), ...(fix === undefined ? {} : { fix: hide(fix) }), ...(at === undefined ? {} : { at }) },
  ];

  switch (issue.code) {
    case "invalid_type": {
      const noun = EXPECTED[issue.expected] ?? issue.expected;
      if (!("input" in issue) || issue.input === undefined) {
        return one(`required, but missing (expected ${noun})`, `add ${key}: ${PLACEHOLDER[issue.expected] ?? "…"}`, "key");
      }
      const field = issue.expected === "object" ? fieldTaking(ctx, local, issue.input) : undefined;
      const fix = field === undefined ? typeFix(issue.expected, issue.input) : `write ${key}: { ${field}: ${flowValue(issue.input)} }`;
      return one(`expected ${noun}, got ${describeValue(issue.input)}`, fix);
    }
    case "invalid_value": {
      const values = issue.values.map((v) => String(v));
      const got = describeValue(issue.input);
      const expected = values.length === 1 ? JSON.stringify(values[0]) : `one of ${listNames(values)}`;
      const fix = (typeof issue.input === "string" ? didYouMean(issue.input, values) : undefined) ?? `use ${expected}`;
      return one(`expected ${expected}, got ${got}`, fix);
    }
    case "invalid_union":
      return retellUnion(issue, ctx, local, path, one);
    case "unrecognized_keys": {
      const allowed = allowedKeys(ctx.schema, ctx.root, local);
      return issue.keys.map((k) => {
        const guess = didYouMean(k, allowed);
        const fix = guess ?? (allowed.length > 0 ? `remove it; keys here are: ${listNames(allowed)}` : "remove it");
        return { path: [...path, k], message: "unknown key", fix, at: "key" as const };
      });
    }
    case "too_small":
    case "too_big":
      return one(...sizeMessage(issue));
    case "invalid_format": {
      const what = issue.format === "regex" ? `does not match ${issue.pattern ?? "the pattern"}` : `is not a valid ${issue.format}`;
      return one(`${describeValue(issue.input)} ${what}`);
    }
    case "not_multiple_of":
      return one(`must be a multiple of ${issue.divisor}, got ${describeValue(issue.input)}`);
    case "invalid_key": {
      const inner = issue.issues[0];
      return one(`the key "${key}" is not allowed${inner ? `: ${inner.message}` : ""}`, undefined, "key");
    }
    case "invalid_element":
      return one(issue.message);
    case "custom": {
      const fix: unknown = issue.params?.fix;
      return one(issue.message, typeof fix === "string" ? fix : undefined);
    }
  }
}

/**
 * A value written where a map of settings was expected (`expect: 200`): the one key of that map that
 * takes the value (`status`), or undefined when none or several do.
 */
function fieldTaking(ctx: Context, local: DataPath, input: unknown): string | undefined {
  if (isRecord(input) || input === null) return undefined;
  const takers = fieldSchemas(ctx.schema, ctx.root, local).filter(([, schema]) => z.safeParse(schema, input).success);
  const names = [...new Set(takers.map(([name]) => name))];
  return names.length === 1 ? names[0] : undefined;
}

/** A scalar or list as written in YAML's flow style: 200, "ok", [200, 201]. */
function flowValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(flowValue).join(", ")}]`;
  if (typeof value === "string") return /^[\w./-]+$/.test(value) && !/^(true|false|null|~|[-+.\d].*)$/i.test(value) ? value : JSON.stringify(value);
  return String(value);
}

function typeFix(expected: string, input: unknown): string | undefined {
  const numeric = typeof input === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(input);
  switch (expected) {
    case "number":
      return numeric ? `remove the quotes: ${String(input).trim()}` : "write a number, e.g. 10";
    case "int":
      if (typeof input === "number") return `write a whole number, e.g. ${Math.max(1, Math.round(input))}`;
      return numeric ? `remove the quotes: ${String(input).trim()}` : "write a whole number, e.g. 10";
    case "string":
      return typeof input === "number" || typeof input === "boolean" ? `put it in quotes: "${String(input)}"` : undefined;
    case "boolean":
      return "write true or false";
    case "object":
    case "record":
      if (Array.isArray(input)) return 'write a map of "key: value" lines, not a list (no "- ")';
      return 'write a map: indented "key: value" lines, or { key: value }';
    case "array":
      return typeof input === "string" ? `write a list: [${JSON.stringify(input)}], or lines starting with "- "` : 'write a list: [a, b], or lines starting with "- "';
    default:
      return undefined;
  }
}

function sizeMessage(issue: Extract<Issue, { code: "too_small" | "too_big" }>): [string, string?] {
  const small = issue.code === "too_small";
  const bound = Number(small ? (issue as { minimum: number | bigint }).minimum : (issue as { maximum: number | bigint }).maximum);
  const inclusive = issue.inclusive !== false;
  const got = describeValue(issue.input);
  switch (issue.origin) {
    case "array":
    case "set":
      return [small ? `needs at least ${bound} item${bound === 1 ? "" : "s"}` : `takes at most ${bound} item${bound === 1 ? "" : "s"}`];
    case "string":
      if (small && bound === 1) return ["must not be empty"];
      return [small ? `must be at least ${bound} characters long` : `must be at most ${bound} characters long`];
    default: {
      const relation = small ? (inclusive ? "at least" : "more than") : inclusive ? "at most" : "less than";
      return [`must be ${relation} ${bound}, got ${got}`, `write a number ${relation} ${bound}`];
    }
  }
}

function retellUnion(
  issue: Extract<Issue, { code: "invalid_union" }>,
  ctx: Context,
  local: DataPath,
  path: DataPath,
  one: (message: string, fix?: string, at?: "key") => PathIssue[],
): PathIssue[] {
  // A discriminated union whose discriminator (`type`, `executor`) is missing or unknown.
  if (issue.discriminator !== undefined && issue.errors.length === 0) {
    const key = issue.discriminator;
    const options = ("options" in issue ? (issue.options ?? []) : []).map((o) => String(o));
    const actual = isRecord(issue.input) ? issue.input[key] : undefined;
    const keyPath = local.at(-1) === key ? path : [...path, key];
    if (actual === undefined) {
      return [{ path: keyPath, message: `required, but missing (one of ${listNames(options)})`, fix: `add ${key}: ${options[0] ?? "…"}`, at: "key" }];
    }
    const guess = typeof actual === "string" ? didYouMean(actual, options) : undefined;
    return [
      {
        path: keyPath,
        message: `unknown ${key} ${typeof actual === "string" ? `"${actual}"` : describeValue(actual)}; ${key}s are: ${listNames(options)}`,
        fix: guess ?? `use one of ${listNames(options)}`,
      },
    ];
  }
  const branches = issue.errors.filter((b) => b.length > 0);
  const wrongShape = (b: readonly Issue[]): boolean => b.every((i) => i.code === "invalid_type" && i.path.length === 0);
  // A missing value of a union type (duration: a string or a number) is missing, not mistyped.
  if (issue.input === undefined && branches.length > 0 && branches.every(wrongShape)) {
    const key = String(local.at(-1) ?? ctx.base.at(-1) ?? "");
    const example = MISSING_EXAMPLE[key];
    return one(
      `required, but missing${example === undefined ? "" : `: ${example.why}`}`,
      `add ${key}: ${example?.value ?? "…"}`,
      "key",
    );
  }
  if (branches.length === 0 || branches.every(wrongShape)) {
    const nouns = [...new Set(branches.flat().map((i) => (i.code === "invalid_type" ? (EXPECTED[i.expected] ?? i.expected) : "")))].filter(Boolean);
    return one(`expected ${nouns.join(" or ") || "something else"}, got ${describeValue(issue.input)}`);
  }
  // The branch that came closest (fewest problems, and the right shape) is the one the person meant.
  const best = branches.filter((b) => !wrongShape(b)).sort((a, b) => a.length - b.length)[0] ?? [];
  return best.flatMap((inner) => retell(inner, { ...ctx, prefix: local }));
}
