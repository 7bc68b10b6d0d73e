// report.md and results.json of two real DuckDB runs (run 2 at twice run 1's rate), written by
// `pipebench report` as a user runs it: the seed 000 template's sections in order, the changed
// setting as the optimization applied, before/after numbers with the improvement, the threshold
// checklist with measured values and each scenario's validity; bad run refs exit 2.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { BIN, pipebench } from "../cli/helpers.js";
import { makeRuns, type ReportFixture } from "./fixture.js";

let fx: ReportFixture;

before(async () => {
  fx = await makeRuns("pipebench-report-md-");
});

after(() => fx?.cleanup());

/** A before/after cell as a number in one unit per kind (seconds, per second, a ratio), or undefined. */
function valueOf(cell: string): number | undefined {
  const m = /^([\d,.]+)\s*(ns|µs|ms|s|\/s|rows\/s|%)?$/.exec(cell);
  if (m === null) return undefined;
  const scale: Record<string, number> = { ns: 1e-9, µs: 1e-6, ms: 1e-3, s: 1, "/s": 1, "rows/s": 1, "%": 0.01, "": 1 };
  return Number(m[1]!.replace(/,/g, "")) * scale[m[2] ?? ""]!;
}

/** A section's text: from its heading to the next heading of the same or a higher level. */
function section(md: string, heading: string): string {
  const start = md.indexOf(`${heading}\n`);
  assert.ok(start >= 0, `section "${heading}" is missing`);
  const level = heading.match(/^#+/)?.[0].length ?? 2;
  const rest = md.slice(start + heading.length + 1);
  const next = rest.search(new RegExp(`^#{1,${level}} `, "m"));
  return next < 0 ? rest : rest.slice(0, next);
}

test("report 2 --vs 1: the template's sections in order, the changed rate as the optimization, before/after and improvement", async () => {
  const out = join(fx.dir, "md-2-vs-1");
  const r = await pipebench(["report", "2", "--vs", "1", "--store", fx.store, "--out", out]);
  assert.equal(r.code, 0, r.stderr);
  const md = readFileSync(join(out, "report.md"), "utf8");

  const headings = md.split("\n").filter((l) => /^##+ /.test(l) && !/^### (duck|Probes)/.test(l));
  assert.deepEqual(headings, [
    "## Baseline Metrics (Before Optimization)",
    "## Optimizations Applied",
    "## Post-Optimization Metrics",
    "### Performance Improvement",
    "## Bottlenecks Identified",
    "## Recommendations",
    "## Success Criteria",
  ]);
  // The suite name is text, never HTML.
  assert.match(md, /^# duck &lt;\/script>&lt;script>window\.pwned=1&lt;\/script> & "small": Performance/m);
  assert.match(md, /^\*\*Run\*\*: run 2 \(.*\), compared with run 1 \(/m);

  // Baseline from run 1 (50/s), post-optimization from run 2 (100/s).
  assert.match(section(md, "## Baseline Metrics (Before Optimization)"), /^\| count \| 1 \| 150 \| 50\.0 rows\/s \| 50\.0\/s \|/m);
  assert.match(section(md, "## Post-Optimization Metrics"), /^\| count \| 1 \| 300 \| 100 rows\/s \| 100\/s \|/m);
  assert.match(section(md, "## Optimizations Applied"), /^ {3}- `scenarios\.count\.load\.rate`: `50` → `100`$/m);

  const improvement = section(md, "### Performance Improvement");
  const row = improvement.split("\n").find((l) => l.startsWith("| count | throughput |"));
  assert.ok(row, improvement);
  assert.match(row, /^\| count \| throughput \| 50\.0\/s \| 100\/s \| \+100\.0% \|/, "throughput doubled, improvement +100 %");
  assert.match(improvement, /^\| agg \| p99 \| [\d.]+(ms|µs) \| [\d.]+(ms|µs) \| [+−±][\d.]+% \|/m, "latency metrics compared too");
  // One sign convention, compare's: the change is after against before, whatever the metric (a p99
  // that rose is +, worse), never an "improvement" with the opposite sign (issue 12, item 7).
  let signed = 0;
  for (const line of improvement.split("\n").filter((l) => /^\| (count|agg) \|/.test(l))) {
    const [, , metric, before, after, change] = line.split("|").map((c) => c.trim());
    const b = valueOf(before ?? ""), a = valueOf(after ?? "");
    // Equal as shown, or a change under 0.05 % (±0.0 %) between two values rounded apart: no sign to judge.
    if (b === undefined || a === undefined || a === b || change?.startsWith("±")) continue;
    assert.equal(change?.[0], a > b ? "+" : "−", `${metric}: ${before} → ${after} printed as ${change}`);
    signed++;
  }
  assert.ok(signed >= 3, `the latencies and the throughput that changed are signed: ${improvement}`);

  const criteria = section(md, "## Success Criteria");
  assert.match(criteria, /^- \[x\] p95 < 500ms \([\d.]+(ms|µs)\) — count$/m, "a passed threshold with its measured value");
  assert.match(criteria, /^- \[ \] p99 < 1us \([\d.]+(ms|µs)\) — agg$/m, "the failed threshold, unchecked");
  assert.match(criteria, /^- \[[ x]\] count: results valid/m, "each scenario's validity");
  assert.match(criteria, /^- \[x\] Optimizations applied \(1 setting changed\)$/m);
  assert.match(md, /^\*\*Status\*\*: Failed \(a threshold was not met\)$/m);

  const json = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as {
    run: { id: number; scenarioResults: unknown[] };
    baseline: { id: number };
    comparison: { metrics: { scenario: string; metric: string; changePct: number }[]; settings: { path: string }[] };
    findings: unknown[];
  };
  assert.equal(json.run.id, 2);
  assert.equal(json.baseline.id, 1);
  assert.equal(json.run.scenarioResults.length, 2);
  assert.deepEqual(json.comparison.settings.map((s) => s.path), ["scenarios.count.load.rate"]);
  const throughput = json.comparison.metrics.find((m) => m.scenario === "count" && m.metric === "throughput");
  assert.ok(throughput !== undefined && Math.abs(throughput.changePct - 100) < 1, JSON.stringify(throughput));
  assert.ok(Array.isArray(json.findings));
});

test("a run alone is its own baseline: no optimizations, no improvement section", async () => {
  const out = join(fx.dir, "md-1");
  const r = await pipebench(["report", "1", "--store", fx.store, "--out", out]);
  assert.equal(r.code, 0, r.stderr);
  const md = readFileSync(join(out, "report.md"), "utf8");
  assert.match(md, /^## Baseline Metrics$/m);
  assert.match(section(md, "## Baseline Metrics"), /^\| count \| 1 \| 150 \| 50\.0 rows\/s \|/m);
  assert.match(section(md, "## Optimizations Applied"), /^None: no run to compare with was given/m);
  assert.doesNotMatch(md, /Post-Optimization|Performance Improvement/);
  assert.match(md, /^- \[ \] Performance improvement validated \(no comparison run\)$/m);
});

test("the default directory is reports/<run>-vs-<other> under the current directory; refs latest and latest~1 work", async () => {
  const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "report", "latest", "--vs", "latest~1", "--store", fx.store], {
      cwd: fx.dir,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /written to reports\/2-vs-1\//);
  for (const f of ["report.md", "report.html", "results.json", "junit.xml"]) assert.ok(existsSync(join(fx.dir, "reports", "2-vs-1", f)), f);
});

test("a run that does not exist, or --vs the run itself, exits 2 with a hint", async () => {
  const missing = await pipebench(["report", "99", "--store", fx.store, "--out", join(fx.dir, "never")]);
  assert.equal(missing.code, 2, missing.stderr + missing.stdout);
  assert.match(missing.stderr, /there is no run "99"/);
  assert.match(missing.stderr, /hint: /);
  assert.ok(!existsSync(join(fx.dir, "never")), "nothing written");
  const self = await pipebench(["report", "2", "--vs", "2", "--store", fx.store, "--out", join(fx.dir, "never")]);
  assert.equal(self.code, 2, self.stderr + self.stdout);
  assert.match(self.stderr, /is run 2 itself/);
  const noBaseline = await pipebench(["report", "2", "--vs", "baseline", "--store", fx.store]);
  assert.equal(noBaseline.code, 2, noBaseline.stderr + noBaseline.stdout);
  assert.match(noBaseline.stderr, /baseline set/);
});
