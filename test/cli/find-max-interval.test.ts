// A real, short `--find-max` prints its answer's interval and stores what makes it: `show` prints the
// same interval from the stored steps and `--format json` carries it as `findMax.interval`. Only the
// interval's presence and shape are checked, never its width or the answer's value (those are the
// machine's; test/cli/find-max.test.ts and bench/find-max judge the search), so this runs in the
// parallel phase. Capped by --max-rate 800 (a third of what the service does on this VM) with 1 s
// steps, the search confirms the cap in ~15 s on a busy machine too: uncapped, a 1 s-step search
// beside other tests rejected every rate it confirmed (19 steps, no answer). The capped answer's
// high end is open (no rate above it was rejected); the bracketed case is unit-tested
// (test/sweep/find-max-interval.test.ts). --allow-invalid keeps a busy machine from failing it.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { FindMaxDocument } from "../../src/report/find-max-answer.js";
import { pipebench } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-cli-find-max-interval-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const store = join(dir, "results.db");

const rate = (s: string | undefined): number => Number((s ?? "").replaceAll(",", ""));

/** The answer and its interval as printed; the high end may be "open". */
function printed(stdout: string): { answer: number; low: number; high: number | undefined; lines: string } {
  const answer = /find-max http-ingest: (?:maximum sustainable rate|sustains at least) ([\d,]+)\/s/.exec(stdout);
  const interval = /\n {2}interval ([\d,]+)\/s – (open|[\d,]+\/s) \(noise [\d.]+ ?%\):\n {4}low .*\n {4}high .*\n {4}noise: .*/.exec(stdout);
  assert.ok(answer && interval, `no answer with an interval in:\n${stdout.slice(stdout.indexOf("find-max"))}`);
  return { answer: rate(answer[1]), low: rate(interval[1]), high: interval[2] === "open" ? undefined : rate(interval[2]?.replace("/s", "")), lines: interval[0] };
}

test("a short search prints its answer's interval, show prints it again, and --format json carries it", { timeout: 240_000 }, async () => {
  const r = await pipebench(["run", "--find-max", "--step-duration", "1s", "--max-rate", "800", "--allow-invalid", "--store", store], {}, 200_000);
  assert.equal(r.code, 0, `${r.stderr.slice(-2000)}\n${r.stdout.slice(-3000)}`);
  const run = printed(r.stdout);
  assert.ok(run.low > 0 && run.low <= run.answer && (run.high === undefined || run.high > run.answer), JSON.stringify(run));
  assert.match(run.lines, /high open: no rate above the answer was rejected|high [\d,]+\/s = the lowest rejected rate/);

  const shown = await pipebench(["show", "latest", "--store", store]);
  assert.equal(shown.code, 0, shown.stderr);
  assert.equal(printed(shown.stdout).lines, run.lines, "show reads the same interval back from the stored steps");

  const json = await pipebench(["show", "latest", "--store", store, "--format", "json"]);
  const doc = JSON.parse(json.stdout) as { schema: string; units: Record<string, string>; findMax?: FindMaxDocument };
  assert.equal(doc.schema, "pipebench.run/1");
  const i = doc.findMax?.interval;
  assert.ok(i !== undefined, JSON.stringify(doc.findMax));
  assert.equal(doc.findMax?.rate, run.answer);
  assert.deepEqual({ low: i.low, high: i.high, answer: i.answer }, { low: run.low, high: run.high, answer: run.answer });
  assert.equal(i.rejected, doc.findMax?.firstUnstable);
  assert.ok(i.noise >= 0 && i.noise === Math.max(i.stepNoise, i.secondNoise) && i.steps >= 2 && i.z === 2, JSON.stringify(i));
  assert.match(doc.units["findMax.rate, .firstUnstable, .highestStable, .interval.low, .high, .answer, .rejected"] ?? "", /operations\/s/);
});
