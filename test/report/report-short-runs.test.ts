// Reports of short scenarios, which mislead most easily: a real DuckDB suite run through the CLI
// (a 0.5 s open loop of 10 operations, a 2.5 s open loop whose last second is half a second, a
// 1.5 s closed loop), reported with `pipebench report`, read as a person reads it: report.md as
// text, report.html in headless Chromium. Percentiles resting on too few operations carry the
// console's `*`, each row says how many operations it rests on, and each throughput chart spans
// the scenario's real length, draws a partial second as a rate over its real length, agrees with
// the table, and has a legend with words in it rather than placeholders.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, test } from "node:test";
import { chromium, type Browser, type Page } from "playwright-core";
import { pipebench } from "../cli/helpers.js";

const CHROMIUM = "/usr/bin/chromium";

const SUITE = `name: short
targets:
  duck:
    kind: duckdb
    datasets:
      - { table: prices, generator: commodity-prices, rows: 2000, seed: 7 }
    queries:
      count: select count(*) from prices
scenarios:
  blink:
    target: duck
    workload: { type: query, query: count }
    load: { executor: constant-rate, rate: 20, duration: 500ms }
  partial:
    target: duck
    workload: { type: query, query: count }
    load: { executor: constant-rate, rate: 200, duration: 2500ms }
  loop:
    target: duck
    workload: { type: query, query: count }
    load: { executor: closed, workers: 1, duration: 1500ms }
`;

/** Latencies each shown percentile needs before it is an estimate rather than the maximum. */
const NEEDS = { p50: 20, p95: 200, p99: 1000 };

interface Stored {
  name: string;
  result: { durationS: number; ops: number; throughput: number; latency: { count: number }; series: { t: number; records: number }[] };
}

let dir: string;
let out: string;
let scenarios: Map<string, Stored>;
let browser: Browser;

