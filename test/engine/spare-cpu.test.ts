// What "a core to spare" means for the clock's busy-wait: idle CPUs it may run on, and its cgroup's
// CPU quota (v2 and v1, on the cgroup or a parent), read from fake /proc and /sys trees.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { after, test } from "node:test";
import { createRealClock } from "../../src/engine/clock.js";
import { cpuQuotas, parseCpuList, SpareCpuMeter, spareCores } from "../../src/engine/spare-cpu.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-spare-cpu-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let trees = 0;

/** A fake filesystem root holding `files` (path → content). */
function tree(files: Record<string, string>): string {
  const root = join(dir, String(trees++));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

/** Two CPUs, idle all the time: the host always has both to spare. */
const idleHost = (): number[] => [performance.now(), performance.now()];

test("spare cores: idle time plus what the spin used, per ms", () => {
  // 2 cores over 500 ms: 1,000 ms of CPU in all.
  assert.equal(spareCores(900, 0, 500), 1.8); // a quiet host
  assert.equal(spareCores(40, 0, 500), 0.08); // the target busy on both cores
  assert.equal(spareCores(300, 250_000, 500), 1.1); // 0.6 idle + the 0.5 core the spin used
  assert.ok(spareCores(200, 100_000, 500) < 1); // 0.4 idle + 0.2 spinning: spinning takes from others
  assert.equal(spareCores(100, 0, 0), 0);
});

test("cpuset lists parse as the kernel writes them, and anything else is no answer", () => {
  assert.deepEqual([...(parseCpuList("0-3,8,10-11\n") ?? [])], [0, 1, 2, 3, 8, 10, 11]);
  assert.deepEqual([...(parseCpuList("1") ?? [])], [1]);
  assert.equal(parseCpuList(""), undefined);
  assert.equal(parseCpuList("0-1,x"), undefined);
});

/** The quotas found under `root`, as cores, each with its usage (µs) now. */
function quotasAt(root: string): [number, number | undefined][] {
  return cpuQuotas(root).map((q) => [q.cores, q.usageMicros()]);
}

test("cgroup v2 quotas: a container's own cpu.max, and every parent's", () => {
  const container = tree({
    "proc/self/cgroup": "0::/\n",
    "sys/fs/cgroup/cpu.max": "200000 100000\n",
    "sys/fs/cgroup/cpu.stat": "usage_usec 5000\nuser_usec 4000\n",
  });
  assert.deepEqual(quotasAt(container), [[2, 5000]]);

  const pod = tree({
    "proc/self/cgroup": "0::/kubepods/pod1/app\n",
    "sys/fs/cgroup/kubepods/pod1/app/cpu.max": "max 100000\n",
    "sys/fs/cgroup/kubepods/pod1/app/cpu.stat": "usage_usec 1\n",
    "sys/fs/cgroup/kubepods/pod1/cpu.max": "150000 100000\n",
    "sys/fs/cgroup/kubepods/pod1/cpu.stat": "usage_usec 777\n",
    "sys/fs/cgroup/kubepods/cpu.max": "800000 100000\n",
  });
  assert.deepEqual(quotasAt(pod), [[1.5, 777], [8, undefined]], "each with its own cgroup's usage");

  // systemd's hybrid layout: v1 controllers, v2 beside them at /sys/fs/cgroup/unified.
  const hybrid = tree({
    "proc/self/cgroup": "1:cpu:/\n0::/user.slice/job:1.scope\n",
    "sys/fs/cgroup/unified/user.slice/job:1.scope/cpu.max": "100000 100000\n",
    "sys/fs/cgroup/unified/user.slice/job:1.scope/cpu.stat": "usage_usec 42\n",
  });
  assert.deepEqual(quotasAt(hybrid), [[1, 42]], "a path with a colon in it");

  // A cgroup outside this namespace's root ("..") is not ours to walk: only the mount's root.
  const outside = tree({ "proc/self/cgroup": "0::/../other\n", "sys/fs/cgroup/other/cpu.max": "10000 100000\n" });
  assert.deepEqual(quotasAt(outside), []);

  assert.deepEqual(quotasAt(tree({ "proc/self/cgroup": "0::/\n", "sys/fs/cgroup/cpu.max": "max 100000\n" })), []);
  assert.deepEqual(quotasAt(tree({})), [], "no /proc, no cgroup fs: no quota");
});

test("cgroup v1 quotas: cfs_quota_us over cfs_period_us, usage from the same cgroup's cpuacct", () => {
  const split = tree({
    "proc/self/cgroup": "2:cpuacct:/\n1:cpu:/\n0::/\n",
    "sys/fs/cgroup/cpu/cpu.cfs_quota_us": "50000\n",
    "sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000\n",
    "sys/fs/cgroup/cpuacct/cpuacct.usage": "7000000\n",
  });
  assert.deepEqual(quotasAt(split), [[0.5, 7000]]);

  // Docker without a cgroup namespace: the path names the host's cgroup, the mount is the container's.
  const joined = tree({
    "proc/self/cgroup": "4:cpu,cpuacct:/docker/abc123\n",
    "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us": "300000\n",
    "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us": "100000\n",
    "sys/fs/cgroup/cpu,cpuacct/cpuacct.usage": "2000\n",
  });
  assert.deepEqual(quotasAt(joined), [[3, 2]]);

  // cpu and cpuacct in different cgroups: the usage would be another cgroup's, so none is read.
  const apart = tree({
    "proc/self/cgroup": "2:cpuacct:/\n1:cpu:/a\n",
    "sys/fs/cgroup/cpu/cpu.cfs_quota_us": "-1\n",
    "sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000\n",
    "sys/fs/cgroup/cpu/a/cpu.cfs_quota_us": "50000\n",
    "sys/fs/cgroup/cpu/a/cpu.cfs_period_us": "100000\n",
    "sys/fs/cgroup/cpuacct/cpuacct.usage": "999999999\n",
  });
  assert.deepEqual(quotasAt(apart), [[0.5, undefined]]);

  const none = { "proc/self/cgroup": "1:cpu:/\n", "sys/fs/cgroup/cpu/cpu.cfs_quota_us": "-1\n", "sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000\n" };
  assert.deepEqual(quotasAt(tree(none)), []);
});

test("the meter answers the tighter of the idle CPUs it may run on and the quota left", () => {
  const files = (usage: number): Record<string, string> => ({
    "proc/self/cgroup": "0::/\n",
    "proc/self/status": "Name:\tnode\nCpus_allowed_list:\t0-1\n",
    "sys/fs/cgroup/cpu.max": "300000 100000\n",
    "sys/fs/cgroup/cpu.stat": `usage_usec ${usage}\n`,
  });
  const root = tree(files(0));
  let idle = [0, 0];
  const meter = new SpareCpuMeter(root, () => idle);
  assert.equal(meter.quotaCores, 3);
  assert.equal(meter.read(0, 0), 3, "the first reading only starts the interval: the quota bounds it");

  // Both CPUs idle for 500 ms, the cgroup used 2.5 of its 3 cores (elsewhere): 0.5 to spare.
  idle = [500, 500];
  writeFileSync(join(root, "sys/fs/cgroup/cpu.stat"), "usage_usec 1250000\n");
  assert.equal(meter.read(500, 0), 0.5);

  // The cgroup used nothing, one CPU was busy: 1 to spare, from the host.
  idle = [1000, 500];
  assert.equal(meter.read(1000, 0), 1);

  // Only CPU 1 allowed (taskset): CPU 0's idle time is no use.
  const pinned = tree({ "proc/self/status": "Cpus_allowed_list:\t1\n" });
  let idle2 = [0, 0];
  const single = new SpareCpuMeter(pinned, () => idle2);
  single.read(0, 0);
  idle2 = [500, 100];
  assert.equal(single.read(500, 0), 0.2);
  assert.equal(single.quotaCores, undefined);
});

test("a parent's quota counts what its other children use: the room left, not the size, decides", () => {
  // Our cgroup may use 1.5 cores and uses none; the pod around it allows 2, and a sidecar uses 1.8.
  const root = tree({
    "proc/self/cgroup": "0::/pod/app\n",
    "sys/fs/cgroup/pod/app/cpu.max": "150000 100000\n",
    "sys/fs/cgroup/pod/app/cpu.stat": "usage_usec 0\n",
    "sys/fs/cgroup/pod/cpu.max": "200000 100000\n",
    "sys/fs/cgroup/pod/cpu.stat": "usage_usec 0\n",
  });
  let idle = [0, 0];
  const meter = new SpareCpuMeter(root, () => idle);
  assert.equal(meter.read(0, 0), 1.5);
  idle = [500, 500];
  writeFileSync(join(root, "sys/fs/cgroup/pod/cpu.stat"), "usage_usec 900000\n");
  assert.ok(Math.abs(meter.read(500, 0) - 0.2) < 1e-9);
});

test("the clock stops spinning once its container's quota leaves less than a core", async () => {
  const sleeps = async (clock: ReturnType<typeof createRealClock>): Promise<void> => {
    for (let i = 0; i < 20; i++) await clock.sleep(1.5);
  };
  // Half a core of quota on an idle host: no spin at all.
  const half = tree({ "proc/self/cgroup": "0::/\n", "sys/fs/cgroup/cpu.max": "50000 100000\n", "sys/fs/cgroup/cpu.stat": "usage_usec 0\n" });
  const limited = createRealClock("spare-core", new SpareCpuMeter(half, idleHost));
  await limited.sleep(1.5);
  await new Promise((resolve) => setTimeout(resolve, 600));
  const before = limited.spinCpuMicros?.() ?? 0;
  await sleeps(limited);
  assert.equal(limited.spinCpuMicros?.(), before);
  assert.equal(before, 0, "not even before the first interval");

  // Four cores of quota on the same idle host: it keeps spinning.
  const four = tree({ "proc/self/cgroup": "0::/\n", "sys/fs/cgroup/cpu.max": "400000 100000\n", "sys/fs/cgroup/cpu.stat": "usage_usec 0\n" });
  const roomy = createRealClock("spare-core", new SpareCpuMeter(four, idleHost));
  await roomy.sleep(1.5);
  await new Promise((resolve) => setTimeout(resolve, 600));
  const start = roomy.spinCpuMicros?.() ?? 0;
  await sleeps(roomy);
  assert.ok((roomy.spinCpuMicros?.() ?? 0) > start, "spun with cores to spare");
});
