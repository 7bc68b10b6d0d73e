// Writes the four report files of a stored run (and, with a baseline, of the comparison):
// report.md, report.html, results.json and junit.xml. Each file is written whole or not at all
// (temporary name, then rename), so a reader never sees half a report.
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { compareRuns } from "../compare/compare.js";
import { diagnose } from "../diagnose/diagnose.js";
import { runFits } from "../fit/run-fits.js";
import type { StoredRun } from "../store/results-store.js";
import { PIPEBENCH_VERSION } from "../version.js";
import { renderHtml } from "./html.js";
import { runDocument } from "./run-json.js";
import { renderJunit } from "./junit.js";
import { renderMarkdown } from "./markdown.js";
import type { ReportInput } from "./report-model.js";

export const REPORT_FILES = ["report.md", "report.html", "results.json", "junit.xml"] as const;

export interface WrittenReport {
  dir: string;
  files: Record<(typeof REPORT_FILES)[number], string>;
  input: ReportInput;
}

/** Everything a report is written from: the comparison and findings computed once. */
export function buildReportInput(run: StoredRun, baseline?: StoredRun, generatedAt = Date.now(), extras: Pick<ReportInput, "plan"> = {}): ReportInput {
  return {
    ...extras,
    run,
    ...(baseline === undefined ? {} : { baseline, comparison: compareRuns(baseline, run) }),
    findings: diagnose(run),
    generatedAt,
    scalability: runFits(run),
  };
}

/** results.json: the stored run(s) as `show --format json` prints them, plus comparison and findings. */
export function renderResultsJson(input: ReportInput): string {
  const doc = {
    pipebench: PIPEBENCH_VERSION,
    generatedAt: new Date(input.generatedAt).toISOString(),
    run: runDocument(input.run),
    ...(input.baseline === undefined ? {} : { baseline: runDocument(input.baseline), comparison: input.comparison }),
    findings: input.findings,
    ...(input.plan === undefined ? {} : { plan: { schema: "pipebench.plan/1", file: input.plan.file, ...input.plan.result } }),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export function writeReport(outDir: string, run: StoredRun, baseline?: StoredRun, extras: Pick<ReportInput, "plan"> = {}): WrittenReport {
  const input = buildReportInput(run, baseline, Date.now(), extras);
  const baselineFindings = baseline === undefined ? [] : diagnose(baseline);
  const contents: Record<(typeof REPORT_FILES)[number], string> = {
    "report.md": renderMarkdown(input, { baselineFindings }),
    "report.html": renderHtml(input),
    "results.json": renderResultsJson(input),
    "junit.xml": renderJunit(run),
  };
  const dir = resolve(outDir);
  mkdirSync(dir, { recursive: true });
  const files = {} as Record<(typeof REPORT_FILES)[number], string>;
  for (const name of REPORT_FILES) {
    const path = join(dir, name);
    const temp = `${path}.${process.pid}.tmp`;
    try {
      writeFileSync(temp, contents[name]);
      renameSync(temp, path);
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    }
    files[name] = path;
  }
  return { dir, files, input };
}
