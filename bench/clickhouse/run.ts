// bench/clickhouse: pipebench's ClickHouse insert against `clickhouse-client --query "INSERT …
// FORMAT TSV"` reading the same rows from a file (same generator and seed, same TSV encoder), into
// the same server (scripts/clickhouse-local, started here), interleaved, several rounds, medians.
// Both are timed as whole processes from the outside; pipebench's own measured throughput is
// printed beside it, for three variants: rows encoded live, rows pregenerated before the timed
// window (as clickhouse-client's file is), and pregenerated over two connections.
// Usage: npx tsx bench/clickhouse/run.ts [--rows 1000000] [--rounds 3] [--variant live …]
// [--set scenarios.insert.workload.format=RowBinary …] (passed to every pipebench run).
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { generators } from "../../src/data/index.js";
import { encoderFor } from "../../src/drivers/clickhouse/encode.js";
import { featuresOf, parseVersion } from "../../src/drivers/clickhouse/server-features.js";
import { clickHouseColumn, createTableSql } from "../../src/drivers/clickhouse/table.js";
import { median } from "../stats.js";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    rounds: { type: "string", default: "3" },
    set: { type: "string", multiple: true, default: [] },
    variant: { type: "string", multiple: true, default: [] },
  },
});
const rows = Number(values.rows);
const rounds = Number(values.rounds);
const BATCH = 100_000;
if (rows % BATCH !== 0) throw new Error(`--rows must be a multiple of ${BATCH}`);
const LOCAL = "scripts/clickhouse-local";

function rate(x: number | undefined): string {
  return Math.round(x ?? 0).toLocaleString("en-US");
}

