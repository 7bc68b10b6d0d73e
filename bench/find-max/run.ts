// bench/find-max: how repeatable `--find-max` is on the quickstart's HTTP ingest scenario (the
// ingest service writing to an embedded PostgreSQL): N searches one after the other, each a fresh
// `pipebench run` (fresh server and service), printing each answer, their median and the spread
// against issue 4's ±10 %. A benchmark, not a test: the answer is the capacity the target has while
// it is measured, and on a shared VM that moves (see README.md here).
// Usage: npm run build && npx tsx bench/find-max/run.ts [--searches 3] [--step-duration 4s]
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { findMaxAnswer } from "../../src/report/find-max-answer.js";
import { ResultsStore } from "../../src/store/results-store.js";
import { median } from "../stats.js";

const { values } = parseArgs({ options: { searches: { type: "string", default: "3" }, "step-duration": { type: "string", default: "4s" } } });
const searches = Number(values.searches);
const store = join(mkdtempSync(join(tmpdir(), "pipebench-bench-find-max-")), "results.db");
const bin = join(import.meta.dirname, "..", "..", "bin", "pipebench.js");

function failed(r: { status: number | null; stdout: string; stderr: string }): never {
  throw new Error(`a search gave no answer (exit ${r.status}):\n${r.stderr.slice(-2000)}\n${r.stdout.slice(-2000)}`);
}

const answers: number[] = [];
try {
  for (let i = 1; i <= searches; i++) {
    const started = performance.now();
    const r = spawnSync(process.execPath, [bin, "run", "--find-max", "--step-duration", values["step-duration"], "--store", store], { encoding: "utf8", maxBuffer: 64 << 20 });
    const seconds = (performance.now() - started) / 1000;
    if (r.status !== 0) failed(r);
    // The answer as `pipebench show` reads it back from the stored run.
    const results = ResultsStore.open(store, { create: false });
    const stored = findMaxAnswer(results.getRun(results.resolveRef("latest") ?? 0) ?? failed(r));
    results.close();
    const answer = stored?.rate ?? failed(r);
    const calibration = stored?.calibration?.result.opsPerSec;
    console.log(
      `search ${i}: ${answer.toLocaleString("en")}/s (calibration ${calibration === undefined ? "?" : Math.round(calibration).toLocaleString("en")}/s, ` +
        `${stored?.steps.length ?? 0} steps, ${seconds.toFixed(0)} s)`,
    );
    answers.push(answer);
  }
} finally {
  rmSync(join(store, ".."), { recursive: true, force: true });
}
const mid = median(answers);
const worst = Math.max(...answers.map((a) => Math.abs(a - mid) / mid));
console.log(`answers ${answers.map((a) => a.toLocaleString("en")).join(" / ")} /s: median ${mid.toLocaleString("en")}/s, farthest ${(worst * 100).toFixed(1)} % from it: ${worst <= 0.1 ? "within" : "outside"} ±10 %`);
