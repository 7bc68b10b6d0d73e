// What one live-metrics push costs pipebench (`run --prometheus-rw`), on the engine's event loop:
// re-bucketing the HDR latency histogram as a native and a classic Prometheus histogram, building
// the scenario's series, encoding the WriteRequest (protobufjs) and compressing it (snappy). The
// histogram: 1 million log-normal latencies, median 5 ms, σ 0.8 (wide: ~7,300 occupied HDR buckets).
// Run: npx tsx bench/remote-write/run.ts
import { compressSync } from "snappy";
import { LatencyHistogram } from "../../src/metrics/histogram.js";
import { classicBuckets, DEFAULT_BUCKETS_S, nativeBuckets } from "../../src/metrics-out/histogram-export.js";
import { timeSeries } from "../../src/metrics-out/live-output.js";
import { encodeWriteRequest } from "../../src/metrics-out/prompb.js";

const h = new LatencyHistogram();
let seed = 1;
const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
for (let i = 0; i < 1_000_000; i++) {
  const z = Math.sqrt(-2 * Math.log(random())) * Math.cos(2 * Math.PI * random());
  h.record(Math.exp(Math.log(5000) + 0.8 * z));
}

function median(name: string, f: () => unknown): void {
  const times: number[] = [];
  for (let k = 0; k < 101; k++) {
    const t0 = process.hrtime.bigint();
    f();
    times.push(Number(process.hrtime.bigint() - t0) / 1e3);
  }
  times.sort((a, b) => a - b);
  console.log(`${name.padEnd(34)} median ${times[50]!.toFixed(0).padStart(5)} µs   p90 ${times[90]!.toFixed(0).padStart(5)} µs`);
}

let occupied = 0;
h.forEachBucket(() => occupied++);
const native = nativeBuckets(h);
console.log(`${occupied} occupied HDR buckets → ${native.deltas.length} native buckets (schema 5) in ${native.spans.length} spans`);
const snapshot = { ops: 1e6, errorsByClass: [["HTTP_503", 20]] as [string, number][], records: 1e6, dropped: [], inFlight: 12, latency: h };
const labels = { run_id: "1", suite: "bench", scenario: "wide" };
const series = (): ReturnType<typeof timeSeries> => timeSeries(labels, DEFAULT_BUCKETS_S, { ...snapshot, errorsByClass: snapshot.errorsByClass.values() }, Date.now());
const body = Buffer.from(encodeWriteRequest(series()));
console.log(`one push: ${series().length} series, ${body.length} B protobuf, ${compressSync(body).length} B snappy`);
median("native buckets", () => nativeBuckets(h));
median("classic buckets (13 bounds)", () => classicBuckets(h, DEFAULT_BUCKETS_S));
median("all series of a push", series);
median("encode (protobufjs)", () => encodeWriteRequest(series()));
median("compress (snappy)", () => compressSync(body));
median("counts only (no histograms)", () => timeSeries(labels, DEFAULT_BUCKETS_S, { ...snapshot, errorsByClass: snapshot.errorsByClass.values(), latency: undefined }, Date.now()));
