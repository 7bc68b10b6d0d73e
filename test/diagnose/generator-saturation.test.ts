// The generator-saturation finding from a real run: a local HTTP service asked for 1,000,000
// requests a second for 1 s, far past what one pipebench process on this machine can start. The
// result is stored as invalid, the summary says INVALID, and diagnose says why and what to do.
// maxInFlight is raised out of the way: with the default cap a quiet machine's generator has time
// to spare while operations wait for slots, and the verdict is then (rightly) the target's limit.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { Finding } from "../../src/diagnose/diagnose.js";
import { ResultsStore } from "../../src/store/results-store.js";
import { pipebench } from "../cli/helpers.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-diagnose-gen-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const store = join(dir, "results.db");
writeFileSync(
  join(dir, "service.mjs"),
  `import http from "node:http";
const server = http.createServer((req, res) => { req.resume(); req.on("end", () => res.writeHead(200).end("ok")); });
server.listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => server.close(() => process.exit(0)));
`,
);
const suite = join(dir, "flood.yaml");
writeFileSync(
  suite,
  `name: generator-saturation
targets:
  svc:
    kind: http
    connections: 20
    start: { command: [node, service.mjs], ready: / }
scenarios:
  flood:
    target: svc
    workload: { type: request, method: GET, path: / }
    load: { executor: constant-rate, rate: 1000000, duration: 1s, maxInFlight: 10000000 }
`,
);

test("a rate beyond what the machine can generate: invalid, and diagnosed as a saturated generator", async () => {
  const run = await pipebench(["run", suite, "--store", store]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /INVALID: .*\[generator-saturated\]/);

  const db = ResultsStore.open(store);
  try {
    const stored = db.getRun("latest");
    const result = stored?.scenarioResults[0]?.result;
    assert.equal(result?.validity?.valid, false, "the verdict is stored with the result");
    assert.equal(result?.validity?.reasons[0]?.code, "generator-saturated");
  } finally {
    db.close();
  }

  const r = await pipebench(["diagnose", "latest", "--store", store, "--format", "json"]);
  assert.equal(r.code, 0, r.stderr);
  const { findings } = JSON.parse(r.stdout) as { findings: Finding[] };
  const saturated = findings.find((f) => f.id === "generator.saturated");
  assert.ok(saturated, JSON.stringify(findings.map((f) => f.id)));
  assert.equal(saturated.impact, "high");
  assert.equal(saturated.scenario, "flood");
  assert.match(saturated.title, /not valid/);
  assert.ok(saturated.evidence.some((e) => /^asked 1,000,000\/s, achieved [\d,]+\/s \(\d+ %\)$/.test(e)), saturated.evidence.join(" | "));
  assert.ok(saturated.evidence.some((e) => /^generator CPU [\d.]+ % of one core busy \(limit 90 %\)$/.test(e)), saturated.evidence.join(" | "));
  assert.match(saturated.recommendation, /^add workers: split the 1,000,000\/s over \d+ pipebench processes/);
  assert.equal(findings[0]?.impact, "high", "high-impact findings come first");
  // The same fact is not reported twice: the rate shortfall is part of the saturation finding.
  assert.equal(findings.find((f) => f.id === "generator.rate-not-reached"), undefined);

  const missing = await pipebench(["diagnose", "999", "--store", store]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /there is no run "999" in .*\n  hint: give a run id from pipebench runs, latest/);
});
