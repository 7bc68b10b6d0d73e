// bench/http/clients.ts: the http driver's two clients without the engine, each in a fresh process,
// in rotating order: socket-client.ts (net + http-parser-js, used for http://) and undici-client.ts
// (used for https://), GET against bench/http/server.ts, 10 workers in a closed loop. Prints
// requests/s and the client process's CPU per request (user + system µs): on a shared machine the
// CPU per request moves less than the rate does.
// Usage: npx tsx bench/http/clients.ts [--rounds 5] [--duration 5] [--connections 10]
import { spawn, spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import type { ClientOptions, HttpClient } from "../../src/drivers/http/client.js";
import { planRequest } from "../../src/drivers/http/request.js";
import { RequestWorkloadSchema } from "../../src/drivers/http/schema.js";
import { median } from "../stats.js";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "5" },
    duration: { type: "string", default: "5" },
    connections: { type: "string", default: "10" },
    // Internal: measure one client against this url and print one JSON line.
    one: { type: "string" },
    url: { type: "string" },
  },
});
const seconds = Number(values.duration);
const connections = Number(values.connections);
const CLIENTS = ["socket", "undici"] as const;

interface Measurement {
  rate: number;
  cpuPerRequest: number;
}

async function measureOne(which: string, url: string): Promise<Measurement> {
  const options: ClientOptions = { origin: new URL(url), connections, pipelining: 1, timeout: 30_000, connectTimeout: 10_000 };
  const client: HttpClient = which === "undici"
    ? (await import("../../src/drivers/http/undici-client.js")).undiciClient(options)
    : (await import("../../src/drivers/http/socket-client.js")).socketClient(options);
  const plan = planRequest(RequestWorkloadSchema.parse({ type: "request" }), {
    basePath: "", headers: {}, concurrency: connections, pipelining: 1,
  });
  const { run } = client.prepare(plan);
  const signal = new AbortController().signal;
  let seq = 0;
  const loop = async (until: number): Promise<void> => {
    while (performance.now() < until) await run({ signal, seq: seq++, worker: 0, sent() {} });
  };
  // One second of warm-up (JIT, connections), then the measured interval.
  const warm = performance.now() + 1_000;
  await Promise.all(Array.from({ length: connections }, () => loop(warm)));
  const startSeq = seq;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: connections }, () => loop(started + seconds * 1_000)));
  const elapsed = (performance.now() - started) / 1_000;
  const used = process.cpuUsage(cpu);
  await client.close(1_000);
  const requests = seq - startSeq;
  return { rate: requests / elapsed, cpuPerRequest: (used.user + used.system) / requests };
}

if (values.one !== undefined && values.url !== undefined) {
  process.stdout.write(`${JSON.stringify(await measureOne(values.one, values.url))}\n`);
} else {
  const server = spawn(process.execPath, ["--import", "tsx", "bench/http/server.ts"], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve) => {
    server.stdout.setEncoding("utf8").once("data", (d: string) => resolve(Number(d.trim())));
  });
  const url = `http://127.0.0.1:${port}/`;
  const results = new Map<string, Measurement[]>(CLIENTS.map((c) => [c, []]));
  try {
    console.log(`GET ${url} · ${connections} connections · ${seconds} s per client · ${values.rounds} rounds`);
    for (let round = 0; round < Number(values.rounds); round++) {
      const order = CLIENTS.map((_, i) => CLIENTS[(i + round) % CLIENTS.length] as string);
      const line: string[] = [];
      for (const which of order) {
        const child = spawnSync(
          process.execPath,
          ["--import", "tsx", "bench/http/clients.ts", "--one", which, "--url", url,
            "--duration", String(seconds), "--connections", String(connections)],
          { encoding: "utf8" },
        );
        if (child.status !== 0) throw new Error(`${which} failed: ${child.stderr}`);
        const m = JSON.parse(child.stdout) as Measurement;
        results.get(which)?.push(m);
        line.push(`${which} ${Math.round(m.rate).toLocaleString("en-US")}/s ${m.cpuPerRequest.toFixed(1)} µs`);
      }
      console.log(`round ${round + 1}: ${line.join(" · ")}`);
    }
    console.log("");
    for (const which of CLIENTS) {
      const ms = results.get(which) ?? [];
      const rate = median(ms.map((m) => m.rate));
      const cpu = median(ms.map((m) => m.cpuPerRequest));
      console.log(`median ${which.padEnd(7)} ${Math.round(rate).toLocaleString("en-US").padStart(8)} requests/s  ${cpu.toFixed(1).padStart(5)} CPU µs/request`);
    }
  } finally {
    server.kill("SIGTERM");
  }
}
