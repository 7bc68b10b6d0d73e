// `run --workers 2` against a real loopback HTTP service that fails one worker only: the worker's
// index reaches the suite through the environment its coordinator sets (PIPEBENCH_WORKER_INDEX, as a
// pod's JOB_COMPLETION_INDEX would), here in the target's URL path. A worker that cannot reach
// the target stops the run before any load; one whose target fails it mid-run stops the other
// promptly (at its second's end, its part kept), and the run exits 3 naming the worker and its error.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pipebench } from "../cli/helpers.js";
import { startLoopbackHttp, type LoopbackHttp } from "../helpers/loopback-http.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-failing-worker-"));

/** Requests by path: /0/… from worker 1/2, /1/… from worker 2/2, /c/… from the coordinator. */
const seen = new Map<string, number>();
/** Paths on which the service resets the connection instead of answering. */
const failing = new Set<string>();
let server: LoopbackHttp | undefined;
let url = "";

function suiteFile(name: string, path: string, duration: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}
targets:
  svc:
    kind: http
    url: ${url}/\${PIPEBENCH_WORKER_INDEX:-c}
scenarios:
  load:
    target: svc
    workload: { type: request, path: ${path} }
    load: { executor: constant-rate, rate: 20, duration: ${duration} }
    thresholds: [ "error_rate < 1%" ]
`,
  );
  return file;
}

describe("a failing worker of run --workers 2 (real loopback HTTP service)", { timeout: 120_000 }, () => {
  before(async () => {
    server = await startLoopbackHttp((req, res) => {
      const path = req.url ?? "";
      seen.set(path, (seen.get(path) ?? 0) + 1);
      if (failing.has(path) || [...failing].some((f) => f.endsWith("*") && path.startsWith(f.slice(0, -1)))) {
        req.socket.destroy();
        return;
      }
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
    url = server.url;
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("its target fails it mid-run: the other stops at its second's end, exit 3, the worker and its error named", async () => {
    failing.clear();
    failing.add("/1/work");
    seen.clear();
    const r = await pipebench(["run", suiteFile("mid-run", "/work", "30s"), "--workers", "2", "--store", join(dir, "mid-run.db")]);
    const output = `${r.stdout}\n${r.stderr}`;
    assert.equal(r.code, 3, output);
    // Worker 2/2 stopped for its errors (3 s of nothing but failures); its error is named.
    assert.match(output, /worker 2\/2: .*(failed|error)/i);
    assert.match(output, /2 workers, merged: 1\/2 \d+ ops .*· 2\/2 \d+ ops/);
    // Worker 1/2 was stopped, not run to the end: half of 20/s for 30 s would be 300 requests.
    const other = seen.get("/0/work") ?? 0;
    assert.ok(other > 0 && other < 300, `worker 1/2 sent ${other} requests`);
    assert.ok((seen.get("/1/work") ?? 0) > 0, "worker 2/2 ran");

    // The stored merged result says when each worker's part ended, and diagnose does not read the
    // second(s) after worker 2/2 stopped (worker 1/2's alone) as the target answering again.
    const shown = await pipebench(["show", "latest", "--store", join(dir, "mid-run.db"), "--format", "json"]);
    const segments = (JSON.parse(shown.stdout) as { scenarioResults: { result: { segments: { worker: string; status: string; endS?: number }[] } }[] }).scenarioResults[0]!.result.segments;
    const [one, two] = [segments.find((s) => s.worker === "1/2"), segments.find((s) => s.worker === "2/2")];
    assert.equal(two?.status, "failed", JSON.stringify(segments));
    assert.ok(one?.endS !== undefined && two.endS !== undefined && two.endS <= one.endS, JSON.stringify(segments));
    const diagnosed = await pipebench(["diagnose", "latest", "--store", join(dir, "mid-run.db"), "--format", "json"]);
    assert.equal(diagnosed.code, 0, diagnosed.stderr);
    const outage = (JSON.parse(diagnosed.stdout) as { findings: { id: string; title: string; evidence: string[] }[] }).findings.find((f) => f.id === "target.outage");
    // Whether the merged seconds count as an outage depends on how the striped requests fell into
    // them (10 reset of 20 is one); when they do, the finding names the stopped worker.
    if (outage !== undefined) {
      assert.doesNotMatch(outage.title + outage.evidence.join("\n"), /answered again/, JSON.stringify(outage));
      assert.match(outage.title, /^The target failed worker 2\/2 from \d+ s; the coordinator stopped the others$/);
      assert.match(outage.evidence[1] ?? "", /^worker 2\/2 failed at [\d.]+ s \(every operation failed .*\); the coordinator stopped the others \(1\/2 interrupted after/);
    }
  });

  it("it cannot reach the target: the run stops before any load, exit 3, the worker and its error named", async () => {
    failing.clear();
    failing.add("/1*");
    seen.clear();
    const r = await pipebench(["run", suiteFile("unreachable", "/work", "30s"), "--workers", "2", "--store", join(dir, "unreachable.db")]);
    const output = `${r.stdout}\n${r.stderr}`;
    assert.equal(r.code, 3, output);
    assert.match(output, /worker 2\/2 did not start: worker 2\/2 exited with code 3: cannot reach http target "svc"/);
    assert.equal(seen.get("/0/work") ?? 0, 0, "no load from the other worker");
  });
});