function timed(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; stdinFile?: string } = {}): { ms: number; stdout: string } {
  const stdin = options.stdinFile === undefined ? "ignore" : openSync(options.stdinFile, "r");
  const start = performance.now();
  const r = spawnSync(command, args, { env: options.env ?? process.env, encoding: "utf8", maxBuffer: 64 << 20, stdio: [stdin, "pipe", "pipe"] });
  const ms = performance.now() - start;
  if (typeof stdin === "number") closeSync(stdin);
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

const work = mkdtempSync(join(tmpdir(), "pipebench-bench-ch-"));
const started = timed(LOCAL, ["start", "--owner-pid", String(process.pid)]).stdout;
const match = /^url=(\S+) dir=(\S+) pid=(\d+)$/m.exec(started);
if (!match) throw new Error(`${LOCAL} start printed no url line: ${started}`);
const [, url = "", dir = "", pid = ""] = match;
const tcpPort = readFileSync(join(dir, "tcp.port"), "utf8").trim();
try {
  const client = (sql: string, stdinFile?: string): number =>
    timed("clickhouse-client", ["--host", "127.0.0.1", "--port", tcpPort, "--query", sql], stdinFile === undefined ? {} : { stdinFile }).ms;
  const version = timed("clickhouse-client", ["--host", "127.0.0.1", "--port", tcpPort, "--query", "SELECT version()"]).stdout.trim();
  const columns = generators["market-ticks"].columns.map((c) => clickHouseColumn(c, featuresOf(parseVersion(version), undefined)));
  client(createTableSql("bench_ticks", columns, {}));

  // The same generator and seed pipebench uses, encoded by the same TSV encoder.
  const file = join(work, "rows.tsv");
  const encode = encoderFor("TSV", columns);
  const source = generators["market-ticks"].create(1);
  const parts: Buffer[] = [];
  for (let first = 0; first < rows; first += BATCH) parts.push(encode(source, first, BATCH));
  const data = Buffer.concat(parts);
  writeFileSync(file, data);

  // Each round runs clickhouse-client and every pipebench variant once, one after the other, so a
  // busy machine's load falls on all of them alike; the ratios are of medians over the rounds.
  const variants: { name: string; says: string; set: string[] }[] = [
    { name: "live", says: "generates and encodes each batch while the previous INSERT runs (the suite as written)", set: [] },
    { name: "pregenerated", says: `pregenerate: ${rows} — every batch encoded at prepare, before the timed window, as clickhouse-client's file is written before its clock starts`, set: [`scenarios.insert.workload.pregenerate=${rows}`] },
    {
      name: "pregenerated ×2",
      says: "the same, with two connections and two workers (two INSERTs at the server at once; clickhouse-client sends one stream)",
      set: [`scenarios.insert.workload.pregenerate=${rows}`, "scenarios.insert.load.workers=2", "targets.ch.connections=2"],
    },
  ].filter((v) => values.variant.length === 0 || values.variant.includes(v.name));
  const nativeRates: number[] = [];
  const nativeInsertRates: number[] = [];
  const rates = new Map(variants.map((v) => [v.name, { whole: [] as number[], measured: [] as number[] }]));
  const loads: number[] = [];
  const store = join(work, "results.db");
  console.log(`${rows.toLocaleString("en-US")} market-ticks rows (${(data.length / 1e6).toFixed(1)} MB of TSV), ${BATCH.toLocaleString("en-US")}-row batches, ClickHouse ${version}, Node ${process.version}, ${cpus().length} CPUs`);
  console.log("clickhouse-client: one process, timed from the outside: start, read the TSV file (written before), parse it, send native blocks over one connection; 'less its start' takes off the time of a `clickhouse-client --query \"SELECT 1\"` in the same round");
  for (const v of variants) console.log(`pipebench ${v.name}: ${v.says}`);
  console.log("pipebench measured = the scenario's own rows/s over its timed window; whole = the process timed from the outside (node start, module load, connect, prepare, run, store)");
  console.log("");
  for (let round = 1; round <= rounds; round++) {
    loads.push(loadavg()[0] ?? 0);
    client("TRUNCATE TABLE bench_ticks");
    const ms = client("INSERT INTO bench_ticks FORMAT TSV", file);
    nativeRates.push(rows / (ms / 1000));
    // Its start and a trivial query: taken off, the INSERT alone, as pipebench's window has it.
    const startMs = client("SELECT 1");
    nativeInsertRates.push(rows / (Math.max(1, ms - startMs) / 1000));
    const line = [`round ${round} (load ${loads.at(-1)?.toFixed(1)}): clickhouse-client ${rate(nativeRates.at(-1))} (less its start: ${rate(nativeInsertRates.at(-1))})`];
    for (const v of variants) {
      client("TRUNCATE TABLE bench_ticks");
      const pb = timed(
        process.execPath,
        ["bin/pipebench.js", "run", "bench/clickhouse/suite.yaml", "--set", `scenarios.insert.load.iterations=${rows / BATCH}`, ...[...v.set, ...values.set].flatMap((x) => ["--set", x]), "--store", store, "--format", "json", "--allow-invalid"],
        { env: { ...process.env, PIPEBENCH_BENCH_CH_URL: url } },
      );
      const result = JSON.parse(pb.stdout) as { scenarioResults: { result: { records: number; throughput: number } }[] };
      const scenario = result.scenarioResults[0]?.result;
      if (scenario?.records !== rows) throw new Error(`pipebench ${v.name} wrote ${scenario?.records} rows, expected ${rows}`);
      const stored = Number(timed("clickhouse-client", ["--host", "127.0.0.1", "--port", tcpPort, "--query", "SELECT count() FROM bench_ticks"]).stdout.trim());
      if (stored !== rows) throw new Error(`the table holds ${stored} rows after pipebench ${v.name}'s run, expected ${rows}`);
      const r = rates.get(v.name)!;
      r.whole.push(rows / (pb.ms / 1000));
      r.measured.push(scenario.throughput);
      line.push(`${v.name} ${rate(scenario.throughput)} (whole ${rate(r.whole.at(-1))})`);
    }
    console.log(line.join(" · "));
  }
  const nativeMedian = median(nativeRates);
  console.log("");
  console.log(`load average at the rounds' starts: ${loads.map((l) => l.toFixed(1)).join(", ")} (median ${median(loads).toFixed(1)})`);
  const nativeInsert = median(nativeInsertRates);
  console.log(`median clickhouse-client: ${rate(nativeMedian)} rows/s (less its start, ${rate(nativeInsert)})`);
  for (const v of variants) {
    const r = rates.get(v.name)!;
    console.log(
      `median pipebench ${v.name}: measured ${rate(median(r.measured))} rows/s, whole ${rate(median(r.whole))} rows/s · ` +
        `ratio to clickhouse-client ${(median(r.measured) / nativeMedian).toFixed(2)} measured (${(median(r.measured) / nativeInsert).toFixed(2)} to its INSERT less its start), ` +
        `${(median(r.whole) / nativeMedian).toFixed(2)} whole process (goal ≥ 1.0)`,
    );
  }
} finally {
  spawnSync(LOCAL, ["stop", pid], { stdio: "inherit" });
  rmSync(work, { recursive: true, force: true });
}
