// The prometheus probe's summary when its server stops answering mid-run: the note says Prometheus
// gave no answer, not that the query matched no series (which sends a person to check the labels).
// The port is a real closed one; the probe against a live Prometheus is in server-metrics.test.ts.
import assert from "node:assert/strict";
import { test } from "node:test";
import { freePort } from "../../src/drivers/free-port.js";
import { prometheusProbe } from "../../src/probes/prometheus.js";

test("samples Prometheus did not answer are counted in a note naming the server and the error", async () => {
  const url = `http://127.0.0.1:${await freePort()}`;
  const probe = prometheusProbe({ url, queries: { cpu: "rate(process_cpu_seconds_total[1m])" }, source: { file: "suite.yaml", index: 0 } });
  const before = await probe.read();
  await probe.read();
  const after = await probe.read();
  const reading = probe.summarize(before, after);
  assert.deepEqual(reading.metrics, {});
  assert.equal(reading.notes.length, 1, "no 'check its labels' beside it: Prometheus never answered");
  const notes = reading.notes.join("\n");
  assert.match(notes, new RegExp(`query cpu: Prometheus at ${url.replaceAll(".", "\\.")} gave no answer in 3 of 3 samples \\(last: unreachable: ECONNREFUSED\\)`));
});
