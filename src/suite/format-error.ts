// A SuiteError printed the way compilers print errors, so editors and people can jump to the line:
//
//   suites/bad.yaml:12:7  scenarios.writes.workload.batchsize: unknown key
//       did you mean "batchSize"?
//
// One block per issue, then a count. No stack traces: the problem is the file, not pipebench.
import { isAbsolute, relative } from "node:path";
import type { SuiteError, SuiteIssue } from "../errors.js";
import { redactText } from "../store/redact.js";

export interface FormatSuiteErrorOptions {
  /** Paths under this directory print relative to it (default: the working directory). */
  cwd?: string;
}

export function formatSuiteError(error: SuiteError, options: FormatSuiteErrorOptions = {}): string {
  const cwd = options.cwd ?? process.cwd();
  const lines = error.issues.flatMap((issue) => formatIssue(issue, cwd));
  const files = [...new Set(error.issues.map((i) => displayPath(i.file, cwd)))];
  const n = error.issues.length;
  lines.push(`${n} ${n === 1 ? "problem" : "problems"}${files.length === 1 ? ` in ${files[0]}` : ""}`);
  if (error.hint !== undefined) lines.push(`hint: ${error.hint}`);
  return lines.join("\n");
}

export function formatIssue(issue: SuiteIssue, cwd: string = process.cwd()): string[] {
  const file = displayPath(issue.file, cwd);
  const where = issue.line === undefined ? file : `${file}:${issue.line}:${issue.column ?? 1}`;
  // Messages quote what was written; a URL written with its password is quoted without it.
  const what = redactText(issue.path === "" ? issue.message : `${issue.path}: ${issue.message}`);
  return issue.fix === undefined ? [`${where}  ${what}`] : [`${where}  ${what}`, `    ${redactText(issue.fix)}`];
}

/** A path under the working directory as a relative one (`suites/x.yaml`), others as they are. */
export function displayPath(file: string, cwd = process.cwd()): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(cwd, file);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel : file;
}
