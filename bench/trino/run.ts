// bench/trino: the same query by pipebench and by Trino's own CLI (io.trino:trino-cli, the
// executable jar scripts/trino-local fetches), against the same Trino, interleaved, several rounds.
// For each query both sides are held against the server's own elapsed time:
//   pipebench: the client latency it measures vs the `server` latency it records (Trino's
//              elapsedTimeMillis from the final response), p50 over the round's queries;
//   trino-cli: `time trino --execute` as seed 000 does it (the whole process: JVM start, connect,
//              query, print) vs the elapsed time Trino recorded for it (system.runtime.queries);
//   both:      the gap between one query's end and the next one's creation on Trino's clock, for
//              pipebench's queries and for trino-cli running them in one process (no JVM start).
// Usage: npx tsx bench/trino/run.ts [--url http://127.0.0.1:PORT] [--rounds 3] [--queries 20] [--cli 5]
// Without --url (or TRINO_URL) it starts a Trino with scripts/trino-local and stops it afterwards.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { TrinoClient } from "../../src/drivers/trino/protocol.js";
import { median } from "../stats.js";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    rounds: { type: "string", default: "3" },
    queries: { type: "string", default: "20" },
    cli: { type: "string", default: "5" },
  },
});
const rounds = Number(values.rounds);
const perRound = Number(values.queries);
const cliPerRound = Number(values.cli);
const SCRIPT = "scripts/trino-local";

