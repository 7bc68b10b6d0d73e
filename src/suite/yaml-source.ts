// The suite's YAML as parsed nodes, kept next to the plain data so any problem found later (by zod,
// by a cross-check, in an override) can point at the line and column it came from.
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from "yaml";
import type { SuiteIssue } from "../errors.js";

export type DataPath = readonly (string | number)[];

export interface Position {
  line: number;
  column: number;
}

export interface YamlSource {
  readonly file: string;
  readonly doc: Document.Parsed;
  readonly lines: LineCounter;
  /** The text parsed, for positions inside a value (a line of a `|` block). */
  readonly text: string;
}

/** Fixes for the YAML mistakes people make most; the library's message says what, these say how. */
const YAML_FIX: Partial<Record<string, string>> = {
  BAD_INDENT: "line keys of one map up in the same column; nest with two more spaces",
  MISSING_CHAR: "close every [ with ] and every { with }, and every quote you open",
  DUPLICATE_KEY: "a key may appear once per map: remove or rename one of them",
  TAB_AS_INDENT: "indent with spaces; YAML does not allow tabs",
  MULTIPLE_DOCS: "a suite is one document: remove the `---` separator and what follows",
  BLOCK_AS_IMPLICIT_KEY: "put a space after the colon of every `key: value`, and check the indentation",
  MULTILINE_IMPLICIT_KEY: "a key must fit on one line: check for a missing `:` or quote on the line before",
  UNEXPECTED_TOKEN: "check this line for a stray character, or quote the value",
  BAD_SCALAR_START: "quote values that start with a character YAML reserves (@ ` | > % * & ! ,)",
};

/** An unclosed `{` or `[` is found where the next line starts, so say where to look. */
const FLOW_FIX = "close the { or [ opened on an earlier line with } or ]; if it spans lines, indent the continuation further";

/** Larger than any suite a person writes; a 10 MB file is a mistake (or generated), refused before parsing. */
export const MAX_SUITE_BYTES = 1024 * 1024;
/** Aliases expanded at most this often: a "billion laughs" document stays a small error. */
export const MAX_ALIAS_COUNT = 1000;

/** Parses the text; YAML syntax errors come back as located issues and `source` is undefined. */
export function parseYamlSource(text: string, file: string): { source?: YamlSource; issues: SuiteIssue[] } {
  const notText = notTextIssue(text, file);
  if (notText !== undefined) return { issues: [notText] };
  const lines = new LineCounter();
  // Merge keys (`<<: *defaults`) are common in hand-written load-test files, so allow them.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, merge: true, uniqueKeys: true });
  if (doc.errors.length === 0) {
    try {
      doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      const unresolved = unresolvedAlias(doc);
      if (unresolved !== undefined) {
        const { line, col } = lines.linePos(unresolved.offset);
        return {
          issues: [
            {
              file,
              line,
              column: col,
              path: "",
              message: `YAML: alias *${unresolved.name} has no anchor &${unresolved.name} before it`,
              fix: `mark the value to repeat with &${unresolved.name} above this line, or check the alias's spelling`,
            },
          ],
        };
      }
      // The yaml library's guard against alias expansion bombs ("Excessive alias count …").
      return {
        issues: [
          {
            file,
            path: "",
            message: `YAML: ${firstLine((error as Error).message)}: aliases (*name) expand to more than ${MAX_ALIAS_COUNT} nodes`,
            fix: "write the repeated parts out, or use fewer nested aliases",
          },
        ],
      };
    }
    return { source: { file, doc, lines, text }, issues: [] };
  }
  const issues = doc.errors.map((error): SuiteIssue => {
    const { line, col } = lines.linePos(error.pos[0]);
    const fix = flowBraceFix(text, error.pos[0]) ?? (/^Flow (map|sequence)/.test(error.message) ? FLOW_FIX : YAML_FIX[error.code]);
    return {
      file,
      line,
      column: col,
      path: "",
      message: `YAML: ${firstLine(error.message)}`,
      ...(fix === undefined ? {} : { fix }),
    };
  });
  return { issues };
}

/** The first alias whose anchor is not defined before it, with where it is written. */
function unresolvedAlias(doc: Document.Parsed): { name: string; offset: number } | undefined {
  let found: { name: string; offset: number } | undefined;
  visit(doc, {
    Alias(_, alias) {
      if (found === undefined && alias.resolve(doc) === undefined) found = { name: alias.source, offset: alias.range?.[0] ?? 0 };
    },
  });
  return found;
}

