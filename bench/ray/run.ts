// bench/ray: seed 000's two Ray scripts (Day 6 Task 3, bench/ray/seed/, copied verbatim) beside
// pipebench's ray-baseline closed loop of the same tasks, on the same local Ray head, interleaved.
//   seed script: submitted as a Ray job (the `kubectl exec … python` of the seed: a driver on the
//                head), its own "Throughput: X tasks/sec" line read from the job's log;
//   pipebench:   suites/ray-baseline.yaml with N workers and N iterations (all N tasks in flight at
//                once, as the seed's list comprehension submits them), its throughput and per-task
//                percentiles from --format json; its load agent starts before the measured interval.
// The ratio pipebench ÷ script is the goal (≥ 0.9: the agent costs under 10 %).
// pipebench runs twice per round: as the suite is (the ray-state probe sampling every second) and with
// the probe's sampling off (every 1 h: read before and after only), to show what the probe costs.
// Usage: npx tsx bench/ray/run.ts [--url http://127.0.0.1:PORT] [--rounds 2] [--cpu-sizes 100] [--io-sizes 100,1000]
// (1,000 CPU tasks take ~5 min a side on a busy 2-core machine: --cpu-sizes 100,1000 to run them.)
// Without --url (or RAY_URL) it starts a head with scripts/ray-local and stops it afterwards.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { RayDashboard } from "../../src/drivers/ray/jobs.js";
import { median } from "../stats.js";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    rounds: { type: "string", default: "2" },
    "cpu-sizes": { type: "string", default: "100" },
    "io-sizes": { type: "string", default: "100,1000" },
  },
});
const rounds = Number(values.rounds);
const sizes = (text: string): number[] => text.split(",").map(Number).filter((n) => n > 0);
const sizesOf = { cpu: sizes(values["cpu-sizes"]), io: sizes(values["io-sizes"]) };
const SCRIPT = "scripts/ray-local";

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): { ms: number; stdout: string; stderr: string; status: number | null } {
  const start = performance.now();
  const r = spawnSync(command, args, { env, encoding: "utf8", maxBuffer: 64 << 20 });
  return { ms: performance.now() - start, stdout: r.stdout, stderr: r.stderr, status: r.status };
}

let url = values.url ?? process.env.RAY_URL;
let startedDir: string | undefined;
if (url === undefined) {
  console.log("starting a Ray head with scripts/ray-local …");
  const started = run(SCRIPT, ["start", "--owner-pid", String(process.pid)]);
  const m = /^url=(\S+) dir=(\S+) pid=(\d+)$/m.exec(started.stdout);
  if (!m) throw new Error(`no url line from ${SCRIPT} start: ${started.stderr}`);
  url = m[1]!;
  startedDir = m[2]!;
}
const dashboard = new RayDashboard(url);
const work = mkdtempSync(join(tmpdir(), "pipebench-bench-ray-"));

/** The seed's script with its 100 tasks made N (the text is otherwise the seed's). */
function seedScript(name: "cpu" | "io", n: number, fixAsync: boolean): string {
  let text = readFileSync(`bench/ray/seed/ray-${name}-benchmark.py`, "utf8").replace(/\b100\b/g, String(n));
  if (fixAsync) {
    // Ray 2.60 refuses `@ray.remote async def` for a task; its message asks for asyncio.run.
    text = text.replace(
      "    @ray.remote\n    async def io_intensive(n):\n        await asyncio.sleep(0.1)  # Simulate I/O\n        return n * 2",
      "    async def _io(n):\n        await asyncio.sleep(0.1)  # Simulate I/O\n        return n * 2\n\n    @ray.remote\n    def io_intensive(n):\n        return asyncio.run(_io(n))",
    );
  }
  const path = join(work, `ray-${name}-${n}${fixAsync ? "-fixed" : ""}.py`);
  writeFileSync(path, text);
  return path;
}

/** Runs a script as a Ray job, as `kubectl exec … python` runs it on the head; its log. */
async function runJob(path: string): Promise<{ status: string; logs: string }> {
  const id = await dashboard.submitJob(`python ${resolve(path)}`, { source: "bench-ray" });
  for (;;) {
    const info = await dashboard.job(id);
    if (info.status === "SUCCEEDED" || info.status === "FAILED" || info.status === "STOPPED") return { status: info.status, logs: await dashboard.jobLogs(id) };
    await new Promise((r) => setTimeout(r, 500));
  }
}

interface PbResult {
  throughput: number;
  latency: Record<string, number>;
  ray: Record<string, number>;
  noopUs: number;
  noopRayUs: number;
}

