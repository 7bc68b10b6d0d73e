// `${VAR}` and `${VAR:-default}` in string values, resolved before validation so that a
// substituted value is checked like a written one. `$${` writes a literal `${`.
//
// Substitution happens on the parsed YAML nodes, in place: the document is the loader's own, parsed
// a moment ago, and keeping its nodes keeps every value's line and column for later errors.
import { isMap, isScalar, isSeq, parseDocument, Scalar } from "yaml";
import type { DataPath, YamlSource } from "./yaml-source.js";
import { positionOf } from "./yaml-source.js";
import { isSecretKey } from "../store/redact.js";

export interface EnvIssue {
  path: DataPath;
  line: number;
  column: number;
  message: string;
  fix: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MIN_SECRET_LENGTH = 4;

/**
 * Substitutes in place and returns the problems. The values of variables named like secrets
 * (PGPASSWORD, API_TOKEN, AWS_SECRET_ACCESS_KEY …) are added to `secrets`, so that the loader can
 * keep them out of what is stored and printed wherever they were substituted.
 */
export function substituteEnv(
  source: YamlSource,
  env: Readonly<Record<string, string | undefined>>,
  secrets: Set<string> = new Set(),
): EnvIssue[] {
  const issues: EnvIssue[] = [];
  const walk = (node: unknown, path: DataPath): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : "?";
        walk(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, [...path, i]));
    } else if (isScalar(node) && typeof node.value === "string" && node.value.includes("${")) {
      substituteScalar(source, node, path, env, issues, secrets);
    }
    // Aliases are skipped: the anchored node they point at is substituted where it is defined.
  };
  walk(source.doc.contents, []);
  return issues;
}

function substituteScalar(
  source: YamlSource,
  node: Scalar,
  path: DataPath,
  env: Readonly<Record<string, string | undefined>>,
  issues: EnvIssue[],
  secrets: Set<string>,
): void {
  const text = node.value as string;
  const issueAt = (index: number, message: string, fix: string): void => {
    const start = node.range?.[0] ?? 0;
    // Plain and quoted one-line scalars map characters to columns; a `|` block maps its k-th line to
    // the k-th line after the indicator, indented; folded and multi-line flow scalars, to their start.
    const block = node.type === Scalar.BLOCK_LITERAL ? blockOffset(source.text, start, text, index) : undefined;
    const shift =
      block !== undefined ? block - start
      : text.lastIndexOf("\n", index) >= 0 ? 0
      : node.type === Scalar.PLAIN ? index
      : node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE ? index + 1
      : 0;
    issues.push({ path, ...positionOf(source, start + shift), message, fix });
  };

  let out = "";
  let i = 0;
  let failed = false;
  while (i < text.length) {
    const at = text.indexOf("${", i);
    if (at < 0) {
      out += text.slice(i);
      break;
    }
    if (at > 0 && text[at - 1] === "$") {
      // `$${` is an escaped, literal `${`.
      out += text.slice(i, at - 1) + "${";
      i = at + 2;
      continue;
    }
    out += text.slice(i, at);
    const end = closingBrace(text, at + 2);
    if (end < 0) {
      issueAt(at, `"${text.slice(at)}" is not closed`, "close the reference with }: ${NAME}");
      failed = true;
      break;
    }
    const body = text.slice(at + 2, end);
    const sep = body.indexOf(":-");
    const name = sep < 0 ? body : body.slice(0, sep);
    if (!NAME.test(name)) {
      issueAt(at, `"\${${body}}" is not a variable reference`, "write ${NAME} or ${NAME:-default}; for a literal ${ write $${");
      failed = true;
    } else {
      const value = env[name];
      // `:-` as in the shell: an empty variable counts as unset.
      if (value !== undefined && (value !== "" || sep < 0)) {
        out += value;
        // Shorter values would mask unrelated text ("1" everywhere); a password is longer.
        if (isSecretKey(name) && value.length >= MIN_SECRET_LENGTH) secrets.add(value);
      }
      else if (sep >= 0) out += body.slice(sep + 2);
      else {
        issueAt(at, `environment variable ${name} is not set`, `set ${name} or write \${${name}:-default}`);
        failed = true;
      }
    }
    i = end + 1;
  }
  if (failed) return;
  node.value = node.type === Scalar.PLAIN ? retype(out) : out;
}

/**
 * Where character `index` of a `|` block's value is in the file: the value's line k is the k-th line
 * after the `|` line, behind the block's indentation; undefined past the end of the file.
 */
function blockOffset(file: string, start: number, value: string, index: number): number | undefined {
  const lineInValue = value.slice(0, index).split("\n").length - 1;
  const column = index - (value.lastIndexOf("\n", index - 1) + 1);
  let offset = file.indexOf("\n", start);
  for (let k = 0; k < lineInValue && offset >= 0; k++) offset = file.indexOf("\n", offset + 1);
  if (offset < 0) return undefined;
  const lineStart = offset + 1;
  const indent = /^[ ]*/.exec(file.slice(lineStart))?.[0].length ?? 0;
  const valueLine = value.slice(index - column).split("\n")[0] ?? "";
  const valueIndent = /^[ ]*/.exec(valueLine)?.[0].length ?? 0;
  return lineStart + indent - valueIndent + column;
}

/** The `}` that closes a reference whose body starts at `from`: a default may hold braces of its own. */
function closingBrace(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    if (text[i] === "{") depth++;
    else if (text[i] === "}" && --depth === 0) return i;
  }
  return -1;
}

/**
 * An unquoted `${WORKERS:-4}` means the number 4, as if 4 had been written; quoted, it stays the
 * string "4". Only numbers and booleans are retyped: any other text stays exactly as substituted.
 */
function retype(text: string): string | number | boolean {
  const doc = parseDocument(text);
  if (doc.errors.length > 0 || !isScalar(doc.contents)) return text;
  const value: unknown = doc.contents.value;
  return typeof value === "number" || typeof value === "boolean" ? value : text;
}