/** `${VAR}` unquoted inside `{ … }` reads as a nested map to YAML; say so instead of a puzzle. */
function flowBraceFix(text: string, offset: number): string | undefined {
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  const lineEnd = text.indexOf("\n", offset);
  const line = text.slice(lineStart, lineEnd < 0 ? undefined : lineEnd);
  return /[{[].*\$\{/.test(line) ? 'quote values with ${…} inside { } or [ ], e.g. url: "${PG_URL}"' : undefined;
}

/** One line of at most 120 characters, control characters shown as \uXXXX: a YAML error quotes
 * the token it stopped at, which in a binary file is kilobytes of noise. */
function firstLine(message: string): string {
  const line = (message.split("\n")[0]?.trim() ?? message).replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return line.length > 120 ? `${line.slice(0, 117)}…` : line;
}

/** A file too large to be a suite, or one that is not text (a binary, an archive, UTF-16). */
function notTextIssue(text: string, file: string): SuiteIssue | undefined {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_SUITE_BYTES) {
    return {
      file,
      path: "",
      message: `the file is ${(bytes / 1024 / 1024).toFixed(1)} MB; a suite may be at most ${MAX_SUITE_BYTES / 1024 / 1024} MB`,
      fix: "check the path; a suite names its data (datasets, generators, files) rather than holding it, so split or trim this one",
    };
  }
  // NUL and other C0 controls never appear in YAML; U+FFFD is what reading invalid UTF-8 as text gives.
  const bad = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffd]/.exec(text);
  if (bad === null) return undefined;
  const before = text.slice(0, bad.index);
  const line = (before.match(/\n/g)?.length ?? 0) + 1;
  const column = bad.index - before.lastIndexOf("\n");
  const what = bad[0] === "\ufffd" ? "a byte sequence that is not UTF-8" : `the control character U+${bad[0].charCodeAt(0).toString(16).padStart(4, "0").toUpperCase()}`;
  return {
    file,
    line,
    column,
    path: "",
    message: `not a text file: ${what} here`,
    fix: "a suite is a YAML text file in UTF-8: check the path (is this a binary or compressed file?), and save it as UTF-8",
  };
}

export function positionOf(source: YamlSource, offset: number): Position {
  const { line, col } = source.lines.linePos(offset);
  return { line, column: col };
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function startOf(node: unknown): number | undefined {
  if (node !== null && typeof node === "object" && "range" in node) {
    const range = (node as Node).range;
    if (range) return range[0];
  }
  return undefined;
}

/**
 * Where `path` is written. `at: "key"` points at the key (`batchsize:` for an unknown key),
 * `"value"` at its value. A path that is not in the file (a missing key) points at the nearest
 * ancestor that is, preferring its key (`copy-100:`) to the first line of its map.
 */
export function locate(source: YamlSource, path: DataPath, at: "key" | "value" = "value"): Position | undefined {
  let node: unknown = source.doc.contents;
  let key: unknown;
  let depth = 0;
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(source.doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => keyText(p.key) === String(segment));
      if (!pair) break;
      key = pair.key;
      node = pair.value;
    } else if (isSeq(node)) {
      const index = typeof segment === "number" ? segment : Number(segment);
      const item = Number.isInteger(index) ? node.items[index] : undefined;
      if (item === undefined) break;
      key = undefined;
      node = item;
    } else {
      break;
    }
    depth++;
  }
  const found = depth === path.length;
  // An empty value (`workload:` and nothing) has no useful position of its own: use the key.
  const emptyValue = isScalar(node) && node.value === null;
  const preferKey = !found || at === "key" || emptyValue;
  const offset = (preferKey ? startOf(key) : undefined) ?? startOf(node) ?? startOf(key);
  return offset === undefined ? undefined : positionOf(source, offset);
}

/** The keys of the map at `path` in file order (JS objects put integer-like keys first). */
export function keysInFileOrder(source: YamlSource, path: DataPath): string[] {
  const node = source.doc.getIn(path, true);
  if (!isMap(node)) return [];
  return node.items.flatMap((p) => {
    const k = keyText(p.key);
    return k === undefined ? [] : [k];
  });
}
