// junit.xml for CI systems (Jenkins, GitLab, GitHub test reporters): one <testsuite> per stored
// scenario (each trial of each sweep variant is one), one <testcase> per threshold, a failed
// threshold is a <failure> carrying the measured value; an invalid result (a "validity" case) and a
// scenario that did not complete are <error>s. Suite-level thresholds form a last
// testsuite. The element and attribute set is the common subset every reader accepts.
import type { StoredRun, StoredScenario, StoredThreshold } from "../store/results-store.js";
import { formatThresholdValue } from "../thresholds/format.js";
import { trialOf, validityOf, variantLabel, variantOf } from "./report-model.js";

/** Text and attribute values: the five XML escapes, and characters XML 1.0 forbids removed. */
export function xmlEscape(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "")
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

interface Case {
  name: string;
  classname: string;
  time: number;
  failure?: { message: string; type: string; body: string };
  error?: { message: string; type: string; body: string };
}

function attrs(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`)
    .join("");
}

function measured(t: StoredThreshold): string {
  return t.actual === null ? "no value" : formatThresholdValue(t.kind, t.actual, t.target);
}

function thresholdCase(t: StoredThreshold, classname: string): Case {
  const c: Case = { name: t.expr, classname, time: 0 };
  if (!t.passed) {
    const message = `measured ${measured(t)}, expected ${t.expr}${t.note ? ` (${t.note})` : ""}`;
    c.failure = { message, type: "threshold", body: message };
  }
  return c;
}

function scenarioName(s: StoredScenario, trialsOfName: number): string {
  const variant = variantOf(s);
  let name = s.name;
  if (variant !== undefined) name += ` [${variantLabel(variant)}]`;
  if (trialsOfName > 1) name += ` (trial ${trialOf(s) + 1})`;
  return name;
}

function suiteXml(name: string, timestamp: number, time: number, cases: readonly Case[], properties: Record<string, string>): string {
  const failures = cases.filter((c) => c.failure !== undefined).length;
  const errors = cases.filter((c) => c.error !== undefined).length;
  const lines = [
    `  <testsuite${attrs({
      name,
      tests: cases.length,
      failures,
      errors,
      skipped: 0,
      time: time.toFixed(3),
      timestamp: new Date(timestamp).toISOString().slice(0, 19),
    })}>`,
  ];
  const props = Object.entries(properties);
  if (props.length > 0) {
    lines.push("    <properties>");
    for (const [k, v] of props) lines.push(`      <property${attrs({ name: k, value: v })}/>`);
    lines.push("    </properties>");
  }
  for (const c of cases) {
    const head = `    <testcase${attrs({ name: c.name, classname: c.classname, time: c.time.toFixed(3) })}`;
    const problem = c.failure ?? c.error;
    if (problem === undefined) {
      lines.push(`${head}/>`);
      continue;
    }
    const tag = c.failure !== undefined ? "failure" : "error";
    lines.push(`${head}>`);
    lines.push(`      <${tag}${attrs({ message: problem.message, type: problem.type })}>${xmlEscape(problem.body)}</${tag}>`);
    lines.push("    </testcase>");
  }
  lines.push("  </testsuite>");
  return lines.join("\n");
}

export function renderJunit(run: StoredRun): string {
  const perName = new Map<string, number>();
  for (const s of run.scenarioResults) perName.set(s.name, (perName.get(s.name) ?? 0) + 1);
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let errors = 0;
  let time = 0;
  const count = (cases: readonly Case[]): void => {
    tests += cases.length;
    failures += cases.filter((c) => c.failure !== undefined).length;
    errors += cases.filter((c) => c.error !== undefined).length;
  };

  for (const s of run.scenarioResults) {
    const r = s.result;
    const name = scenarioName(s, perName.get(s.name) ?? 1);
    const classname = `${run.suiteName}.${s.name}`;
    const cases = s.thresholds.map((t) => thresholdCase(t, classname));
    // Numbers that cannot be trusted are an error of the measurement, not a failed threshold: the
    // build cannot tell whether the target met its targets. Accepted with --allow-invalid (the run
    // passed), the case says so and passes.
    const validity = validityOf(s);
    const accepted = !validity.valid && run.status === "passed";
    const valid: Case = { name: accepted ? "validity (invalid, accepted with --allow-invalid)" : "validity", classname, time: 0 };
    if (!validity.valid && !accepted) {
      const message = `result not valid: ${validity.reasons.map((x) => x.message).join("; ")}`;
      valid.error = { message, type: "invalid-result", body: validity.reasons.map((x) => `${x.code}: ${x.message}`).join("\n") };
    }
    cases.push(valid);
    if (r.status !== "completed") {
      const message = `scenario ${r.status}${r.failure ? `: ${r.failure}` : ""}`;
      cases.push({ name: "completed", classname, time: r.durationS, error: { message, type: r.status, body: message } });
    }
    count(cases);
    time += r.durationS;
    const props: Record<string, string> = {
      target: s.target,
      targetKind: s.targetKind,
      trial: String(trialOf(s)),
      throughput: String(r.throughput),
      p50_ms: String(r.latency.p50),
      p95_ms: String(r.latency.p95),
      p99_ms: String(r.latency.p99),
      error_rate: String(r.errorRate),
    };
    const variant = variantOf(s);
    if (variant !== undefined) props.variant = JSON.stringify(variant);
    suites.push(suiteXml(name, r.startedAt, r.durationS, cases, props));
  }

  if (run.thresholds.length > 0) {
    const cases = run.thresholds.map((t) => thresholdCase(t, `${run.suiteName}.suite`));
    count(cases);
    suites.push(suiteXml("suite thresholds", run.startedAt, 0, cases, {}));
  }

  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites${attrs({ name: `pipebench ${run.suiteName} run ${run.id}`, tests, failures, errors, time: time.toFixed(3) })}>`,
    ...suites,
    "</testsuites>",
    "",
  ].join("\n");
}
