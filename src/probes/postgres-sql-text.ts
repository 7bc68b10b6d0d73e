// SQL text as PostgreSQL lexes it, just far enough to work with statements the way
// pg_stat_statements shows them: string literals, quoted identifiers, dollar quotes, comments,
// $n parameters and numbers are told apart, so that
//   - a statement as the suite wrote it and as pg_stat_statements normalised it (constants out,
//     `$n` in) have the same shape and can be matched;
//   - a suite's `$n` are replaced by its `params` as quoted literals, never inside a string;
//   - a statement prints on one line (comments out, whitespace folded outside literals);
//   - the tables a statement reads are named, for the probe to read their indexes.
import type { JsonValue } from "./probe.js";

type TokenKind = "space" | "comment" | "string" | "ident" | "param" | "number" | "word" | "semicolon" | "other";

interface Token {
  kind: TokenKind;
  text: string;
}

const WORD = /[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*/y;
const NUMBER = /(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/y;
const PARAM = /\$\d+/y;
const DOLLAR_TAG = /\$([A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/y;
const SPACE = /\s+/y;

function at(re: RegExp, text: string, i: number): string | undefined {
  re.lastIndex = i;
  return re.exec(text)?.[0];
}

/** The end (exclusive) of a quoted run starting at `i` (the opening quote), `""`/`''` doubled. */
function quotedEnd(text: string, i: number, quote: string, backslash: boolean): number {
  let j = i + 1;
  while (j < text.length) {
    const ch = text[j];
    if (backslash && ch === "\\") j += 2;
    else if (ch === quote && text[j + 1] === quote) j += 2;
    else if (ch === quote) return j + 1;
    else j += 1;
  }
  return text.length;
}

export function lexSql(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, end: number) => {
    out.push({ kind, text: text.slice(i, end) });
    i = end;
  };
  while (i < text.length) {
    const ch = text[i] ?? "";
    const next = text[i + 1] ?? "";
    const space = at(SPACE, text, i);
    if (space !== undefined) {
      push("space", i + space.length);
    } else if (ch === "-" && next === "-") {
      const nl = text.indexOf("\n", i);
      push("comment", nl === -1 ? text.length : nl);
    } else if (ch === "/" && next === "*") {
      // Block comments nest in PostgreSQL.
      let depth = 0;
      let j = i;
      while (j < text.length) {
        if (text.startsWith("/*", j)) (depth += 1), (j += 2);
        else if (text.startsWith("*/", j)) {
          depth -= 1;
          j += 2;
          if (depth === 0) break;
        } else j += 1;
      }
      push("comment", j);
    } else if (ch === "'") {
      push("string", quotedEnd(text, i, "'", false));
    } else if (/[eE]/.test(ch) && next === "'" && !/[\w$]/.test(text[i - 1] ?? "")) {
      push("string", quotedEnd(text, i + 1, "'", true));
    } else if (/[bBxXnN]/.test(ch) && next === "'" && !/[\w$]/.test(text[i - 1] ?? "")) {
      push("string", quotedEnd(text, i + 1, "'", false));
    } else if (ch === '"') {
      push("ident", quotedEnd(text, i, '"', false));
    } else if (ch === "$" && at(PARAM, text, i) !== undefined) {
      push("param", i + (at(PARAM, text, i) ?? "").length);
    } else if (ch === "$" && at(DOLLAR_TAG, text, i) !== undefined) {
      const tag = at(DOLLAR_TAG, text, i) ?? "$$";
      const close = text.indexOf(tag, i + tag.length);
      push("string", close === -1 ? text.length : close + tag.length);
    } else if (at(WORD, text, i) !== undefined) {
      push("word", i + (at(WORD, text, i) ?? "").length);
    } else if (at(NUMBER, text, i) !== undefined) {
      push("number", i + (at(NUMBER, text, i) ?? "").length);
    } else if (ch === ";") {
      push("semicolon", i + 1);
    } else {
      push("other", i + 1);
    }
  }
  return out;
}

const CONSTANT_WORDS = new Set(["true", "false", "null"]);

/**
 * A statement's shape: what is left when every constant and parameter is a `?`, comments are gone,
 * words are in lower case and tokens are one space apart. A statement as written and as
 * pg_stat_statements normalised it have the same shape.
 */
export function statementShape(text: string): string {
  const parts: string[] = [];
  for (const t of lexSql(text)) {
    if (t.kind === "space" || t.kind === "comment") continue;
    if (t.kind === "semicolon" && parts.length === 0) continue;
    const constant = t.kind === "string" || t.kind === "param" || t.kind === "number" || (t.kind === "word" && CONSTANT_WORDS.has(t.text.toLowerCase()));
    if (constant) {
      // A minus before a constant is part of it in one text ("= -1" → "= $1") and an operator in
      // the other ("x - 1"): drop it in both.
      if (parts.at(-1) === "-") parts.pop();
      // PostgreSQL 18 folds a list of constants into one ("in ($1 /*, ... */)"): so do we.
      if (parts.at(-1) === "," && parts.at(-2) === "?") {
        parts.pop();
        continue;
      }
      parts.push("?");
    } else {
      parts.push(t.kind === "word" ? t.text.toLowerCase() : t.text);
    }
  }
  while (parts.at(-1) === ";") parts.pop();
  return parts.join(" ");
}

/** The statements of a text that may hold several, split at semicolons outside literals, trimmed. */
export function splitStatements(text: string): string[] {
  const out: string[] = [];
  let current = "";
  for (const t of lexSql(text)) {
    if (t.kind === "semicolon") {
      if (current.trim() !== "") out.push(current.trim());
      current = "";
    } else current += t.text;
  }
  if (current.trim() !== "") out.push(current.trim());
  return out;
}

/** One line: comments dropped, whitespace outside literals folded to one space. */
export function oneLine(text: string): string {
  let out = "";
  for (const t of lexSql(text)) {
    if (t.kind === "space" || t.kind === "comment") {
      if (out !== "" && !out.endsWith(" ")) out += " ";
    } else out += t.text;
  }
  return out.trim();
}

/** The highest `$n` a statement uses (0: none). */
export function maxParam(text: string): number {
  let max = 0;
  for (const t of lexSql(text)) if (t.kind === "param") max = Math.max(max, Number(t.text.slice(1)));
  return max;
}

/**
 * A value as node-postgres sends a parameter (text, with the type left for the server to infer),
 * written as the SQL literal that PostgreSQL reads the same way: a quoted, untyped string. NULL for
 * null; arrays as PostgreSQL array literals and objects as JSON, as the driver sends them.
 */
export function sqlLiteral(value: JsonValue): string {
  if (value === null) return "NULL";
  return quoteLiteral(parameterText(value));
}

function parameterText(value: Exclude<JsonValue, null>): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return arrayLiteral(value);
  return JSON.stringify(value);
}

function arrayLiteral(values: readonly JsonValue[]): string {
  const items = values.map((v) => {
    if (v === null) return "NULL";
    if (Array.isArray(v)) return arrayLiteral(v);
    const text = parameterText(v);
    return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
  });
  return `{${items.join(",")}}`;
}

/**
 * A string literal that reads back as `text` whatever standard_conforming_strings is: '…' with
 * quotes doubled, or E'…' with backslashes doubled when the text holds one.
 */
export function quoteLiteral(text: string): string {
  const quoted = text.replace(/'/g, "''");
  return text.includes("\\") ? `E'${quoted.replace(/\\/g, "\\\\")}'` : `'${quoted}'`;
}

/**
 * The statement with each `$n` replaced by `params[n-1]` as a literal; undefined when it uses a
 * `$n` that `params` does not have.
 */
export function inlineParams(text: string, params: readonly JsonValue[]): string | undefined {
  let out = "";
  for (const t of lexSql(text)) {
    if (t.kind !== "param") {
      out += t.text;
      continue;
    }
    const n = Number(t.text.slice(1));
    if (n < 1 || n > params.length) return undefined;
    out += sqlLiteral(params[n - 1] as JsonValue);
  }
  return out;
}

/** Whether a statement may change data (so EXPLAIN ANALYZE of it belongs in a rolled-back transaction). */
export function writesData(text: string): boolean {
  return lexSql(text).some((t) => t.kind === "word" && /^(insert|update|delete|merge|truncate|copy|call|do|create|drop|alter)$/i.test(t.text));
}

const AFTER_TABLE = new Set(["from", "join", "update", "into"]);
const SKIP_BEFORE_TABLE = new Set(["only", "lateral"]);

/**
 * The relations a statement names after FROM, JOIN, UPDATE and INTO, as written (schema-qualified
 * or quoted when it was): what the probe looks their indexes up by. Function calls and subqueries
 * after FROM are not relations and are left out.
 */
export function tablesOf(text: string): string[] {
  const tokens = lexSql(text).filter((t) => t.kind !== "space" && t.kind !== "comment");
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t?.kind !== "word" || !AFTER_TABLE.has(t.text.toLowerCase())) continue;
    let j = i + 1;
    while (tokens[j]?.kind === "word" && SKIP_BEFORE_TABLE.has((tokens[j]?.text ?? "").toLowerCase())) j += 1;
    let name = "";
    for (;;) {
      const part = tokens[j];
      if (part === undefined || (part.kind !== "word" && part.kind !== "ident")) break;
      name += part.kind === "word" ? part.text.toLowerCase() : part.text;
      if (tokens[j + 1]?.text !== ".") break;
      name += ".";
      j += 2;
    }
    // A name followed by "(" is a function (generate_series(…)), not a table.
    const after = tokens[j + 1];
    if (name === "" || name.endsWith(".") || after?.text === "(") continue;
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

/** A relation name as tablesOf gives it, without quotes or schema, for comparing with another. */
export function bareName(name: string): string {
  return identKey(name.split(".").at(-1) ?? name);
}

/** One identifier as PostgreSQL compares it: a quoted one as written (`""` → `"`), others folded to lower case. */
export function identKey(part: string): string {
  return part.startsWith('"') ? part.slice(1, -1).replace(/""/g, '"') : part.toLowerCase();
}