before(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: install it with apt-get install -y --no-install-recommends chromium (.ci/run does)`);
  }
  dir = mkdtempSync(join(tmpdir(), "pipebench-report-short-"));
  const suite = join(dir, "short.yaml");
  const store = join(dir, "results.db");
  writeFileSync(suite, SUITE);
  // 10 operations can start late enough to make blink's result invalid (exit 4): stored all the same.
  const run = await pipebench(["run", suite, "--store", store]);
  assert.ok(run.code === 0 || run.code === 4, `exit ${run.code}: ${run.stdout}\n${run.stderr}`);
  out = join(dir, "report");
  const report = await pipebench(["report", "latest", "--store", store, "--out", out]);
  assert.equal(report.code, 0, report.stderr);
  const json = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as { run: { scenarioResults: Stored[] } };
  scenarios = new Map(json.run.scenarioResults.map((s) => [s.name, s]));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
});

after(async () => {
  await browser?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

function stored(name: string): Stored {
  const s = scenarios.get(name);
  assert.ok(s !== undefined, `scenario ${name} is stored`);
  return s;
}

/** The cells p50, p95, p99 should show for a count of latencies: a `*` where too few lie beyond. */
function marks(count: number): string[] {
  return [NEEDS.p50, NEEDS.p95, NEEDS.p99].map((n) => (count < n ? "*" : ""));
}

test("report.md: each row shows its operation count, and percentiles resting on too few operations carry the console's *", () => {
  const md = readFileSync(join(out, "report.md"), "utf8");
  const header = md.split("\n").find((l) => l.startsWith("| scenario |"));
  assert.ok(header !== undefined, md);
  const columns = header.split("|").map((c) => c.trim());
  const col = (name: string): number => {
    const i = columns.indexOf(name);
    assert.ok(i > 0, `column ${name} in ${header}`);
    return i;
  };
  for (const name of ["blink", "partial", "loop"]) {
    const s = stored(name);
    const row = md.split("\n").find((l) => l.startsWith(`| ${name} |`))?.split("|").map((c) => c.trim());
    assert.ok(row !== undefined, `a row for ${name}`);
    assert.equal(row[col("ops")], s.result.ops.toLocaleString("en-US"), `${name}: its operation count`);
    const shown = ["p50", "p95", "p99"].map((p) => (row[col(p)]?.endsWith("*") ? "*" : ""));
    assert.deepEqual(shown, marks(s.result.latency.count), `${name}: ${s.result.latency.count} latencies → marks ${row.join("|")}`);
    assert.ok(!row[col("max")]?.endsWith("*"), "the maximum is what it is");
  }
  assert.equal(stored("blink").result.ops, 10, "20/s for 0.5 s");
  assert.match(md, /^\\\* fewer than 10 latencies beyond this percentile: it is close to the run's maximum, not an estimate/m, "the footnote, not a list item");
});

async function open(): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  await page.goto(pathToFileURL(join(out, "report.html")).href);
  await page.waitForFunction("Array.isArray(window.pipebenchCharts) && window.pipebenchCharts.length > 0");
  return { page, problems };
}

test("report.html: the same operation counts, * marks and footnote in its table", async () => {
  const { page, problems } = await open();
  try {
    assert.deepEqual(problems, []);
    const rows = (await page.evaluate(
      `Array.from(document.querySelector("table").rows).map(r => Array.from(r.cells).map(c => c.textContent.trim()))`,
    )) as string[][];
    const header = rows[0] ?? [];
    const col = (name: string): number => {
      const i = header.indexOf(name);
      assert.ok(i > 0, `column ${name} in ${header.join(", ")}`);
      return i;
    };
    for (const name of ["blink", "partial", "loop"]) {
      const s = stored(name);
      const row = rows.find((r) => r[0] === name);
      assert.ok(row !== undefined, `a row for ${name}`);
      assert.equal(row[col("ops")], s.result.ops.toLocaleString("en-US"));
      assert.deepEqual(["p50", "p95", "p99"].map((p) => (row[col(p)]?.endsWith("*") ? "*" : "")), marks(s.result.latency.count), `${name}: ${row.join("|")}`);
    }
    const text = (await page.evaluate("document.body.innerText")) as string;
    assert.match(text, /\* fewer than 10 latencies beyond this percentile: it is close to the run's maximum, not an estimate/);
  } finally {
    await page.close();
  }
});

interface Drawn {
  title: string;
  min: number;
  max: number;
  x: number[];
  series: { label: string; values: (number | null)[] }[];
}

async function throughputCharts(page: Page): Promise<Drawn[]> {
  return (await page.evaluate(`window.pipebenchCharts.filter(c => c.kind === "throughput").map(c => ({
    title: c.title,
    min: c.chart.scales.x.min,
    max: c.chart.scales.x.max,
    x: Array.from(c.chart.data[0]),
    series: c.chart.series.slice(1).map((s, i) => ({ label: s.label, values: Array.from(c.chart.data[i + 1]) })),
  }))`)) as Drawn[];
}

/** The value a step chart holds from x on (each value lasts until the next x). */
function valueFrom(d: Drawn, label: string, x: number): number | null {
  const s = d.series.find((v) => v.label === label);
  assert.ok(s !== undefined, `series ${label} in ${d.series.map((v) => v.label).join(", ")}`);
  const i = d.x.indexOf(x);
  assert.ok(i >= 0, `a step starts at ${x} s: ${JSON.stringify(d.x)}`);
  return s.values[i] ?? null;
}

/** The throughput charts as uPlot drew them in the page. */
async function drawnCharts(): Promise<Drawn[]> {
  const { page, problems } = await open();
  try {
    assert.deepEqual(problems, []);
    const charts = await throughputCharts(page);
    assert.deepEqual(charts.map((c) => c.title), ["blink", "partial", "loop"]);
    return charts;
  } finally {
    await page.close();
  }
}

function chart(charts: readonly Drawn[], title: string): Drawn {
  const c = charts.find((x) => x.title === title);
  assert.ok(c !== undefined, title);
  return c;
}

test("report.html throughput charts: the x axis spans each scenario's real length (0.5 s is a line, not a dot on 0-100 s)", async () => {
  for (const c of await drawnCharts()) {
    const s = stored(c.title).result;
    assert.ok(c.min === 0, `${c.title}: from the start, not ${c.min}`);
    assert.ok(Math.abs(c.max - s.durationS) < 1e-9, `${c.title}: x axis to ${s.durationS} s, not ${c.max}`);
  }
});

test("report.html throughput charts: a last partial second is drawn as its records over its real length", async () => {
  const charts = await drawnCharts();
  // 200/s for 2.5 s: the last half second holds ~100 records, which is 200/s, not a drop to 100.
  const last = stored("partial").result.series.find((p) => p.t === 2);
  assert.ok(last !== undefined);
  assert.ok(Math.abs(last.records / 0.5 - 200) < 10, `${last.records} records in the last half second`);
  const near = (a: number | null, b: number, what: string): void => assert.ok(a !== null && Math.abs(a - b) <= b * 1e-6, `${what}: ${a}, not ${b}`);
  near(valueFrom(chart(charts, "partial"), "run 1", 2), last.records / 0.5, "partial, 2.0 to 2.5 s");
  // The closed loop's measured length is its clock's, a hair either side of 1.5 s.
  const loop = stored("loop").result;
  const loopLast = loop.series.find((p) => p.t === 1);
  near(valueFrom(chart(charts, "loop"), "run 1", 1), (loopLast?.records ?? 0) / (loop.durationS - 1), "loop, 1.0 to 1.5 s");
});

test("report.html throughput charts agree with the table: the chart's average over the run is the table's throughput", async () => {
  for (const c of await drawnCharts()) {
    const s = stored(c.title).result;
    // A step chart's area is the records of the run; over its length, the table's throughput.
    const run = c.series.find((v) => v.label === "run 1");
    assert.ok(run !== undefined, JSON.stringify(c.series.map((v) => v.label)));
    let area = 0;
    for (let i = 0; i + 1 < c.x.length; i++) area += (run.values[i] ?? 0) * (c.x[i + 1]! - c.x[i]!);
    assert.ok(Math.abs(area / s.durationS - s.throughput) <= s.throughput * 1e-9, `${c.title}: chart average ${area / s.durationS}/s, table ${s.throughput}/s`);
  }
});

test("report.html legends read as words and numbers: no -- or – placeholders, idle or hovered", async () => {
  const { page, problems } = await open();
  try {
    assert.deepEqual(problems, []);
    const legends = async (): Promise<string[]> =>
      (await page.evaluate(`Array.from(document.querySelectorAll(".u-legend")).map(l => l.innerText.replace(/\\s+/g, " ").trim())`)) as string[];
    const idle = await legends();
    assert.equal(idle.length, 6, "three throughput and three spectrum charts");
    for (const l of idle) assert.doesNotMatch(l, /--|–/, `idle legend: ${l}`);
    // The throughput legend at rest: each run's average, the table's number, in the table's words:
    // a query's records are the rows it returned, rows/s (issue 12, item 7).
    assert.match(idle[1] ?? "", /run 1:? ?200 rows\/s/, idle[1]);
    assert.match(idle[1] ?? "", /asked:? ?200 rows\/s/, idle[1]);
    const axes = (await page.evaluate(`window.pipebenchCharts.filter(c => c.kind === "throughput").map(c => c.chart.axes[1].label)`)) as string[];
    assert.deepEqual(axes, ["rows/s", "rows/s", "rows/s"], "the y axis of each query's chart");
    for (const l of idle) assert.doesNotMatch(l, /records\/s/, `a query's rate is rows/s: ${l}`);

    // Hover the last half second of `partial`: the legend names that interval and its rate.
    const at = (await page.evaluate(`(() => {
      const u = window.pipebenchCharts.filter(c => c.kind === "throughput")[1].chart;
      u.over.scrollIntoView({ block: "center" });
      const r = u.over.getBoundingClientRect();
      return { x: r.left + u.valToPos(2.25, "x"), y: r.top + r.height / 2 };
    })()`)) as { x: number; y: number };
    await page.mouse.move(at.x, at.y);
    const hovered = await legends();
    for (const l of hovered) assert.doesNotMatch(l, /--|–/, `hovered legend: ${l}`);
    assert.match(hovered[1] ?? "", /2\.0\s*to\s*2\.5 s/, hovered[1]);
    assert.match(hovered[1] ?? "", /run 1:? ?(19\d|20\d) rows\/s/, hovered[1]);

    const png = join(out, "short.png");
    await page.screenshot({ path: png, fullPage: true });
    assert.ok(statSync(png).size > 20_000, "a screenshot of the rendered report");
  } finally {
    await page.close();
  }
});
