import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { drivers } from "../../src/drivers/index.js";
import { probeMetricKinds } from "../../src/thresholds/metrics.js";
import { parseThreshold as parseWith, ThresholdSyntaxError } from "../../src/thresholds/parse.js";

// Probe metrics' kinds are the drivers' declarations, passed in as the suite loader passes them.
const PROBE_METRICS = probeMetricKinds(Object.values(drivers));
const parseThreshold = (expr: string): ReturnType<typeof parseWith> => parseWith(expr, PROBE_METRICS);

// [expression, metric, op, normalised value, kind]
const valid = [
  ["p95 < 5ms", "p95", "<", 5, "duration"],
  ["p99.9 <= 2s", "p99.9", "<=", 2000, "duration"],
  ["p999 <= 2s", "p99.9", "<=", 2000, "duration"],
  ["p50<500ms", "p50", "<", 500, "duration"],
  ["max < 1.5m", "max", "<", 90_000, "duration"],
  ["min >= 250us", "min", ">=", 0.25, "duration"],
  ["mean < 800µs", "mean", "<", 0.8, "duration"],
  ["  p90 < 10 ms  ", "p90", "<", 10, "duration"],
  ["service.p99 < 20ms", "service.p99", "<", 20, "duration"],
  ["service.p999 < 20ms", "service.p99.9", "<", 20, "duration"],
  ["client_wait.p99 < 20ms", "client_wait.p99", "<", 20, "duration"],
  ["start_delay.max < 1s", "start_delay.max", "<", 1000, "duration"],
  ["dropped == 0", "dropped", "==", 0, "count"],
  ["throughput > 50000/s", "throughput", ">", 50_000, "rate"],
  ["throughput > 50k/s", "throughput", ">", 50_000, "rate"],
  ["throughput > 1.5M/s", "throughput", ">", 1_500_000, "rate"],
  ["throughput > 50_000", "throughput", ">", 50_000, "rate"],
  ["throughput > 200 rows/s", "throughput", ">", 200, "rate"],
  ["throughput > 200 Messages/s", "throughput", ">", 200, "rate"], // a word, not M + "essages"
  ["throughput > 50k msg/s", "throughput", ">", 50_000, "rate"],
  ["ops >= 50k", "ops", ">=", 50_000, "rate"],
  ["mbps > 50", "mbps", ">", 50, "bandwidth"],
  ["mbps > 50MB/s", "mbps", ">", 50, "bandwidth"],
  ["error_rate < 0.1%", "error_rate", "<", 0.001, "ratio"],
  ["error_rate < 0.001", "error_rate", "<", 0.001, "ratio"],
  ["errors == 0", "errors", "==", 0, "count"],
  ["records >= 1M", "records", ">=", 1_000_000, "count"],
  ["ops_total > 1e3", "ops_total", ">", 1000, "count"],
  ["cache_hit_ratio > 99%", "cache_hit_ratio", ">", 0.99, "ratio"],
  ["connection_usage < 50%", "connection_usage", "<", 0.5, "ratio"],
  ["mean_query_time < 10ms", "mean_query_time", "<", 10, "duration"],
  ["pg.cache_hit_ratio > 99%", "pg.cache_hit_ratio", ">", 0.99, "ratio"],
  ["pg-main.connection_usage < 0.5", "pg-main.connection_usage", "<", 0.5, "ratio"],
  ["cpu_usage < 80%", "cpu_usage", "<", 0.8, "ratio"],
  ["host.memory_usage < 90%", "host.memory_usage", "<", 0.9, "ratio"],
  ["load1 < 4", "load1", "<", 4, "number"],
  ["load5 < 4", "load5", "<", 4, "number"],
  // Probe metrics pipebench has not heard of take their kind from the unit written.
  ["consumer_lag < 1000", "consumer_lag", "<", 1000, "number"],
  ["checkpoint_time < 2s", "checkpoint_time", "<", 2000, "duration"],
  ["kafka.bytes_in > 10k/s", "kafka.bytes_in", ">", 10_000, "rate"],
  ["deadlock_share < 1%", "deadlock_share", "<", 0.01, "ratio"],
  // Latencies a workload observes outside its operations: any snake_case name before a latency name.
  ["end_to_end.p99 < 50ms", "end_to_end.p99", "<", 50, "duration"],
  ["freshness.p95 < 2s", "freshness.p95", "<", 2000, "duration"],
  ["end_to_end.p999 <= 100ms", "end_to_end.p99.9", "<=", 100, "duration"],
  ["end_to_end.p99.9 <= 100ms", "end_to_end.p99.9", "<=", 100, "duration"],
  ["freshness.max < 1m", "freshness.max", "<", 60_000, "duration"],
  ["replication_delay.p50 < 250us", "replication_delay.p50", "<", 0.25, "duration"],
  // Integrity counts, by name.
  ["lost == 0", "lost", "==", 0, "count"],
  ["duplicated == 0", "duplicated", "==", 0, "count"],
  ["out_of_order == 0", "out_of_order", "==", 0, "count"],
  ["lost <= 1k", "lost", "<=", 1000, "count"],
] as const;

