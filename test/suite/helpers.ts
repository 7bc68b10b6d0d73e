// Loading suites from text in tests: lines as an array so line numbers in assertions are obvious.
import { SuiteError, type SuiteIssue } from "../../src/errors.js";
import { parseSuiteText } from "../../src/suite/load-suite.js";
import type { LoadSuiteOptions, Suite } from "../../src/suite/types.js";
import { fakeDrivers } from "./fake-drivers.js";

export const FILE = "/suites/test.yaml";

export function yaml(...lines: string[]): string {
  return `${lines.join("\n")}\n`;
}

export function load(text: string, options: LoadSuiteOptions = {}): Suite {
  return parseSuiteText(text, FILE, { env: {}, ...options }, fakeDrivers);
}

export function issuesOf(text: string, options: LoadSuiteOptions = {}): SuiteIssue[] {
  try {
    load(text, options);
  } catch (error) {
    if (error instanceof SuiteError) return [...error.issues];
    throw error;
  }
  throw new Error("expected the suite to be rejected");
}

/** The one issue at `path`, failing with the whole list when there is not exactly one. */
export function issueAt(issues: readonly SuiteIssue[], path: string): SuiteIssue {
  const found = issues.filter((i) => i.path === path);
  if (found.length !== 1) {
    throw new Error(`expected one issue at ${path}, got:\n${issues.map((i) => `  ${i.line}:${i.column} ${i.path}: ${i.message}`).join("\n")}`);
  }
  return found[0] as SuiteIssue;
}

/** A small valid suite to vary. */
export const BASE = [
  "targets:", //                                                       1
  "  pg: { kind: postgres, embedded: true }", //                       2
  "  api: { kind: http, url: http://localhost:8080 }", //              3
  "scenarios:", //                                                     4
  "  writes:", //                                                      5
  "    target: pg", //                                                 6
  "    workload: { type: insert, table: t, batchSize: 100 }", //       7
  "    load: { executor: closed, workers: 2, duration: 3s }", //       8
  "  ingest:", //                                                      9
  "    target: api", //                                                10
  "    workload: { type: request, path: /ingest }", //                 11
  "    load: { executor: constant-rate, rate: 100, duration: 10s }", // 12
] as const;
