// The plan and the USL fit as a person sees them: plan.html (`pipebench plan seed-004 -o DIR`) and
// report.html of a real DuckDB sweep over load.workers = 1…6, each opened from disk in headless
// Chromium with every request watched. Each page must log no error, fetch nothing, draw its charts
// with ink in the series' colours, and leave a screenshot next to it; the report's fit section
// must print the numbers `pipebench fit --format json` gives for the same run, and embed the same
// points and curve. A sweep over 2 values of N gets no fit section at all.
// The temporary directory is removed when every test passed; it stays when one failed (or with
// PIPEBENCH_TEST_KEEP=1), so its screenshots can be looked at.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, afterEach, before, test } from "node:test";
import { chromium, type Browser, type Page } from "playwright-core";
import type { FitReport } from "../../src/cli/fit.js";
import { sig } from "../../src/fit/render-fit.js";
import type { PlanResult } from "../../src/plan/model.js";
import type { PlanChartData } from "../../src/report/plan-html.js";
import type { ScalabilityChart } from "../../src/report/scalability.js";
import { pipebench } from "../cli/helpers.js";

const CHROMIUM = "/usr/bin/chromium";
const SEED_PLAN = "suites/plans/seed-004.yaml";

const dir = mkdtempSync(join(tmpdir(), "pipebench-plan-fit-html-"));
const store = join(dir, "results.db");
let browser: Browser;
let failed = false;

function suite(name: string, workers: readonly number[]): string {
  const file = join(dir, `${name}.yaml`);
  // A CPU-bound query on a one-thread DuckDB, as test/cli/fit.test.ts sweeps it, shorter.
  writeFileSync(
    file,
    `name: ${name}
targets:
  duck: { kind: duckdb, threads: 1 }
scenarios:
  q:
    target: duck
    workload: { type: query, sql: "select sum(hash(range)) from range(100000)" }
    load: { executor: closed, workers: 1, duration: 0.6s, warmup: 0.2s }
    sweep:
      load.workers: [${workers.join(", ")}]
`,
  );
  return file;
}