test("a unit's scaling lands on the double a measurement at the limit computes (no ulp either way)", () => {
  // 7 errors in 1,000 is 0.7 %: "error_rate <= 0.7%" must pass it and "< 0.7%" fail it.
  assert.equal(parseThreshold("error_rate <= 0.7%").value, 7 / 1000);
  assert.equal(parseThreshold("cache_hit_ratio >= 99.9%").value, 999 / 1000);
  assert.equal(parseThreshold("p50 < 700us").value, 700 / 1000);
  for (let tenths = 1; tenths < 1000; tenths++) {
    assert.equal(parseThreshold(`error_rate < ${tenths / 10}%`).value, tenths / 1000, `${tenths / 10}%`);
  }
});

describe("parseThreshold: valid expressions", () => {
  for (const [expr, metric, op, value, kind] of valid) {
    test(expr, () => {
      const t = parseThreshold(expr);
      assert.equal(t.expr, expr.trim());
      assert.equal(t.metric, metric);
      assert.equal(t.op, op);
      assert.ok(Math.abs(t.value - value) < 1e-9, `value ${t.value} ≠ ${value}`);
      assert.equal(t.kind, kind);
    });
  }
});

// [expression, what the message says, what the fix says]
const invalid = [
  ["", /empty/, /p95 < 5ms/],
  ["p95 < 50%", /p95 is a duration; "%" does not fit it/, /p95 < 50ms/],
  ["p95 < 5", /needs a unit/, /"p95 < 5ms"/],
  ["throughput > 5s", /throughput is a rate per second/, /throughput > 5\/s/],
  ["throughput > 5m/s", /"m" means minutes/, /5M\/s/],
  ["throughput > 5 m / s", /"m" means minutes/, /5M\/s/],
  ["throughput > 5MB/s", /records, not bytes/, /mbps > 5/],
  ["error_rate < 5", /more than 1/, /error_rate < 5%/],
  ["cache_hit_ratio > 99", /more than 1/, /cache_hit_ratio > 99%/],
  ["errors < 5/s", /a count, not a rate/, /error_rate/],
  ["mbps > 5%", /mbps is a bandwidth/, /mbps > 5/],
  ["mean_query_time < 10", /needs a unit/, /10ms/],
  ["p95 = 5ms", /"=" is not an operator/, /p95 == 5ms/],
  ["p95 =< 5ms", /"=<" is not an operator/, /p95 <= 5ms/],
  ["p95 != 5ms", /not supported/, /< <= > >= or ==/],
  ["p95 5ms", /operator is missing/, /p95 < 5ms/],
  ["p95 <", /nothing after "<"/, /p95 < 5ms/],
  ["< 5ms", /metric is missing/, /p95 < 5ms/],
  ["p95 < fast", /"fast" is not a number/, /p95 < 5ms/],
  ["p95 < 5 parsecs", /"parsecs" is not a unit/, /ms/],
  ["p95 < -5ms", /cannot be negative/, /0 or more/],
  ["throughput > 50,000/s", /has a comma/, /50k/],
  ["p(95) < 5ms", /k6's spelling/, /p95/],
  ["P95 < 5ms", /lower case/, /p95/],
  ["p75 < 5ms", /not a recorded percentile/, /p50, p90, p95, p99, p99.9/],
  ["p99.99 < 5ms", /not a recorded percentile/, /p99.9/],
  ["avg < 5ms", /"avg" is k6's spelling of pipebench's mean/, /write mean < 5ms/],
  ["latency < 5ms", /not a metric pipebench records/, /p95/],
  ["throughtput > 5k/s", /not a metric pipebench knows/, /did you mean throughput\?/],
  ["cache_hit_ration > 99%", /not a metric pipebench knows/, /did you mean cache_hit_ratio\?/],
  ["pg.cach_hit_ratio > 99%", /not a metric pipebench knows/, /did you mean pg.cache_hit_ratio\?/],
  // `pg.p95` parses as a latency observed under the name pg; the suite loader, which knows the
  // target names, rejects it when pg is a target (test/suite/load-suite.test.ts). A qualifier that
  // cannot name an observed latency is rejected here.
  ["pg-main.p95 < 5ms", /only probe metrics take a target name/, /write p95/],
  ["host.p95 < 5ms", /only probe metrics take a target name/, /write p95/],
  ["service.throughput > 5/s", /qualifies latency metrics only/, /write throughput/],
  ["9lives > 3", /is not a metric/, /metrics are/],
  // Observed latencies and integrity counts.
  ["end_to_end.p99 < 50%", /end_to_end.p99 is a duration; "%" does not fit it/, /end_to_end.p99 < 50ms/],
  ["freshness.p95 < 2", /needs a unit/, /"freshness.p95 < 2ms"/],
  ["end_to_end.p75 < 5ms", /not a recorded percentile/, /p50, p90, p95, p99, p99.9/],
  ["end_to_end.avg < 5ms", /not a metric pipebench records/, /did you mean end_to_end.mean\?/],
  ["end_to_end.latency < 5ms", /not a metric pipebench records/, /did you mean end_to_end.p95\?/],
  ["End_to_end.p99 < 5ms", /lower case/, /write end_to_end.p99/],
  ["end_to_edn.p99 < 50ms", /"end_to_edn" is not an observed latency pipebench knows/, /did you mean end_to_end.p99\?/],
  ["freshnes.p95 < 2s", /not an observed latency pipebench knows/, /did you mean freshness.p95\?/],
  ["end_to_end.lost == 0", /lost is a scenario metric; only probe metrics take a target name/, /write lost/],
  ["service.lost == 0", /qualifies latency metrics only/, /write lost/],
  ["client_wait.throughput > 5/s", /"client_wait\." qualifies latency metrics only/, /write throughput/],
  ["lost == 0ms", /lost is a count; "ms" does not fit it/, /"lost == 0"/],
  ["lost < 5/s", /a count, not a rate/, /"lost < 5"/],
  ["lots == 0", /not a metric pipebench knows/, /did you mean lost\?/],
  ["duplicates == 0", /not a metric pipebench knows/, /did you mean duplicated\?/],
  ["out_of_ordr == 0", /not a metric pipebench knows/, /did you mean out_of_order\?/],
  // k6's thresholds, told in pipebench's names and units (k6's durations are unitless milliseconds).
  ["http_req_duration p(95)<500", /k6's syntax: p\(95\) of http_req_duration is pipebench's p95; k6's durations are milliseconds/, /^write p95 < 500ms$/],
  ["http_req_duration: p(99.9) < 1500", /k6's syntax/, /^write p99.9 < 1500ms$/],
  ["http_req_duration avg<200", /avg of http_req_duration is pipebench's mean/, /^write mean < 200ms$/],
  ["http_req_duration max<2000", /k6's syntax/, /^write max < 2000ms$/],
  ["p(95)<500", /"p\(95\)" is k6's spelling of pipebench's p95; k6's durations are milliseconds/, /^write p95 < 500ms$/],
  ["p(97)<500", /k6's spelling/, /pipebench records min, mean, p50, p90, p95, p99, p99.9, max/],
  ["http_req_failed rate<0.01", /rate of http_req_failed is pipebench's error_rate; k6's rate is a fraction/, /^write error_rate < 1%$/],
  ["http_reqs rate>100", /rate of http_reqs is pipebench's ops/, /^write ops > 100\/s$/],
  ["http_reqs count>=1000", /count of http_reqs is pipebench's ops_total/, /^write ops_total >= 1000$/],
  ["iterations rate>50", /k6's syntax/, /^write ops > 50\/s$/],
  ["dropped_iterations count<1", /count of dropped_iterations is pipebench's dropped/, /^write dropped < 1$/],
  // Not k6's in any way pipebench can translate: the operator is there, after a second word.
  ["checks rate>0.99", /the operator is missing/, /^write one metric, an operator and a value, e.g. "p95 < 5ms" \("checks" is followed by a second word\)$/],
] as const;

describe("parseThreshold: invalid expressions", () => {
  for (const [expr, message, fix] of invalid) {
    test(expr === "" ? "(empty)" : expr, () => {
      assert.throws(
        () => parseThreshold(expr),
        (error: unknown) => {
          assert.ok(error instanceof ThresholdSyntaxError, `not a ThresholdSyntaxError: ${String(error)}`);
          assert.match(error.message, message);
          assert.match(error.fix, fix);
          return true;
        },
      );
    });
  }
});

test("the error points at the offending part of the expression", () => {
  try {
    parseThreshold("p95 < 50%");
    assert.fail("expected an error");
  } catch (error) {
    assert.ok(error instanceof ThresholdSyntaxError);
    assert.equal(error.offset, 6);
    assert.equal(error.expr, "p95 < 50%");
  }
});
