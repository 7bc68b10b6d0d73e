// histogram_quantile's arithmetic on cumulative buckets (PromQL's bucketQuantile): the cases its
// documentation and source spell out. The comparison with a real Prometheus on a real service's
// histogram is in server-metrics.test.ts.
import assert from "node:assert/strict";
import { test } from "node:test";
import { bucketQuantile } from "../../src/probes/bucket-quantile.js";
import { parseFamilies } from "../../src/probes/exposition.js";

const b = (pairs: [number, number][]): { le: number; count: number }[] => pairs.map(([le, count]) => ({ le, count }));

test("interpolates linearly inside the bucket the rank falls in, the first bucket starting at 0", () => {
  const buckets = b([[0.1, 50], [0.2, 90], [0.5, 100], [Infinity, 100]]);
  assert.equal(bucketQuantile(0.5, buckets), 0.1); // rank 50: the top of the first bucket
  assert.ok(Math.abs(bucketQuantile(0.25, buckets)! - 0.05) < 1e-12); // rank 25 of 50 in [0, 0.1]
  assert.ok(Math.abs(bucketQuantile(0.7, buckets)! - 0.15) < 1e-12); // rank 70: 20 of 40 in [0.1, 0.2]
  assert.ok(Math.abs(bucketQuantile(0.95, buckets)! - 0.35) < 1e-12); // rank 95: 5 of 10 in [0.2, 0.5]
});

test("a rank in the +Inf bucket answers the largest finite bound; no observations answer nothing", () => {
  assert.equal(bucketQuantile(0.99, b([[0.1, 10], [1, 50], [Infinity, 100]])), 1);
  assert.equal(bucketQuantile(0.5, b([[0.1, 0], [Infinity, 0]])), undefined);
  assert.equal(bucketQuantile(0.5, b([[Infinity, 5]])), undefined);
});

test("q = 1 answers the upper bound of the bucket holding the largest observation, as histogram_quantile(1, …)", () => {
  // Every observation is ≤ 0.1: Prometheus answers 0.1, not the largest bucket's 1.
  assert.equal(bucketQuantile(1, b([[0.1, 10], [0.5, 10], [1, 10], [Infinity, 10]])), 0.1);
  assert.equal(bucketQuantile(1, b([[0.1, 10], [0.5, 12], [1, 12], [Infinity, 12]])), 0.5);
  // Some beyond the largest finite bound: that bound (the +Inf bucket has no upper edge).
  assert.equal(bucketQuantile(1, b([[0.1, 10], [1, 12], [Infinity, 13]])), 1);
});

test("counts that go down across buckets are raised to the bucket below, as Prometheus does", () => {
  // rank 15 falls in (2, 3] with 10 below it (not 8): 2 + 5/10.
  assert.ok(Math.abs(bucketQuantile(0.75, b([[1, 10], [2, 8], [3, 20], [Infinity, 20]]))! - 2.5) < 1e-12);
});

test("the page's other families do not stop the histogram being read: prom-client's NaN gauge beside it", async () => {
  const page = [
    "# HELP nodejs_eventloop_lag_mean_seconds The mean of the recorded event loop delays.",
    "# TYPE nodejs_eventloop_lag_mean_seconds gauge",
    "nodejs_eventloop_lag_mean_seconds NaN",
    "# HELP http_request_duration_seconds x",
    "# TYPE http_request_duration_seconds histogram",
    'http_request_duration_seconds_bucket{le="0.005",method="POST",route="/ingest",status="201"} 3',
    'http_request_duration_seconds_bucket{le="+Inf",method="POST",route="/ingest",status="201"} 4',
    'http_request_duration_seconds_sum{method="POST",route="/ingest",status="201"} 0.03',
    'http_request_duration_seconds_count{method="POST",route="/ingest",status="201"} 4',
    'http_request_duration_seconds_bucket{le="0.005",method="GET",route="/health",status="200"} 1',
    'http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/health",status="200"} 1',
    'http_request_duration_seconds_sum{method="GET",route="/health",status="200"} 0.001',
    'http_request_duration_seconds_count{method="GET",route="/health",status="200"} 1',
  ].join("\n");
  const parsed = await parseFamilies(page, ["http_request_duration_seconds"]);
  const series = parsed.metrics.http_request_duration_seconds?.data as { labels: Record<string, string>; count: number; buckets: Record<string, number> }[];
  assert.equal(series.length, 2);
  assert.deepEqual(series[0], { labels: { method: "POST", route: "/ingest", status: "201" }, buckets: { "0.005": 3, "+Inf": 4 }, count: 4, sum: 0.03 });
  assert.equal(parsed.types.get("nodejs_eventloop_lag_mean_seconds"), "gauge");
});
