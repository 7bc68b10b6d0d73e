// scripts/prometheus-local gives a real Prometheus on 127.0.0.1: it scrapes a target given at
// start (--wait-up waits for the first scrape), takes remote write and native histograms, is
// stopped by pid or dir with its dir removed, and its watchdog stops it when its owner dies.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { PROMETHEUS_LOCAL, prometheusLocal } from "./helpers/prometheus.js";
import { assertWatchdogOwnSession } from "./helpers/watchdog.js";

let exporter: Server;
let target = "";
before(async () => {
  await prometheusLocal(["fetch"], { timeoutMs: 5 * 60_000 });
  exporter = createServer((_req, res) => res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end("# TYPE pipebench_probe_total counter\npipebench_probe_total 42\n"));
  await new Promise<void>((resolve) => exporter.listen(0, "127.0.0.1", resolve));
  target = `127.0.0.1:${(exporter.address() as { port: number }).port}`;
});
after(() => new Promise<void>((resolve) => exporter.close(() => resolve())));

function startLine(stdout: string): { url: string; dir: string; pid: number } {
  const m = /^url=(http:\/\/127\.0\.0\.1:\d+) dir=(\S+) pid=(\d+)$/m.exec(stdout);
  assert.ok(m, stdout);
  return { url: m[1]!, dir: m[2]!, pid: Number(m[3]) };
}

/** Running, not a zombie (an orphaned server is reaped by whoever adopted it, maybe late). */
const alive = (pid: number): boolean => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
};

test("start scrapes the given target on 127.0.0.1, with remote write and native histograms on; stop by pid removes its dir", { timeout: 120_000 }, async () => {
  const started = await prometheusLocal(["start", "--scrape", target, "--wait-up", "--timeout", "60"], { timeoutMs: 90_000 });
  const p = startLine(started.stdout);
  try {
    const body = (await (await fetch(`${p.url}/api/v1/query?query=pipebench_probe_total`)).json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    assert.equal(body.data.result[0]?.value[1], "42", JSON.stringify(body));
    assert.equal(body.data.result[0]?.metric.instance, target);
    const config = await readFile(join(p.dir, "prometheus.yml"), "utf8");
    assert.match(config, /scrape_interval: 1s/);
    // The receiver is on: an empty write is a bad request (400), not "receiver disabled" (404).
    assert.equal((await fetch(`${p.url}/api/v1/write`, { method: "POST" })).status, 400);
    assert.match(await readFile(join(p.dir, "prometheus.log"), "utf8"), /Experimental native histogram support enabled/);
  } finally {
    await prometheusLocal(["stop", String(p.pid)], { timeoutMs: 60_000 });
  }
  assert.equal(alive(p.pid), false);
  assert.equal(existsSync(p.dir), false);
});

test("the watchdog stops the server when its owner dies; stop refuses a pid it did not start", { timeout: 120_000 }, async () => {
  const owner = spawn("sleep", ["600"], { stdio: "ignore" });
  const started = await prometheusLocal(["start", "--owner-pid", String(owner.pid)], { timeoutMs: 90_000 });
  const p = startLine(started.stdout);
  // It runs in a session of its own: a signal to the group that ran start leaves it watching.
  await assertWatchdogOwnSession(p, PROMETHEUS_LOCAL);
  const refused = await prometheusLocal(["stop", String(owner.pid)], { timeoutMs: 30_000, allowFailure: true });
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /not a prometheus started by/);
  owner.kill("SIGKILL");
  const deadline = Date.now() + 30_000;
  while ((alive(p.pid) || existsSync(p.dir)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  assert.equal(alive(p.pid), false, "the server is stopped");
  assert.equal(existsSync(p.dir), false, "its dir is removed");
});
