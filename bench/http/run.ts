// bench/http: requests/s of pipebench's `max` executor, autocannon (npm) and wrk (Debian) against
// the same local HTTP server, in one run: the server in its own process, the clients one after
// another in rotating order, several rounds; medians and ratios printed.
// Usage: npx tsx bench/http/run.ts [--rounds 3] [--duration 10] [--connections 10] [--compare PATH]
// --compare PATH also measures another build's bin/pipebench.js (e.g. a copy of the last commit's
// bin/ and dist/) in the same rounds, as "pipebench@compare": on a shared machine only rounds run
// side by side compare fairly.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { median } from "../stats.js";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "10" },
    compare: { type: "string" },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.duration);
const connections = Number(values.connections);

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(command, args, { env, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

const server = spawn(process.execPath, ["--import", "tsx", "bench/http/server.ts"], { stdio: ["ignore", "pipe", "inherit"] });
const port = await new Promise<number>((resolve) => {
  server.stdout.setEncoding("utf8").once("data", (d: string) => resolve(Number(d.trim())));
});
const url = `http://127.0.0.1:${port}/`;
const work = mkdtempSync(join(tmpdir(), "pipebench-bench-http-"));
const hasWrk = spawnSync("wrk", ["--version"]).error === undefined;

type Client = { name: string; measure(): number };

function pipebench(name: string, bin: string): Client {
  return {
    name,
    measure() {
      const out = run(
        process.execPath,
        [
          bin, "run", "bench/http/suite.yaml", "--format", "json", "--store", join(work, "results.db"),
          "--set", `scenarios.max.load.duration=${seconds}s`,
          "--set", `scenarios.max.load.concurrency=${connections}`,
          "--set", `targets.web.connections=${connections}`,
        ],
        { ...process.env, PIPEBENCH_BENCH_HTTP_URL: url },
      );
      const result = JSON.parse(out) as { scenarioResults: { result: { opsPerSec: number; errors: number } }[] };
      const r = result.scenarioResults[0]?.result;
      if (!r || r.errors > 0) throw new Error(`${name} reported ${r?.errors ?? "no"} errors`);
      return r.opsPerSec;
    },
  };
}

const clients: Client[] = [
  pipebench("pipebench", "bin/pipebench.js"),
  ...(values.compare === undefined ? [] : [pipebench("pipebench@compare", values.compare)]),
  {
    name: "autocannon",
    measure() {
      const out = run("node_modules/.bin/autocannon", ["-c", String(connections), "-d", String(seconds), "--json", url]);
      const r = JSON.parse(out) as { requests: { total: number }; duration: number; errors: number; non2xx: number };
      if (r.errors > 0 || r.non2xx > 0) throw new Error(`autocannon reported ${r.errors} errors`);
      return r.requests.total / r.duration;
    },
  },
  ...(hasWrk
    ? [
        {
          name: "wrk",
          measure() {
            const out = run("wrk", ["-t1", `-c${connections}`, `-d${seconds}s`, url]);
            const m = /Requests\/sec:\s+([\d.]+)/.exec(out);
            if (!m) throw new Error(`cannot read wrk's output:\n${out}`);
            return Number(m[1]);
          },
        },
      ]
    : []),
];

const rates = new Map<string, number[]>(clients.map((c) => [c.name, []]));
try {
  console.log(`GET ${url} · ${connections} connections · ${seconds} s per client · ${rounds} rounds${hasWrk ? "" : " · wrk not installed (apt-get install wrk)"}`);
  for (let round = 0; round < rounds; round++) {
    // Rotate the order so no client always runs on a warmer (or more tired) server.
    const order = clients.map((_, i) => clients[(i + round) % clients.length] as Client);
    const line: string[] = [];
    for (const client of order) {
      const rate = client.measure();
      rates.get(client.name)?.push(rate);
      line.push(`${client.name} ${Math.round(rate).toLocaleString("en-US")}/s`);
    }
    console.log(`round ${round + 1}: ${line.join(" · ")}`);
  }
  console.log("");
  const pbRates = rates.get("pipebench") ?? [];
  const pb = median(pbRates);
  for (const client of clients) {
    const own = rates.get(client.name) ?? [];
    const m = median(own);
    // Also the median of each round's ratio: a round's clients ran minutes apart at most, so when
    // the machine's other load drifts, this moves less than the ratio of medians.
    const perRound = median(own.map((rate, i) => (pbRates[i] ?? NaN) / rate));
    const ratio = client.name === "pipebench"
      ? ""
      : `   pipebench / ${client.name} = ${(pb / m).toFixed(2)} (median of rounds: ${perRound.toFixed(2)})`;
    console.log(`median ${client.name.padEnd(17)} ${Math.round(m).toLocaleString("en-US").padStart(8)} requests/s${ratio}`);
  }
  console.log("goal: pipebench / autocannon ≥ 1.0");
} finally {
  server.kill("SIGTERM");
  rmSync(work, { recursive: true, force: true });
}