before(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: install it with apt-get install -y --no-install-recommends chromium (.ci/run does)`);
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  for (const [tag, workers] of [["workers-1-6", [1, 2, 3, 4, 5, 6]], ["workers-1-2", [1, 2]]] as const) {
    const r = await pipebench(["run", suite(tag, workers), "--store", store, "--allow-invalid", "--tag", tag]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  }
});

afterEach((t) => {
  // Node ≥ 22 gives the test context's outcome; a thrown assertion is what marks it here.
  if ((t as { passed?: boolean }).passed === false) failed = true;
});

after(async () => {
  await browser?.close();
  if (failed || process.env.PIPEBENCH_TEST_KEEP === "1") {
    process.stderr.write(`kept ${dir} (screenshots report/report.png, plan/plan.png)\n`);
  } else {
    rmSync(dir, { recursive: true, force: true });
  }
});

interface Opened {
  page: Page;
  problems: string[];
  requests: string[];
  charts: { kind: string; title: string; points: number; series: number }[];
}

async function open(html: string): Promise<Opened> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  const url = pathToFileURL(html).href;
  page.on("request", (r) => {
    if (r.url() !== url) requests.push(r.url());
  });
  await page.goto(url);
  await page.waitForFunction("Array.isArray(window.pipebenchCharts) && window.pipebenchCharts.length > 0");
  const charts = (await page.evaluate("window.pipebenchCharts.map(c => ({ kind: c.kind, title: c.title, points: c.points, series: c.series }))")) as Opened["charts"];
  return { page, problems, requests, charts };
}

interface Ink {
  blue: number;
  red: number;
  green: number;
  band: number;
  any: number;
}

/** Pixels of a chart's canvas in a series' colour (the palette's blue, red, green): the data drawn, not the axes. */
async function inkOf(page: Page, chartTitle: string): Promise<Ink> {
  return (await page.evaluate(`(() => {
    const chart = window.pipebenchCharts.find((c) => c.title === ${JSON.stringify(chartTitle)});
    const c = chart.chart.root.querySelector("canvas");
    const px = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    const ink = { blue: 0, red: 0, green: 0, band: 0, any: 0 };
    for (let i = 0; i < px.length; i += 4) {
      const [r, g, b, a] = [px[i], px[i + 1], px[i + 2], px[i + 3]];
      if (a === 0) continue;
      ink.any++;
      if (a > 200 && b > 180 && r < 90 && g < 140) ink.blue++;
      if (a > 200 && r > 180 && g < 90 && b < 90) ink.red++;
      if (a > 200 && g > 120 && r < 60 && b < 110) ink.green++;
      // The band's translucent blue (rgba(37, 99, 235, 0.12)).
      if (a > 15 && a < 50 && b > 200 && r < 60) ink.band++;
    }
    return ink;
  })()`)) as Ink;
}

async function screenshot(page: Page, png: string): Promise<void> {
  await page.screenshot({ path: png, fullPage: true });
  assert.ok(statSync(png).size > 20_000, `a screenshot of the page at ${png}`);
}

test("report.html of a sweep over load.workers: the USL fit section prints fit --format json's numbers and draws points, curve and band", async () => {
  const out = join(dir, "report");
  const r = await pipebench(["report", "workers-1-6", "--store", store, "--out", out]);
  assert.equal(r.code, 0, r.stderr);
  const json = await pipebench(["fit", "workers-1-6", "--key", "load.workers", "--scenario", "q", "--store", store, "--format", "json"]);
  assert.equal(json.code, 0, json.stderr);
  const fit = JSON.parse(json.stdout) as FitReport;

  const md = readFileSync(join(out, "report.md"), "utf8");
  assert.match(md, /^## Scalability \(USL fit\)$/m);
  assert.match(md, /^### q over load\.workers$/m);
  assert.ok(md.includes(`| σ contention | ${sig(fit.sigma.value)} | ${fit.sigma.stdError === null ? "–" : sig(fit.sigma.stdError)} |`), "σ in report.md");
  assert.ok(md.includes(`- R²: ${fit.r2.toFixed(4)}`), "R² in report.md");

  const view = await open(join(out, "report.html"));
  try {
    assert.deepEqual(view.problems, [], "no console errors, warnings or page errors");
    assert.deepEqual(view.requests, [], "no request leaves the page");

    // The section's numbers, cell by cell, against fit --format json.
    const cells = (await view.page.evaluate(
      `Object.fromEntries([...document.querySelectorAll('[data-fit="0"] [data-value]')].map((c) => [c.dataset.value, c.textContent]))`,
    )) as Record<string, string>;
    const interval = (e: FitReport["sigma"]): string => (e.low === null || e.high === null ? "–" : `[${sig(e.low)}, ${sig(e.high)}]`);
    const expected: Record<string, string> = {
      sigma: sig(fit.sigma.value),
      "sigma-interval": interval(fit.sigma),
      kappa: sig(fit.kappa.value),
      "kappa-interval": interval(fit.kappa),
      lambda: `${sig(fit.lambda.value)} records/s`,
      "lambda-interval": interval(fit.lambda),
      r2: fit.r2.toFixed(4),
    };
    if (fit.peakN !== null && fit.peakThroughput !== null) {
      expected.peakThroughput = `${sig(fit.peakThroughput)} records/s`;
      assert.ok(cells.peakN?.startsWith(sig(fit.peakN)), `N* ${cells.peakN} against ${fit.peakN}`);
    }
    for (const [k, v] of Object.entries(expected)) assert.equal(cells[k], v, k);

    // The chart's data is the JSON's, to the last bit: the same points, the same curve and band.
    const charts = (await view.page.evaluate("JSON.parse(document.getElementById('report-data').textContent).scalability")) as ScalabilityChart[];
    assert.equal(charts.length, 1);
    assert.deepEqual(charts[0]?.points, fit.points);
    assert.deepEqual(charts[0]?.curve, fit.curve);
    assert.equal(charts[0]?.peakN, fit.peakN);

    const drawn = view.charts.filter((c) => c.kind === "scalability");
    assert.deepEqual(drawn.map((c) => c.title), ["q over load.workers"]);
    const band = fit.curve.every((p) => p.low !== null);
    assert.equal(drawn[0]?.series, band ? 4 : 2, "measured, fitted, and the band's two edges");
    assert.equal(drawn[0]?.points, 6 + fit.curve.length * (band ? 3 : 1), "6 measured points and the curve");
    const ink = await inkOf(view.page, "q over load.workers");
    assert.ok(ink.red > 150, `the measured points are drawn (${JSON.stringify(ink)})`);
    assert.ok(ink.blue > 300, `the fitted curve is drawn (${JSON.stringify(ink)})`);
    if (band) assert.ok(ink.band > 2000, `the band is shaded (${JSON.stringify(ink)})`);

    await screenshot(view.page, join(out, "report.png"));
  } finally {
    await view.page.close();
  }
});

test("a sweep over 2 values of load.workers gets no fit section", async () => {
  const out = join(dir, "report-2");
  const r = await pipebench(["report", "workers-1-2", "--store", store, "--out", out]);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(readFileSync(join(out, "report.md"), "utf8"), /Scalability/);
  const html = readFileSync(join(out, "report.html"), "utf8");
  assert.doesNotMatch(html, /Scalability/);
  assert.match(html, /"scalability":\[\]/);
});

test("plan -o DIR writes plan.html: the month-by-month table, nodes and cost by month drawn, the sources, tiers and assumptions", async () => {
  const out = join(dir, "plan");
  const r = await pipebench(["plan", SEED_PLAN, "-o", out]);
  assert.equal(r.code, 0, r.stderr);
  const plan = JSON.parse(readFileSync(join(out, "plan.json"), "utf8")) as PlanResult;
  const html = readFileSync(join(out, "plan.html"), "utf8");
  assert.doesNotMatch(html, /https?:\/\//, "no URL anywhere in the page");
  assert.doesNotMatch(html, /<(link|img|iframe)\b|\ssrc=/i, "nothing loaded from elsewhere");

  const view = await open(join(out, "plan.html"));
  try {
    assert.deepEqual(view.problems, [], "no console errors, warnings or page errors");
    assert.deepEqual(view.requests, [], "no request leaves the page");

    // Month 12 of seed 004, as plan.json and plan.md have it.
    const row12 = (await view.page.evaluate(`[...document.querySelectorAll("#plan-months tbody tr")][12].innerText.split("\\t")`)) as string[];
    assert.deepEqual(row12, ["12", "535,025", "1,783,416", "28,700.98", "12", "9", "36", "kafka (99.1 %)", "$92,400"]);
    assert.equal((await view.page.evaluate(`document.querySelectorAll("#plan-months tbody tr").length`)) as number, plan.months.length);
    const headings = (await view.page.evaluate(`[...document.querySelectorAll("h2")].map((h) => h.textContent)`)) as string[];
    assert.deepEqual(headings, ["Month by month", "Capacity per node", "Storage by tier", "Limits", "Assumptions"]);
    assert.equal((await view.page.evaluate(`document.querySelectorAll("#plan-tiers tbody tr").length`)) as number, 3, "hot, warm, cold");
    assert.equal((await view.page.evaluate(`document.querySelectorAll("h2 + ul li").length`)) as number >= plan.assumptions.length, true);

    const data = (await view.page.evaluate("JSON.parse(document.getElementById('report-data').textContent)")) as PlanChartData;
    assert.deepEqual(data.nodes.find((n) => n.component === "kafka")?.values, plan.months.map((m) => m.nodes.kafka));
    assert.deepEqual(data.cost.total, plan.months.map((m) => m.monthlyCost));

    assert.deepEqual(view.charts.map((c) => [c.kind, c.title, c.series, c.points]), [
      ["plan-nodes", "Nodes per component by month", 3, 3 * 13],
      ["plan-cost", "Monthly cost", 1, 13],
    ]);
    const nodes = await inkOf(view.page, "Nodes per component by month");
    assert.ok(nodes.blue > 200 && nodes.red > 200 && nodes.green > 200, `a line per component (${JSON.stringify(nodes)})`);
    const cost = await inkOf(view.page, "Monthly cost");
    assert.ok(cost.blue > 300, `the cost line (${JSON.stringify(cost)})`);

    await screenshot(view.page, join(out, "plan.png"));
  } finally {
    await view.page.close();
  }
});

test("report --plan adds the plan (its capacity a USL fit's X(4) of this run's sweep) to report.md and report.html, charts drawn, no console error", async () => {
  const planFile = join(dir, "fit-plan.yaml");
  writeFileSync(
    planFile,
    `name: duck-fit-plan
demand: { base: { recordsPerSecond: 1000 }, recordSize: 100B, growthPerMonth: 20%, horizonMonths: 6 }
rules: { targetUtilization: 70% }
components:
  duck:
    capacityPerNode: { measured: { run: workers-1-6, scenario: q, fit: usl, at: 4, allowInvalid: true } }
    costPerNodeMonth: 100
  api: { capacityPerNode: 2000, costPerNodeMonth: 50 }
`,
  );
  const out = join(dir, "report-plan");
  const r = await pipebench(["report", "workers-1-6", "--store", store, "--out", out, "--plan", planFile]);
  assert.equal(r.code, 0, r.stderr);
  const json = await pipebench(["plan", planFile, "--store", store, "--format", "json"]);
  assert.equal(json.code, 0, json.stderr);
  const plan = JSON.parse(json.stdout) as PlanResult;
  const duck = plan.components.find((c) => c.name === "duck");
  assert.equal(duck?.source.kind === "measured" && duck.source.fit?.n, 4);

  const md = readFileSync(join(out, "report.md"), "utf8");
  assert.match(md, /^## Capacity Plan$/m);
  assert.match(md, /measured: run \d+ \(workers-1-6\) q USL fit X\(4\) over load\.workers, .*; the USL fit's X\(4\) over load\.workers: σ /);
  const row6 = plan.months[6];
  assert.ok(row6 !== undefined);
  assert.ok(md.includes(`| 6 | ${row6.demand.toLocaleString("en-US")} |`), "month 6 in report.md's plan table");
  const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as { plan?: PlanResult };
  assert.deepEqual(results.plan?.months.map((m) => m.nodes), plan.months.map((m) => m.nodes), "results.json carries the same plan");

  const view = await open(join(out, "report.html"));
  try {
    assert.deepEqual(view.problems, [], "no console errors, warnings or page errors");
    assert.deepEqual(view.requests, [], "no request leaves the page");
    assert.equal((await view.page.evaluate(`document.getElementById("capacity-plan")?.textContent`)) as string, "Capacity plan: duck-fit-plan");
    const rows = (await view.page.evaluate(`document.querySelectorAll("#plan-months tbody tr").length`)) as number;
    assert.equal(rows, 7, "months 0–6");
    const kinds = view.charts.map((c) => c.kind);
    assert.ok(kinds.includes("scalability"), kinds.join(", "));
    const planCharts = view.charts.filter((c) => c.kind.startsWith("plan-")).map((c) => [c.kind, c.series, c.points]);
    assert.deepEqual(planCharts, [
      ["plan-nodes", 2, 2 * 7],
      ["plan-cost", 1, 7],
    ]);
    const nodes = await inkOf(view.page, "Nodes per component by month");
    assert.ok(nodes.blue > 100 && nodes.red > 100, `a line per component (${JSON.stringify(nodes)})`);
    await screenshot(view.page, join(out, "report.png"));
  } finally {
    await view.page.close();
  }
});

test("plan.html draws a find-max component's safe count dashed beside its answer's, and names a floor's counts 'at most'", async () => {
  const { parsePlanText } = await import("../../src/plan/load-plan.js");
  const { computePlan } = await import("../../src/plan/model.js");
  const { renderPlanHtml } = await import("../../src/report/plan-html.js");
  const loaded = parsePlanText(
    `demand: { base: { recordsPerSecond: 100k }, recordSize: 200B, growthPerMonth: 20%, horizonMonths: 4 }
components:
  pg: { capacityPerNode: 1000 }
  kafka: { capacityPerNode: 1000 }
`,
    "synthetic.yaml",
  );
  const measured = { kind: "measured" as const, summary: "measured", run: 1, tag: null, scenario: "s", metric: "find-max" as const, startedAt: "", host: "h", valid: true, reasons: [], detail: "d" };
  const [pg, kafka] = [loaded.plan.components.pg, loaded.plan.components.kafka];
  assert.ok(pg !== undefined && kafka !== undefined);
  const plan = computePlan(
    loaded.plan,
    [
      { name: "pg", spec: pg, capacityPerNode: 55_000, source: { ...measured, interval: { low: 39_000, high: 74_000, noise: 0.137, detail: "i" } } },
      { name: "kafka", spec: kafka, capacityPerNode: 41_700, source: { ...measured, floor: { bound: "pipebench", limitRate: 62_600, why: "generator CPU" } } },
    ],
    loaded.name,
  );
  const file = join(dir, "synthetic-plan.html");
  writeFileSync(file, renderPlanHtml(plan));
  const view = await open(file);
  try {
    assert.deepEqual(view.problems, [], "no console errors, warnings or page errors");
    const nodes = view.charts.find((c) => c.kind === "plan-nodes");
    assert.deepEqual([nodes?.series, nodes?.points], [3, 3 * 5], "pg, pg (safe), kafka (at most)");
    const legend = (await view.page.evaluate(`[...document.querySelectorAll("#plan-charts .u-legend .u-label")].map((l) => l.textContent)`)) as string[];
    assert.ok(legend.includes("pg (safe)") && legend.includes("kafka (at most)"), legend.join(", "));
    const cells = (await view.page.evaluate(`[...document.querySelectorAll("#plan-months tbody tr")][0].innerText.split("\\t")`)) as string[];
    assert.deepEqual(cells.slice(3, 5), ["2 (3 safe)", "≤ 3"]);
  } finally {
    await view.page.close();
  }
});
