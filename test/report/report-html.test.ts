// report.html opened as a person opens it: from disk, in a real (headless) Chromium with every
// network request watched. The report is of two real DuckDB runs made through the CLI; the page
// must draw its charts with data, log no error, fetch nothing, keep a hostile suite name as text,
// and leave a screenshot (report.png) next to the report. junit.xml is parsed by the browser's
// XML parser, which rejects any malformed document.
import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, test } from "node:test";
import { chromium, type Browser } from "playwright-core";
import { ResultsStore, type NewScenario, type RunStatus, type StoredScenario } from "../../src/store/results-store.js";
import { pipebench } from "../cli/helpers.js";
import { HOSTILE_SUITE_NAME, makeRuns, type ReportFixture } from "./fixture.js";

const CHROMIUM = "/usr/bin/chromium";

let fx: ReportFixture;
let browser: Browser;

before(async () => {
  // Never a silent skip: without the browser this test cannot prove anything, so it says what to install.
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: install it with apt-get install -y --no-install-recommends chromium (.ci/run does)`);
  }
  fx = await makeRuns("pipebench-report-html-");
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
});

after(async () => {
  await browser?.close();
  fx?.cleanup();
});

interface ChartView {
  kind: string;
  title: string;
  points: number;
  series: number;
}

interface CanvasView {
  width: number;
  height: number;
  painted: number;
}

async function openReport(html: string): Promise<{
  charts: ChartView[];
  canvases: CanvasView[];
  problems: string[];
  requests: string[];
  title: string;
  dataSuite: string;
  pwned: boolean;
  page: import("playwright-core").Page;
}> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  const fileUrl = pathToFileURL(html).href;
  page.on("request", (r) => {
    if (r.url() !== fileUrl) requests.push(r.url());
  });
  await page.goto(fileUrl);
  await page.waitForFunction("Array.isArray(window.pipebenchCharts) && window.pipebenchCharts.length > 0");
  const charts = (await page.evaluate(
    "window.pipebenchCharts.map(c => ({ kind: c.kind, title: c.title, points: c.points, series: c.series }))",
  )) as ChartView[];
  // A drawn chart has painted pixels; count the non-transparent ones of every uPlot canvas.
  const canvases = (await page.evaluate(`Array.from(document.querySelectorAll(".uplot canvas")).map(c => {
    const px = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let painted = 0;
    for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) painted++;
    return { width: c.width, height: c.height, painted };
  })`)) as CanvasView[];
  const title = (await page.evaluate("document.querySelector('h1').childNodes[0].textContent.trim()")) as string;
  const pwned = (await page.evaluate("window.pwned === 1")) as boolean;
  const dataSuite = (await page.evaluate("JSON.parse(document.getElementById('report-data').textContent).suite")) as string;
  return { charts, canvases, problems, requests, title, dataSuite, pwned, page };
}

test("report 2 --vs 1: report.html draws throughput, latency spectrum and before/after charts with data, offline", async () => {
  const out = join(fx.dir, "report-2-vs-1");
  const r = await pipebench(["report", "2", "--vs", "1", "--store", fx.store, "--out", out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /report of run 2 vs run 1/);
  for (const f of ["report.md", "report.html", "results.json", "junit.xml"]) assert.ok(existsSync(join(out, f)), f);

  const html = readFileSync(join(out, "report.html"), "utf8");
  assert.doesNotMatch(html, /https?:\/\//, "no URL anywhere in the page");
  assert.doesNotMatch(html, /<(link|img|iframe)\b|\ssrc=/i, "nothing loaded from elsewhere");
  assert.equal(html.match(/<\/script>/g)?.length, 3, "exactly the three script elements: the suite name did not add one");

  const view = await openReport(join(out, "report.html"));
  try {
    assert.deepEqual(view.problems, [], "no console errors or warnings");
    assert.deepEqual(view.requests, [], "no network requests");
    assert.equal(view.pwned, false, "the suite name's <script> never ran");
    assert.equal(view.title, HOSTILE_SUITE_NAME, "the suite name shows as text");
    assert.equal(view.dataSuite, HOSTILE_SUITE_NAME, "and reads back unchanged from the embedded JSON");

    const kinds = (kind: string): ChartView[] => view.charts.filter((c) => c.kind === kind);
    assert.deepEqual(kinds("throughput").map((c) => c.title), ["count", "agg"]);
    const count = kinds("throughput")[0]!;
    assert.equal(count.series, 4, "before and after lines, and the rate each asked for (50/s, 100/s)");
    assert.ok(count.points >= 5, `count: 3 s of per-second throughput in each run (${count.points} points)`);
    assert.deepEqual(kinds("spectrum").map((c) => c.title), ["count", "agg"]);
    for (const c of kinds("spectrum")) assert.ok(c.points >= 2 * 15, `${c.title}: a percentile spectrum per run (${c.points} points)`);
    const bars = kinds("bars");
    assert.ok(bars.some((c) => c.title.startsWith("throughput")), bars.map((c) => c.title).join(", "));
    assert.ok(bars.some((c) => c.title.startsWith("p99")));
    for (const c of bars.filter((b) => /^(throughput|p50|p95|p99) /.test(b.title))) {
      assert.equal(c.points, 4, `${c.title}: before and after of two scenarios`);
    }

    assert.equal(view.canvases.length, view.charts.length, "one canvas per chart");
    for (const c of view.canvases) assert.ok(c.width > 300 && c.painted > 2000, `a painted canvas: ${JSON.stringify(c)}`);

    const png = join(out, "report.png");
    await view.page.screenshot({ path: png, fullPage: true });
    assert.ok(statSync(png).size > 20_000, "a screenshot of the rendered report");
  } finally {
    await view.page.close();
  }
});

test("junit.xml parses as XML with one testsuite per scenario, one testcase per threshold, failures carrying the measured value", async () => {
  const out = join(fx.dir, "report-latest");
  const r = await pipebench(["report", "latest", "--store", fx.store, "--out", out]);
  assert.equal(r.code, 0, r.stderr);
  const xml = readFileSync(join(out, "junit.xml"), "utf8");
  const page = await browser.newPage();
  try {
    const parsed = (await page.evaluate(`(() => {
      const doc = new DOMParser().parseFromString(${JSON.stringify(xml)}, "application/xml");
      const error = doc.querySelector("parsererror");
      if (error) return { error: error.textContent };
      const root = doc.documentElement;
      return {
        root: root.tagName,
        tests: root.getAttribute("tests"),
        failures: root.getAttribute("failures"),
        suites: Array.from(root.querySelectorAll(":scope > testsuite")).map(s => ({
          name: s.getAttribute("name"),
          tests: Number(s.getAttribute("tests")),
          failures: Number(s.getAttribute("failures")),
          cases: Array.from(s.querySelectorAll("testcase")).map(c => ({
            name: c.getAttribute("name"),
            classname: c.getAttribute("classname"),
            failure: c.querySelector("failure")?.getAttribute("message") ?? null,
          })),
        })),
      };
    })()`)) as {
      error?: string;
      root: string;
      tests: string;
      failures: string;
      suites: { name: string; tests: number; failures: number; cases: { name: string; classname: string; failure: string | null }[] }[];
    };
    assert.equal(parsed.error, undefined, `well-formed XML: ${parsed.error}`);
    assert.equal(parsed.root, "testsuites");
    assert.deepEqual(parsed.suites.map((s) => s.name), ["count", "agg"]);
    const [count, agg] = parsed.suites;
    for (const s of parsed.suites) assert.equal(s.tests, s.cases.length);
    // Thresholds first, then the validity verdict of the result.
    assert.deepEqual(count?.cases.map((c) => c.name).slice(0, 2), ["p95 < 500ms", "error_rate < 1%"]);
    assert.equal(count?.cases[0]?.classname, `${HOSTILE_SUITE_NAME}.count`, "names with < & \" survive escaping");
    assert.equal(count?.cases[0]?.failure, null);
    const failed = agg?.cases.find((c) => c.name === "p99 < 1us");
    assert.match(failed?.failure ?? "", /^measured [\d.]+(ms|µs), expected p99 < 1us/);
    assert.ok(agg?.cases.some((c) => c.name === "validity"), "the result's validity is a test case");
    const failures = parsed.suites.reduce((n, s) => n + s.failures, 0);
    assert.equal(Number(parsed.failures), failures);
    assert.ok(failures >= 1);
  } finally {
    await page.close();
  }
});

/** A run stored as pipebench stores one, its scenarios made from the real run 2's `count`. */
async function storeRun(suiteName: string, status: RunStatus, exitCode: number, scenarios: (count: StoredScenario) => NewScenario[]): Promise<number> {
  const store = await ResultsStore.open(fx.store);
  try {
    const source = await store.getRun(2);
    const count = source?.scenarioResults.find((s) => s.name === "count");
    assert.ok(source !== undefined && count !== undefined);
    const id = await store.beginRun({ suiteName, suiteFile: fx.suite, startedAt: Date.now(), environment: source.environment, suite: source.suite });
    for (const s of scenarios(count)) await store.saveScenario(id, s);
    await store.finishRun(id, status, exitCode, []);
    return id;
  } finally {
    await store.close();
  }
}

test("a sweep's report has a heat map: one cell per combination, the best outlined, failures red", async () => {
  // A sweep run stored as the sweep stores one (`name[…]` names with a variant), its results
  // taken from the real run 2 and scaled, so the grid has a known best cell.
  const sweepId = await storeRun("sweep", "failed", 1, (count) =>
    [1, 2].flatMap((workers) =>
      [50, 100, 300].map((rate, i) => {
        const throughput = rate * workers;
        const failing = rate === 300 && workers === 2; // the fastest cell fails a threshold: not the best
        return {
          ordinal: (workers - 1) * 3 + i,
          name: `count[workers=${workers} rate=${rate}]`,
          variant: { "load.workers": workers, "load.rate": rate },
          target: count.target,
          targetKind: count.targetKind,
          workload: count.workload,
          load: { ...(count.load as object), rate },
          result: { ...count.result, throughput },
          thresholds: [{ expr: "p95 < 500ms", passed: !failing, actual: failing ? 900 : 5, target: 500, kind: "duration" as const }],
          probes: [],
        };
      }),
    ),
  );
  const out = join(fx.dir, "report-sweep");
  const r = await pipebench(["report", String(sweepId), "--store", fx.store, "--out", out]);
  assert.equal(r.code, 0, r.stderr);
  const view = await openReport(join(out, "report.html"));
  try {
    assert.deepEqual(view.problems, []);
    assert.deepEqual(view.requests, []);
    const grid = (await view.page.evaluate(`Array.from(document.querySelectorAll(".heatmap table tr")).map(tr =>
      Array.from(tr.children).map(td => (td.classList.contains("best") ? "*" : "") + (td.style.background.includes("rgb") ? td.style.background : "") + "|" + td.firstChild?.textContent))`)) as string[][];
    assert.equal(grid.length, 3, `header and two rows (workers): ${JSON.stringify(grid)}`);
    assert.deepEqual(grid[0]?.map((c) => c.split("|")[1]), ["load.workers \\ load.rate", "50", "100", "300"]);
    const cells = grid.slice(1).flatMap((row) => row.slice(1));
    assert.equal(cells.length, 6);
    const best = cells.filter((c) => c.startsWith("*"));
    assert.equal(best.length, 1, "one best cell");
    assert.match(best[0] ?? "", /\|300\/s/, "workers=1 rate=300: the fastest that passed");
    assert.match(cells[5] ?? "", /^rgb.*\|600\/s ✗/, "the fastest cell failed a threshold: marked, and not the best");
  } finally {
    await view.page.close();
  }
});

test("a real --sweep run (count at 40/s and 80/s) reports its grid with the measured throughputs", async () => {
  const run = await pipebench(["run", "--allow-invalid", fx.suite, "--store", fx.store, "--scenario", "count", "--sweep", "load.rate=40,80", "--duration", "2"]);
  assert.ok(run.code === 0 || run.code === 1, run.stderr);
  const out = join(fx.dir, "report-real-sweep");
  const r = await pipebench(["report", "latest", "--store", fx.store, "--out", out]);
  assert.equal(r.code, 0, r.stderr);
  const view = await openReport(join(out, "report.html"));
  try {
    assert.deepEqual(view.problems, []);
    assert.deepEqual(view.requests, []);
    const cells = (await view.page.evaluate(
      `Array.from(document.querySelectorAll(".heatmap td.heat")).map(td => td.firstChild.textContent)`,
    )) as string[];
    assert.equal(cells.length, 2, JSON.stringify(cells));
    assert.match(cells[0] ?? "", /^40\.0\/s/);
    assert.match(cells[1] ?? "", /^80\.0\/s/);
    const header = (await view.page.evaluate(`Array.from(document.querySelectorAll(".heatmap th")).map(th => th.textContent)`)) as string[];
    assert.deepEqual(header.slice(1, 3), ["40", "80"]);
  } finally {
    await view.page.close();
  }
});

test("what the errors were and when: report.html and report.md list each scenario's errors by kind", async () => {
  // Run 2's `count` stored again with errors, as the recorder stores them (raw classes, per second).
  const id = await storeRun("errors", "passed", 0, (count) => [
    {
      ordinal: 0,
      name: "count",
      target: count.target,
      targetKind: count.targetKind,
      workload: count.workload,
      load: count.load,
      result: {
        ...count.result,
        errors: 12,
        errorsByClass: { TIMEOUT: 8, HTTP_503: 4 },
        errorSeries: [{ t: 1, byClass: { TIMEOUT: 8 } }, { t: 2, byClass: { HTTP_503: 4 } }],
      },
      thresholds: [],
      probes: [],
    },
  ]);
  const out = join(fx.dir, "report-errors");
  const r = await pipebench(["report", String(id), "--store", fx.store, "--out", out]);
  assert.equal(r.code, 0, r.stderr);
  const expected = "errors: 12 (8 timeout, 4 server 503), first at 1 s, last at 2 s";
  assert.ok(readFileSync(join(out, "report.html"), "utf8").includes(`<li><strong>count</strong>: ${expected}</li>`));
  assert.ok(readFileSync(join(out, "report.md"), "utf8").includes(`- count: ${expected}`));
});
