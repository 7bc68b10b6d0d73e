import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hostFingerprint } from "../../src/probes/host-info.js";
import { hostProbe, parseLoadavg, parseMeminfo, parseProcStat, summarizeHost } from "../../src/probes/host.js";

describe("host probe", () => {
  it("reads sane CPU, memory and load values from this machine", async () => {
    const probe = hostProbe({ everyMs: 250 });
    assert.equal(probe.kind, "host");
    assert.equal(probe.sampleEveryMs, 250);
    const before = await probe.read();
    // Burn some CPU so the interval has ticks in it (a tick is 10 ms on Linux).
    const until = Date.now() + 120;
    while (Date.now() < until) Math.sqrt(Math.random());
    const after = await probe.read();
    const { metrics, details } = probe.summarize(before, after);

    assert.ok(metrics.cpu_usage !== undefined && metrics.cpu_usage > 0 && metrics.cpu_usage <= 1, `cpu_usage ${metrics.cpu_usage}`);
    const modes = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"];
    const sum = modes.reduce((acc, m) => acc + (metrics[`cpu_${m}`] ?? NaN), 0);
    assert.ok(Math.abs(sum - 1) < 1e-9, `per-mode fractions sum to ${sum}`);
    assert.ok(metrics.memory_usage !== undefined && metrics.memory_usage > 0 && metrics.memory_usage < 1);
    assert.ok((metrics.memory_total_bytes ?? 0) > 100 * 2 ** 20);
    assert.ok((metrics.memory_used_bytes ?? 0) > 0);
    assert.ok((metrics.load1 ?? -1) >= 0);
    assert.ok(typeof details === "object" && details !== null && !Array.isArray(details));
    assert.ok(typeof details.cores === "number" && details.cores >= 1);
    assert.equal(typeof details.model, "string");
  });

  it("computes CPU use from /proc/stat deltas", () => {
    const stat = (user: number, system: number, idle: number, iowait: number, steal: number) =>
      parseProcStat(`cpu  ${user} 0 ${system} ${idle} ${iowait} 0 0 ${steal} 0 0\ncpu0 1 2 3\n`);
    const mem = parseMeminfo("MemTotal:       1000 kB\nMemFree:         100 kB\nMemAvailable:    250 kB\n");
    const before = { at: 0, values: { ...stat(100, 50, 800, 50, 0), ...mem, ...parseLoadavg("0.5 0.4 0.3 1/97 5772") } };
    const after = { at: 1000, values: { ...stat(160, 70, 810, 60, 0), ...mem, ...parseLoadavg("1.5 0.9 0.3 2/97 5773") } };
    const { metrics, notes } = summarizeHost(before, after, { cores: 2, model: "test" });
    // 100 ticks: 60 user + 20 system busy, 10 idle + 10 iowait not.
    assert.equal(metrics.cpu_usage, 0.8);
    assert.equal(metrics.cpu_user, 0.6);
    assert.equal(metrics.cpu_iowait, 0.1);
    assert.equal(metrics.memory_total_bytes, 1000 * 1024);
    assert.equal(metrics.memory_used_bytes, 750 * 1024);
    assert.equal(metrics.memory_usage, 0.75);
    assert.equal(metrics.load1, 1.5);
    assert.equal(metrics.load1_per_core, 0.75);
    assert.deepEqual(notes, []);
  });

  it("notes steal time and intervals too short to count", () => {
    const values = (steal: number, idle: number) => parseProcStat(`cpu  10 0 10 ${idle} 0 0 0 ${steal}\n`);
    const stolen = summarizeHost({ at: 0, values: values(0, 0) }, { at: 1, values: values(20, 80) }, { cores: 1, model: "x" });
    assert.match(stolen.notes.join("\n"), /steal/);
    const same = summarizeHost({ at: 0, values: values(0, 0) }, { at: 1, values: values(0, 0) }, { cores: 1, model: "x" });
    assert.equal(same.metrics.cpu_usage, 0);
    assert.match(same.notes.join("\n"), /too short/);
  });
});

describe("host fingerprint", () => {
  it("describes this machine", () => {
    const fp = hostFingerprint();
    assert.ok(fp.cores >= 1);
    assert.ok(fp.memoryBytes > 0);
    assert.ok(fp.cpuModel.length > 0);
    assert.match(fp.node, /^v\d+\./);
    assert.ok(fp.kernel.length > 0 && fp.os.length > 0 && fp.hostname.length > 0);
  });
});
