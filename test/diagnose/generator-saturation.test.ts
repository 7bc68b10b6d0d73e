// A saturated pipebench from a real run: a local HTTP service asked for 1,000,000 requests a second
// for 1 s, far past what one pipebench process on this machine can start. The result is stored as
// invalid, the summary says INVALID, and diagnose names pipebench's process — or, when other
// processes took the CPU it wanted (a busy CI machine, the burners of the second test), the busy
// machine — and never the target. maxInFlight is raised out of the way, so the requests queue in
// pipebench's connection pool: the ones still there at the end were dropped, not timed out.
// (The truth matrix in culprit-truth.test.ts runs the quiet case alone, in the serial phase.)
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { Culprit } from "../../src/diagnose/culprit.js";
import type { Finding } from "../../src/diagnose/diagnose.js";
import { ResultsStore } from "../../src/store/results-store.js";
import { pipebench } from "../cli/helpers.js";
import { burners } from "../helpers/cpu-burners.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-diagnose-gen-"));
after(() => rmSync(dir, { recursive: true, force: true }));
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

/**
 * What must hold whether the machine is quiet or busy: the run is invalid, pipebench (its process)
 * or the machine is named and nobody else, and requests pipebench never sent are dropped, not the
 * target's timeouts.
 */
async function floodAndDiagnose(store: string): Promise<void> {
  const run = await pipebench(["run", suite, "--store", store]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /INVALID: .*\[(generator-saturated|machine-busy)\]/);

  const db = await ResultsStore.open(store);
  try {
    const result = (await db.getRun("latest"))?.scenarioResults[0]?.result;
    assert.equal(result?.validity?.valid, false, "the verdict is stored with the result");
    assert.equal(result?.errors, 0, JSON.stringify(result?.errorsByClass));
    assert.ok((result?.dropped ?? 0) > 0);
  } finally {
    db.close();
  }

  const r = await pipebench(["diagnose", "latest", "--store", store, "--format", "json"]);
  assert.equal(r.code, 0, r.stderr);
  const { culprits, findings } = JSON.parse(r.stdout) as { culprits: { culprit: Culprit }[]; findings: Finding[] };
  const culprit = culprits[0]?.culprit;
  assert.ok(culprit === "process" || culprit === "machine", JSON.stringify(culprits));
  const blamed = new Set(findings.flatMap((f) => (f.culprit === undefined ? [] : [f.culprit])));
  assert.deepEqual([...blamed], [culprit], JSON.stringify(findings.map((f) => [f.id, f.culprit])));
  const finding = findings.find((f) => f.id === `culprit.${culprit}`);
  assert.ok(finding, JSON.stringify(findings.map((f) => f.id)));
  assert.equal(finding.impact, "high");
  assert.equal(finding.scenario, "flood");
  assert.match(finding.title, /not valid/);
  assert.ok(finding.evidence.some((e) => /^asked 1,000,000\/s, achieved [\d,]+\/s \(\d+ %\)/.test(e)), finding.evidence.join(" | "));
  if (culprit === "process") assert.match(finding.recommendation, /^split the 1,000,000\/s over \d+ pipebench processes/);
  assert.equal(findings[0]?.impact, "high", "high-impact findings come first");
}

test("a rate beyond what one pipebench process can generate: invalid, pipebench's process (or the busy machine) named, nothing blamed on the target", async () => {
  await floodAndDiagnose(join(dir, "quiet.db"));

  const missing = await pipebench(["diagnose", "999", "--store", join(dir, "quiet.db")]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /there is no run "999" in .*\n  hint: give a run id from pipebench runs, latest/);
});

test("the same flood beside two CPU-burning processes: still pipebench or the machine, never the target", async () => {
  const burning = burners(2, 30_000);
  try {
    await floodAndDiagnose(join(dir, "busy.db"));
  } finally {
    for (const p of burning) p.kill("SIGKILL");
  }
});