const QUERIES: Record<string, string> = {
  "count (tpch.tiny.orders)": "SELECT count(*) FROM tpch.tiny.orders",
  "join + group by (tpch.tiny)": "SELECT c.mktsegment, count(*), sum(o.totalprice) FROM tpch.tiny.orders o JOIN tpch.tiny.customer c ON o.custkey = c.custkey GROUP BY c.mktsegment",
  // ~1.5 M rows generated and aggregated: a query of about a second, where fixed costs weigh less.
  "group by (tpch.sf1.orders)": "SELECT orderpriority, count(*), avg(totalprice) FROM tpch.sf1.orders GROUP BY orderpriority",
};

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): { ms: number; stdout: string } {
  const start = performance.now();
  const r = spawnSync(command, args, { env, encoding: "utf8", maxBuffer: 64 << 20 });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

let url = values.url ?? process.env.TRINO_URL;
let startedPid: string | undefined;
if (url === undefined) {
  console.log("starting Trino with scripts/trino-local …");
  const started = run(SCRIPT, ["start", "--owner-pid", String(process.pid)]);
  const m = /^url=(\S+) dir=\S+ pid=(\d+)$/m.exec(started.stdout);
  if (!m) throw new Error(`no url line from ${SCRIPT} start: ${started.stdout}`);
  url = m[1]!;
  startedPid = m[2]!;
}
const client = new TrinoClient({ url, connections: 1, session: { user: "bench", source: "bench-runner", properties: {} } });
const work = mkdtempSync(join(tmpdir(), "pipebench-bench-trino-"));
try {
  const version = run(SCRIPT, ["cli", "--version"]).stdout.trim();
  console.log(`Trino at ${url} · ${version} · ${rounds} rounds × (${perRound} pipebench queries, ${cliPerRound} trino-cli processes)\n`);
  const store = join(work, "results.db");
  for (const [label, sql] of Object.entries(QUERIES)) {
    const pb = { client: [] as number[], server: [] as number[] };
    const cli = { process: [] as number[], server: [] as number[] };
    // Between two queries of one client, from Trino's own clock: the next query's `created` less
    // the last one's `end`. Whatever a client adds per query beyond Trino's elapsed time lands here
    // (its last poll after the end, its loop, its next POST before Trino creates the query), for
    // pipebench and for trino-cli running the statements one after another in one process (no JVM start).
    const between = { pipebench: [] as number[], cli: [] as number[] };
    for (let round = 1; round <= rounds; round++) {
      const pbSource = `bench-pb-${process.pid}-${label.length}-${round}`;
      const out = run(
        process.execPath,
        ["bin/pipebench.js", "run", "bench/trino/suite.yaml", "--set", `scenarios.query.load.iterations=${perRound}`, "--store", store, "--format", "json", "--allow-invalid"],
        { ...process.env, PIPEBENCH_BENCH_TRINO_URL: url, PIPEBENCH_BENCH_TRINO_SQL: sql, PIPEBENCH_BENCH_TRINO_SOURCE: pbSource },
      );
      between.pipebench.push(median(await gapsOf(pbSource)));
      const cliSource = `bench-cli-many-${process.pid}-${label.length}-${round}`;
      run(SCRIPT, ["cli", "--server", url, "--user", "bench", "--source", cliSource, "--execute", Array.from({ length: perRound }, () => sql).join(";\n")]);
      between.cli.push(median(await gapsOf(cliSource)));
      const result = (JSON.parse(out.stdout) as { scenarioResults: { result: { latency: { p50: number }; observed?: { latency: { p50: number } } } }[] }).scenarioResults[0]?.result;
      if (result?.observed === undefined) throw new Error("pipebench recorded no server time");
      pb.client.push(result.latency.p50);
      pb.server.push(result.observed.latency.p50);

      const cliMs: number[] = [];
      const cliServer: number[] = [];
      for (let i = 0; i < cliPerRound; i++) {
        const source = `bench-cli-${process.pid}-${label.length}-${round}-${i}`;
        cliMs.push(run(SCRIPT, ["cli", "--server", url, "--user", "bench", "--source", source, "--execute", sql]).ms);
        const r = await client.execute(`SELECT to_milliseconds("end" - created) FROM system.runtime.queries WHERE source = '${source}'`, { keepRows: 1 });
        cliServer.push(Number(r.data[0]?.[0] ?? Number.NaN));
      }
      cli.process.push(median(cliMs));
      cli.server.push(median(cliServer));
      console.log(
        `${label} round ${round}: pipebench p50 ${ms(pb.client.at(-1))} (server ${ms(pb.server.at(-1))}) · ` +
          `trino-cli process p50 ${ms(cli.process.at(-1))} (server ${ms(cli.server.at(-1))}) · ` +
          `between queries: pipebench ${ms(between.pipebench.at(-1))}, trino-cli ${ms(between.cli.at(-1))}`,
      );
    }
    const pbOver = median(pb.client) - median(pb.server);
    const cliOver = median(cli.process) - median(cli.server);
    console.log(`\n${label}, medians of the rounds' p50:`);
    console.log(`  pipebench  client ${ms(median(pb.client))} · server ${ms(median(pb.server))} · overhead ${ms(pbOver)} (${pct(pbOver / median(pb.server))} of the server's elapsed; goal ≤ 5 %)`);
    console.log(`  trino-cli  process ${ms(median(cli.process))} · server ${ms(median(cli.server))} · overhead ${ms(cliOver)} (${pct(cliOver / median(cli.server))})`);
    console.log(`  between one query's end and the next one's creation (Trino's clock, median): pipebench ${ms(median(between.pipebench))} · trino-cli, ${perRound} statements in one process ${ms(median(between.cli))}\n`);
  }
} finally {
  await client.close();
  rmSync(work, { recursive: true, force: true });
  if (startedPid !== undefined) run(SCRIPT, ["stop", startedPid]);
}

/** Trino's gaps between consecutive queries of one source: next `created` − previous `end`, in ms. */
async function gapsOf(source: string): Promise<number[]> {
  const r = await client.execute(
    `SELECT to_milliseconds(created - lag("end") OVER (ORDER BY created)) FROM system.runtime.queries WHERE source = '${source}' AND state = 'FINISHED' ORDER BY created`,
    { keepRows: 10_000 },
  );
  return r.data.map((row) => Number(row[0])).filter((x) => Number.isFinite(x) && x >= 0);
}

function ms(x: number | undefined): string {
  return x === undefined || Number.isNaN(x) ? "–" : `${x.toFixed(x < 10 ? 1 : 0)} ms`;
}
function pct(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}
