import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { build, decodeFromCompressedBase64 } from "hdr-histogram-js";
import {
  decodeHistogram,
  HISTOGRAM_HIGHEST_US,
  LatencyHistogram,
  mergeHistograms,
} from "../../src/metrics/histogram.js";

/** Deterministic pseudo-random values with a long tail, like latencies (µs). */
function latencies(n: number, seed: number): number[] {
  let x = seed;
  const next = (): number => {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    return x / 2_147_483_648;
  };
  return Array.from({ length: n }, () => {
    const r = next();
    return Math.floor(r < 0.9 ? 50 + next() * 2_000 : r < 0.99 ? 2_000 + next() * 200_000 : 200_000 + next() * 3.5e9);
  });
}

function reference(values: readonly number[]) {
  const h = build({ lowestDiscernibleValue: 1, highestTrackableValue: HISTOGRAM_HIGHEST_US, numberOfSignificantValueDigits: 3 });
  for (const v of values) h.recordValue(v);
  return h;
}

describe("LatencyHistogram", () => {
  test("agrees with hdr-histogram-js on every percentile, min, max, mean and stddev", () => {
    for (const seed of [1, 2, 3]) {
      const values = latencies(20_000, seed);
      const ours = new LatencyHistogram();
      for (const v of values) ours.record(v);
      const ref = reference(values);
      for (const p of [0.1, 1, 25, 50, 90, 95, 99, 99.9, 99.99, 100]) {
        assert.equal(ours.valueAtPercentile(p), ref.getValueAtPercentile(p), `seed ${seed} p${p}`);
      }
      const s = ours.summary();
      assert.equal(s.count, values.length);
      assert.equal(s.min, ref.getValueAtPercentile(0) / 1000, "min is the lowest value of its bucket");
      assert.equal(s.max, ref.getValueAtPercentile(100) / 1000);
      assert.ok(Math.abs(s.mean - ref.mean / 1000) <= 0.001, `mean ${s.mean} vs ${ref.mean / 1000}`);
      assert.ok(Math.abs(s.stddev - ref.stdDeviation / 1000) <= 0.001, `stddev ${s.stddev} vs ${ref.stdDeviation / 1000}`);
    }
  });

  test("keeps 3 significant digits across the range: values come back within 0.1%", () => {
    for (const v of [1, 999, 2_047, 2_048, 12_345, 1_000_000, 59_999_999, 3_599_999_999]) {
      const h = new LatencyHistogram();
      h.record(v);
      const back = h.valueAtPercentile(50);
      assert.ok(back >= v && back <= v * 1.001 + 1, `${v} → ${back}`);
    }
  });

  test("summary is in milliseconds", () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 1000; i++) h.record(i * 1000); // 1 ms … 1000 ms
    const s = h.summary();
    assert.equal(s.count, 1000);
    assert.equal(s.min, 1);
    assert.ok(Math.abs(s.p50 - 500) <= 0.5, `p50 ${s.p50}`);
    assert.ok(Math.abs(s.p99 - 990) <= 1, `p99 ${s.p99}`);
    assert.ok(Math.abs(s.p999 - 999) <= 1, `p999 ${s.p999}`);
    assert.ok(Math.abs(s.max - 1000) <= 1, `max ${s.max}`);
    assert.ok(Math.abs(s.mean - 500.5) <= 0.5, `mean ${s.mean}`);
  });

  test("clamps values above one hour and counts them, instead of throwing", () => {
    const h = new LatencyHistogram();
    h.record(HISTOGRAM_HIGHEST_US * 10);
    h.record(Number.POSITIVE_INFINITY);
    h.record(5);
    assert.equal(h.count, 3);
    assert.equal(h.clamped, 2);
    assert.ok(h.summary().max >= 3_600_000 && h.summary().max <= 3_600_000 * 1.001);
  });

  test("records negative, NaN and sub-microsecond values as 0", () => {
    const h = new LatencyHistogram();
    for (const v of [-5, Number.NaN, 0.4]) h.record(v);
    assert.deepEqual([h.count, h.clamped, h.valueAtPercentile(100)], [3, 0, 0]);
  });

  test("an empty histogram summarises to zeros", () => {
    assert.deepEqual(new LatencyHistogram().summary(), {
      count: 0, min: 0, mean: 0, stddev: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0,
    });
  });

  test("merging equals recording everything into one", () => {
    const a = latencies(5_000, 7);
    const b = latencies(5_000, 8);
    const ha = new LatencyHistogram();
    const hb = new LatencyHistogram();
    const all = new LatencyHistogram();
    for (const v of a) (ha.record(v), all.record(v));
    for (const v of b) (hb.record(v), all.record(v));
    assert.deepEqual(mergeHistograms([ha, hb]).summary(), all.summary());
    ha.add(hb);
    assert.deepEqual(ha.summary(), all.summary());
  });

  test("reset empties it for reuse", () => {
    const h = new LatencyHistogram();
    for (const v of latencies(1_000, 9)) h.record(v);
    h.reset();
    assert.equal(h.count, 0);
    h.record(1_500);
    assert.deepEqual([h.summary().min, h.summary().max], [1.5, 1.5]);
  });
});

describe("histogram encoding", () => {
  test("round-trips: the decoded histogram summarises identically", () => {
    const h = new LatencyHistogram();
    for (const v of latencies(10_000, 4)) h.record(v);
    const encoded = h.encode();
    assert.match(encoded, /^HISTFAAA/);
    assert.deepEqual(decodeHistogram(encoded).summary(), h.summary());
  });

  test("is the standard HdrHistogram format that other tools read", () => {
    const values = latencies(3_000, 5);
    const h = new LatencyHistogram();
    for (const v of values) h.record(v);
    const theirs = decodeFromCompressedBase64(h.encode());
    const ref = reference(values);
    assert.equal(theirs.totalCount, values.length);
    for (const p of [50, 99, 99.9]) assert.equal(theirs.getValueAtPercentile(p), ref.getValueAtPercentile(p));
  });

  test("reads histograms written by hdr-histogram-js, other precisions re-bucketed", () => {
    const two = build({ numberOfSignificantValueDigits: 2 });
    for (const v of [100, 200, 300_000]) two.recordValue(v);
    const decoded = decodeHistogram(
      (two as unknown as { encodeIntoCompressedBase64(): string }).encodeIntoCompressedBase64(),
    );
    assert.equal(decoded.count, 3);
    assert.ok(Math.abs(decoded.valueAtPercentile(100) - 300_000) <= 300_000 * 0.01);
  });

  test("an empty histogram encodes and decodes", () => {
    assert.equal(decodeHistogram(new LatencyHistogram().encode()).count, 0);
  });

  test("rejects text that is not an encoded histogram", () => {
    assert.throws(() => decodeHistogram("not a histogram"), /not an encoded HdrHistogram/);
  });
});
