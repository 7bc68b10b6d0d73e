// The live page in a real browser (headless Chromium through playwright-core): opened before the
// run starts, it follows a real DuckDB run, draws its charts from the live events, shows each
// scenario's thresholds and the final status, asks nothing of any other host, and logs no errors.
// Skipped when no Chromium is installed.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { chromium } from "playwright-core";
import { LiveDashboard } from "../../src/dashboard/live-run.js";
import { driverSchemas } from "../../src/drivers/index.js";
import { runSuite } from "../../src/engine/run-suite.js";
import { ResultsStore } from "../../src/store/results-store.js";
import { loadSuite } from "../../src/suite/load-suite.js";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find((p) => existsSync(p));

const dir = mkdtempSync(join(tmpdir(), "pipebench-dashboard-page-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const suiteFile = join(dir, "page.yaml");
writeFileSync(
  suiteFile,
  `name: page
targets:
  duck:
    kind: duckdb
    datasets:
      - { table: commodity_prices, generator: commodity-prices, rows: 2000, seed: 7 }
    queries:
      count: select count(*) from commodity_prices
scenarios:
  steady:
    target: duck
    workload: { type: query, query: count }
    load: { executor: constant-rate, rate: 50, duration: 3s, warmup: 1s }
    thresholds: ["p99 < 5s"]
  flat-out:
    target: duck
    workload: { type: query, query: count }
    load: { executor: closed, workers: 1, duration: 2s }
    thresholds: ["p50 < 1us"]
`,
);

interface LaneView {
  title: string;
  points: number;
  maxOps: number;
  p99s: number;
  judged: string[];
  phase: string;
}

test("the page draws the live run in headless Chromium, with thresholds and the final status", { skip: CHROMIUM === undefined && "no Chromium installed" }, async () => {
  const suite = await loadSuite(suiteFile, { set: [] }, driverSchemas);
  const store = await ResultsStore.open(join(dir, "results.db"));
  const dashboard = await LiveDashboard.start({ lingerMs: 0 }, () => undefined);
  const browser = await chromium.launch({ executablePath: CHROMIUM ?? "chromium", args: ["--no-sandbox"] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("request", (r) => {
      if (!r.url().startsWith(dashboard.url)) problems.push(`request elsewhere: ${r.url()}`);
    });
    await page.goto(dashboard.url);
    // Browser-side code is given as text: this project type-checks against Node, not the DOM.
    await page.waitForFunction('document.getElementById("conn").textContent === "live"');

    dashboard.runStart(suite);
    const outcome = await runSuite(suite, { store, hooks: dashboard.observe({}) });
    dashboard.finished(outcome);

    await page.waitForSelector('body[data-status="failed"]', { timeout: 15_000 });
    // One more frame, for the last redraw.
    await page.evaluate("new Promise((resolve) => requestAnimationFrame(() => resolve(null)))");
    const lanes = await page.evaluate<LaneView[]>(`
      window.pipebenchDashboard.lanes.filter(Boolean).map((l) => ({
        title: l.title.textContent,
        points: l.tp ? l.tp.data[0].length : 0,
        maxOps: Math.max(0, ...(l.tp ? l.tp.data[1] : []).map((v) => v ?? 0)),
        p99s: (l.lat ? l.lat.data[2] : []).filter((v) => v !== null && v > 0).length,
        judged: [...l.judged.querySelectorAll("tr.pass, tr.fail")].map((tr) => tr.textContent),
        phase: l.phasePill.textContent,
      }))`);
    assert.deepEqual(lanes.map((l) => l.title), ["steady", "flat-out"]);
    for (const l of lanes) {
      assert.ok(l.points >= 2, `${l.title}: the throughput chart has its seconds (${l.points})`);
      assert.ok(l.maxOps > 0, `${l.title}: ops/s drawn`);
      assert.ok(l.p99s >= 1, `${l.title}: p99 drawn`);
    }
    assert.ok(lanes[0]!.maxOps > 30 && lanes[0]!.maxOps < 200, `steady runs at about 50/s: ${lanes[0]!.maxOps}`);
    // steady's p99 rests on 150 latencies (it needs 1,000): its threshold passed on an invalid result.
    assert.deepEqual(lanes.map((l) => l.phase), ["! invalid", "✗ thresholds failed"]);
    assert.match(lanes[0]!.judged.join("|"), /^✓p99 < 5s/);
    assert.match(lanes[1]!.judged.join("|"), /^✗p50 < 1us/);

    // Each chart is a canvas with something drawn on it, not a blank box.
    const inked = await page.evaluate<number[]>(`
      [...document.querySelectorAll(".scenario canvas")].map((c) => {
        const pixels = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) n++;
        return n;
      })`);
    assert.equal(inked.length, 4, "two charts per scenario");
    for (const n of inked) assert.ok(n > 1000, `a chart with ink on it (${n} pixels)`);

    const final = await page.textContent("#final");
    assert.match(final ?? "", /Run FAILED/);
    assert.match(final ?? "", /pipebench show 1/);
    assert.deepEqual(problems, []);

    const shot = join(dir, "dashboard.png");
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(statSync(shot).size > 10_000, "a screenshot of the page");
  } finally {
    await browser.close();
    await dashboard.close();
    await store.close();
  }
});

test("a run whose thresholds passed on an invalid result: the page says INVALID, with the reason, not PASSED", { skip: CHROMIUM === undefined && "no Chromium installed" }, async () => {
  const suite = await loadSuite(suiteFile, { set: [], scenarios: ["steady"] }, driverSchemas);
  const store = await ResultsStore.open(join(dir, "invalid.db"));
  const dashboard = await LiveDashboard.start({ lingerMs: 0 }, () => undefined);
  const browser = await chromium.launch({ executablePath: CHROMIUM ?? "chromium", args: ["--no-sandbox"] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(dashboard.url);
    await page.waitForFunction('document.getElementById("conn").textContent === "live"');
    dashboard.runStart(suite);
    const outcome = await runSuite(suite, { store, hooks: dashboard.observe({}) });
    dashboard.finished(outcome);
    assert.deepEqual([outcome.status, outcome.exitCode], ["invalid", 4]);

    await page.waitForSelector('body[data-status="invalid"]', { timeout: 15_000 });
    const final = (await page.textContent("#final")) ?? "";
    assert.match(final, /Run INVALID/);
    // The first reason is the verdict's line; on a busy machine schedule-lag may come before too-few-samples.
    assert.match(final, /INVALID: the thresholds passed, but steady's result cannot be trusted: .+ \[[a-z-]+\]/);
    const reasons = await page.$$eval(".scenario .invalid", (els) => els.map((el) => el.textContent ?? ""));
    assert.ok(reasons.some((r) => /^INVALID: p99 from \d+ latencies .*\[too-few-samples\]$/.test(r)), reasons.join("\n"));
    await page.screenshot({ path: join(dir, "dashboard-invalid.png"), fullPage: true });
  } finally {
    await browser.close();
    await dashboard.close();
    await store.close();
  }
});