function pipebench(scenario: "ray-cpu" | "ray-io", n: number, sampling: boolean): PbResult {
  const other = scenario === "ray-cpu" ? "ray-io" : "ray-cpu";
  const out = run(
    process.execPath,
    [
      "bin/pipebench.js", "run", "suites/ray-baseline.yaml", "--store", join(work, "results.db"), "--format", "json", "--allow-invalid",
      "--set", `scenarios.${scenario}.load.iterations=${n}`, "--set", `scenarios.${scenario}.load.workers=${n}`,
      // The other scenario: one task, to keep the suite whole.
      "--set", `scenarios.${other}.load.iterations=1`, "--set", `scenarios.${other}.load.workers=1`,
      ...(sampling ? [] : ["--set", "probes.0.every=1h"]),
    ],
    { ...process.env, RAY_URL: url },
  );
  if (out.status !== 0 && out.status !== 1) throw new Error(`pipebench failed (${out.status}): ${out.stderr}`);
  if (out.stdout.trim() === "") throw new Error(`pipebench printed no JSON (exit ${out.status}): ${out.stderr.slice(-3000)}`);
  const results = (JSON.parse(out.stdout) as { scenarioResults: { name: string; result: { throughput: number; latency: Record<string, number>; observed?: { latency: Record<string, number> }; counters?: Record<string, number> } }[] }).scenarioResults;
  const r = results.find((s) => s.name === scenario)?.result;
  if (r === undefined) throw new Error(`no ${scenario} in pipebench's output`);
  return { throughput: r.throughput, latency: r.latency, ray: r.observed?.latency ?? {}, noopUs: r.counters?.agent_noop_round_trip_us ?? 0, noopRayUs: r.counters?.agent_noop_ray_us ?? 0 };
}

function throughputOf(logs: string): number {
  const m = /Throughput: ([\d.]+) tasks\/sec/.exec(logs);
  if (!m) throw new Error(`no Throughput line in the job's log:\n${logs.slice(-2000)}`);
  return Number(m[1]);
}

try {
  const version = await dashboard.version();
  console.log(`Ray ${version} at ${url} · ${rounds} rounds · cpu ${sizesOf.cpu.join(", ")} tasks · io ${sizesOf.io.join(", ")} tasks\n`);
  // The seed's I/O script as written, once: Ray 2.60 refuses it.
  const asWritten = await runJob(seedScript("io", 100, false));
  const refusal = /ValueError: .*/.exec(asWritten.logs)?.[0];
  console.log(`seed's ray-io-benchmark.py as written: job ${asWritten.status}${refusal ? ` (${refusal.slice(0, 120)})` : ""}; below it runs with asyncio.run in the task, as Ray's message asks\n`);
  // Warm the cluster (workers started, numpy imported) so neither side pays for the first start.
  await runJob(seedScript("cpu", 4, false));

  const rows: string[] = [];
  for (const kind of ["cpu", "io"] as const) {
    for (const n of sizesOf[kind]) {
      const script: number[] = [];
      const pb: PbResult[] = [];
      const quiet: PbResult[] = [];
      for (let round = 1; round <= rounds; round++) {
        const job = await runJob(seedScript(kind, n, kind === "io"));
        if (job.status !== "SUCCEEDED") throw new Error(`seed ${kind} script ${job.status}:\n${job.logs.slice(-2000)}`);
        script.push(throughputOf(job.logs));
        const scenario = kind === "cpu" ? "ray-cpu" : "ray-io";
        pb.push(pipebench(scenario, n, true));
        quiet.push(pipebench(scenario, n, false));
        const last = pb.at(-1)!;
        console.log(
          `${kind} × ${n} round ${round}: seed script ${script.at(-1)!.toFixed(2)} tasks/s · pipebench ${last.throughput.toFixed(2)} tasks/s ` +
            `(p50 ${ms(last.latency.p50)}, p99 ${ms(last.latency.p99)}; Ray's share p50 ${ms(last.ray.p50)}) · without the probe's sampling ${quiet.at(-1)!.throughput.toFixed(2)} tasks/s`,
        );
      }
      const s = median(script);
      const p = median(pb.map((x) => x.throughput));
      const q = median(quiet.map((x) => x.throughput));
      const pick = (f: (x: PbResult) => number | undefined): number => median(pb.map((x) => f(x) ?? Number.NaN));
      rows.push(
        `| ${kind} | ${n} | ${s.toFixed(2)} | ${p.toFixed(2)} | **${(p / s).toFixed(2)}** | ${q.toFixed(2)} | **${(q / s).toFixed(2)}** | ${ms(pick((x) => x.latency.p50))} | ${ms(pick((x) => x.latency.p95))} | ${ms(pick((x) => x.latency.p99))} | ${ms(pick((x) => x.latency.max))} | ${ms(pick((x) => x.latency.p50) - pick((x) => x.ray.p50))} |`,
      );
      console.log(`  → ${kind} × ${n}: seed ${s.toFixed(2)} tasks/s, pipebench ${p.toFixed(2)} (ratio ${(p / s).toFixed(2)}), without sampling ${q.toFixed(2)} (ratio ${(q / s).toFixed(2)}); goal ≥ 0.9\n`);
    }
  }
  const noop = pipebench("ray-io", 1, false);
  console.log(`the agent's no-op round trip at connect: ${(noop.noopUs / 1000).toFixed(2)} ms, of which Ray ${(noop.noopRayUs / 1000).toFixed(2)} ms\n`);
  console.log("| kind | tasks | seed script tasks/s | pipebench tasks/s | ratio | pipebench, probe not sampling | ratio | p50 | p95 | p99 | max | p50 − Ray's p50 (agent) |");
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const r of rows) console.log(r);
} finally {
  rmSync(work, { recursive: true, force: true });
  if (startedDir !== undefined) run(SCRIPT, ["stop", startedDir]);
}

function ms(x: number | undefined): string {
  if (x === undefined || Number.isNaN(x)) return "–";
  return x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(x < 10 ? 1 : 0)} ms`;
}
