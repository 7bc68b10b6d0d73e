// The metrics-endpoint probe's arithmetic on two scrapes of a service's cumulative histogram (the
// scrapes of a real service are in server-metrics.test.ts): the scenario's share is the difference,
// and a service that restarted between them counts from zero, the whole histogram at once.
import assert from "node:assert/strict";
import { test } from "node:test";
import { metricsEndpointProbe } from "../../src/probes/metrics-endpoint.js";
import type { ProbeSnapshot } from "../../src/probes/probe.js";

const probe = metricsEndpointProbe({ url: "http://127.0.0.1:1/metrics" });
const snapshot = (at: number, le: Record<string, number>, sum: number): ProbeSnapshot => {
  const values: Record<string, number> = { sum, count: le["+Inf"]! };
  for (const [bound, n] of Object.entries(le)) values[`le:${bound}`] = n;
  return { at, values };
};

test("the scenario's requests and percentiles are the second scrape's counts less the first's", () => {
  const before = snapshot(0, { "0.01": 100, "0.1": 150, "+Inf": 150 }, 3);
  const after = snapshot(10_000, { "0.01": 100, "0.1": 250, "+Inf": 250 }, 8);
  const { metrics } = probe.summarize(before, after);
  assert.equal(metrics.server_requests, 100);
  assert.equal(metrics.server_request_rate, 10);
  assert.ok(Math.abs(metrics.server_mean! - 50) < 1e-9); // 5 s over 100 requests
  assert.ok(Math.abs(metrics.server_p50! - 55) < 1e-9); // all 100 in (10, 100] ms: the middle
});

test("a service restarted between the scrapes counts its histogram from zero, every bucket alike", () => {
  // Before the restart: 100 fast requests. After it: 200, of which 150 slow. Only the fast bucket
  // went down; judged one by one, the count and the slow bucket would lose the old 100.
  const before = snapshot(0, { "0.01": 100, "0.1": 100, "+Inf": 100 }, 0.5);
  const after = snapshot(10_000, { "0.01": 50, "0.1": 200, "+Inf": 200 }, 10);
  const { metrics } = probe.summarize(before, after);
  assert.equal(metrics.server_requests, 200);
  assert.ok(Math.abs(metrics.server_mean! - 50) < 1e-9);
  // 150 of 200 in (10, 100] ms: p50 (rank 100) is 50 into that bucket's 150, 10 + 90·50/150 ms.
  assert.ok(Math.abs(metrics.server_p50! - 40) < 1e-9, String(metrics.server_p50));
});

test("a restart seen in the histogram counts the CPU seconds from zero too (one process, one page)", () => {
  // 30 CPU seconds before the restart; 4 after it, over 10 s: 0.4 of a core.
  const before = { at: 0, values: { ...snapshot(0, { "0.1": 100, "+Inf": 100 }, 1).values, cpu_seconds: 30 } };
  const after = { at: 10_000, values: { ...snapshot(10_000, { "0.1": 50, "+Inf": 50 }, 1).values, cpu_seconds: 4 } };
  assert.ok(Math.abs(probe.summarize(before, after).metrics.process_cpu_cores! - 0.4) < 1e-9);
  // The CPU counter alone going down (the histogram's counts grew past their old ones) is a restart too:
  // the requests are the new process's 150, not 150 − 100.
  const grown = { at: 10_000, values: { ...snapshot(10_000, { "0.1": 150, "+Inf": 150 }, 3).values, cpu_seconds: 4 } };
  assert.equal(probe.summarize(before, grown).metrics.server_requests, 150);
});

test("the p99 is called a lower bound only when more than 1 % of the requests are past the largest bucket", () => {
  const before = snapshot(0, { "0.1": 0, "0.5": 0, "+Inf": 0 }, 0);
  // 100 requests, all within 0.5 s, the p99 inside the largest bucket: an interpolation, not a bound.
  const within = probe.summarize(before, snapshot(1000, { "0.1": 50, "0.5": 100, "+Inf": 100 }, 10));
  assert.ok(Math.abs(within.metrics.server_p99! - 492) < 1e-9);
  assert.deepEqual(within.notes, []);
  // 5 of 100 past 0.5 s: Prometheus answers the largest bound, 500 ms, and the note says so.
  const past = probe.summarize(before, snapshot(1000, { "0.1": 50, "0.5": 95, "+Inf": 100 }, 10));
  assert.equal(past.metrics.server_p99, 500);
  assert.match(past.notes.join("\n"), /took longer than the histogram's largest bucket \(500 ms\): its p99 is a lower bound/);
});
