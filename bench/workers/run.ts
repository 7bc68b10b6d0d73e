// bench/workers: `run --workers 2` against one process on bench/http's `max` scenario (a closed loop
// of 10 in flight, GET / on a server doing as little as Node allows). Rounds alternate the two so
// the machine's drift hits both; medians of req/s, the ratio, and the CPU the server and the
// generators used (what limits it on a 2-core machine where all of them share the cores).
//
//   npx tsx bench/workers/run.ts [--rounds 3] [--duration 5s]
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { median } from "../stats.js";

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const rounds = Number(arg("rounds", "3"));
const duration = arg("duration", "5s");
const dir = mkdtempSync(join(tmpdir(), "pipebench-bench-workers-"));

/** utime + stime of a process, in seconds (/proc/<pid>/stat fields 14 and 15). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const server = spawn(process.execPath, ["--import", "tsx", "bench/http/server.ts"], { stdio: ["ignore", "pipe", "inherit"] });
const port = await new Promise<number>((resolve) => server.stdout.once("data", (d: Buffer) => resolve(Number(String(d).trim()))));
const env = { ...process.env, PIPEBENCH_BENCH_HTTP_URL: `http://127.0.0.1:${port}`, NO_COLOR: "1" };

interface Row { workers: number; reqPerSec: number; p99Ms: number; serverCpu: number; generatorCpu: number; valid: boolean }
const rows: Row[] = [];
try {
  for (let round = 0; round < rounds; round++) {
    for (const workers of round % 2 === 0 ? [1, 2] : [2, 1]) {
      const store = join(dir, `r${round}-${workers}.db`);
      const before = cpuSeconds(server.pid ?? -1);
      const started = Date.now();
      const r = spawnSync(
        process.execPath,
        ["bin/pipebench.js", "run", "bench/http/suite.yaml", "--duration", duration, "--format", "json", "--allow-invalid", "--store", store, ...(workers > 1 ? ["--workers", String(workers)] : [])],
        { env, encoding: "utf8", maxBuffer: 64 << 20 },
      );
      const wallS = (Date.now() - started) / 1000;
      if (r.status !== 0) throw new Error(`pipebench exited ${r.status}: ${r.stderr}`);
      const run = JSON.parse(r.stdout) as { scenarioResults: { result: { opsPerSec: number; durationS: number; latency: { p99: number }; generator: { cpuPercent: number }; segments?: unknown[]; validity?: { valid: boolean } } }[] };
      const result = run.scenarioResults[0]?.result;
      if (result === undefined) throw new Error("no result");
      rows.push({
        workers,
        reqPerSec: result.opsPerSec,
        p99Ms: result.latency.p99,
        // Over the whole pipebench invocation (start-up included): an upper bound of the measured interval's share.
        serverCpu: ((cpuSeconds(server.pid ?? -1) - before) / wallS) * 100,
        generatorCpu: result.generator.cpuPercent,
        valid: result.validity?.valid !== false,
      });
      const last = rows[rows.length - 1]!;
      console.log(`round ${round + 1} · ${workers} worker(s): ${Math.round(last.reqPerSec).toLocaleString("en")} req/s · p99 ${last.p99Ms.toFixed(2)} ms · server CPU ${last.serverCpu.toFixed(0)} % of a core (whole invocation) · busiest generator ${last.generatorCpu.toFixed(0)} %${last.valid ? "" : " · INVALID"}`);
    }
  }
} finally {
  server.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
}
const of = (w: number, f: (r: Row) => number): number => median(rows.filter((r) => r.workers === w).map(f));
const one = of(1, (r) => r.reqPerSec);
const two = of(2, (r) => r.reqPerSec);
console.log(`\nmedians of ${rounds} rounds, ${duration} each: 1 worker ${Math.round(one).toLocaleString("en")} req/s · 2 workers ${Math.round(two).toLocaleString("en")} req/s · ratio ${(two / one).toFixed(2)}`);
console.log(`server CPU (median): 1 worker ${of(1, (r) => r.serverCpu).toFixed(0)} % · 2 workers ${of(2, (r) => r.serverCpu).toFixed(0)} % of a core; busiest generator: ${of(1, (r) => r.generatorCpu).toFixed(0)} % vs ${of(2, (r) => r.generatorCpu).toFixed(0)} %`);
console.log(`machine: ${spawnSync("nproc").stdout} cores, load ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`);
